#pragma once
// ResultInspector: the right-hand side of the workbench: the result summary, the token heatmap with
// its colour selector and legend, the stage scrubber of iterative methods, and the plot tabs (score
// series with threshold and window boundaries, histogram, entropy shift between stages, attention
// row). It shows engine results through the adapters; model work (attention) is requested from the
// owner. GUI thread only.

#include "engine_worker.h"
#include "result_adapter.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QSpinBox;
class QStackedWidget;
class QTabWidget;

namespace terse::widgets {
class AttentionPlot;
class ColorLegend;
class ScoreHistogram;
class ScorePlot;
class StageScrubber;
class TokenHeatmapView;
} // namespace terse::widgets

namespace terse::app {

class ResultInspector : public QWidget {
    Q_OBJECT
public:
    explicit ResultInspector(QWidget *parent = nullptr);

    // Shows `result` (final decisions; the scrubber moves to "final") with `pins` marked.
    // `stagesTotal` above the result's stage count marks a partial result of a run still going
    // (issue 20): the scrubber spans every stage, filled up to those done, and keeps the stage the
    // user moved to while new stages arrive.
    void setResult(const ResultHandle &result, const std::vector<terse::PinnedSpan> &pins,
                   int stagesTotal = -1);
    // Updates the pin marks without changing the result.
    void setPins(const std::vector<terse::PinnedSpan> &pins);
    // Marks the shown result as outdated (greyed heatmap and a line saying why); "" clears the
    // mark. With `greyed` false the line is a plain notice (a partial result is current, only not
    // finished).
    void setOutdated(const QString &why, bool greyed = true);
    QString outdatedText() const; // "" when the result is current
    ResultHandle result() const { return m_result; }
    // Redraws everything (after a palette change).
    void refresh();

    // The unit whose attention row is shown (-1: none). selectUnit() asks for its row
    // (attentionRequested).
    int selectedUnit() const { return m_selected; }
    void selectUnit(int unit);
    // The answer to attentionRequested: a row, or an error text shown in place of the plot.
    void setAttention(const AttentionHandle &row, const QString &error);
    // Colours by the series named `name` (if the displayed data has it); false otherwise.
    // The colour choice by series identifier ("entropy"; "" = decision only), as saved in the
    // working state.
    bool setColorSeries(const QString &name);
    QString colorSeriesName() const;

    terse::widgets::TokenHeatmapView *heatmap() const { return m_heatmap; }
    terse::widgets::ScorePlot *plot() const { return m_plot; }
    terse::widgets::ScoreHistogram *histogram() const { return m_histogram; }
    terse::widgets::ScorePlot *shiftPlot() const { return m_shift; }
    terse::widgets::AttentionPlot *attentionPlot() const { return m_attention; }
    terse::widgets::StageScrubber *scrubber() const { return m_scrubber; }
    terse::widgets::ColorLegend *legend() const { return m_legend; }
    QComboBox *colorCombo() const { return m_colorBy; }
    QLabel *summaryLabel() const { return m_summary; }
    QLabel *attentionStatus() const { return m_attentionStatus; }
    QSpinBox *layerSpin() const { return m_layer; }
    QSpinBox *headSpin() const { return m_head; }
    QTabWidget *tabs() const { return m_tabs; }
    // Shown instead of the plot tabs while there is no result.
    QLabel *emptyPlotNotice() const { return m_emptyPlotNotice; }
    // The one-line explanation of the heatmap colours under the legend (hidden for "decision
    // only").
    QLabel *legendHint() const { return m_legendHint; }

signals:
    // A plain click on unit `unit` (the owner cycles its pin).
    void unitClicked(int unit);
    // A pin chosen from the context menu: +1 keep, -1 drop, 0 unpin.
    void pinRequested(int unit, int direction);
    // The owner should compute the attention row of `unit` in `layer`/`head` and call setAttention.
    void attentionRequested(int unit, int layer, int head);
    // The colour series changed (by the user).
    void colorSeriesChanged();

private:
    // The plots' position axis: the result's unit, translated ("word", "phrase").
    QString positionLabel() const;
    // One line for a score series: what it means and which method computed it (Colour by's
    // tooltips).
    QString seriesExplanation(const QString &name, const QString &method) const;
    void display();
    void updateColorChoices();
    void updateLegend();
    void updatePlots();
    void updateShiftPlot();
    void showContextMenu(int unit, const QPoint &globalPos);
    // A heatmap cell or plot position (a word of a token-level corrected result) → the unit it
    // stands for.
    int firstUnitOf(int cell) const;
    void selectCell(int cell);

    ResultHandle m_result;
    HeatmapCells m_cells; // heatmap cells and plot positions vs the result's units
    std::vector<terse::PinnedSpan> m_pins;
    int m_selected = -1;
    QLabel *m_summary = nullptr;
    QComboBox *m_colorBy = nullptr;
    terse::widgets::ColorLegend *m_legend = nullptr;
    QLabel *m_legendHint = nullptr;
    terse::widgets::StageScrubber *m_scrubber = nullptr;
    terse::widgets::TokenHeatmapView *m_heatmap = nullptr;
    QStackedWidget *m_plotStack = nullptr;
    QLabel *m_emptyPlotNotice = nullptr;
    QTabWidget *m_tabs = nullptr;
    terse::widgets::ScorePlot *m_plot = nullptr;
    terse::widgets::ScoreHistogram *m_histogram = nullptr;
    terse::widgets::ScorePlot *m_shift = nullptr;
    terse::widgets::AttentionPlot *m_attention = nullptr;
    QLabel *m_attentionStatus = nullptr;
    QSpinBox *m_layer = nullptr;
    QSpinBox *m_head = nullptr;
    QLabel *m_outdated = nullptr;
};

} // namespace terse::app
