#pragma once
// CostPanel: "is it worth it?" for the shown result. Given the target model's input price and
// prefill speed (editable presets kept in the settings), it shows the tokens saved, the money saved
// per call and per 1,000 calls, the prefill time saved against the compression time measured on
// this machine, and whether compressing pays off at this prompt length and rate. GUI thread only.

#include "cost_model.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;

namespace terse::app {

class CostPanel : public QWidget {
    Q_OBJECT
public:
    explicit CostPanel(QWidget *parent = nullptr);

    // The result on screen: its length before and after in target-LLM tokens (-1: not counted) and
    // how long compressing it took.
    void setResult(long targetTokensIn, long targetTokensOut, double compressionMs);
    void clear();

    QList<TargetPreset> presets() const { return m_presets; }
    int currentPreset() const;
    void selectPreset(int index);
    // Edits the selected preset (stored in the settings at once).
    void setPrice(double dollarsPerMillionInput);
    void setThroughput(double prefillTokensPerSecond);
    // Adds a preset with the current price and throughput, selected; false for an empty or taken
    // name.
    bool addPreset(const QString &name);
    // Removes the selected preset (one always stays).
    void removeCurrentPreset();

    bool hasResult() const { return m_tokensIn >= 0; }
    CostEstimate estimate() const;
    QString summaryText() const; // the figures and the verdict as shown (plain text)

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void refresh();
    void storePresets() const;
    void showPreset();

    QList<TargetPreset> m_presets;
    QComboBox *m_preset = nullptr;
    QDoubleSpinBox *m_price = nullptr;
    QDoubleSpinBox *m_throughput = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_remove = nullptr;
    QLabel *m_presetLabel = nullptr, *m_priceLabel = nullptr, *m_throughputLabel = nullptr;
    QLabel *m_figures = nullptr;
    QLabel *m_verdict = nullptr;
    long m_tokensIn = -1;
    long m_tokensOut = -1;
    double m_compressionMs = 0;
    bool m_updating = false;
};

} // namespace terse::app
