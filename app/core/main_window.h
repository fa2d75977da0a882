#pragma once
// MainWindow: the Terse Studio workbench window: prompt editor, method and rate controls, Run/Cancel,
// the compressed view (heatmap + score plot) and a status line. Jobs run on the EngineWorker thread.
// GUI thread only.

#include "engine_worker.h"

#include <QMainWindow>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QDoubleSpinBox;
class QTimer;
class QMenu;

namespace terse::widgets {
class PromptEditor;
class TokenHeatmapView;
class ScorePlot;
}

namespace terse::app {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `factory` is passed to the EngineWorker (tests inject compressors); default: the registry.
    explicit MainWindow(CompressorFactory factory = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads a text file into the editor. On failure shows the reason and leaves the editor unchanged.
    bool openFile(const QString &path);
    // Starts compressing the editor's text with the chosen method and rate.
    void runCompression();
    void cancelCompression();

    // Accessors for tests and the app shell.
    terse::widgets::PromptEditor *promptEditor() const { return m_editor; }
    terse::widgets::TokenHeatmapView *heatmapView() const { return m_heatmap; }
    terse::widgets::ScorePlot *scorePlot() const { return m_plot; }
    QComboBox *methodCombo() const { return m_method; }
    QSlider *rateSlider() const { return m_rateSlider; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }
    EngineWorker *worker() const { return m_worker; }
    QString statusText() const;
    QString errorText() const;
    QString summaryText() const;
    ResultHandle lastResult() const { return m_result; }
    bool isBusy() const { return m_activeId != 0; }

    // The rate the controls show, in (0, 1].
    double rate() const;
    void setRate(double rate);

signals:
    // Emitted after a result (full run or re-threshold) is displayed.
    void resultShown();
    // Emitted when a job ends in failure or cancellation.
    void jobEnded();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildUi();
    void buildMenus();
    void showError(const QString &message);
    void clearError();
    void setBusy(bool busy);
    void showResult(const ResultHandle &result);
    void updateColorChoices();
    void updatePlot();
    void addRecentFile(const QString &path);
    void rebuildRecentMenu();
    void scheduleRerun();
    void restoreSettings();
    void saveSettings() const;
    void copyCompressed();
    void saveCompressed();

    EngineWorker *m_worker = nullptr;
    terse::widgets::PromptEditor *m_editor = nullptr;
    terse::widgets::TokenHeatmapView *m_heatmap = nullptr;
    terse::widgets::ScorePlot *m_plot = nullptr;
    QComboBox *m_method = nullptr;
    QComboBox *m_colorBy = nullptr;
    QSlider *m_rateSlider = nullptr;
    QDoubleSpinBox *m_rateSpin = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_summary = nullptr;
    QTimer *m_debounce = nullptr;
    QTimer *m_progressDelay = nullptr;
    QMenu *m_recentMenu = nullptr;
    quint64 m_activeId = 0;
    ResultHandle m_result;
    QString m_currentFile;
};

}  // namespace terse::app
