// The `terse` CLI: --version, --help, compress (text and JSON), and bad input with exact messages
// and exit codes (documented in `terse --help` and README.md).
#include "cli_test_util.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace cli_test;

class TestCliCompress : public QObject {
    Q_OBJECT
private slots:
    void versionAndHelp()
    {
        const Run v = terse({"--version"});
        QCOMPARE(v.code, 0);
        QCOMPARE(v.out, QStringLiteral("terse " TERSE_VERSION "\n"));
        const Run h = terse({"--help"});
        QCOMPARE(h.code, 0);
        QVERIFY(h.out.contains(QStringLiteral("compress")));
        QVERIFY(h.out.contains(QStringLiteral("exit codes")));
        const Run none = terse({});
        QCOMPARE(none.code, 2);
    }

    void compressesStdinAndFiles()
    {
        const Run r =
            terse({"compress", "--method", "head", "--rate", "0.5"}, "alpha beta gamma delta");
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("alpha beta\n"));
        QTemporaryDir dir;
        QFile f(dir.filePath("p.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("alpha beta gamma delta");
        f.close();
        const Run j =
            terse({"compress", "--method", "tail", "--rate", "0.5", "--json", f.fileName()});
        QCOMPARE(j.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(j.out.toUtf8()).object();
        QCOMPARE(o["compressed_text"].toString(), QStringLiteral("gamma delta"));
        QCOMPARE(o["tokens_in"].toInt(), 4);
        QCOMPARE(o["achieved_rate"].toDouble(), 0.5);
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown verb") << QStringList{"squash"} << QByteArray() << 2
                                      << "terse: unknown command 'squash' (see terse --help)\n";
        QTest::newRow("unknown method")
            << QStringList{"compress", "--method", "zip"} << QByteArray("a b") << 4
            << "terse: unknown method 'zip' (known: random, head, tail, head_tail, "
               "selective_context, llmlingua2, llmlingua, longllmlingua, dac, pis, entropy_only, "
               "attention_only)\n";
        QTest::newRow("rate 1.5") << QStringList{"compress", "--rate", "1.5"} << QByteArray("a b")
                                  << 2 << "terse: --rate must be in (0, 1], got 1.5\n";
        QTest::newRow("rate text") << QStringList{"compress", "--rate", "half"} << QByteArray("a b")
                                   << 2 << "terse: --rate expects a number, got 'half'\n";
        QTest::newRow("unknown option")
            << QStringList{"compress", "--fast"} << QByteArray("a b") << 2
            << "terse: unknown option --fast (see terse compress --help)\n";
        QTest::newRow("missing value")
            << QStringList{"compress", "--rate"} << QByteArray("a b") << 2
            << "terse: option --rate needs a value (see terse compress --help)\n";
        QTest::newRow("empty stdin") << QStringList{"compress"} << QByteArray() << 3
                                     << "terse: standard input: the prompt is empty\n";
        QTest::newRow("binary stdin")
            << QStringList{"compress"} << QByteArray("ab\0cd", 5) << 3
            << "terse: standard input: the text contains a NUL byte at offset 2: it looks "
               "like a binary file\n";
        QTest::newRow("latin1 stdin")
            << QStringList{"compress"} << QByteArray("caf\xe9") << 3
            << "terse: standard input: the text is not valid UTF-8 (first bad byte at "
               "offset 3)\n";
        QTest::newRow("missing file")
            << QStringList{"compress", "/nonexistent/p.txt"} << QByteArray() << 4
            << "terse: cannot open '/nonexistent/p.txt': No such file or directory\n";
        QTest::newRow("bad mode") << QStringList{"compress", "--mode", "exact"} << QByteArray("a b")
                                  << 2
                                  << "terse: unknown mode 'exact' (use reference or corrected)\n";
    }

    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, input);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = terse(args, input);
        QCOMPARE(r.err, message);
        QCOMPARE(r.code, code);
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliCompress)
#include "test_cli_compress.moc"
