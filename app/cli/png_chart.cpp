#include "png_chart.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace terse::cli {

namespace {

// 5x7 bitmap font for ASCII 32..126: five column bytes per glyph, bit 0 = top row (the classic
// HD44780-style glyph set used by many embedded displays).
constexpr std::array<std::uint8_t, 95 * 5> kFont = {
    0x00, 0x00, 0x00, 0x00, 0x00, // ' '
    0x00, 0x00, 0x5F, 0x00, 0x00, // !
    0x00, 0x07, 0x00, 0x07, 0x00, // "
    0x14, 0x7F, 0x14, 0x7F, 0x14, // #
    0x24, 0x2A, 0x7F, 0x2A, 0x12, // $
    0x23, 0x13, 0x08, 0x64, 0x62, // %
    0x36, 0x49, 0x55, 0x22, 0x50, // &
    0x00, 0x05, 0x03, 0x00, 0x00, // '
    0x00, 0x1C, 0x22, 0x41, 0x00, // (
    0x00, 0x41, 0x22, 0x1C, 0x00, // )
    0x08, 0x2A, 0x1C, 0x2A, 0x08, // *
    0x08, 0x08, 0x3E, 0x08, 0x08, // +
    0x00, 0x50, 0x30, 0x00, 0x00, // ,
    0x08, 0x08, 0x08, 0x08, 0x08, // -
    0x00, 0x60, 0x60, 0x00, 0x00, // .
    0x20, 0x10, 0x08, 0x04, 0x02, // /
    0x3E, 0x51, 0x49, 0x45, 0x3E, // 0
    0x00, 0x42, 0x7F, 0x40, 0x00, // 1
    0x42, 0x61, 0x51, 0x49, 0x46, // 2
    0x21, 0x41, 0x45, 0x4B, 0x31, // 3
    0x18, 0x14, 0x12, 0x7F, 0x10, // 4
    0x27, 0x45, 0x45, 0x45, 0x39, // 5
    0x3C, 0x4A, 0x49, 0x49, 0x30, // 6
    0x01, 0x71, 0x09, 0x05, 0x03, // 7
    0x36, 0x49, 0x49, 0x49, 0x36, // 8
    0x06, 0x49, 0x49, 0x29, 0x1E, // 9
    0x00, 0x36, 0x36, 0x00, 0x00, // :
    0x00, 0x56, 0x36, 0x00, 0x00, // ;
    0x08, 0x14, 0x22, 0x41, 0x00, // <
    0x14, 0x14, 0x14, 0x14, 0x14, // =
    0x00, 0x41, 0x22, 0x14, 0x08, // >
    0x02, 0x01, 0x51, 0x09, 0x06, // ?
    0x32, 0x49, 0x79, 0x41, 0x3E, // @
    0x7E, 0x11, 0x11, 0x11, 0x7E, // A
    0x7F, 0x49, 0x49, 0x49, 0x36, // B
    0x3E, 0x41, 0x41, 0x41, 0x22, // C
    0x7F, 0x41, 0x41, 0x22, 0x1C, // D
    0x7F, 0x49, 0x49, 0x49, 0x41, // E
    0x7F, 0x09, 0x09, 0x09, 0x01, // F
    0x3E, 0x41, 0x49, 0x49, 0x7A, // G
    0x7F, 0x08, 0x08, 0x08, 0x7F, // H
    0x00, 0x41, 0x7F, 0x41, 0x00, // I
    0x20, 0x40, 0x41, 0x3F, 0x01, // J
    0x7F, 0x08, 0x14, 0x22, 0x41, // K
    0x7F, 0x40, 0x40, 0x40, 0x40, // L
    0x7F, 0x02, 0x0C, 0x02, 0x7F, // M
    0x7F, 0x04, 0x08, 0x10, 0x7F, // N
    0x3E, 0x41, 0x41, 0x41, 0x3E, // O
    0x7F, 0x09, 0x09, 0x09, 0x06, // P
    0x3E, 0x41, 0x51, 0x21, 0x5E, // Q
    0x7F, 0x09, 0x19, 0x29, 0x46, // R
    0x46, 0x49, 0x49, 0x49, 0x31, // S
    0x01, 0x01, 0x7F, 0x01, 0x01, // T
    0x3F, 0x40, 0x40, 0x40, 0x3F, // U
    0x1F, 0x20, 0x40, 0x20, 0x1F, // V
    0x3F, 0x40, 0x38, 0x40, 0x3F, // W
    0x63, 0x14, 0x08, 0x14, 0x63, // X
    0x07, 0x08, 0x70, 0x08, 0x07, // Y
    0x61, 0x51, 0x49, 0x45, 0x43, // Z
    0x00, 0x7F, 0x41, 0x41, 0x00, // [
    0x02, 0x04, 0x08, 0x10, 0x20, // backslash
    0x00, 0x41, 0x41, 0x7F, 0x00, // ]
    0x04, 0x02, 0x01, 0x02, 0x04, // ^
    0x40, 0x40, 0x40, 0x40, 0x40, // _
    0x00, 0x01, 0x02, 0x04, 0x00, // `
    0x20, 0x54, 0x54, 0x54, 0x78, // a
    0x7F, 0x48, 0x44, 0x44, 0x38, // b
    0x38, 0x44, 0x44, 0x44, 0x20, // c
    0x38, 0x44, 0x44, 0x48, 0x7F, // d
    0x38, 0x54, 0x54, 0x54, 0x18, // e
    0x08, 0x7E, 0x09, 0x01, 0x02, // f
    0x0C, 0x52, 0x52, 0x52, 0x3E, // g
    0x7F, 0x08, 0x04, 0x04, 0x78, // h
    0x00, 0x44, 0x7D, 0x40, 0x00, // i
    0x20, 0x40, 0x44, 0x3D, 0x00, // j
    0x7F, 0x10, 0x28, 0x44, 0x00, // k
    0x00, 0x41, 0x7F, 0x40, 0x00, // l
    0x7C, 0x04, 0x18, 0x04, 0x78, // m
    0x7C, 0x08, 0x04, 0x04, 0x78, // n
    0x38, 0x44, 0x44, 0x44, 0x38, // o
    0x7C, 0x14, 0x14, 0x14, 0x08, // p
    0x08, 0x14, 0x14, 0x18, 0x7C, // q
    0x7C, 0x08, 0x04, 0x04, 0x08, // r
    0x48, 0x54, 0x54, 0x54, 0x20, // s
    0x04, 0x3F, 0x44, 0x40, 0x20, // t
    0x3C, 0x40, 0x40, 0x20, 0x7C, // u
    0x1C, 0x20, 0x40, 0x20, 0x1C, // v
    0x3C, 0x40, 0x30, 0x40, 0x3C, // w
    0x44, 0x28, 0x10, 0x28, 0x44, // x
    0x0C, 0x50, 0x50, 0x50, 0x3C, // y
    0x44, 0x64, 0x54, 0x4C, 0x44, // z
    0x00, 0x08, 0x36, 0x41, 0x00, // {
    0x00, 0x00, 0x7F, 0x00, 0x00, // |
    0x00, 0x41, 0x36, 0x08, 0x00, // }
    0x08, 0x04, 0x08, 0x10, 0x08, // ~
};

constexpr int kGlyphW = 5;
constexpr int kGlyphH = 7;
constexpr int kAdvance = 6; // glyph plus one column of spacing

const Rgba kAxis{60, 60, 60, 255};
const Rgba kGrid{225, 225, 225, 255};
const Rgba kText{30, 30, 30, 255};

void putU32(std::vector<std::uint8_t> &out, std::uint32_t v)
{
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

// A PNG chunk: length, type, data, CRC-32 of type + data.
void putChunk(std::vector<std::uint8_t> &out, const char *type,
              const std::vector<std::uint8_t> &data)
{
    putU32(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t typeAt = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    const uLong crc = crc32(0L, out.data() + typeAt, static_cast<uInt>(4 + data.size()));
    putU32(out, static_cast<std::uint32_t>(crc));
}

std::string formatTick(double v, double step)
{
    char buf[32];
    const int decimals =
        step >= 1 ? 0 : std::min(6, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v) < step * 1e-6 ? 0.0 : v);
    return buf;
}

void fitRange(double &lo, double &hi, const AxisRange &fixed, bool includeZero)
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
    if (includeZero)
        lo = std::min(lo, 0.0);
    if (hi - lo < 1e-12) {
        const double pad = std::abs(hi) > 0 ? std::abs(hi) * 0.1 : 1.0;
        lo -= pad;
        hi += pad;
    }
}

// Axes, grid, ticks, labels and title around the plot area; returns the frame.
PlotFrame drawFrame(Canvas &c, const std::string &title, const std::string &xLabel,
                    const std::string &yLabel, const std::vector<double> &xTicks,
                    const std::vector<double> &yTicks, double xMin, double xMax, double yMin,
                    double yMax, int legendWidth, bool xTickLabels)
{
    PlotFrame f;
    f.xMin = xMin;
    f.xMax = xMax;
    f.yMin = yMin;
    f.yMax = yMax;
    int yLabelWidth = 0;
    const double yStep = yTicks.size() > 1 ? yTicks[1] - yTicks[0] : 1.0;
    for (double t : yTicks)
        yLabelWidth = std::max(yLabelWidth, Canvas::textWidth(formatTick(t, yStep)));
    f.left = 20 + Canvas::textHeight() + 8 + yLabelWidth + 8;
    f.top = 20 + Canvas::textHeight(2) + 16;
    f.right = c.width() - 20 - legendWidth;
    f.bottom = c.height() - (20 + Canvas::textHeight() + 8 + Canvas::textHeight() + 10);
    c.drawText((c.width() - Canvas::textWidth(title, 2)) / 2, 20, title, kText, 2);
    for (double t : yTicks) {
        const int y = static_cast<int>(std::lround(f.toY(t)));
        c.drawLine(f.left, y, f.right - 1, y, kGrid);
        c.drawLine(f.left - 5, y, f.left - 1, y, kAxis);
        const std::string s = formatTick(t, yStep);
        c.drawText(f.left - 8 - Canvas::textWidth(s), y - Canvas::textHeight() / 2, s, kText);
    }
    if (xTickLabels) {
        const double xStep = xTicks.size() > 1 ? xTicks[1] - xTicks[0] : 1.0;
        for (double t : xTicks) {
            const int x = static_cast<int>(std::lround(f.toX(t)));
            c.drawLine(x, f.top, x, f.bottom - 1, kGrid);
            c.drawLine(x, f.bottom, x, f.bottom + 4, kAxis);
            const std::string s = formatTick(t, xStep);
            c.drawText(x - Canvas::textWidth(s) / 2, f.bottom + 8, s, kText);
        }
    }
    c.drawLine(f.left, f.top, f.left, f.bottom, kAxis);
    c.drawLine(f.left, f.bottom, f.right - 1, f.bottom, kAxis);
    const int plotMidX = (f.left + f.right) / 2;
    c.drawText(plotMidX - Canvas::textWidth(xLabel) / 2, c.height() - 20 - Canvas::textHeight(),
               xLabel, kText);
    c.drawText(20, (f.top + f.bottom) / 2 - Canvas::textWidth(yLabel) / 2, yLabel, kText, 1, true);
    return f;
}

int legendWidth(const std::vector<std::string> &names)
{
    int w = 0;
    for (const auto &n : names)
        w = std::max(w, Canvas::textWidth(n));
    return names.empty() ? 0 : w + 40;
}

} // namespace

Canvas::Canvas(int width, int height, Rgba background)
    : m_width(std::max(1, width)), m_height(std::max(1, height)),
      m_pixels(static_cast<std::size_t>(m_width) * m_height, background)
{
}

Rgba Canvas::pixel(int x, int y) const
{
    if (x < 0 || y < 0 || x >= m_width || y >= m_height)
        return {0, 0, 0, 0};
    return m_pixels[static_cast<std::size_t>(y) * m_width + x];
}

void Canvas::blendPixel(int x, int y, Rgba c)
{
    if (x < 0 || y < 0 || x >= m_width || y >= m_height || c.a == 0)
        return;
    Rgba &d = m_pixels[static_cast<std::size_t>(y) * m_width + x];
    if (c.a == 255) {
        d = c;
        return;
    }
    // Source-over compositing.
    const double sa = c.a / 255.0, da = d.a / 255.0;
    const double oa = sa + da * (1 - sa);
    auto mix = [&](std::uint8_t s, std::uint8_t dst) {
        return static_cast<std::uint8_t>(std::lround((s * sa + dst * da * (1 - sa)) / oa));
    };
    d = {mix(c.r, d.r), mix(c.g, d.g), mix(c.b, d.b),
         static_cast<std::uint8_t>(std::lround(oa * 255))};
}

void Canvas::fillRect(int x, int y, int w, int h, Rgba c)
{
    const int x0 = std::max(0, x), y0 = std::max(0, y);
    const int x1 = std::min(m_width, x + w), y1 = std::min(m_height, y + h);
    for (int yy = y0; yy < y1; ++yy)
        for (int xx = x0; xx < x1; ++xx)
            blendPixel(xx, yy, c);
}

void Canvas::drawLine(double x0d, double y0d, double x1d, double y1d, Rgba c, int thickness)
{
    int x0 = static_cast<int>(std::lround(x0d)), y0 = static_cast<int>(std::lround(y0d));
    const int x1 = static_cast<int>(std::lround(x1d)), y1 = static_cast<int>(std::lround(y1d));
    const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    const int half = (std::max(1, thickness) - 1) / 2;
    const int t = std::max(1, thickness);
    int err = dx + dy;
    // Opaque brushes may overlap themselves; translucent ones would darken, so stamp each pixel
    // once.
    std::vector<std::uint8_t> stamped;
    const bool translucent = c.a != 255 && t > 1;
    if (translucent)
        stamped.assign(static_cast<std::size_t>(m_width) * m_height, 0);
    auto stamp = [&](int px, int py) {
        for (int yy = py - half; yy < py - half + t; ++yy)
            for (int xx = px - half; xx < px - half + t; ++xx) {
                if (translucent) {
                    if (xx < 0 || yy < 0 || xx >= m_width || yy >= m_height)
                        continue;
                    auto &s = stamped[static_cast<std::size_t>(yy) * m_width + xx];
                    if (s)
                        continue;
                    s = 1;
                }
                blendPixel(xx, yy, c);
            }
    };
    while (true) {
        stamp(x0, y0);
        if (x0 == x1 && y0 == y1)
            break;
        const int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

void Canvas::drawMarker(int cx, int cy, int r, Rgba c, MarkerShape shape)
{
    for (int dy = -r; dy <= r; ++dy)
        for (int dx = -r; dx <= r; ++dx) {
            bool in = false;
            switch (shape) {
            case MarkerShape::Circle:
                in = dx * dx + dy * dy <= r * r + r / 2;
                break;
            case MarkerShape::Square:
                in = true;
                break;
            case MarkerShape::Diamond:
                in = std::abs(dx) + std::abs(dy) <= r;
                break;
            case MarkerShape::Triangle:
                in = dy >= -r && std::abs(dx) * 2 <= (dy + r);
                break;
            }
            if (in)
                blendPixel(cx + dx, cy + dy, c);
        }
}

void Canvas::drawText(int x, int y, std::string_view text, Rgba c, int scale, bool vertical)
{
    scale = std::max(1, scale);
    const int total = textWidth(text, scale);
    int pen = 0;
    for (char ch : text) {
        const unsigned char u = static_cast<unsigned char>(ch);
        const int index = (u >= 32 && u <= 126) ? u - 32 : '?' - 32;
        for (int col = 0; col < kGlyphW; ++col) {
            const std::uint8_t bits = kFont[static_cast<std::size_t>(index) * kGlyphW + col];
            for (int row = 0; row < kGlyphH; ++row) {
                if (!(bits & (1u << row)))
                    continue;
                const int gx = pen + col * scale, gy = row * scale;
                // Rotated 90 degrees counter-clockwise: text x runs upwards, text y runs
                // rightwards.
                const int px = vertical ? x + gy : x + gx;
                const int py = vertical ? y + total - 1 - gx - (scale - 1) : y + gy;
                fillRect(px, py, scale, scale, c);
            }
        }
        pen += kAdvance * scale;
    }
}

int Canvas::textWidth(std::string_view text, int scale)
{
    return text.empty() ? 0 : (static_cast<int>(text.size()) * kAdvance - 1) * std::max(1, scale);
}

int Canvas::textHeight(int scale)
{
    return kGlyphH * std::max(1, scale);
}

std::vector<std::uint8_t> Canvas::encodePng() const
{
    // Filter type 0 (None) on every scanline, then one zlib stream in a single IDAT chunk.
    std::vector<std::uint8_t> raw;
    raw.reserve(static_cast<std::size_t>(m_height) * (1 + 4 * static_cast<std::size_t>(m_width)));
    for (int y = 0; y < m_height; ++y) {
        raw.push_back(0);
        for (int x = 0; x < m_width; ++x) {
            const Rgba &p = m_pixels[static_cast<std::size_t>(y) * m_width + x];
            raw.insert(raw.end(), {p.r, p.g, p.b, p.a});
        }
    }
    uLongf packedSize = compressBound(static_cast<uLong>(raw.size()));
    std::vector<std::uint8_t> packed(packedSize);
    if (compress(packed.data(), &packedSize, raw.data(), static_cast<uLong>(raw.size())) != Z_OK)
        return {};
    packed.resize(packedSize);

    std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<std::uint8_t> ihdr;
    putU32(ihdr, static_cast<std::uint32_t>(m_width));
    putU32(ihdr, static_cast<std::uint32_t>(m_height));
    ihdr.insert(ihdr.end(),
                {8, 6, 0, 0, 0}); // bit depth 8, colour type RGBA, deflate, filter 0, no interlace
    putChunk(png, "IHDR", ihdr);
    putChunk(png, "IDAT", packed);
    putChunk(png, "IEND", {});
    return png;
}

bool Canvas::savePng(const std::string &path) const
{
    const auto bytes = encodePng();
    if (bytes.empty())
        return false;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        return false;
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out.flush());
}

Rgba seriesColor(int index)
{
    // Okabe-Ito colours, then Tableau tones for more series.
    static const Rgba kPalette[] = {
        {0, 114, 178, 255},  {230, 159, 0, 255},   {0, 158, 115, 255},  {204, 121, 167, 255},
        {86, 180, 233, 255}, {213, 94, 0, 255},    {0, 0, 0, 255},      {240, 228, 66, 255},
        {140, 86, 75, 255},  {127, 127, 127, 255}, {188, 189, 34, 255}, {148, 103, 189, 255}};
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
    return left + (x - xMin) / (xMax - xMin) * (right - 1 - left);
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

Canvas renderLineChart(const LineChart &chart, PlotFrame *frameOut)
{
    Canvas c(chart.width, chart.height);
    double xLo = INFINITY, xHi = -INFINITY, yLo = INFINITY, yHi = -INFINITY;
    for (const auto &s : chart.series)
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
                xLo = std::min(xLo, s.x[i]);
                xHi = std::max(xHi, s.x[i]);
                yLo = std::min(yLo, s.y[i]);
                yHi = std::max(yHi, s.y[i]);
            }
    fitRange(xLo, xHi, chart.xRange, false);
    fitRange(yLo, yHi, chart.yRange, false);
    const bool xFixed = std::isfinite(chart.xRange.min) && std::isfinite(chart.xRange.max);
    const bool yFixed = std::isfinite(chart.yRange.min) && std::isfinite(chart.yRange.max);
    double xa = xLo, xb = xHi, ya = yLo, yb = yHi;
    auto xTicks = niceTicks(xa, xb);
    auto yTicks = niceTicks(ya, yb);
    if (xFixed) {
        xa = xLo;
        xb = xHi;
    }
    if (yFixed) {
        ya = yLo;
        yb = yHi;
    }
    std::vector<std::string> names;
    for (const auto &s : chart.series)
        names.push_back(s.name);
    const PlotFrame f = drawFrame(c, chart.title, chart.xLabel, chart.yLabel, xTicks, yTicks, xa,
                                  xb, ya, yb, legendWidth(names), true);
    for (std::size_t si = 0; si < chart.series.size(); ++si) {
        const auto &s = chart.series[si];
        std::vector<std::pair<double, double>> pts;
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
                pts.emplace_back(s.x[i], s.y[i]);
        std::sort(pts.begin(), pts.end());
        const Rgba col = seriesColor(static_cast<int>(si));
        for (std::size_t i = 1; i < pts.size(); ++i)
            c.drawLine(f.toX(pts[i - 1].first), f.toY(pts[i - 1].second), f.toX(pts[i].first),
                       f.toY(pts[i].second), col, 2);
        for (const auto &[x, y] : pts)
            c.drawMarker(static_cast<int>(std::lround(f.toX(x))),
                         static_cast<int>(std::lround(f.toY(y))), 4, col,
                         seriesMarker(static_cast<int>(si)));
    }
    // Legend to the right of the plot: a line with the marker, then the name.
    int ly = f.top + 4;
    for (std::size_t si = 0; si < names.size(); ++si) {
        const Rgba col = seriesColor(static_cast<int>(si));
        const int lx = f.right + 12;
        c.drawLine(lx, ly + 3, lx + 18, ly + 3, col, 2);
        c.drawMarker(lx + 9, ly + 3, 3, col, seriesMarker(static_cast<int>(si)));
        c.drawText(lx + 24, ly, names[si], kText);
        ly += Canvas::textHeight() + 8;
    }
    if (frameOut)
        *frameOut = f;
    return c;
}

Canvas renderBarChart(const BarChart &chart, PlotFrame *frameOut)
{
    Canvas c(chart.width, chart.height);
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
    auto yTicks = niceTicks(ya, yb);
    const PlotFrame f = drawFrame(c, chart.title, "", chart.yLabel, {}, yTicks, 0,
                                  static_cast<double>(std::max<std::size_t>(n, 1)), ya, yb,
                                  legendWidth(chart.stackNames), false);
    const double slot = n ? static_cast<double>(f.right - f.left) / static_cast<double>(n) : 0;
    for (std::size_t k = 0; k < n; ++k) {
        const int x0 = static_cast<int>(std::lround(f.left + slot * (k + 0.2)));
        const int x1 = static_cast<int>(std::lround(f.left + slot * (k + 0.8)));
        double base = 0;
        for (std::size_t si = 0; si < chart.values.size(); ++si) {
            const double v = k < chart.values[si].size() && std::isfinite(chart.values[si][k])
                                 ? std::max(0.0, chart.values[si][k])
                                 : 0.0;
            const int yTop = static_cast<int>(std::lround(f.toY(base + v)));
            const int yBottom = static_cast<int>(std::lround(f.toY(base)));
            c.fillRect(x0, yTop, x1 - x0, yBottom - yTop, seriesColor(static_cast<int>(si)));
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
        const int topY = static_cast<int>(std::lround(f.toY(base)));
        c.drawText((x0 + x1) / 2 - Canvas::textWidth(total) / 2, topY - Canvas::textHeight() - 4,
                   total, kText);
        // Category label under the bar; long names are cut to the slot width.
        std::string label = chart.categories[k];
        const int maxChars = std::max(3, static_cast<int>(slot) / kAdvance);
        if (static_cast<int>(label.size()) > maxChars)
            label = label.substr(0, static_cast<std::size_t>(maxChars - 1)) + ".";
        const int cx = static_cast<int>(std::lround(f.left + slot * (k + 0.5)));
        c.drawText(cx - Canvas::textWidth(label) / 2, f.bottom + 8, label, kText);
    }
    int ly = f.top + 4;
    for (std::size_t si = 0; si < chart.stackNames.size(); ++si) {
        const int lx = f.right + 12;
        c.fillRect(lx, ly, 14, Canvas::textHeight(), seriesColor(static_cast<int>(si)));
        c.drawText(lx + 20, ly, chart.stackNames[si], kText);
        ly += Canvas::textHeight() + 8;
    }
    if (frameOut)
        *frameOut = f;
    return c;
}

} // namespace terse::cli
