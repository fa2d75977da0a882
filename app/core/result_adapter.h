#pragma once
// Adapters from engine results (terse::CompressionResult) to the plain data the widgets display.

#include "terse/compressor.h"
#include "terse_widgets/heatmap_data.h"

#include <QLocale>
#include <QString>

#include <cstddef>
#include <string_view>
#include <vector>

namespace terse::app {

// The cells of the heatmap (issue 20: the word is the unit on screen). A corrected-mode result
// whose units are sub-word tokens decides on whole words, so each atomic word
// (terse::splitAtomicWords) is one cell and its tokens' scores are pooled (sum for surprisal-like
// information, max for attention-like scores, mean otherwise); every other result has one cell per
// unit (reference mode can drop pieces of a word).
struct HeatmapCells {
    bool words = false;      // cells are words made of several units
    std::vector<int> first;  // per cell: its first unit (cells cover units [first[c], first[c+1]))
    std::vector<int> cellOf; // per unit: its cell
    int cellOfUnit(int unit) const
    {
        return unit >= 0 && unit < static_cast<int>(cellOf.size())
                   ? cellOf[static_cast<std::size_t>(unit)]
                   : -1;
    }
    int lastUnit(int cell) const
    {
        if (cell < 0 || cell >= static_cast<int>(first.size()))
            return -1;
        return cell + 1 < static_cast<int>(first.size())
                   ? first[static_cast<std::size_t>(cell) + 1] - 1
                   : static_cast<int>(cellOf.size()) - 1;
    }
    // Per-cell values of a per-unit series (NaN-free pooling as the heatmap does it).
    QVector<double> pool(const std::vector<float> &unitValues, const std::string &series) const;
};
HeatmapCells heatmapCells(const terse::CompressionResult &result);

// Builds the heatmap data: one token per cell (see HeatmapCells), every score series, the
// thresholds and a reason per token. Units overlapping one of `pins` are marked with the pin's
// direction. `cells`: heatmapCells(result) when the caller has it already (it splits the prompt
// into words), else computed here.
terse::widgets::HeatmapData toHeatmapData(const terse::CompressionResult &result,
                                          const std::vector<terse::PinnedSpan> &pins = {},
                                          const HeatmapCells *cells = nullptr);

// The heatmap at stage `stage` of the result's trace: units removed in stages 0..stage are dropped,
// the rest are shown as still present; the series are that stage's scores (the final ones if it has
// none).
terse::widgets::HeatmapData toStageHeatmapData(const terse::CompressionResult &result, int stage,
                                               const std::vector<terse::PinnedSpan> &pins = {},
                                               const HeatmapCells *cells = nullptr);

// The pin direction of `unit` (+1 keep, -1 drop, 0 none); the last matching pin wins (as
// applyPins).
int pinOf(const terse::Unit &unit, const std::vector<terse::PinnedSpan> &pins);

// Byte offset of `unit`'s start in Prompt::joined() of the result's segments ("\n\n" between them).
std::size_t joinedOffset(const terse::CompressionResult &result, const terse::Unit &unit);

// One-line summary: "412 → 206 words (50.0% kept, requested 50.0%) · 3.2 s".
QString resultSummary(const terse::CompressionResult &result);

// A run time for people, in translated units: "0.4 ms", "420 ms", "3.2 s", "42 s", "10 min 30 s",
// "2 h 5 min"; "—" when `ms` is negative or not finite. Numbers follow `locale`.
QString formatDuration(double ms, const QLocale &locale = QLocale());

// A text the engine provides (an option's label or help), translated by key in the context
// "terse::engine" (app/core/engine_strings.cpp marks them for lupdate); the English text when
// untranslated.
QString engineText(const std::string &text);

// How the workbench shows a result's warning (terse::Warning::code): a neutral note when the method
// only explains what it did, an amber warning when the result differs from what was asked. Codes
// not in the table are warnings.
enum class NoteKind { Info, Warning };
NoteKind warningKind(std::string_view code);

// Converts a UTF-8 byte span of a segment to the QString text of that span.
QString spanText(const terse::CompressionResult &result, const terse::Unit &unit);

} // namespace terse::app
