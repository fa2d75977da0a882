// Issue 20: the Cost panel's arithmetic on hand-computed cases, its presets (edited, added, kept in
// the settings) and its verdict for the result on screen.
#include "app_test_support.h"
#include "cost_model.h"
#include "cost_panel.h"
#include "main_window.h"

#include "terse_widgets/prompt_editor.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QtTest>

#include <cmath>

using namespace terse::app;

class TestCostPanel : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        terse::test::isolateHome(m_home, QStringLiteral("test_cost_panel"));
    }

    void handComputedCases()
    {
        // 1000 → 400 tokens at $2.50 per 1M and 2000 tokens/s, compressed in 500 ms:
        // 600 saved; 600 × 2.5 / 1e6 = $0.0015 per call, $1.50 per 1k calls; prefill 0.5 s → 0.2 s,
        // 0.3 s saved < 0.5 s compressing: 0.2 s slower; break-even 600 / 0.5 s = 1200 tokens/s.
        CostEstimate e = estimateCost(1000, 400, 500, {QStringLiteral("hosted"), 2.50, 2000});
        QCOMPARE(e.tokensSaved, 600L);
        QCOMPARE(e.savedPerCall, 0.0015);
        QCOMPARE(e.savedPer1kCalls, 1.5);
        QCOMPARE(e.prefillOriginalS, 0.5);
        QCOMPARE(e.prefillCompressedS, 0.2);
        QVERIFY(std::abs(e.prefillSavedS - 0.3) < 1e-12);
        QCOMPARE(e.compressionS, 0.5);
        QVERIFY(std::abs(e.netLatencyS + 0.2) < 1e-12);
        QVERIFY(!e.paysOffInLatency);
        QCOMPARE(e.breakEvenTokensPerSecond, 1200.0);
        // A local CPU model reading 60 tokens/s: 600 tokens saved are 10 s; free, but 9.5 s faster.
        e = estimateCost(1000, 400, 500, {QStringLiteral("cpu"), 0.0, 60});
        QCOMPARE(e.savedPerCall, 0.0);
        QCOMPARE(e.prefillSavedS, 10.0);
        QCOMPARE(e.netLatencyS, 9.5);
        QVERIFY(e.paysOffInLatency);
        // Nothing saved (or a longer output, clamped): no saving, no break-even.
        e = estimateCost(300, 350, 100, {QStringLiteral("x"), 1.0, 1000});
        QCOMPARE(e.tokensSaved, 0L);
        QCOMPARE(e.savedPerCall, 0.0);
        QCOMPARE(e.breakEvenTokensPerSecond, 0.0);
    }

    void presetsRoundTripAndBadEntriesAreSkipped()
    {
        const QList<TargetPreset> p{{QStringLiteral("a"), 1.25, 100}, {QStringLiteral("b"), 0, 5}};
        QCOMPARE(presetsFromJson(presetsToJson(p)), p);
        const QString bad =
            QStringLiteral(R"([{"name":"ok","dollarsPerMillionInput":1,"prefillTokensPerSecond":2},
            {"name":"","dollarsPerMillionInput":1,"prefillTokensPerSecond":2},
            {"name":"neg","dollarsPerMillionInput":-1,"prefillTokensPerSecond":2},
            {"name":"zero speed","dollarsPerMillionInput":1,"prefillTokensPerSecond":0}, 7, "x"])");
        QCOMPARE(presetsFromJson(bad).size(), 1);
        QVERIFY(presetsFromJson(QStringLiteral("not json")).isEmpty());
        QVERIFY(!defaultTargetPresets().isEmpty());
    }

    void panelShowsTheVerdictAndKeepsItsPresets()
    {
        {
            CostPanel panel;
            QVERIFY(panel.summaryText().contains(QStringLiteral("Compress a prompt")));
            QVERIFY(panel.addPreset(QStringLiteral("My server")));
            QVERIFY(!panel.addPreset(QStringLiteral("My server"))); // taken
            panel.setPrice(2.5);
            panel.setThroughput(2000);
            panel.setResult(1000, 400, 500);
            const QString text = panel.summaryText();
            QVERIFY2(text.contains(QStringLiteral("Tokens: 1,000 → 400 (600 saved, 60.0%)")),
                     qPrintable(text));
            QVERIFY2(text.contains(QStringLiteral("$0.0015 per call, $1.50 per 1,000 calls")),
                     qPrintable(text));
            QVERIFY2(text.contains(QStringLiteral("Cheaper, but slower")), qPrintable(text));
            QVERIFY2(text.contains(QStringLiteral("slower than 1,200 tokens/s")), qPrintable(text));
            panel.setThroughput(60);
            QVERIFY2(panel.summaryText().contains(
                         QStringLiteral("Pays off: cheaper, and 9.50 s faster per call")),
                     qPrintable(panel.summaryText()));
            panel.setResult(-1, -1, 12);
            QVERIFY(panel.summaryText().contains(QStringLiteral("no target-token counts")));
        }
        // A new panel (next start) has the preset, its values and the selection.
        CostPanel again;
        const int i = again.currentPreset();
        QCOMPARE(again.presets().at(i).name, QStringLiteral("My server"));
        QCOMPARE(again.presets().at(i).prefillTokensPerSecond, 60.0);
        const int before = again.presets().size();
        again.removeCurrentPreset();
        QCOMPARE(again.presets().size(), before - 1);
    }

    void followsTheResultOnScreen()
    {
        MainWindow w;
        terse::test::waitReady(w);
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("head")));
        w.promptEditor()->setPlainText(
            QStringLiteral("Terse keeps the words that matter and drops the rest, so that long "
                           "prompts fit the budget."));
        QSignalSpy shown(&w, &MainWindow::resultShown);
        w.runCompression();
        QVERIFY(shown.wait(20000));
        const auto r = w.lastResult();
        const CostEstimate e = w.costPanel()->estimate();
        QCOMPARE(e.tokensIn, r->targetTokensIn);
        QCOMPARE(e.tokensOut, r->targetTokensOut);
        QVERIFY(e.tokensSaved > 0);
        QCOMPARE(e.compressionS, r->totalMs / 1000.0);
    }
};

QTEST_MAIN(TestCostPanel)
#include "test_cost_panel.moc"
