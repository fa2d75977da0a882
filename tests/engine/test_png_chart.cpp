// Issue 6: the bench's self-contained PNG chart writer (app/cli/png_chart.h). Images are decoded
// with QImage and checked pixel by pixel; chunk CRCs are recomputed independently of zlib.
#include "png_chart.h"

#include <QImage>
#include <QtTest>

#include <array>
#include <cmath>

using terse::cli::BarChart;
using terse::cli::Canvas;
using terse::cli::ChartSeries;
using terse::cli::LineChart;
using terse::cli::PlotFrame;
using terse::cli::Rgba;

namespace {

QImage decode(const Canvas &c)
{
    const auto png = c.encodePng();
    QImage img;
    if (!img.loadFromData(png.data(), static_cast<int>(png.size()), "PNG"))
        return {};
    return img.convertToFormat(QImage::Format_RGBA8888);
}

std::uint32_t crc32Reference(const std::uint8_t *data, std::size_t n)
{
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i) {
        c ^= data[i];
        for (int k = 0; k < 8; ++k)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

std::uint32_t be32(const std::uint8_t *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
           p[3];
}

bool sameColor(QRgb px, Rgba c)
{
    return qRed(px) == c.r && qGreen(px) == c.g && qBlue(px) == c.b && qAlpha(px) == c.a;
}

// Pixels of colour `c` inside the rectangle.
int countColor(const QImage &img, QRect r, Rgba c)
{
    int n = 0;
    r = r.intersected(img.rect());
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x)
            n += sameColor(img.pixel(x, y), c) ? 1 : 0;
    return n;
}

} // namespace

class TestPngChart : public QObject {
    Q_OBJECT
private slots:
    void encodesValidPngChunks()
    {
        Canvas c(37, 11, {10, 20, 30, 255});
        const auto png = c.encodePng();
        QVERIFY(png.size() > 8 + 25 + 12 + 12);
        const std::array<std::uint8_t, 8> sig = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        QVERIFY(std::equal(sig.begin(), sig.end(), png.begin()));
        std::size_t at = 8;
        QStringList types;
        while (at + 12 <= png.size()) {
            const std::uint32_t len = be32(&png[at]);
            QVERIFY(at + 12 + len <= png.size());
            types << QString::fromLatin1(reinterpret_cast<const char *>(&png[at + 4]), 4);
            QCOMPARE(be32(&png[at + 8 + len]), crc32Reference(&png[at + 4], 4 + len));
            if (types.last() == QLatin1String("IHDR")) {
                QCOMPARE(be32(&png[at + 8]), 37u);
                QCOMPARE(be32(&png[at + 12]), 11u);
                QCOMPARE(int(png[at + 16]), 8); // bit depth
                QCOMPARE(int(png[at + 17]), 6); // RGBA
            }
            at += 12 + len;
        }
        QCOMPARE(at, png.size());
        QCOMPARE(types, (QStringList{"IHDR", "IDAT", "IEND"}));
    }

    void roundTripsPixels()
    {
        Canvas c(40, 30, {255, 255, 255, 255});
        c.fillRect(5, 6, 10, 4, {200, 10, 20, 255});
        c.fillRect(30, 20, 20, 20, {0, 0, 255, 255}); // clipped at the canvas edge
        c.fillRect(0, 25, 4, 4, {0, 0, 0, 128});      // half-transparent black over white
        const QImage img = decode(c);
        QCOMPARE(img.size(), QSize(40, 30));
        QVERIFY(sameColor(img.pixel(5, 6), {200, 10, 20, 255}));
        QVERIFY(sameColor(img.pixel(14, 9), {200, 10, 20, 255}));
        QVERIFY(sameColor(img.pixel(15, 9), {255, 255, 255, 255}));
        QVERIFY(sameColor(img.pixel(4, 6), {255, 255, 255, 255}));
        QVERIFY(sameColor(img.pixel(39, 29), {0, 0, 255, 255}));
        QVERIFY(sameColor(img.pixel(29, 29), {255, 255, 255, 255}));
        QCOMPARE(qRed(img.pixel(1, 26)), 127); // 255 * (1 - 128/255) rounded
        QCOMPARE(qAlpha(img.pixel(1, 26)), 255);
        QCOMPARE(c.pixel(-1, 0), (Rgba{0, 0, 0, 0}));
    }

    void drawsLinesMarkersAndText()
    {
        const Rgba red{255, 0, 0, 255};
        Canvas c(60, 40);
        c.drawLine(2, 2, 20, 2, red, 1);
        c.drawLine(10, 10, 10, 30, red, 3);
        c.drawMarker(45, 10, 3, red, terse::cli::MarkerShape::Square);
        QImage img = decode(c);
        for (int x = 2; x <= 20; ++x)
            QVERIFY(sameColor(img.pixel(x, 2), red));
        QVERIFY(!sameColor(img.pixel(21, 2), red));
        QVERIFY(sameColor(img.pixel(9, 20), red) && sameColor(img.pixel(11, 20), red));
        QVERIFY(!sameColor(img.pixel(12, 20), red) && !sameColor(img.pixel(8, 20), red));
        QCOMPARE(countColor(img, QRect(42, 7, 7, 7), red), 49);

        // Text: "I" is a single vertical bar in the 5x7 font (column 2), scaled x2 here.
        Canvas t(40, 30);
        t.drawText(4, 3, "I", {0, 0, 0, 255}, 2);
        img = decode(t);
        QCOMPARE(Canvas::textWidth("I", 2), 10);
        QCOMPARE(Canvas::textHeight(2), 14);
        QVERIFY(sameColor(img.pixel(4 + 2 * 2, 3 + 2 * 3), {0, 0, 0, 255})); // the stem
        QVERIFY(sameColor(img.pixel(4 + 2 * 2 + 1, 3 + 2 * 6 + 1), {0, 0, 0, 255}));
        QVERIFY(!sameColor(img.pixel(4, 3 + 2 * 3), {0, 0, 0, 255})); // left of the stem
        QCOMPARE(countColor(img, QRect(0, 0, 40, 30), {0, 0, 0, 255}),
                 countColor(img, QRect(4, 3, 10, 14), {0, 0, 0, 255})); // nothing outside the box
        // Vertical text "-" (a horizontal stroke) becomes a vertical stroke of the same length.
        Canvas v(20, 20);
        v.drawText(5, 5, "-", {0, 0, 0, 255}, 1, true);
        img = decode(v);
        QCOMPARE(countColor(img, QRect(5 + 3, 5, 1, 5), {0, 0, 0, 255}), 5);
        QCOMPARE(countColor(img, QRect(0, 0, 20, 20), {0, 0, 0, 255}), 5);
    }

    void niceTicks()
    {
        double lo = 0.03, hi = 0.97;
        const auto t = terse::cli::niceTicks(lo, hi, 5);
        QCOMPARE(lo, 0.0);
        QCOMPARE(hi, 1.0);
        QCOMPARE(t.size(), std::size_t(6));
        QVERIFY(std::abs(t[1] - 0.2) < 1e-12);
        double a = 0, b = 3800;
        const auto u = terse::cli::niceTicks(a, b, 6);
        QCOMPARE(b, 4000.0);
        QVERIFY(std::abs(u[1] - 1000) < 1e-9); // 3800 / 6 = 633 rounds up to a 1000 step
    }

    void lineChartPlacesPointsAndLegend()
    {
        LineChart chart;
        chart.title = "Rate vs ROUGE-L";
        chart.xLabel = "rate";
        chart.yLabel = "ROUGE-L";
        chart.xRange = {0.0, 1.0};
        chart.yRange = {0.0, 1.0};
        chart.series = {ChartSeries{"alpha", {0.2, 0.6}, {0.3, 0.8}},
                        ChartSeries{"beta", {0.5}, {0.1}}};
        PlotFrame f;
        const Canvas c = terse::cli::renderLineChart(chart, &f);
        const QImage img = decode(c);
        QCOMPARE(img.size(), QSize(900, 560));
        QVERIFY(f.left > 0 && f.right < 900 && f.top > 0 && f.bottom < 560 && f.left < f.right &&
                f.top < f.bottom);
        const Rgba a = terse::cli::seriesColor(0), b = terse::cli::seriesColor(1);
        QVERIFY(a != b);
        auto at = [&](double x, double y) {
            return img.pixel(static_cast<int>(std::lround(f.toX(x))),
                             static_cast<int>(std::lround(f.toY(y))));
        };
        QVERIFY(sameColor(at(0.2, 0.3), a));
        QVERIFY(sameColor(at(0.6, 0.8), a));
        QVERIFY(sameColor(at(0.4, 0.55), a)); // on the segment between the two points
        QVERIFY(sameColor(at(0.5, 0.1), b));
        QVERIFY(sameColor(at(0.9, 0.9), {255, 255, 255, 255}));
        // Axes: the left axis line is dark; the legend (right of the plot) holds both colours.
        QVERIFY(qRed(img.pixel(f.left, (f.top + f.bottom) / 2)) < 100);
        QVERIFY(countColor(img, QRect(f.right, f.top, 900 - f.right, 60), a) > 10);
        QVERIFY(countColor(img, QRect(f.right, f.top, 900 - f.right, 60), b) > 10);
        // The title is drawn in the band above the plot.
        QVERIFY(countColor(img, QRect(0, 0, 900, f.top - 8), {30, 30, 30, 255}) > 100);
    }

    void barChartStacksValues()
    {
        BarChart chart;
        chart.title = "Time per 1k tokens";
        chart.yLabel = "ms";
        chart.categories = {"random", "dac"};
        chart.stackNames = {"forward", "rest"};
        chart.values = {{0, 300}, {10, 100}};
        PlotFrame f;
        const QImage img = decode(terse::cli::renderBarChart(chart, &f));
        const Rgba s0 = terse::cli::seriesColor(0), s1 = terse::cli::seriesColor(1);
        const double slot = (f.right - f.left) / 2.0;
        const int x0 = static_cast<int>(f.left + slot * 0.5),
                  x1 = static_cast<int>(f.left + slot * 1.5);
        QVERIFY(f.yMax >= 400);
        QVERIFY(sameColor(img.pixel(x1, static_cast<int>(f.toY(150))), s0)); // dac forward: 0..300
        QVERIFY(sameColor(img.pixel(x1, static_cast<int>(f.toY(350))), s1)); // dac rest: 300..400
        QVERIFY(sameColor(img.pixel(x1, static_cast<int>(f.toY(420))), {255, 255, 255, 255}) ||
                !sameColor(img.pixel(x1, static_cast<int>(f.toY(420))), s1));
        QVERIFY(sameColor(img.pixel(x0, static_cast<int>(f.toY(5))), s1)); // random: rest only
        QVERIFY(!sameColor(img.pixel(x0, static_cast<int>(f.toY(50))), s1));
    }
};

QTEST_GUILESS_MAIN(TestPngChart)
#include "test_png_chart.moc"
