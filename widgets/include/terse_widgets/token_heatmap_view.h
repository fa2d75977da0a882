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

    // The plain text currently displayed (kept and dropped tokens), for tests and copy.
    QString displayedText() const;

    // Index of the token under a viewport position, or -1.
    int tokenAt(const QPoint &viewportPos) const;

    static int maxTokens() { return 20000; }

signals:
    void tokenClicked(int tokenIndex);
    void tokenHovered(int tokenIndex);

protected:
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    void rebuild();
    QString tooltipFor(int tokenIndex) const;

    HeatmapData m_data;
    int m_colorSeries = -1;
    int m_hovered = -1;
};

// Maps a value in [0, 1] to the heatmap colour ramp (pale to saturated), readable in both palettes.
QColor heatColor(double t, bool dark);

}  // namespace terse::widgets
