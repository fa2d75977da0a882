// Issue 16: the window is made and shown before the engine module has loaded (the app links no
// libtorch); the method controls wait for it, say so, and fill in with what was restored meanwhile.
#include "app_test_support.h"
#include "engine_host.h"
#include "main_window.h"
#include "parameter_panel.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>

#include <cstdlib>

using namespace terse;
using namespace terse::app;

class TestEngineLoading : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        terse::test::isolateHome(m_home, QStringLiteral("test_engine_loading"));
    }

    void windowWaitsForTheEngine()
    {
        QVERIFY(EngineHost::api() == nullptr); // not preloaded in this test
        MainWindow w;
        terse::test::waitReady(w);
        QVERIFY(!w.isEngineReady());
        QVERIFY(!w.methodCombo()->isEnabled());
        QCOMPARE(w.methodCombo()->count(), 0);
        QVERIFY(!w.methodCombo()->placeholderText().isEmpty());
        QVERIFY(!w.parameterPanel()
                     ->findChild<QLabel *>(QStringLiteral("noParameters"))
                     ->text()
                     .isEmpty());
        // A first run preselects the bundled tagger's method, before the list is there.
        QCOMPARE(w.currentMethod(), QStringLiteral("llmlingua2"));

        // Restored options (a session, --method) wait for the engine too.
        CompressOptions o;
        o.method = "selective_context";
        o.rate = 0.3;
        o.params = {{"reduce_level", "sent"}};
        w.applyOptions(o);
        QCOMPARE(w.currentMethod(), QStringLiteral("selective_context"));
        QCOMPARE(w.currentOptions().method, std::string("selective_context"));
        bool called = false;
        w.whenEngineReady([&] { called = true; });
        QVERIFY(!called);

        w.show(); // starts the load in the background
        QTRY_VERIFY_WITH_TIMEOUT(w.isEngineReady(), 60000);
        QVERIFY(called);
        QVERIFY(EngineHost::api() != nullptr);
        QVERIFY(w.methodCombo()->isEnabled());
        QVERIFY(w.methodCombo()->count() > 3);
        QCOMPARE(w.methodCombo()->currentData().toString(), QStringLiteral("selective_context"));
        QCOMPARE(w.currentOptions().params.at("reduce_level"), std::string("sent"));
        QCOMPARE(w.rate(), 0.3);

        // Asked later, it runs at once.
        bool now = false;
        w.whenEngineReady([&] { now = true; });
        QVERIFY(now);
    }
};

int main(int argc, char **argv)
{
    qputenv("TERSE_TEST_LAZY_ENGINE", "1"); // before the application object: no preload
    QApplication app(argc, argv);
    TestEngineLoading test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_engine_loading.moc"
