#pragma once
// Charts for `terse bench` as SVG (issue 19: plain text, sharp at any size, readable by every
// browser and image viewer; the CLI links no GUI library): line charts with markers and stacked bar
// charts, with axes, nice ticks, grid, title and a legend beside the plot.

#include <limits>
#include <string>
#include <vector>

namespace terse::cli {

enum class MarkerShape { Circle, Square, Diamond, Triangle };

// The colour of the i-th data series as "#rrggbb" (a fixed, colour-blind friendly palette,
// repeating).
std::string seriesColor(int index);
MarkerShape seriesMarker(int index);

struct ChartSeries {
    std::string name;
    std::vector<double> x;
    std::vector<double> y; // same length as x; non-finite points are skipped
};

// Axis range: both ends finite = fixed, otherwise fitted to the data with nice ticks.
struct AxisRange {
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
};

struct LineChart {
    std::string title;
    std::string xLabel;
    std::string yLabel;
    AxisRange xRange;
    AxisRange yRange;
    std::vector<ChartSeries> series; // drawn as lines with markers, sorted by x
    int width = 900;
    int height = 560;
};

struct BarChart {
    std::string title;
    std::string yLabel;
    std::vector<std::string> categories;     // one bar per category
    std::vector<std::string> stackNames;     // the parts stacked in each bar (legend)
    std::vector<std::vector<double>> values; // [stack][category]; non-finite counts as 0
    int width = 900;
    int height = 560;
};

// Where a chart put its plot area and how it maps data to SVG user units (for tests and
// annotations).
struct PlotFrame {
    double left = 0, top = 0, right = 0, bottom = 0; // the plot area
    double xMin = 0, xMax = 1, yMin = 0, yMax = 1;
    double toX(double x) const;
    double toY(double y) const;
};

// The SVG document of a chart (UTF-8; text is XML-escaped).
std::string renderLineChart(const LineChart &chart, PlotFrame *frame = nullptr);
std::string renderBarChart(const BarChart &chart, PlotFrame *frame = nullptr);

// Writes `text` to `path`; false (errno set) when the file cannot be written.
bool writeTextFile(const std::string &path, const std::string &text);

// Ticks covering [lo, hi] at a 1/2/5 x 10^k step, about `target` of them; lo/hi are widened to
// ticks.
std::vector<double> niceTicks(double &lo, double &hi, int target = 6);

} // namespace terse::cli
