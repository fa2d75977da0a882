// WordDiffView and SweepChart (issue 8, comparing) with plain data: marks and their formats,
// messages, curves and their points, legend names and axis labels, PNG/SVG rendering and atomic
// saving.
#include "terse_widgets/sweep_chart.h"
#include "terse_widgets/word_diff_view.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTextCursor>
#include <QtTest>

using namespace terse::widgets;

namespace {
QVector<DiffWord> sample()
{
    using M = DiffWord::Mark;
    return {{QStringLiteral("Keep "), M::Kept, false},
            {QStringLiteral("these "), M::Dropped, true},
            {QStringLiteral("words, "), M::Partial, true},
            {QStringLiteral("please."), M::Kept, true}};
}

QTextCharFormat formatOf(const QTextDocument *doc, const QString &word)
{
    QTextCursor c = doc->find(word);
    c.setPosition(c.selectionStart());
    c.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
    return c.charFormat();
}
} // namespace

class TestComparisonWidgets : public QObject {
    Q_OBJECT
private slots:
    void wordDiffShowsMarks()
    {
        WordDiffView v;
        v.setWords(sample());
        QCOMPARE(v.toPlainText(), QStringLiteral("Keep these words, please."));
        QCOMPARE(v.count(DiffWord::Mark::Kept), 2);
        QCOMPARE(v.count(DiffWord::Mark::Dropped), 1);
        QCOMPARE(v.count(DiffWord::Mark::Partial), 1);
        QCOMPARE(v.disputedCount(), 3);
        const bool dark = v.palette().color(QPalette::Base).lightness() < 128;
        const QTextCharFormat keep = formatOf(v.document(), QStringLiteral("Keep"));
        QVERIFY(!keep.fontStrikeOut());
        QVERIFY(keep.background().style() == Qt::NoBrush); // kept by every output: not highlighted
        const QTextCharFormat dropped = formatOf(v.document(), QStringLiteral("these"));
        QVERIFY(dropped.fontStrikeOut());
        QCOMPARE(dropped.background().color(), WordDiffView::droppedElsewhereKeptColor(dark));
        const QTextCharFormat partial = formatOf(v.document(), QStringLiteral("words"));
        QCOMPARE(partial.underlineStyle(), QTextCharFormat::DotLine);
        QCOMPARE(formatOf(v.document(), QStringLiteral("please")).background().color(),
                 WordDiffView::keptElsewhereDroppedColor(dark));
        // The trailing space is not part of the highlight.
        QTextCursor c = v.document()->find(QStringLiteral("these "));
        c.setPosition(c.selectionEnd() - 1);
        c.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
        QVERIFY(!c.charFormat().fontStrikeOut());
        // A message replaces the words.
        v.setMessage(QStringLiteral("Waiting"));
        QCOMPARE(v.toPlainText(), QStringLiteral("Waiting"));
        QCOMPARE(v.words().size(), 0);
    }

    void sweepChartPlotsCurves()
    {
        SweepChart chart;
        chart.resize(600, 400);
        QCOMPARE(chart.graphCount(), 0);
        SweepCurve a{QStringLiteral("head"), {0.9, 0.1, 0.5}, {0.95, 0.2, 0.6}};
        SweepCurve b{
            QStringLiteral("random"), {0.2, 0.4}, {0.3, 0.5, 0.9}}; // y longer: extra ignored
        chart.setCurves({a, b}, QStringLiteral("rate"), QStringLiteral("ROUGE-L"));
        QCOMPARE(chart.graphCount(), 2);
        QCOMPARE(chart.pointCount(0), 3);
        QCOMPARE(chart.pointCount(1), 2);
        QCOMPARE(chart.pointCount(5), 0);
        QCOMPARE(chart.graphName(1), QStringLiteral("random"));
        QCOMPARE(chart.xLabel(), QStringLiteral("rate"));
        QCOMPARE(chart.yLabel(), QStringLiteral("ROUGE-L"));
        QVERIFY(SweepChart::curveColor(0) != SweepChart::curveColor(1));
        // Issue 20: many long legend entries stay above the points, never over them.
        QVector<SweepCurve> many;
        for (int i = 0; i < 6; ++i)
            many.push_back(
                {QStringLiteral("selective_context · rate 0.50 · reduce_level=phrase · %1").arg(i),
                 {0.1, 0.5, 0.9},
                 {0.2, 0.5, 0.8}});
        chart.setCurves(many, QStringLiteral("rate"), QStringLiteral("ROUGE-L"));
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        QVERIFY(!chart.legendCoversPlot());
        chart.clear();
        QCOMPARE(chart.graphCount(), 0);
    }

    void sweepChartRendersAndSavesAtomically()
    {
        SweepChart chart;
        chart.setCurves({SweepCurve{QStringLiteral("head"), {0.1, 0.5}, {0.2, 0.6}}},
                        QStringLiteral("x"), QStringLiteral("y"));
        const QByteArray png = chart.imageData(QStringLiteral("png"), 320, 200);
        QCOMPARE(QImage::fromData(png, "PNG").size(), QSize(320, 200));
        const QByteArray svg = chart.imageData(QStringLiteral("SVG"), 320, 200);
        QVERIFY(svg.contains("<svg"));
        QVERIFY(chart.imageData(QStringLiteral("gif")).isEmpty());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.svg"));
        QVERIFY(chart.save(path, 320, 200));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("<svg"));
        QVERIFY(!chart.save(dir.filePath(QStringLiteral("missing/c.png"))));
    }
};

QTEST_MAIN(TestComparisonWidgets)
#include "test_comparison_widgets.moc"
