#pragma once
// TokenHeatmapView: shows a prompt as tokens; dropped tokens are struck through and greyed, and the
// background colours the chosen score series. Hover shows every score and the reason; clicking a
// token emits tokenClicked. GUI thread only.

#include "terse_widgets/heatmap_data.h"

#include <QTextBrowser>

namespace terse::widgets {

class TokenHeatmapView : public QTextBrowser {
    Q_OBJECT
public:
    explicit TokenHeatmapView(QWidget *parent = nullptr);

    // Replaces the displayed tokens. At most maxTokens() are laid out; the rest are summarised.
    void setData(const HeatmapData &data);
    const HeatmapData &data() const { return m_data; }

    // Colours by series `index` into data().seriesNames; -1 shows decisions only.
    void setColorSeries(int index);
    int colorSeries() const { return m_colorSeries; }
    // The score range the colour ramp spans (5th to 95th percentile of the colour series; 0..1 if
    // none).
    double colorLow() const { return m_lo; }
    double colorHigh() const { return m_hi; }
    // Marks token `index` as selected (a box around it); -1 clears the selection.
    void setSelectedToken(int index);
    int selectedToken() const { return m_selected; }
    // Viewport rectangle of token `index` (first line it occupies), empty if not laid out.
    QRect tokenRect(int index) const;

    // The plain text currently displayed (kept and dropped tokens), for tests and copy.
    QString displayedText() const;

    // Index of the token under a viewport position, or -1.
    int tokenAt(const QPoint &viewportPos) const;

    static int maxTokens() { return 20000; }

signals:
    // A plain left click on a token (the workbench cycles its pin).
    void tokenClicked(int tokenIndex);
    // Ctrl+click on a token: select it (the workbench shows its attention row).
    void tokenSelected(int tokenIndex);
    // Right click on a token at `globalPos` (the owner shows a menu).
    void tokenContextMenuRequested(int tokenIndex, const QPoint &globalPos);
    void tokenHovered(int tokenIndex);

protected:
    // A theme change (palette) re-colours the tokens at once.
    void changeEvent(QEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void rebuild();

public:
    // The hover text of a token: its text, decision, pin, every score and the reason.
    QString tooltipFor(int tokenIndex) const;

private:
    HeatmapData m_data;
    int m_colorSeries = -1;
    int m_hovered = -1;
    int m_selected = -1;
    double m_lo = 0, m_hi = 1;
};

// Maps a value in [0, 1] to the heatmap colour ramp (pale to saturated), readable in both palettes.
QColor heatColor(double t, bool dark);

} // namespace terse::widgets
