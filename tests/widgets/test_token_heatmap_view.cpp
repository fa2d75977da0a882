// TokenHeatmapView, ScorePlot and PromptEditor with plain data (no engine).
#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/score_plot.h"
#include "terse_widgets/token_heatmap_view.h"

#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextCursor>
#include <QtTest>

#include <cmath>

using namespace terse::widgets;

namespace {
HeatmapData sample()
{
    HeatmapData d;
    const QStringList words = {"The ", "quick ", "brown ", "fox ", "jumps."};
    const QVector<bool> kept = {false, true, false, true, true};
    for (int i = 0; i < words.size(); ++i)
        d.tokens.push_back({words[i], kept[i], false, i == 0, QStringLiteral("because")});
    d.seriesNames = {QStringLiteral("surprisal")};
    d.series = {{0.1, 5.0, 0.2, 4.0, std::nan("")}};
    d.thresholds = {1.0};
    d.totalTokens = 5;
    return d;
}

// Character format of the first character of the `n`-th occurrence of `word` in the view's
// document.
QTextCharFormat formatOf(const TokenHeatmapView &v, const QString &word)
{
    QTextCursor c = v.document()->find(word);
    c.setPosition(c.selectionStart());
    c.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
    return c.charFormat();
}
} // namespace

class TestTokenHeatmapView : public QObject {
    Q_OBJECT
private slots:
    void showsAllTokensInOrder()
    {
        TokenHeatmapView v;
        v.setData(sample());
        QCOMPARE(v.displayedText(), QStringLiteral("The quick brown fox jumps."));
    }

    void droppedTokensAreStruckThrough()
    {
        TokenHeatmapView v;
        v.setData(sample());
        QVERIFY(formatOf(v, "The").fontStrikeOut());
        QVERIFY(!formatOf(v, "quick").fontStrikeOut());
        QVERIFY(formatOf(v, "brown").fontStrikeOut());
        QVERIFY(!formatOf(v, "jumps").fontStrikeOut());
        // Dropped tokens are greyed: their foreground is translucent.
        QVERIFY(formatOf(v, "The").foreground().color().alphaF() < 0.9);
    }

    void colouringFollowsTheChosenSeries()
    {
        TokenHeatmapView v;
        v.setData(sample());
        QCOMPARE(formatOf(v, "quick").background().style(), Qt::NoBrush);
        v.setColorSeries(0);
        const QColor high = formatOf(v, "quick").background().color();
        const QColor low = formatOf(v, "The").background().color();
        QVERIFY(formatOf(v, "quick").background().style() != Qt::NoBrush);
        QVERIFY2(high.hsvSaturationF() > low.hsvSaturationF(),
                 "a higher score must get a stronger tint");
        QCOMPARE(formatOf(v, "jumps").background().style(), Qt::NoBrush); // NaN: no colour
        v.setColorSeries(7); // out of range: decisions only
        QCOMPARE(v.colorSeries(), -1);
    }

    void segmentsAreSeparated()
    {
        HeatmapData d = sample();
        d.tokens[3].segmentStart = true;
        TokenHeatmapView v;
        v.setData(d);
        QCOMPARE(v.displayedText(), QStringLiteral("The quick brown \n\nfox jumps."));
    }

    void hugeInputsAreCapped()
    {
        HeatmapData d;
        for (int i = 0; i < TokenHeatmapView::maxTokens() + 10; ++i)
            d.tokens.push_back({QStringLiteral("w "), true, false, false, {}});
        TokenHeatmapView v;
        v.setData(d);
        QVERIFY(v.displayedText().contains(QStringLiteral("10 more tokens not shown")));
    }

    void tokenAtFindsTheTokenUnderTheMouse()
    {
        TokenHeatmapView v;
        v.resize(600, 200);
        v.show();
        v.setData(sample());
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QTextCursor c = v.document()->find(QStringLiteral("fox"));
        c.setPosition(c.selectionStart() + 1);
        const QRect r = v.cursorRect(c);
        QCOMPARE(v.tokenAt(r.center()), 3);
        QSignalSpy clicked(&v, &TokenHeatmapView::tokenClicked);
        QTest::mouseClick(v.viewport(), Qt::LeftButton, {}, r.center());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).toInt(), 3);
    }

    void scorePlotPlotsAndSaves()
    {
        ScorePlot p;
        p.resize(600, 300);
        p.setSeries(QStringLiteral("surprisal"), {1, 2, 3, std::nan(""), 5},
                    {true, false, true, true, false}, 2.5);
        QCOMPARE(p.pointCount(), 5);
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("plot.png"));
        const QString svg = dir.filePath(QStringLiteral("plot.svg"));
        QVERIFY(p.save(png, 400, 200));
        QVERIFY(p.save(svg, 400, 200));
        QImage img(png);
        QCOMPARE(img.size(), QSize(400, 200));
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("<svg"));
        p.clear();
        QCOMPARE(p.pointCount(), 0);
    }

    // Issue 20: a theme change re-colours the heatmap at once, not at the next run.
    void heatmapFollowsAPaletteChange()
    {
        TokenHeatmapView v;
        HeatmapData d;
        for (int i = 0; i < 6; ++i) {
            HeatmapToken t;
            t.text = QStringLiteral("word%1 ").arg(i);
            t.kept = i % 2 == 0;
            d.tokens.push_back(t);
        }
        d.seriesNames = {QStringLiteral("surprisal")};
        d.series = {{1, 2, 3, 4, 5, 6}};
        d.thresholds = {3.5};
        v.setData(d);
        v.setColorSeries(0);
        const QString light = v.document()->toHtml();
        QPalette dark = v.palette();
        dark.setColor(QPalette::Base, QColor(30, 30, 30));
        dark.setColor(QPalette::Text, QColor(230, 230, 230));
        dark.setColor(QPalette::Window, QColor(40, 40, 40));
        dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
        v.setPalette(dark);
        QVERIFY(v.document()->toHtml() != light);
    }

    // Issue 20: the score plot explains itself (legend for the line, the kept dots and the
    // threshold), counts the unit it plots, and one outlier does not squash the other values.
    void scorePlotHasALegendUnitsAndClipsOutliers()
    {
        ScorePlot p;
        p.resize(600, 300);
        QVector<double> values;
        QVector<bool> kept;
        for (int i = 0; i < 100; ++i) {
            values << 1.0 + (i % 7);
            kept << (i % 3 == 0);
        }
        p.setSeries(QStringLiteral("surprisal"), values, kept, 4.0);
        QCOMPARE(p.legendNames(), (QStringList{QStringLiteral("surprisal"), QStringLiteral("kept"),
                                               QStringLiteral("threshold")}));
        QCOMPARE(p.clippedCount(), 0);
        p.setPositionLabel(QStringLiteral("word"));
        QCOMPARE(p.positionLabel(), QStringLiteral("word"));
        values[50] =
            500; // one outlier: the axis stops near the rest and says how many are above it
        p.setSeries(QStringLiteral("surprisal"), values, kept, std::nan(""));
        QCOMPARE(p.clippedCount(), 1);
        QVERIFY(!p.legendNames().contains(QStringLiteral("threshold")));
    }

    void promptEditorTurnsFileDropsIntoSignals()
    {
        PromptEditor e;
        QSignalSpy dropped(&e, &PromptEditor::filesDropped);
        QMimeData files;
        files.setUrls({QUrl::fromLocalFile(QStringLiteral("/tmp/a.txt"))});
        QVERIFY(e.canInsertFromMimeData(&files));
        e.insertFromMimeData(&files);
        QCOMPARE(dropped.count(), 1);
        QCOMPARE(dropped.at(0).at(0).toStringList(), QStringList{QStringLiteral("/tmp/a.txt")});
        QVERIFY(e.toPlainText().isEmpty());
        QMimeData text;
        text.setText(QStringLiteral("pasted words"));
        e.insertFromMimeData(&text);
        QCOMPARE(e.toPlainText(), QStringLiteral("pasted words"));
        QCOMPARE(dropped.count(), 1);
    }
};

QTEST_MAIN(TestTokenHeatmapView)
#include "test_token_heatmap_view.moc"
