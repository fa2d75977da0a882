#pragma once
// Adapters from engine results (terse::CompressionResult) to the plain data the widgets display.

#include "terse/compressor.h"
#include "terse_widgets/heatmap_data.h"

#include <QString>

#include <cstddef>
#include <vector>

namespace terse::app {

// Builds the heatmap data: one token per unit, every score series, the thresholds and a reason per token.
// Units overlapping one of `pins` are marked with the pin's direction.
terse::widgets::HeatmapData toHeatmapData(const terse::CompressionResult &result,
                                          const std::vector<terse::PinnedSpan> &pins = {});

// The heatmap at stage `stage` of the result's trace: units removed in stages 0..stage are dropped,
// the rest are shown as still present; the series are that stage's scores (the final ones if it has none).
terse::widgets::HeatmapData toStageHeatmapData(const terse::CompressionResult &result, int stage,
                                               const std::vector<terse::PinnedSpan> &pins = {});

// The pin direction of `unit` (+1 keep, -1 drop, 0 none); the last matching pin wins (as applyPins).
int pinOf(const terse::Unit &unit, const std::vector<terse::PinnedSpan> &pins);

// Byte offset of `unit`'s start in Prompt::joined() of the result's segments ("\n\n" between them).
std::size_t joinedOffset(const terse::CompressionResult &result, const terse::Unit &unit);

// One-line summary: "412 → 206 words (50.0% kept, requested 50.0%) · 3.2 ms".
QString resultSummary(const terse::CompressionResult &result);

// Converts a UTF-8 byte span of a segment to the QString text of that span.
QString spanText(const terse::CompressionResult &result, const terse::Unit &unit);

}  // namespace terse::app
