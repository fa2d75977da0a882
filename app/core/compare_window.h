#pragma once
// CompareWindow: runs several methods or settings on the same prompt and compares them. The
// settings table (a CompareSettingsModel) holds one row per run (method, rate, mode, parameters,
// model); "Compare" runs every row on the prompt through a CompareRunner (its own EngineWorker, one
// job at a time, never on the UI thread; progress, Cancel, results shown as they finish) and shows
// the outputs side by side as word-level diffs against the original, with a metrics table. "Sweep"
// runs every row across a list of rates and plots achieved rate against a fidelity metric. Metrics
// are computed on a background thread. GUI thread only.

#include "chat_client.h"
#include "compare_results.h"
#include "compare_runner.h"
#include "comparison.h"
#include "engine_worker.h"
#include "compare_settings_model.h"
#include "compare_sweep_panel.h"
#include "exporter.h"

#include <QVector>
#include <QElapsedTimer>
#include <QWidget>

#include <functional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTableView;

namespace terse::widgets {
class SweepChart;
class WordDiffView;
} // namespace terse::widgets

namespace terse::app {

class ParameterDialog;

class CompareWindow : public QWidget {
    Q_OBJECT
public:
    // `factory` creates compressors (as MainWindow's; empty: the registry). Shown as its own
    // window.
    explicit CompareWindow(CompressorFactory factory = {}, QWidget *parent = nullptr);
    ~CompareWindow() override; // cancels the running job and waits for metric computations

    // Where the prompt and the "current settings" come from (the main window's editor and
    // controls).
    void setPromptSource(std::function<QString()> source) { m_promptSource = std::move(source); }
    void setOptionsSource(std::function<terse::CompressOptions()> source)
    {
        m_optionsSource = std::move(source);
    }

    // Appends a settings row. The row's rate replaces a token budget (targetTokens is reset).
    void addSettings(const terse::CompressOptions &options) { m_settings->appendSettings(options); }
    // Appends the options source's current settings (no-op without a source).
    void addCurrentSettings()
    {
        if (m_optionsSource)
            m_settings->appendSettings(m_optionsSource());
    }
    void removeSettings(int row) { m_settings->removeRows(row, 1); }
    // Opens (window-modal, not blocking) the typed editor of row `row`'s parameters: a
    // ParameterDialog for the row's method whose OK writes the changed values back into the row.
    // nullptr, with the reason in the error banner, for a method without known parameters.
    ParameterDialog *editParameters(int row);
    void clearSettings() { m_settings->clear(); }
    int settingsCount() const { return m_settings->rowCount(); }
    // The options row `row` describes; false (with `error` naming the row and the problem) when the
    // parameters field does not parse.
    bool settingsAt(int row, terse::CompressOptions *options, QString *error = nullptr) const
    {
        return m_settings->settingsAt(row, options, error);
    }

    // Runs every settings row on the prompt; false (with the reason shown) when there is nothing to
    // run.
    bool runComparison();
    // Runs every settings row at each of `rates` (empty: the rates field); false when nothing to
    // run.
    bool runSweep(const QVector<double> &rates = {});
    // Stops the running job and drops the queued ones; finished results stay.
    void cancel();
    bool isBusy() const { return m_mode != Mode::Idle; }

    // Parses "0.1, 0.2, 0.5" or "0.1:0.9:0.1" (start:stop:step); false on anything outside (0, 1].
    static bool parseRates(const QString &text, QVector<double> *rates)
    {
        return CompareSweepPanel::parseRates(text, rates);
    }

    // The finished comparison runs, in row order (failed or cancelled rows left out).
    std::vector<ExportEntry> entries() const;
    // Exports the comparison (format by suffix: json, md, html, csv) / the sweep chart (png, svg).
    // On failure the error banner names the file and the reason. No dialog.
    bool exportComparisonTo(const QString &path);
    bool exportSweepChartTo(const QString &path);
    // Copies the compressed text of output `index` to the clipboard.
    bool copyOutput(int index);
    // The answer check for every row: the original prompt once and each row's compressed prompt go
    // to the endpoint set in the Answer Check panel; answers fill the metrics table's last column.
    // False (with the reason in the status line) without results or without an endpoint.
    bool askTargetModel();
    QString originalAnswer() const { return m_originalAnswer.text; }
    QPushButton *askButton() const { return m_sideBySide->askButton(); }

    void setSweepMetric(FidelityMetric metric) { m_sweepPanel->setMetric(metric); }
    // The sweep's x axis: the achieved rate, or the money saved per 1,000 calls on the Cost panel's
    // target.
    using SweepAxis = CompareSweepPanel::Axis;
    void setSweepAxis(SweepAxis axis) { m_sweepPanel->setAxis(axis); }
    FidelityMetric sweepMetric() const { return m_sweepPanel->metric(); }

    // Accessors for tests and the main window.
    QTableView *settingsTable() const { return m_rows; }
    CompareSettingsModel *settingsModel() const { return m_settings; }
    CompareMetricsTable *metricsTable() const { return m_sideBySide->metrics(); }
    int outputCount() const { return m_sideBySide->outputs()->count(); }
    terse::widgets::WordDiffView *outputView(int index) const
    {
        return m_sideBySide->outputs()->view(index);
    }
    QString outputTitle(int index) const { return m_sideBySide->outputs()->title(index); }
    terse::widgets::SweepChart *sweepChart() const { return m_sweepPanel->chart(); }
    QLineEdit *sweepRatesEdit() const { return m_sweepPanel->ratesEdit(); }
    QComboBox *sweepMetricCombo() const { return m_sweepPanel->metricCombo(); }
    QComboBox *sweepAxisCombo() const { return m_sweepPanel->axisCombo(); }
    QPushButton *compareButton() const { return m_compare; }
    QPushButton *sweepButton() const { return m_sweepPanel->sweepButton(); }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }
    QTabWidget *tabs() const { return m_tabs; }
    QString statusText() const;
    QString errorText() const;

signals:
    // One run finished (or failed) and its output and metrics are shown.
    void runShown(int slot);
    // All runs of a comparison / sweep have finished, failed or been cancelled, metrics included.
    void comparisonFinished();
    void sweepFinished();
    // Every request of askTargetModel() has ended.
    void answersFinished();

private:
    // Resizes to `wanted`, or less where the screen is smaller.
    void fitToScreen(QSize wanted);
    enum class Mode { Idle, Compare, Sweep };
    void buildUi();
    void retranslate();
    bool collectSettings(std::vector<terse::CompressOptions> *out);
    bool startJobs(Mode mode, std::vector<CompareRunner::Job> jobs);
    void onFinished(int slot, const ResultHandle &result);
    void onFailed(int slot, const terse::CompressOptions &options, const QString &message);
    void onMeasured(int slot, double requestedRate, const ResultHandle &result,
                    const RunMetrics &m);
    void onRunnerFinished(int jobsRun);
    void rebuildOutputs();
    void updateOutput(int slot);
    void updateMetricsRow(int slot);
    void setBusy(bool busy);
    void showError(const QString &message);
    void clearError();
    void exportComparison();
    void exportChart();

    CompressorFactory m_factory;       // for the OptionSpecs of methods outside the registry
    CompareRunner *m_runner = nullptr; // the jobs and their metrics, off the UI thread
    std::function<QString()> m_promptSource;
    std::function<terse::CompressOptions()> m_optionsSource;

    Mode m_mode = Mode::Idle;
    std::vector<CompareRun> m_slots;

    CompareSettingsModel *m_settings = nullptr;
    QTableView *m_rows = nullptr;
    QPushButton *m_addCurrent = nullptr;
    QPushButton *m_addRow = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_compare = nullptr;
    QPushButton *m_cancel = nullptr;
    ChatClient *m_chat = nullptr;
    ChatReply m_originalAnswer;
    quint64 m_originalRequest = 0;
    QProgressBar *m_progress = nullptr;
    QElapsedTimer m_batchTimer; // since the comparison or sweep started (the time-left estimate)
    QLabel *m_status = nullptr;
    QLabel *m_error = nullptr;
    QTabWidget *m_tabs = nullptr;
    CompareSideBySide *m_sideBySide = nullptr;
    CompareSweepPanel *m_sweepPanel = nullptr;
};

} // namespace terse::app
