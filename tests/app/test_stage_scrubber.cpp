// Issue #8 seeing: the stage scrubber replays dynamic DAC stage by stage (heatmap and plot show
// stage k), the entropy-shift plot, LLMLingua window boundaries, the histogram and colour legend,
// the hover text, and the attention view, whose values equal what the engine returns for that layer
// and head. Uses the tiny parity GPT-2 in TERSE_SHARED_DIR.
#include "app_test_util.h"

#include "model_picker.h"
#include "parameter_panel.h"
#include "result_adapter.h"
#include "result_inspector.h"
#include "session_manager.h"

#include "terse/session_store.h"

#include "terse/attention.h"
#include "terse_widgets/attention_plot.h"
#include "terse_widgets/color_legend.h"
#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/score_histogram.h"
#include "terse_widgets/score_plot.h"
#include "terse_widgets/stage_scrubber.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>

#include <atomic>
#include <cmath>
#include <filesystem>

using namespace terse;
using namespace terse::app;
using namespace terse::testutil;

namespace {
const char *kText =
    "Project sync on Tuesday. Maria said the beta has been live for three weeks and roughly four "
    "hundred "
    "teams signed up, about twice what we planned. Jonas reported that the import pipeline handles "
    "files up "
    "to two gigabytes, but the progress bar still freezes on very large spreadsheets because "
    "parsing happens "
    "on the main thread. Aiko showed the new onboarding screens and asked for feedback by Friday.";

std::string modelPath()
{
    return std::string(TERSE_SHARED_DIR) + "/parity/models/tiny-gpt2-pos2048";
}

void setParam(MainWindow &w, const char *name, const QString &value)
{
    auto params = w.parameterPanel()->values();
    params[name] = value.toStdString();
    w.parameterPanel()->setValues(params);
}
// A shown window set to dynamic DAC with `stages` stages at `rate` on kText with the tiny model.
bool setUpDynamicDac(MainWindow &w, const char *stages, double rate)
{
    w.resize(1300, 850);
    w.show();
    if (!selectMethod(w, QStringLiteral("dac")))
        return false;
    setParam(w, "variant", QStringLiteral("dynamic_attn_ppl"));
    setParam(w, "stages", QString::fromLatin1(stages));
    w.setRate(rate);
    w.promptEditor()->setPlainText(QString::fromUtf8(kText));
    w.modelPicker()->setCurrentModelPath(QString::fromStdString(modelPath()));
    return true;
}
} // namespace

class TestStageScrubber : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        usePrivateHome(m_home, "test_stage_scrubber");
        if (!std::filesystem::exists(modelPath()))
            QSKIP("tiny-gpt2-pos2048 is not in TERSE_SHARED_DIR/parity/models");
    }

    void partialStagesShowWhileTheRunGoes()
    {
        // Issue 20: a dynamic DAC run shows each stage's result while the later stages run; the
        // scrubber spans every stage and fills; the last complete result stays the one Copy/Export
        // use; Cancel mid-run brings the last complete result back.
        MainWindow w;
        QVERIFY(setUpDynamicDac(w, "4", 0.4));
        ResultInspector *in = w.inspector();
        struct Seen {
            int done, total, stageCount, sliderMax, dropped, position;
            bool running, busy, noCompleteResult;
            QString notice;
        };
        std::vector<Seen> seen;
        auto conn = connect(&w, &MainWindow::partialShown, this, [&](int done, int total) {
            int dropped = 0;
            for (const auto &t : w.heatmapView()->data().tokens)
                dropped += !t.kept;
            seen.push_back({done, total, in->scrubber()->stageCount(),
                            in->scrubber()->slider()->maximum(), dropped,
                            in->scrubber()->position(), in->scrubber()->isRunning(), w.isBusy(),
                            !w.lastResult(), in->outdatedText()});
            if (done == 1)
                in->scrubber()->setPosition(0); // the user looks at stage 1 while stage 2 arrives
        });
        QVERIFY(runAndWait(w, 25000));
        disconnect(conn);
        QCOMPARE(seen.size(), std::size_t(3));
        for (std::size_t k = 0; k < seen.size(); ++k) {
            const Seen &s = seen[k];
            QCOMPARE(s.done, static_cast<int>(k) + 1);
            QCOMPARE(s.total, 4);
            QCOMPARE(s.stageCount, s.done);
            QCOMPARE(s.sliderMax, 4); // the scrubber spans the stages still to come
            QVERIFY(s.running && s.busy && s.noCompleteResult);
            QVERIFY2(s.notice.contains(QStringLiteral("Partial result")), qPrintable(s.notice));
            if (k > 0)
                QVERIFY(s.dropped > 0);
        }
        QCOMPARE(seen[0].position, 1); // the partial result itself
        QCOMPARE(seen[1].position, 0); // the stage the user moved to stays in view
        QVERIFY(seen[2].dropped >= seen[1].dropped);
        // Finished: the final result with its 4 stages, no running scrubber, no notice.
        QVERIFY(w.lastResult());
        QCOMPARE(w.lastResult()->stages.size(), std::size_t(4));
        QVERIFY(!in->scrubber()->isRunning());
        QCOMPARE(in->scrubber()->stageCount(), 4);
        QCOMPARE(in->outdatedText(), QString());
        const ResultHandle complete = w.lastResult();

        // Cancel after the first stage: the last complete result comes back, marked as not matching
        // the settings.
        w.setRate(0.3);
        // The cancel is made on the engine thread as the first stage's result leaves it (what
        // Cancel does, without racing a tiny model that finishes all stages before the UI thread
        // runs).
        std::atomic<bool> cancelledAtPartial = false;
        conn = connect(
            w.worker(), &EngineWorker::partialResult, this,
            [&](quint64, ResultHandle, int, int) {
                if (!cancelledAtPartial.exchange(true))
                    w.worker()->cancel();
            },
            Qt::DirectConnection);
        w.runCompression();
        QTRY_VERIFY_WITH_TIMEOUT(!w.isBusy(), 25000);
        disconnect(conn);
        QVERIFY(cancelledAtPartial);
        QCOMPARE(w.lastResult(), complete);
        QCOMPARE(in->result(), complete);
        QVERIFY(!in->scrubber()->isRunning());
        QVERIFY2(in->outdatedText().contains(QStringLiteral("other settings")),
                 qPrintable(in->outdatedText()));
    }

    void dacStagesReplayAndAttentionMatchesTheEngine()
    {
        MainWindow w;
        // The model is chosen through the options the window sends: the tiny model.
        QVERIFY(setUpDynamicDac(w, "3", 0.5));
        auto opts = w.currentOptions();
        QCOMPARE(QString::fromStdString(opts.params["stages"]), QStringLiteral("3"));
        QVERIFY(runAndWait(w, 25000));
        const ResultHandle r = w.lastResult();
        QCOMPARE(r->stages.size(), std::size_t(3));
        ResultInspector *in = w.inspector();
        QVERIFY(in->scrubber()->isVisibleTo(&w));
        QCOMPARE(in->scrubber()->stageCount(), 3);
        QVERIFY(in->scrubber()->isFinal());
        // Corrected mode decides on whole words: the heatmap and the plots show one cell per word
        // (issue 20).
        const HeatmapCells cells = heatmapCells(*r);
        QVERIFY(cells.words);
        const qsizetype nCells = static_cast<qsizetype>(cells.first.size());
        QVERIFY(nCells > 10 && nCells < static_cast<qsizetype>(r->units.size()));
        for (std::size_t i = 0; i < r->units.size(); ++i) // a word's pieces share one decision
            QCOMPARE(r->units[i].kept,
                     r->units[static_cast<std::size_t>(
                                  cells.first[static_cast<std::size_t>(cells.cellOf[i])])]
                         .kept);

        // Stage k: exactly the units removed in stages 0..k are shown dropped; the plot shows stage
        // k's series.
        for (int k = 0; k < 3; ++k) {
            in->scrubber()->setPosition(k);
            std::vector<bool> gone(r->units.size(), false);
            for (int j = 0; j <= k; ++j)
                for (int u : r->stages[j].removedUnits)
                    gone[u] = true;
            const auto &tokens = w.heatmapView()->data().tokens;
            QCOMPARE(tokens.size(), nCells);
            for (std::size_t i = 0; i < gone.size(); ++i)
                QCOMPARE(tokens[cells.cellOf[i]].kept, !gone[i]);
            QStringList stageSeries;
            for (const auto &s : r->stages[k].scores)
                stageSeries << QString::fromStdString(s.name);
            QCOMPARE(w.heatmapView()->data().seriesNames, stageSeries);
            QCOMPARE(w.scorePlot()->pointCount(), static_cast<int>(nCells));
            // Entropy shift of this stage: before and after lines.
            QVERIFY(in->tabs()->isTabEnabled(2));
            QCOMPARE(in->shiftPlot()->overlayCount(), 1);
        }
        // Removed units grow with k.
        in->scrubber()->setPosition(0);
        int dropped0 = 0, dropped2 = 0;
        for (const auto &t : w.heatmapView()->data().tokens)
            dropped0 += !t.kept;
        in->scrubber()->setPosition(2);
        for (const auto &t : w.heatmapView()->data().tokens)
            dropped2 += !t.kept;
        QVERIFY(dropped0 > 0 && dropped2 > dropped0);
        in->scrubber()->setPosition(3);
        QVERIFY(in->scrubber()->isFinal());
        for (std::size_t i = 0; i < r->units.size(); ++i)
            QCOMPARE(w.heatmapView()->data().tokens[cells.cellOf[i]].kept, r->units[i].kept);
        // A word's fused score is the mean of its tokens' (DAC's default word_score), by hand for
        // every word.
        {
            const auto &d = w.heatmapView()->data();
            const qsizetype fusedAt = d.seriesNames.indexOf(QStringLiteral("fused"));
            QVERIFY(fusedAt >= 0);
            const auto &unitFused = r->series("fused")->values;
            for (qsizetype c = 0; c < nCells; ++c) {
                double sum = 0;
                int n = 0;
                for (int u = cells.first[static_cast<std::size_t>(c)];
                     u <= cells.lastUnit(static_cast<int>(c)); ++u)
                    if (std::isfinite(unitFused[static_cast<std::size_t>(u)]))
                        sum += unitFused[static_cast<std::size_t>(u)], ++n;
                if (n == 0)
                    QVERIFY(std::isnan(d.series[fusedAt][c]));
                else
                    QVERIFY(std::abs(d.series[fusedAt][c] - sum / n) < 1e-6);
            }
        }

        // Colouring: the legend follows the selector and spans the heatmap's colour range.
        QVERIFY(in->setColorSeries(QStringLiteral("fused")));
        QCOMPARE(in->legend()->seriesName(), QStringLiteral("fused"));
        QCOMPARE(in->legend()->low(), w.heatmapView()->colorLow());
        QCOMPARE(in->legend()->high(), w.heatmapView()->colorHigh());
        // Histogram: every finite value binned, the threshold drawn.
        int finite = 0;
        for (double v : w.heatmapView()->data().series[w.heatmapView()->data().seriesNames.indexOf(
                 QStringLiteral("fused"))])
            finite += std::isfinite(v);
        int binned = 0;
        for (int c : in->histogram()->binCounts())
            binned += c;
        QCOMPARE(binned, finite);
        QVERIFY(in->histogram()->hasThreshold());
        // Hover text: every score and the reason.
        const int dropped = [&] {
            for (std::size_t i = 0; i < r->units.size(); ++i)
                if (!r->units[i].kept && r->units[i].stage >= 0)
                    return static_cast<int>(i);
            return -1;
        }();
        QVERIFY(dropped >= 0);
        const QString tip =
            w.heatmapView()->tooltipFor(cells.cellOf[static_cast<std::size_t>(dropped)]);
        for (const auto &s : r->scores)
            QVERIFY2(tip.contains(QString::fromStdString(s.name)), qPrintable(tip));
        QVERIFY2(tip.contains(QString::fromStdString(r->stages[r->units[dropped].stage].name)),
                 qPrintable(tip));

        // Attention: Ctrl+click a word; the plot's values equal the engine's row for that
        // layer/head.
        // A word of several tokens lists its pieces and their scores in the tooltip.
        for (qsizetype c = 0; c < nCells; ++c)
            if (cells.lastUnit(static_cast<int>(c)) > cells.first[static_cast<std::size_t>(c)]) {
                const QString wordTip = w.heatmapView()->tooltipFor(static_cast<int>(c));
                QVERIFY2(wordTip.contains(QStringLiteral("Pieces: ")) &&
                             wordTip.contains(QStringLiteral("fused: ")),
                         qPrintable(wordTip));
                break;
            }
        // Ctrl+click on a word reads the attention from its last token (the model has seen the
        // whole word).
        const int cell = 12, unit = cells.lastUnit(cell);
        QSignalSpy ready(w.worker(), &EngineWorker::attentionReady);
        QVERIFY(clickToken(w.heatmapView(), cell, Qt::ControlModifier));
        QCOMPARE(in->selectedUnit(), unit);
        QVERIFY(w.pins().empty()); // Ctrl+click selects, it does not pin
        QVERIFY(ready.wait(10000));
        QCOMPARE(in->headSpin()->value(), -1); // the default: all heads summed
        auto check = [&](int layer, int head) {
            std::string joined = r->segments[0].text;
            auto expected = textAttentionRow(modelPath(), joined, joinedOffset(*r, r->units[unit]),
                                             layer, head);
            QVERIFY(expected);
            const auto &got = in->attentionPlot()->values();
            QCOMPARE(got.size(), qsizetype(expected->weights.size()));
            for (qsizetype i = 0; i < got.size(); ++i)
                QCOMPARE(static_cast<float>(got[i]),
                         expected->weights[static_cast<std::size_t>(i)]);
            QCOMPARE(in->attentionPlot()->query(), expected->query);
        };
        check(0, -1);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(in->layerSpin()->maximum() >= 1);
        in->layerSpin()->setValue(1);
        QVERIFY(ready.wait(10000));
        in->headSpin()->setValue(1);
        QVERIFY(ready.wait(10000));
        check(1, 1);
    }

    void llmlinguaWindowBoundariesAreDrawn()
    {
        MainWindow w;
        w.show();
        QVERIFY(selectMethod(w, QStringLiteral("llmlingua")));
        setParam(w, "iterative_size", QStringLiteral("20"));
        w.setRate(0.5);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        w.modelPicker()->setCurrentModelPath(QString::fromStdString(modelPath()));
        QVERIFY(runAndWait(w, 25000));
        const ResultHandle r = w.lastResult();
        int windows = 0;
        int previousEnd = 0;
        for (const auto &s : r->stages)
            if (s.firstUnit >= 0) {
                ++windows;
                QVERIFY(s.firstUnit >= previousEnd && s.endUnit > s.firstUnit);
                previousEnd = s.endUnit;
            }
        QVERIFY2(windows >= 2, qPrintable(QString::number(windows)));
        w.inspector()->scrubber()->setPosition(w.inspector()->scrubber()->stageCount());
        QCOMPARE(w.scorePlot()->boundaryCount(), windows);
        // The unit ranges survive saving the run in the session store and loading it again.
        if (w.shownRunId() == 0) {
            QSignalSpy saved(&w, &MainWindow::runSaved);
            QVERIFY(saved.wait(10000));
        }
        auto loaded = w.sessions()->store()->loadRun(w.shownRunId());
        QVERIFY2(loaded, loaded ? "" : loaded.error().detail.c_str());
        QCOMPARE(loaded->result.stages.size(), r->stages.size());
        for (std::size_t i = 0; i < r->stages.size(); ++i) {
            QCOMPARE(loaded->result.stages[i].firstUnit, r->stages[i].firstUnit);
            QCOMPARE(loaded->result.stages[i].endUnit, r->stages[i].endUnit);
        }
        // The unit range survives the JSON export.
        QVERIFY(QString::fromStdString(resultToJson(*r)).contains(QStringLiteral("unit_range")));
    }
};

QTEST_MAIN(TestStageScrubber)
#include "test_stage_scrubber.moc"
