// Issue 6: the CLI's batch progress bar (app/cli/progress_bar.h): the rendered text with its ETA,
// and the non-terminal mode that prints one line per 10% (standard error redirected to a file
// here).
#include "progress_bar.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>
#include <unistd.h>

using terse::cli::ProgressBar;

namespace {

// Runs `fn` with stderr redirected to a file and returns what it printed.
template <typename Fn> QString captureStderr(Fn fn)
{
    QTemporaryDir dir;
    const QByteArray path = dir.filePath(QStringLiteral("err.txt")).toLocal8Bit();
    std::fflush(stderr);
    const int saved = dup(STDERR_FILENO);
    if (!std::freopen(path.constData(), "w", stderr))
        return QStringLiteral("cannot redirect stderr");
    fn();
    std::fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    QFile f(QString::fromLocal8Bit(path));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read the capture");
    return QString::fromUtf8(f.readAll());
}

} // namespace

class TestProgressBar : public QObject {
    Q_OBJECT
private slots:
    void renders_data()
    {
        QTest::addColumn<long>("done");
        QTest::addColumn<long>("total");
        QTest::addColumn<double>("elapsed");
        QTest::addColumn<QString>("text");
        QTest::newRow("start") << 0L << 10L << 0.0
                               << "[>                             ] 0/10 prompts  ETA --";
        QTest::newRow("30%") << 3L << 10L << 6.0
                             << "[=========>                    ] 3/10 prompts  ETA 14s";
        QTest::newRow("minutes") << 1L << 100L << 10.0
                                 << "[>                             ] 1/100 prompts  ETA 16m30s";
        QTest::newRow("hours") << 1L << 1000L << 10.0
                               << "[>                             ] 1/1000 prompts  ETA 2h46m";
        QTest::newRow("done") << 10L << 10L << 12.4
                              << "[==============================] 10/10 prompts  done in 12s";
        QTest::newRow("past the end")
            << 12L << 10L << 3.0 << "[==============================] 10/10 prompts  done in 3s";
    }

    void renders()
    {
        QFETCH(long, done);
        QFETCH(long, total);
        QFETCH(double, elapsed);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(ProgressBar::render(done, total, "prompts", elapsed)),
                 text);
    }

    void printsOneLinePerTenPercentWithoutTerminal()
    {
        if (isatty(STDERR_FILENO))
            QSKIP("stderr is a terminal here; the capture below replaces it with a file anyway");
        const QString out = captureStderr([] {
            ProgressBar bar(25, "docs", true);
            for (long i = 1; i <= 25; ++i) {
                bar.update(i);
                if (i == 4)
                    bar.message("terse: a note");
            }
        });
        QStringList lines = out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 12); // the first update, one line per 10% and the note
        QVERIFY(lines[0].startsWith(
            QStringLiteral("[=>                            ] 1/25 docs  ETA ")));
        QVERIFY(lines[1].startsWith(
            QStringLiteral("[===>                          ] 3/25 docs  ETA ")));
        QCOMPARE(lines[2], QStringLiteral("terse: a note"));
        QVERIFY(lines[3].contains(QStringLiteral(" 5/25 docs")));
        QVERIFY(lines[11].startsWith(
            QStringLiteral("[==============================] 25/25 docs  done in ")));
        const QString quiet = captureStderr([] {
            ProgressBar bar(5, "docs", false);
            for (long i = 1; i <= 5; ++i)
                bar.update(i);
        });
        QCOMPARE(quiet, QString());
    }
};

QTEST_GUILESS_MAIN(TestProgressBar)
#include "test_progress_bar.moc"
