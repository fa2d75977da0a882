#include "svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace terse::cli {

namespace {

constexpr double kFont = 13;      // px, body text
constexpr double kTitleFont = 17; // px
constexpr double kCharWidth =
    0.6; // average advance of a sans-serif character, in ems (layout only)
const char *const kText = "#1e1e1e";
const char *const kAxis = "#505050";
const char *const kGrid = "#e2e2e2";

double textWidth(const std::string &s, double font = kFont)
{
    std::size_t chars = 0; // UTF-8 code points
    for (unsigned char c : s)
        chars += (c & 0xC0) != 0x80;
    return static_cast<double>(chars) * font * kCharWidth;
}

std::string escape(const std::string &s)
{
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            // Control characters are not allowed in XML 1.0.
            if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n')
                out += c;
        }
    }
    return out;
}

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", std::abs(v) < 0.005 ? 0.0 : v);
    return buf;
}

std::string formatTick(double v, double step)
{
    char buf[32];
    const int decimals =
        step >= 1 ? 0 : std::min(6, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v) < step * 1e-6 ? 0.0 : v);
    return buf;
}

void fitRange(double &lo, double &hi, const AxisRange &fixed)
{
    if (std::isfinite(fixed.min) && std::isfinite(fixed.max) && fixed.max > fixed.min) {
        lo = fixed.min;
        hi = fixed.max;
        return;
    }
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (hi - lo < 1e-12) {
        const double pad = std::abs(hi) > 0 ? std::abs(hi) * 0.1 : 1.0;
        lo -= pad;
        hi += pad;
    }
}

struct Svg {
    std::ostringstream s;
    Svg(int w, int h)
    {
        s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h
          << "\" viewBox=\"0 0 " << w << ' ' << h
          << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"" << kFont
          << "\">\n"
          << "<rect x=\"0\" y=\"0\" width=\"" << w << "\" height=\"" << h
          << "\" fill=\"#ffffff\"/>\n";
    }
    void line(double x0, double y0, double x1, double y1, const std::string &color,
              double width = 1)
    {
        s << "<line x1=\"" << num(x0) << "\" y1=\"" << num(y0) << "\" x2=\"" << num(x1)
          << "\" y2=\"" << num(y1) << "\" stroke=\"" << color << "\" stroke-width=\"" << width
          << "\"/>\n";
    }
    void text(double x, double y, const std::string &t, const char *anchor = "start",
              double size = kFont, const std::string &extra = "")
    {
        s << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" text-anchor=\"" << anchor
          << "\" fill=\"" << kText << "\"";
        if (size != kFont)
            s << " font-size=\"" << size << "\"";
        s << extra << ">" << escape(t) << "</text>\n";
    }
    void marker(double x, double y, double r, const std::string &color, MarkerShape shape)
    {
        switch (shape) {
        case MarkerShape::Circle:
            s << "<circle cx=\"" << num(x) << "\" cy=\"" << num(y) << "\" r=\"" << r << "\" fill=\""
              << color << "\"/>\n";
            break;
        case MarkerShape::Square:
            s << "<rect x=\"" << num(x - r) << "\" y=\"" << num(y - r) << "\" width=\"" << 2 * r
              << "\" height=\"" << 2 * r << "\" fill=\"" << color << "\"/>\n";
            break;
        case MarkerShape::Diamond:
            s << "<polygon points=\"" << num(x) << ',' << num(y - r - 1) << ' ' << num(x + r + 1)
              << ',' << num(y) << ' ' << num(x) << ',' << num(y + r + 1) << ' ' << num(x - r - 1)
              << ',' << num(y) << "\" fill=\"" << color << "\"/>\n";
            break;
        case MarkerShape::Triangle:
            s << "<polygon points=\"" << num(x) << ',' << num(y - r - 1) << ' ' << num(x + r + 1)
              << ',' << num(y + r) << ' ' << num(x - r - 1) << ',' << num(y + r) << "\" fill=\""
              << color << "\"/>\n";
            break;
        }
    }
    std::string finish()
    {
        s << "</svg>\n";
        return s.str();
    }
};

double legendWidth(const std::vector<std::string> &names)
{
    double w = 0;
    for (const auto &n : names)
        w = std::max(w, textWidth(n));
    return names.empty() ? 0 : w + 44;
}

// Axes, grid, ticks, labels and title around the plot area; returns the frame.
PlotFrame drawFrame(Svg &svg, int width, int height, const std::string &title,
                    const std::string &xLabel, const std::string &yLabel,
                    const std::vector<double> &xTicks, const std::vector<double> &yTicks,
                    double xMin, double xMax, double yMin, double yMax, double legend,
                    bool xTickLabels)
{
    PlotFrame f;
    f.xMin = xMin;
    f.xMax = xMax;
    f.yMin = yMin;
    f.yMax = yMax;
    double yLabelWidth = 0;
    const double yStep = yTicks.size() > 1 ? yTicks[1] - yTicks[0] : 1.0;
    for (double t : yTicks)
        yLabelWidth = std::max(yLabelWidth, textWidth(formatTick(t, yStep)));
    f.left = 20 + kFont + 10 + yLabelWidth + 8;
    f.top = 20 + kTitleFont + 16;
    f.right = width - 20 - legend;
    f.bottom = height - (20 + kFont + 10 + kFont + 8);
    svg.text(width / 2.0, 20 + kTitleFont, title, "middle", kTitleFont, " font-weight=\"bold\"");
    for (double t : yTicks) {
        const double y = f.toY(t);
        svg.line(f.left, y, f.right, y, kGrid);
        svg.line(f.left - 5, y, f.left, y, kAxis);
        svg.text(f.left - 8, y + kFont * 0.35, formatTick(t, yStep), "end");
    }
    if (xTickLabels) {
        const double xStep = xTicks.size() > 1 ? xTicks[1] - xTicks[0] : 1.0;
        for (double t : xTicks) {
            const double x = f.toX(t);
            svg.line(x, f.top, x, f.bottom, kGrid);
            svg.line(x, f.bottom, x, f.bottom + 5, kAxis);
            svg.text(x, f.bottom + 8 + kFont, formatTick(t, xStep), "middle");
        }
    }
    svg.line(f.left, f.top, f.left, f.bottom, kAxis);
    svg.line(f.left, f.bottom, f.right, f.bottom, kAxis);
    if (!xLabel.empty())
        svg.text((f.left + f.right) / 2, height - 20, xLabel, "middle");
    const double cy = (f.top + f.bottom) / 2;
    svg.text(20 + kFont, cy, yLabel, "middle", kFont,
             " transform=\"rotate(-90 " + num(20 + kFont) + ' ' + num(cy) + ")\"");
    return f;
}

} // namespace

std::string seriesColor(int index)
{
    // Okabe-Ito colours, then Tableau tones for more series.
    static const char *const kPalette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                           "#56b4e9", "#d55e00", "#000000", "#f0e442",
                                           "#8c564b", "#7f7f7f", "#bcbd22", "#9467bd"};
    constexpr int n = sizeof kPalette / sizeof kPalette[0];
    return kPalette[((index % n) + n) % n];
}

MarkerShape seriesMarker(int index)
{
    static const MarkerShape kShapes[] = {MarkerShape::Circle, MarkerShape::Square,
                                          MarkerShape::Diamond, MarkerShape::Triangle};
    return kShapes[((index % 4) + 4) % 4];
}

double PlotFrame::toX(double x) const
{
    return left + (x - xMin) / (xMax - xMin) * (right - left);
}

double PlotFrame::toY(double y) const
{
    return bottom - (y - yMin) / (yMax - yMin) * (bottom - top);
}

std::vector<double> niceTicks(double &lo, double &hi, int target)
{
    if (!(hi > lo))
        hi = lo + 1;
    const double raw = (hi - lo) / std::max(1, target);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * mag * (1 + 1e-9)) {
            step = m * mag;
            break;
        }
    lo = std::floor(lo / step + 1e-9) * step;
    hi = std::ceil(hi / step - 1e-9) * step;
    std::vector<double> ticks;
    for (double t = lo; t <= hi + step * 1e-6; t += step)
        ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

std::string renderLineChart(const LineChart &chart, PlotFrame *frameOut)
{
    Svg svg(chart.width, chart.height);
    double xLo = INFINITY, xHi = -INFINITY, yLo = INFINITY, yHi = -INFINITY;
    for (const auto &s : chart.series)
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
                xLo = std::min(xLo, s.x[i]);
                xHi = std::max(xHi, s.x[i]);
                yLo = std::min(yLo, s.y[i]);
                yHi = std::max(yHi, s.y[i]);
            }
    fitRange(xLo, xHi, chart.xRange);
    fitRange(yLo, yHi, chart.yRange);
    const bool xFixed = std::isfinite(chart.xRange.min) && std::isfinite(chart.xRange.max);
    const bool yFixed = std::isfinite(chart.yRange.min) && std::isfinite(chart.yRange.max);
    double xa = xLo, xb = xHi, ya = yLo, yb = yHi;
    const auto xTicks = niceTicks(xa, xb);
    const auto yTicks = niceTicks(ya, yb);
    if (xFixed)
        xa = xLo, xb = xHi;
    if (yFixed)
        ya = yLo, yb = yHi;
    std::vector<std::string> names;
    for (const auto &s : chart.series)
        names.push_back(s.name);
    const PlotFrame f =
        drawFrame(svg, chart.width, chart.height, chart.title, chart.xLabel, chart.yLabel, xTicks,
                  yTicks, xa, xb, ya, yb, legendWidth(names), true);
    for (std::size_t si = 0; si < chart.series.size(); ++si) {
        const auto &s = chart.series[si];
        std::vector<std::pair<double, double>> pts;
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
                pts.emplace_back(s.x[i], s.y[i]);
        std::sort(pts.begin(), pts.end());
        const std::string col = seriesColor(static_cast<int>(si));
        svg.s << "<g class=\"series\" data-name=\"" << escape(s.name) << "\">\n";
        if (pts.size() > 1) {
            svg.s << "<polyline fill=\"none\" stroke=\"" << col
                  << "\" stroke-width=\"2\" points=\"";
            for (const auto &[x, y] : pts)
                svg.s << num(f.toX(x)) << ',' << num(f.toY(y)) << ' ';
            svg.s << "\"/>\n";
        }
        for (const auto &[x, y] : pts)
            svg.marker(f.toX(x), f.toY(y), 4, col, seriesMarker(static_cast<int>(si)));
        svg.s << "</g>\n";
    }
    // Legend beside the plot: a line with the marker, then the name.
    double ly = f.top + 4;
    for (std::size_t si = 0; si < names.size(); ++si) {
        const std::string col = seriesColor(static_cast<int>(si));
        const double lx = f.right + 12;
        svg.line(lx, ly + kFont * 0.5, lx + 20, ly + kFont * 0.5, col, 2);
        svg.marker(lx + 10, ly + kFont * 0.5, 3, col, seriesMarker(static_cast<int>(si)));
        svg.text(lx + 26, ly + kFont * 0.85, names[si]);
        ly += kFont + 9;
    }
    if (frameOut)
        *frameOut = f;
    return svg.finish();
}

std::string renderBarChart(const BarChart &chart, PlotFrame *frameOut)
{
    Svg svg(chart.width, chart.height);
    const std::size_t n = chart.categories.size();
    double yHi = 0;
    for (std::size_t k = 0; k < n; ++k) {
        double sum = 0;
        for (const auto &stack : chart.values)
            if (k < stack.size() && std::isfinite(stack[k]) && stack[k] > 0)
                sum += stack[k];
        yHi = std::max(yHi, sum);
    }
    double ya = 0, yb = yHi > 0 ? yHi * 1.05 : 1.0;
    const auto yTicks = niceTicks(ya, yb);
    const PlotFrame f = drawFrame(svg, chart.width, chart.height, chart.title, "", chart.yLabel, {},
                                  yTicks, 0, static_cast<double>(std::max<std::size_t>(n, 1)), ya,
                                  yb, legendWidth(chart.stackNames), false);
    const double slot = n ? (f.right - f.left) / static_cast<double>(n) : 0;
    for (std::size_t k = 0; k < n; ++k) {
        const double x0 = f.left + slot * (static_cast<double>(k) + 0.2),
                     x1 = f.left + slot * (static_cast<double>(k) + 0.8);
        double base = 0;
        for (std::size_t si = 0; si < chart.values.size(); ++si) {
            const double v = k < chart.values[si].size() && std::isfinite(chart.values[si][k])
                                 ? std::max(0.0, chart.values[si][k])
                                 : 0.0;
            const double yTop = f.toY(base + v), yBottom = f.toY(base);
            svg.s << "<rect x=\"" << num(x0) << "\" y=\"" << num(yTop) << "\" width=\""
                  << num(x1 - x0) << "\" height=\"" << num(yBottom - yTop) << "\" fill=\""
                  << seriesColor(static_cast<int>(si)) << "\"><title>"
                  << escape(chart.categories[k]) << " · "
                  << escape(si < chart.stackNames.size() ? chart.stackNames[si] : std::string())
                  << ": " << formatTick(v, 0.01) << "</title></rect>\n";
            base += v;
        }
        // The bar's total above it, then the category label under it (long names cut to the slot
        // width).
        char total[32];
        std::snprintf(total, sizeof total,
                      base >= 100  ? "%.0f"
                      : base >= 10 ? "%.1f"
                                   : "%.2f",
                      base);
        svg.text((x0 + x1) / 2, f.toY(base) - 5, total, "middle");
        std::string label = chart.categories[k];
        const std::size_t maxChars =
            std::max<std::size_t>(3, static_cast<std::size_t>(slot / (kFont * kCharWidth)));
        if (label.size() > maxChars) {
            std::size_t cut = maxChars - 1;
            while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80)
                --cut; // never inside a UTF-8 sequence
            label = label.substr(0, cut) + "…";
        }
        svg.text(f.left + slot * (static_cast<double>(k) + 0.5), f.bottom + 8 + kFont, label,
                 "middle");
    }
    double ly = f.top + 4;
    for (std::size_t si = 0; si < chart.stackNames.size(); ++si) {
        const double lx = f.right + 12;
        svg.s << "<rect x=\"" << num(lx) << "\" y=\"" << num(ly) << "\" width=\"14\" height=\""
              << kFont << "\" fill=\"" << seriesColor(static_cast<int>(si)) << "\"/>\n";
        svg.text(lx + 20, ly + kFont * 0.85, chart.stackNames[si]);
        ly += kFont + 9;
    }
    if (frameOut)
        *frameOut = f;
    return svg.finish();
}

bool writeTextFile(const std::string &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        return false;
    out << text;
    out.close();
    return static_cast<bool>(out);
}

} // namespace terse::cli
