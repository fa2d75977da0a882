// The plain-data widgets of issue #8: stage scrubber, score histogram, colour legend, structured
// prompt editor, attention plot, and the heatmap's pin marks and selection.
#include "terse_widgets/attention_plot.h"
#include "terse_widgets/color_legend.h"
#include "terse_widgets/score_histogram.h"
#include "terse_widgets/score_plot.h"
#include "terse_widgets/stage_scrubber.h"
#include "terse_widgets/structured_prompt_editor.h"
#include "terse_widgets/token_heatmap_view.h"

#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QTextDocument>
#include <QLabel>
#include <QToolButton>
#include <QtTest>

#include <cmath>

using namespace terse::widgets;

class TestInspectionWidgets : public QObject {
    Q_OBJECT

private slots:
    void scrubberStepsThroughStagesToTheFinalResult()
    {
        StageScrubber s;
        QSignalSpy moved(&s, &StageScrubber::stageChanged);
        s.setStages(
            {QStringLiteral("stage 1"), QStringLiteral("stage 2"), QStringLiteral("stage 3")});
        QCOMPARE(moved.count(), 0); // setStages does not emit
        QVERIFY(s.isFinal());
        QCOMPARE(s.position(), 3);
        auto *prev = s.findChild<QToolButton *>(QStringLiteral("stagePrev"));
        auto *next = s.findChild<QToolButton *>(QStringLiteral("stageNext"));
        QVERIFY(prev && next);
        QVERIFY(!next->isEnabled());
        QTest::mouseClick(prev, Qt::LeftButton);
        QCOMPARE(s.position(), 2);
        QCOMPARE(moved.count(), 1);
        QCOMPARE(moved.last().at(0).toInt(), 2);
        s.setPosition(-5); // clamped
        QCOMPARE(s.position(), 0);
        QVERIFY(!prev->isEnabled());
        QTest::mouseClick(next, Qt::LeftButton);
        QCOMPARE(s.position(), 1);
    }

    void scrubberOfARunningJobSpansEveryStage()
    {
        // Issue 20: 2 of 5 stages done: the slider spans all 5, positions past the stages done are
        // refused, the last position is the partial result; once finished the scrubber is an
        // ordinary one.
        StageScrubber s;
        s.setStages({QStringLiteral("stage 1"), QStringLiteral("stage 2")}, 5);
        QVERIFY(s.isRunning());
        QCOMPARE(s.slider()->maximum(), 5);
        QCOMPARE(s.position(), 2);
        QVERIFY(s.isFinal());
        auto *label = s.findChildren<QLabel *>().last();
        QCOMPARE(label->text(), QStringLiteral("2 of 5 stages done, running…"));
        s.slider()->setValue(4); // a stage still running
        QCOMPARE(s.position(), 2);
        s.setPosition(0);
        QCOMPARE(label->text(), QStringLiteral("stage 1 (1 of 5)"));
        s.setStages({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        QVERIFY(!s.isRunning());
        QCOMPARE(s.slider()->maximum(), 3);
        QCOMPARE(label->text(), QStringLiteral("final result"));
    }

    void histogramBinsEveryFiniteValue()
    {
        ScoreHistogram h;
        const QVector<double> v = {0.0, 0.1, 0.2, 0.9, 1.0, std::nan(""), 0.5};
        const QVector<bool> kept = {false, false, true, true, true, false, true};
        h.setValues(QStringLiteral("fused"), v, kept, 0.15, 10);
        int total = 0;
        for (int c : h.binCounts())
            total += c;
        QCOMPARE(total, 6);
        QCOMPARE(h.binCounts().size(), 10);
        QCOMPARE(h.binCounts().first(), 1);
        QVERIFY(h.hasThreshold());
        h.setValues(QStringLiteral("fused"), v, kept, std::nan(""), 10);
        QVERIFY(!h.hasThreshold());
    }

    void legendShowsTheRange()
    {
        ColorLegend l;
        l.setRange(QStringLiteral("entropy"), 0.5, 4.0);
        QCOMPARE(l.seriesName(), QStringLiteral("entropy"));
        QVERIFY(l.toolTip().contains(QStringLiteral("entropy")));
        QVERIFY(!l.grab().isNull());
        // Without a scale it tells what the marks mean, the whole line in its tooltip (the painted
        // line is elided where the view is narrower).
        l.setRange(QString(), 0, 1);
        QVERIFY(l.toolTip().startsWith(QStringLiteral("Struck through: dropped")));
        QVERIFY(l.toolTip().endsWith(QStringLiteral("red underline: pinned drop")));
        l.resize(120, l.sizeHint().height());
        QVERIFY(!l.grab().isNull());
    }

    void structuredEditorPartsAddAndRemove()
    {
        StructuredPromptEditor e;
        QSignalSpy changed(&e, &StructuredPromptEditor::changed);
        e.setParts({{PromptPart::Role::Instruction, QStringLiteral("Do it.")},
                    {PromptPart::Role::Context, QStringLiteral("one")},
                    {PromptPart::Role::Context, QStringLiteral("two")},
                    {PromptPart::Role::Question, QStringLiteral("Why?")}});
        QCOMPARE(changed.count(), 0);
        QCOMPARE(e.contextCount(), 2);
        QCOMPARE(e.parts().size(), 4);
        e.addContext(QStringLiteral("three"));
        QVERIFY(changed.count() > 0);
        QCOMPARE(e.parts().size(), 5);
        e.removeContext(0);
        const auto parts = e.parts();
        QCOMPARE(parts.size(), 4);
        QCOMPARE(parts[1].text, QStringLiteral("two"));
        QCOMPARE(parts[2].text, QStringLiteral("three"));
        // Empty parts are left out; the last context editor is only cleared.
        e.setParts({});
        QCOMPARE(e.contextCount(), 1);
        QVERIFY(e.parts().isEmpty());
        e.removeContext(0);
        QCOMPARE(e.contextCount(), 1);
    }

    void heatmapMarksPinsAndSelection()
    {
        TokenHeatmapView v;
        HeatmapData d;
        d.tokens = {{QStringLiteral("keep "), true, true, true, {}, 1},
                    {QStringLiteral("drop "), false, true, false, {}, -1},
                    {QStringLiteral("free"), true, false, false, {}, 0}};
        d.totalTokens = 3;
        v.setData(d);
        auto formatAt = [&](int pos) {
            QTextCursor c(v.document());
            c.setPosition(pos + 1);
            return c.charFormat();
        };
        QCOMPARE(formatAt(0).underlineColor(), QColor(30, 150, 60));
        QCOMPARE(formatAt(5).underlineColor(), QColor(210, 40, 40));
        QVERIFY(formatAt(5).fontStrikeOut());
        QCOMPARE(formatAt(10).underlineStyle(), QTextCharFormat::NoUnderline);
        QVERIFY(v.tooltipFor(0).contains(QStringLiteral("pinned: keep")));
        QVERIFY(v.tooltipFor(1).contains(QStringLiteral("pinned: drop")));
        v.setSelectedToken(2);
        QCOMPARE(formatAt(10).background().color(), QColor(50, 110, 200));
        QVERIFY(!v.tokenRect(2).isEmpty() || v.tokenRect(2).width() > 0);
    }

    void attentionPlotKeepsTheRowAndScorePlotOverlays()
    {
        AttentionPlot a;
        a.setRow({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}, {0.25, 0.75, 0.0},
                 1, QStringLiteral("from b"));
        QCOMPARE(a.values(), (QVector<double>{0.25, 0.75, 0.0}));
        QCOMPARE(a.query(), 1);
        a.clear();
        QVERIFY(a.values().isEmpty());

        ScorePlot p;
        p.setSeries(QStringLiteral("before"), {1, 2, 3, 4}, {true, false, true, false},
                    std::nan(""), QStringLiteral("removed"));
        p.addOverlay(QStringLiteral("after"), {2, 2, 2, 2}, Qt::green);
        QCOMPARE(p.overlayCount(), 1);
        p.setBoundaries({0, 2}, {QStringLiteral("w1"), QStringLiteral("w2")});
        QCOMPARE(p.boundaryCount(), 2);
        QCOMPARE(p.pointCount(), 4);
    }
};

QTEST_MAIN(TestInspectionWidgets)
#include "test_inspection_widgets.moc"
