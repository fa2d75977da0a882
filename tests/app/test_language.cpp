// Interface language (issue 8): the embedded German and Simplified Chinese translations reach the real
// MainWindow and the widgets library, switching at runtime re-translates the main controls, the View ›
// Language menu stores the choice, and an unknown language code changes nothing.
#include "language.h"
#include "main_window.h"

#include "terse_widgets/prompt_editor.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace terse::app;

namespace {
QString menuTitle(const MainWindow &w, int i)
{
    return w.menuBar()->actions().at(i)->text();
}
}  // namespace

class TestLanguage : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;  // the session database and settings of these tests, never the user's

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8());
        qputenv("HF_HUB_CACHE", m_home.filePath(QStringLiteral("hf")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("TerseTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_language"));
        QSettings().clear();
    }

    void cleanup()
    {
        QVERIFY(installLanguage(*qApp, QStringLiteral("en")));
    }

    void newWindowIsTranslated_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("compress");
        QTest::addColumn<QString>("fileMenu");
        QTest::addColumn<QString>("hintStart");  // terse_widgets' PromptEditor
        // QTest checks column types: every cell is a QString, not a const char *.
        QTest::newRow("en") << QStringLiteral("en") << QStringLiteral("Compress") << QStringLiteral("&File")
                            << QStringLiteral("Paste a prompt here");
        QTest::newRow("de") << QStringLiteral("de") << QStringLiteral("Komprimieren") << QStringLiteral("&Datei")
                            << QString::fromUtf8("Fügen Sie hier einen Prompt ein");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << QString::fromUtf8("压缩") << QString::fromUtf8("文件(&F)")
                               << QString::fromUtf8("在此粘贴提示词");
    }

    void newWindowIsTranslated()
    {
        QFETCH(QString, code);
        QFETCH(QString, compress);
        QFETCH(QString, fileMenu);
        QFETCH(QString, hintStart);
        QVERIFY(installLanguage(*qApp, code));
        QCOMPARE(currentLanguage(*qApp), code);
        MainWindow w;
        QCOMPARE(w.runButton()->text(), compress);
        QCOMPARE(menuTitle(w, 0), fileMenu);
        QVERIFY2(w.promptEditor()->placeholderText().startsWith(hintStart),
                 qPrintable(w.promptEditor()->placeholderText()));
    }

    void switchingAtRuntimeRetranslatesTheWindow()
    {
        MainWindow w;
        w.show();
        QCOMPARE(w.runButton()->text(), QStringLiteral("Compress"));
        QVERIFY(installLanguage(*qApp, QStringLiteral("de")));
        QTRY_COMPARE(w.runButton()->text(), QStringLiteral("Komprimieren"));
        QCOMPARE(w.cancelButton()->text(), QStringLiteral("Abbrechen"));
        QCOMPARE(menuTitle(w, 0), QStringLiteral("&Datei"));
        QCOMPARE(w.windowTitle(), QStringLiteral("Terse Studio"));
        QVERIFY(installLanguage(*qApp, QStringLiteral("zh_CN")));
        QTRY_COMPARE(w.runButton()->text(), QString::fromUtf8("压缩"));
        QCOMPARE(menuTitle(w, 1), QString::fromUtf8("编辑(&E)"));
        QVERIFY(installLanguage(*qApp, QStringLiteral("en")));
        QTRY_COMPARE(w.runButton()->text(), QStringLiteral("Compress"));
        QCOMPARE(menuTitle(w, 0), QStringLiteral("&File"));
    }

    void languageMenuStoresTheChoice()
    {
        MainWindow w;
        auto *menu = w.findChild<QMenu *>(QStringLiteral("languageMenu"));
        QVERIFY(menu);
        QStringList codes;
        QAction *german = nullptr;
        for (QAction *a : menu->actions()) {
            codes << a->data().toString();
            if (a->data().toString() == QLatin1String("de"))
                german = a;
        }
        QCOMPARE(codes, (QStringList{QString(), QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("zh_CN")}));
        QVERIFY(german);
        german->trigger();
        QCOMPARE(QSettings().value(QLatin1String(kLanguageKey)).toString(), QStringLiteral("de"));
        QCOMPARE(currentLanguage(*qApp), QStringLiteral("de"));
        QTRY_COMPARE(w.runButton()->text(), QStringLiteral("Komprimieren"));
        QSettings().remove(QLatin1String(kLanguageKey));
    }

    void unknownCodeFailsCleanly_data()
    {
        QTest::addColumn<QString>("code");
        QTest::newRow("fr") << QStringLiteral("fr");
        QTest::newRow("path") << QStringLiteral("../../etc/passwd");
        QTest::newRow("zh_TW") << QStringLiteral("zh_TW");
    }

    void unknownCodeFailsCleanly()
    {
        QFETCH(QString, code);
        QVERIFY(installLanguage(*qApp, QStringLiteral("de")));
        QVERIFY(!installLanguage(*qApp, code));
        QCOMPARE(currentLanguage(*qApp), QStringLiteral("de"));
        QCOMPARE(MainWindow::tr("Compress"), QStringLiteral("Komprimieren"));
    }

    void systemLanguageResolvesToASupportedOne()
    {
        QVERIFY(installLanguage(*qApp, QString()));
        QVERIFY(availableLanguages().contains(currentLanguage(*qApp)));
    }
};

QTEST_MAIN(TestLanguage)
#include "test_language.moc"
