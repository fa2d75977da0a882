#pragma once
// Adapters from engine results (terse::CompressionResult) to the plain data the widgets display.

#include "terse/compressor.h"
#include "terse_widgets/heatmap_data.h"

#include <QString>

namespace terse::app {

// Builds the heatmap data: one token per unit, every score series, the thresholds and a reason per token.
terse::widgets::HeatmapData toHeatmapData(const terse::CompressionResult &result);

// One-line summary: "412 → 206 words (50.0% kept, requested 50.0%) · 3.2 ms".
QString resultSummary(const terse::CompressionResult &result);

// Converts a UTF-8 byte span of a segment to the QString text of that span.
QString spanText(const terse::CompressionResult &result, const terse::Unit &unit);

}  // namespace terse::app
