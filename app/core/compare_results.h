#pragma once
// The Compare window's results: one CompareRun per settings row, shown in the metrics table
// (CompareMetricsTable) and as side-by-side output columns with word-level diffs
// (CompareOutputColumns). GUI thread only.

#include "chat_client.h"
#include "comparison.h"
#include "engine_worker.h"

#include <QSplitter>
#include <QTableWidget>

#include <vector>

class QLabel;
class QPushButton;

namespace terse::widgets {
class WordDiffView;
} // namespace terse::widgets

namespace terse::app {

// One row's run of a comparison: its settings, result or error, metrics and target-model answer.
struct CompareRun {
    QString label;
    terse::CompressOptions options;
    ResultHandle result;
    RunMetrics metrics;
    bool measured = false;
    QString error;
    ChatReply answer; // the target model's answer to this row's compressed prompt
    bool answered = false;
    quint64 answerRequest = 0;
};

// The metrics table: one row per run (settings, units, target tokens, achieved rate, ROUGE, BLEU,
// times, the target model's answer). Numbers keep their value in Qt::UserRole.
class CompareMetricsTable : public QTableWidget {
    Q_OBJECT
public:
    enum Column {
        SettingsColumn,
        UnitsInColumn,
        UnitsOutColumn,
        TargetInColumn,
        TargetOutColumn,
        RateOutColumn,
        Rouge1Column,
        RougeLColumn,
        BleuColumn,
        TotalMsColumn,
        ForwardMsColumn,
        AnswerColumn,
        ColumnCount
    };
    explicit CompareMetricsTable(QWidget *parent = nullptr);

    // Shows `run` in row `row`; `busy`: runs not finished yet are waiting (else they were not run).
    void setRun(int row, const CompareRun &run, bool busy);
    // Sets the header texts in the current language.
    void retranslate();
};

// The outputs side by side: per run a title, a summary, a Copy button and the word-level diff.
class CompareOutputColumns : public QSplitter {
    Q_OBJECT
public:
    explicit CompareOutputColumns(QWidget *parent = nullptr);

    // One column per run (the old ones are deleted), each showing its run.
    void rebuild(const std::vector<CompareRun> &runs, bool busy);
    // Shows run `index` in its column.
    void setRun(int index, const CompareRun &run, bool busy);
    // Marks every column's words against the original and the other finished runs.
    void updateDiffs(const std::vector<CompareRun> &runs);
    int count() const { return static_cast<int>(m_columns.size()); }
    terse::widgets::WordDiffView *view(int index) const;
    QString title(int index) const;
    void retranslate();

signals:
    // The Copy button of column `index` was pressed.
    void copyRequested(int index);

private:
    struct Column {
        QWidget *box = nullptr;
        QLabel *title = nullptr;
        QLabel *summary = nullptr;
        QPushButton *copy = nullptr;
        terse::widgets::WordDiffView *view = nullptr;
    };
    std::vector<Column> m_columns;
};

// The Side by Side tab: the diff legend, Ask the Target Model and Export Comparison buttons, the
// output columns (scrolling sideways when many) over the metrics table.
class CompareSideBySide : public QWidget {
    Q_OBJECT
public:
    explicit CompareSideBySide(QWidget *parent = nullptr);

    CompareOutputColumns *outputs() const { return m_columns; }
    CompareMetricsTable *metrics() const { return m_metrics; }
    QPushButton *askButton() const { return m_ask; }
    QPushButton *exportButton() const { return m_export; }
    void retranslate();

private:
    QLabel *m_legend = nullptr;
    QPushButton *m_ask = nullptr;
    QPushButton *m_export = nullptr;
    CompareOutputColumns *m_columns = nullptr;
    CompareMetricsTable *m_metrics = nullptr;
};

} // namespace terse::app
