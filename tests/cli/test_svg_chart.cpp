// Issue 19: the bench's SVG charts (app/cli/svg_chart.h) replace the raster PNG writer. The
// documents are well-formed XML, QtSvg renders them, and the rendered pixels sit where the plot
// frame maps the data: points and segments in their series colour, stacked bars in their stack
// colours, escaped text.
#include "svg_chart.h"

#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <QXmlStreamReader>
#include <QtTest>

#include <cmath>

using namespace terse::cli;

namespace {

QImage render(const std::string &svg, QSize size)
{
    QSvgRenderer r(QByteArray::fromStdString(svg));
    if (!r.isValid())
        return {};
    QImage img(size, QImage::Format_ARGB32);
    img.fill(Qt::transparent);
    QPainter p(&img);
    r.render(&p);
    return img;
}

bool wellFormed(const std::string &svg, QString *error)
{
    QXmlStreamReader x(QByteArray::fromStdString(svg));
    while (!x.atEnd())
        x.readNext();
    if (x.hasError())
        *error = QStringLiteral("line %1: %2").arg(x.lineNumber()).arg(x.errorString());
    return !x.hasError();
}

// Near colour (antialiasing at edges; the centres of markers and thick bars are exact).
bool near(QRgb px, const std::string &hex, int tol = 40)
{
    const QColor c(QString::fromStdString(hex));
    return std::abs(qRed(px) - c.red()) <= tol && std::abs(qGreen(px) - c.green()) <= tol &&
           std::abs(qBlue(px) - c.blue()) <= tol;
}

int countNear(const QImage &img, const QRect &r, const std::string &hex)
{
    int n = 0;
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x)
            n += near(img.pixel(x, y), hex, 20);
    return n;
}

} // namespace

class TestSvgChart : public QObject {
    Q_OBJECT
private slots:
    void niceTicks()
    {
        double lo = 0.03, hi = 0.97;
        auto t = terse::cli::niceTicks(lo, hi);
        QCOMPARE(lo, 0.0);
        QCOMPARE(hi, 1.0);
        QCOMPARE(t.size(), std::size_t(6));
        QVERIFY(std::abs(t[1] - 0.2) < 1e-12);
        double a = 200, b = 4000;
        auto u = terse::cli::niceTicks(a, b);
        QCOMPARE(b, 4000.0);
        QVERIFY(std::abs(u[1] - 1000) < 1e-9); // 3800 / 6 = 633 rounds up to a 1000 step
    }

    void lineChartPlacesPointsAndLegend()
    {
        LineChart c;
        c.title = "Achieved rate vs ROUGE-L";
        c.xLabel = "achieved rate";
        c.yLabel = "ROUGE-L";
        c.xRange = {0, 1};
        c.yRange = {0, 1};
        c.series = {{"dac <fused> & more", {0.6, 0.2}, {0.8, 0.3}},
                    {"random", {0.5, NAN}, {0.1, 0.5}}};
        PlotFrame f;
        const std::string svg = renderLineChart(c, &f);
        QString error;
        QVERIFY2(wellFormed(svg, &error), qPrintable(error));
        QVERIFY(svg.find("dac &lt;fused&gt; &amp; more") !=
                std::string::npos); // escaped, once in the legend
        QVERIFY(svg.find("width=\"900\" height=\"560\"") != std::string::npos);
        QVERIFY(f.left > 0 && f.right < 900 && f.top > 0 && f.bottom < 560 && f.left < f.right &&
                f.top < f.bottom);
        const QImage img = render(svg, QSize(900, 560));
        QVERIFY(!img.isNull());
        const std::string a = seriesColor(0), b = seriesColor(1);
        QVERIFY(a != b);
        auto at = [&](double x, double y) {
            return img.pixel(static_cast<int>(std::lround(f.toX(x))),
                             static_cast<int>(std::lround(f.toY(y))));
        };
        QVERIFY(near(at(0.2, 0.3), a));
        QVERIFY(near(at(0.6, 0.8), a));
        QVERIFY(near(at(0.4, 0.55), a)); // on the segment between the two points
        QVERIFY(near(at(0.5, 0.1), b));  // the one finite point of the second series
        QVERIFY(near(at(0.9, 0.9), "#ffffff"));
        // Legend beside the plot in both colours; the axis line dark.
        QVERIFY(countNear(img,
                          QRect(static_cast<int>(f.right), static_cast<int>(f.top),
                                900 - static_cast<int>(f.right), 60),
                          a) > 10);
        QVERIFY(countNear(img,
                          QRect(static_cast<int>(f.right), static_cast<int>(f.top),
                                900 - static_cast<int>(f.right), 60),
                          b) > 10);
        QVERIFY(qRed(img.pixel(static_cast<int>(std::lround(f.left)),
                               static_cast<int>((f.top + f.bottom) / 2))) < 120);
        // One polyline (the second series has a single finite point).
        std::size_t lines = 0;
        for (std::size_t at2 = svg.find("<polyline"); at2 != std::string::npos;
             at2 = svg.find("<polyline", at2 + 1))
            ++lines;
        QCOMPARE(lines, std::size_t(1));
    }

    void barChartStacksValues()
    {
        BarChart c;
        c.title = "Time per 1k prompt tokens";
        c.yLabel = "milliseconds";
        c.categories = {"dac", "random", "a-very-long-method-name-that-does-not-fit"};
        c.stackNames = {"model forward", "rest"};
        c.values = {{300, 0, 10}, {100, 5, NAN}};
        PlotFrame f;
        const std::string svg = renderBarChart(c, &f);
        QString error;
        QVERIFY2(wellFormed(svg, &error), qPrintable(error));
        QVERIFY(f.yMax >= 400);
        const QImage img = render(svg, QSize(900, 560));
        QVERIFY(!img.isNull());
        const std::string s0 = seriesColor(0), s1 = seriesColor(1);
        const double slot = (f.right - f.left) / 3;
        const int x1 = static_cast<int>(f.left + slot * 0.5);
        QVERIFY(near(img.pixel(x1, static_cast<int>(f.toY(150))), s0)); // dac forward: 0..300
        QVERIFY(near(img.pixel(x1, static_cast<int>(f.toY(350))), s1)); // dac rest: 300..400
        QVERIFY(near(img.pixel(x1, static_cast<int>(f.toY(420))), "#ffffff")); // above the bar
        QVERIFY(svg.find(">400</text>") != std::string::npos); // the total above the bar
        QVERIFY(svg.find("a-very-long-method-name-that-does-not-fit</text>") ==
                std::string::npos); // cut
    }

    void writesTheFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("chart.svg")).toStdString();
        QVERIFY(writeTextFile(path, renderLineChart(LineChart{})));
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().startsWith("<?xml"));
        QVERIFY(
            !writeTextFile(dir.filePath(QStringLiteral("missing/chart.svg")).toStdString(), "x"));
    }
};

QTEST_MAIN(TestSvgChart)
#include "test_svg_chart.moc"
