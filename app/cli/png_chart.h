#pragma once
// A small self-contained raster chart writer for `terse bench` (the CLI links no GUI library): an
// RGBA canvas with lines, markers, bars and a built-in 5x7 bitmap font, line and stacked-bar charts
// with axes, ticks and a legend, and PNG encoding (zlib deflate + CRC-32).

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace terse::cli {

struct Rgba {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
    bool operator==(const Rgba &) const = default;
};

enum class MarkerShape { Circle, Square, Diamond, Triangle };

// An 8-bit RGBA image. Drawing clips to the canvas and alpha-blends over what is there.
class Canvas {
public:
    Canvas(int width, int height, Rgba background = {255, 255, 255, 255});

    int width() const { return m_width; }
    int height() const { return m_height; }
    // The pixel at (x, y); transparent black outside the canvas.
    Rgba pixel(int x, int y) const;

    void blendPixel(int x, int y, Rgba c);
    void fillRect(int x, int y, int w, int h, Rgba c);
    // A straight line of `thickness` pixels between two points (Bresenham with a square brush).
    void drawLine(double x0, double y0, double x1, double y1, Rgba c, int thickness = 1);
    void drawMarker(int cx, int cy, int radius, Rgba c, MarkerShape shape);
    // ASCII text with its top-left corner at (x, y), each font pixel `scale` x `scale`; `vertical`
    // draws it rotated 90 degrees counter-clockwise (reading upwards) with (x, y) the top-left of
    // the rotated box. Characters outside printable ASCII are drawn as '?'.
    void drawText(int x, int y, std::string_view text, Rgba c, int scale = 1,
                  bool vertical = false);

    static int textWidth(std::string_view text, int scale = 1);
    static int textHeight(int scale = 1);

    // The image as a PNG file (8-bit RGBA, no interlacing).
    std::vector<std::uint8_t> encodePng() const;
    // Writes encodePng() to `path`; false (errno set) when the file cannot be written.
    bool savePng(const std::string &path) const;

private:
    int m_width;
    int m_height;
    std::vector<Rgba> m_pixels;
};

// The colour of the i-th data series (a fixed, colour-blind friendly palette, repeating).
Rgba seriesColor(int index);
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

// Where a chart put its plot area and how it maps data to pixels (for tests and annotations).
struct PlotFrame {
    int left = 0, top = 0, right = 0,
        bottom = 0; // the plot area in pixels (right/bottom exclusive)
    double xMin = 0, xMax = 1, yMin = 0, yMax = 1;
    double toX(double x) const;
    double toY(double y) const;
};

Canvas renderLineChart(const LineChart &chart, PlotFrame *frame = nullptr);
Canvas renderBarChart(const BarChart &chart, PlotFrame *frame = nullptr);

// Ticks covering [lo, hi] at a 1/2/5 x 10^k step, about `target` of them; lo/hi are widened to
// ticks.
std::vector<double> niceTicks(double &lo, double &hi, int target = 6);

} // namespace terse::cli
