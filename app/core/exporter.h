#pragma once
// Exporter: writes a compression result or a comparison of results as JSON, Markdown, HTML or CSV,
// and writes files atomically. Pure formatting (no dialogs), so tests can check every format.
// Thread-safe.

#include "comparison.h"
#include "engine_worker.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

#include <vector>

namespace terse::app {

// One compared run: its settings, its result and its metrics.
struct ExportEntry {
    QString label;                  // settings label (settingsLabel / resultLabel)
    terse::CompressOptions options; // the options that produced `result`
    bool hasOptions = false;        // false when only the result is known (options are left out)
    ResultHandle result;
    RunMetrics metrics;
};

class Exporter {
    Q_DECLARE_TR_FUNCTIONS(terse::app::Exporter)
public:
    enum class Format { Json, Markdown, Html, Csv, Png, Svg };

    // The format a file name asks for by its suffix (.json .md/.markdown .html/.htm .csv .png
    // .svg); false when the suffix is none of these.
    static bool formatForPath(const QString &path, Format *format);
    // The file-dialog filter of a format, e.g. "JSON (*.json)", translated.
    static QString filterFor(Format format);
    static QString suffixFor(Format format);

    // A single result: the engine's JSON (resultToJson), with the metrics added under "metrics".
    static QByteArray resultJson(const ExportEntry &entry);
    // A comparison: {"format": "terse-comparison", "original": ..., "runs": [{label, options,
    // metrics, result}]}.
    static QByteArray comparisonJson(const std::vector<ExportEntry> &entries);
    // A Markdown report: a metrics table and each compressed text in a fenced block.
    static QByteArray markdown(const std::vector<ExportEntry> &entries);
    // A self-contained HTML report: metrics table, a legend, and each result as a heatmap (kept
    // spans coloured by score, dropped words struck through).
    static QByteArray html(const std::vector<ExportEntry> &entries);
    // Per-unit rows: index,text,kept,<each score series>; with several entries a leading "run"
    // column.
    static QByteArray csv(const std::vector<ExportEntry> &entries);

    // Formats `entries` as `format` (Json: resultJson for one entry, comparisonJson otherwise).
    // Png/Svg are plots, not results: they give empty bytes.
    static QByteArray format(const std::vector<ExportEntry> &entries, Format format);

    // Writes `bytes` to `path` atomically: an existing file is replaced only when the whole write
    // succeeded. On failure returns false and sets `error` to a translated reason naming the file.
    static bool writeFile(const QString &path, const QByteArray &bytes, QString *error);

    // An entry for a result whose options are unknown (label from the result); metrics computed
    // now.
    static ExportEntry entryFor(const ResultHandle &result);

private:
    // The column titles of the Markdown and HTML metrics tables.
    static QStringList metricsHeader();
};

} // namespace terse::app
