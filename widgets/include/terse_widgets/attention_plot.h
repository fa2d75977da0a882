#pragma once
// AttentionPlot: one attention row (how much a query token attends to every token) as bars over the
// tokens, the query token marked, token texts as tick labels when they fit. Hides QCustomPlot.
// GUI thread only.

#include <QStringList>
#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace terse::widgets {

class AttentionPlot : public QWidget {
    Q_OBJECT
public:
    explicit AttentionPlot(QWidget *parent = nullptr);

    // Shows `weights` (one per token, labelled by `tokens`) attended from token `query`.
    void setRow(const QStringList &tokens, const QVector<double> &weights, int query,
                const QString &title);
    void clear();
    const QVector<double> &values() const { return m_values; }
    int query() const { return m_query; }
    bool save(const QString &path, int width = 1200, int height = 400);

protected:
    // Follows palette changes (light/dark theme).
    void changeEvent(QEvent *event) override;

private:
    QCustomPlot *m_plot = nullptr;
    QVector<double> m_values;
    int m_query = -1;
};

} // namespace terse::widgets
