// The fused pointwise kernels of a forward (issue 16, engine/src/models/pointwise_kernel.h):
// RMSNorm, SiLU(gate) x up, RoPE and the log-sum-exp / entropy of logit rows against the formulas
// they replace, evaluated here in double (HF LlamaRMSNorm, torch.nn.functional.silu,
// apply_rotary_pos_emb with rotate_half, log-softmax). fp32 results
// within a few ulps; bf16 results within one bf16 step of the double result, and equal to it
// rounded in most elements. The whole-model agreement (every oracle architecture against HF's
// logits, bf16 against fp32) is in test_oracle and test_bf16; those forwards run through these
// kernels too.
#include "models/pointwise_kernel.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace terse::detail;

namespace {

float fromBf16(std::uint16_t b)
{
    const std::uint32_t u = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// Nearest bf16 of a double, ties to even, computed on the double's value (not the kernel's bit
// trick): the two neighbouring bf16 values are compared directly.
std::uint16_t nearestBf16(double v)
{
    const float f = static_cast<float>(v);
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    const std::uint16_t lo = static_cast<std::uint16_t>(u >> 16);
    const std::uint16_t hi = static_cast<std::uint16_t>(lo + 1);
    const double dl = std::fabs(static_cast<double>(fromBf16(lo)) - v);
    const double dh = std::fabs(static_cast<double>(fromBf16(hi)) - v);
    if (dl < dh)
        return lo;
    if (dh < dl)
        return hi;
    return (lo & 1) ? hi : lo;
}

// Distance in bf16 steps (same sign assumed for the values compared here).
int bf16Steps(std::uint16_t a, std::uint16_t b)
{
    return std::abs(static_cast<int>(a) - static_cast<int>(b));
}

std::vector<float> randomFloats(std::size_t n, float lo, float hi, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto &x : v)
        x = d(rng);
    return v;
}

std::vector<std::uint16_t> toBf16(const std::vector<float> &v)
{
    std::vector<std::uint16_t> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        out[i] = nearestBf16(v[i]);
    return out;
}

double relErr(double got, double want)
{
    return std::fabs(got - want) / std::max(1e-30, std::fabs(want));
}

// The columns of both RoPE tests: heads per token, head dim, rotary dims, elements between tokens.
void addRopeColumns()
{
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("headDim");
    QTest::addColumn<int>("rotaryDim");
    QTest::addColumn<int>("tokenStride");
}

// siluMul and logSumExpEntropy run 16 lanes where the CPU has AVX-512, and over bf16 copies in
// AVX512-BF16 instructions where it has those: each test runs the CPU's choice, the generic
// copies (16 lanes where AVX-512) and the 8-lane ones (the only ones elsewhere), restoring the
// CPU's choice after.
const std::pair<const char *, PointwiseCopy> kCopies[] = {{"", PointwiseCopy::Best},
                                                          {", generic", PointwiseCopy::Generic},
                                                          {", 8 lanes", PointwiseCopy::Narrow}};
void addLanesColumn()
{
    QTest::addColumn<int>("copy");
    QTest::newRow("CPU's choice") << int(PointwiseCopy::Best);
    QTest::newRow("generic copy") << int(PointwiseCopy::Generic);
    QTest::newRow("8 lanes") << int(PointwiseCopy::Narrow);
}
struct CopyScope {
    explicit CopyScope(int copy) { forcePointwiseCopy(static_cast<PointwiseCopy>(copy)); }
    ~CopyScope() { forcePointwiseCopy(PointwiseCopy::Best); }
    CopyScope(const CopyScope &) = delete;
    CopyScope &operator=(const CopyScope &) = delete;
};

} // namespace

class TestPointwiseKernel : public QObject {
    Q_OBJECT
private slots:
    void rmsNormFp32_data()
    {
        QTest::addColumn<int>("dim");
        QTest::addColumn<int>("stride");
        QTest::newRow("one element") << 1 << 1;
        QTest::newRow("7, rows apart") << 7 << 9;
        QTest::newRow("16") << 16 << 16;
        QTest::newRow("17 (tail after a vector)") << 17 << 40;
        QTest::newRow("768") << 768 << 768;
    }
    // y = w * x / sqrt(mean(x^2) + eps), over rows `stride` apart, written densely.
    void rmsNormFp32()
    {
        QFETCH(int, dim);
        QFETCH(int, stride);
        const int rows = 5;
        const float eps = 1e-6f;
        auto x = randomFloats(static_cast<std::size_t>(rows * stride), -3.0f, 3.0f, 1);
        auto w = randomFloats(static_cast<std::size_t>(dim), 0.5f, 1.5f, 2);
        std::vector<float> y(static_cast<std::size_t>(rows * dim), -1.0f);
        rmsNormRows(x.data(), stride, w.data(), y.data(), dim, eps, 1, rows); // row 0 untouched
        for (int i = 0; i < dim; ++i)
            QCOMPARE(y[static_cast<std::size_t>(i)], -1.0f);
        for (int r = 1; r < rows; ++r) {
            double ss = 0;
            for (int i = 0; i < dim; ++i)
                ss += double(x[r * stride + i]) * x[r * stride + i];
            const double inv = 1.0 / std::sqrt(ss / dim + eps);
            for (int i = 0; i < dim; ++i) {
                const double want = double(w[i]) * x[r * stride + i] * inv;
                QVERIFY2(relErr(y[r * dim + i], want) < 2e-6 || std::fabs(want) < 1e-6,
                         qPrintable(QString("row %1 element %2: %3 vs %4")
                                        .arg(r)
                                        .arg(i)
                                        .arg(y[r * dim + i])
                                        .arg(want)));
            }
        }
    }

    void rmsNormBf16_data()
    {
        QTest::addColumn<int>("dim");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("copy");
        for (const auto &[lanes, which] : kCopies) {
            QTest::newRow(qPrintable(QString("768") + lanes)) << 768 << 768 << int(which);
            QTest::newRow(qPrintable(QString("100, rows 103 apart") + lanes))
                << 100 << 103 << int(which);
            QTest::newRow(qPrintable(QString("7") + lanes)) << 7 << 7 << int(which);
        }
    }
    // HF casts the normalised row to bf16 before the bf16 weight multiplies it: two roundings.
    void rmsNormBf16()
    {
        QFETCH(int, dim);
        QFETCH(int, stride);
        QFETCH(int, copy);
        const CopyScope lanes(copy);
        const int rows = 64;
        const float eps = 1e-5f;
        auto xb = toBf16(randomFloats(rows * stride, -4.0f, 4.0f, 3));
        auto wb = toBf16(randomFloats(dim, 0.2f, 2.0f, 4));
        std::vector<std::uint16_t> y(rows * dim + 1, 0x1234);
        rmsNormRows(xb.data(), stride, wb.data(), y.data(), dim, eps, 0, rows);
        QCOMPARE(y.back(), std::uint16_t(0x1234)); // past the rows: untouched
        int exact = 0;
        for (int r = 0; r < rows; ++r) {
            double ss = 0;
            for (int i = 0; i < dim; ++i)
                ss += double(fromBf16(xb[r * stride + i])) * fromBf16(xb[r * stride + i]);
            const double inv = 1.0 / std::sqrt(ss / dim + eps);
            for (int i = 0; i < dim; ++i) {
                const std::uint16_t h = nearestBf16(fromBf16(xb[r * stride + i]) * inv);
                const std::uint16_t want = nearestBf16(double(fromBf16(wb[i])) * fromBf16(h));
                const int steps = bf16Steps(y[r * dim + i], want);
                QVERIFY2(steps <= 1,
                         qPrintable(
                             QString("row %1 element %2: %3 bf16 steps").arg(r).arg(i).arg(steps)));
                exact += steps == 0;
            }
        }
        QVERIFY2(exact >= rows * dim * 99 / 100, qPrintable(QString::number(exact)));
    }

    // silu(g) * u = g / (1 + e^-g) * u, over the whole float range the MLP sees and beyond.
    void siluMulFp32_data() { addLanesColumn(); }
    void siluMulFp32()
    {
        QFETCH(int, copy);
        const CopyScope lanes(copy);
        auto g = randomFloats(4099, -30.0f, 30.0f, 5);
        auto u = randomFloats(4099, -2.0f, 2.0f, 6);
        g[0] = -1000.0f, g[1] = 1000.0f, g[2] = 0.0f, g[3] = -87.0f, g[4] = 88.0f;
        g[5] = std::numeric_limits<float>::quiet_NaN();
        std::vector<float> y(g.size());
        siluMul(g.data(), u.data(), y.data(), 0, static_cast<std::int64_t>(g.size()));
        QVERIFY(std::isnan(y[5]));
        QCOMPARE(y[0], 0.0f * u[0]);
        for (std::size_t i = 0; i < g.size(); ++i) {
            if (i == 5)
                continue;
            const double want = double(g[i]) / (1.0 + std::exp(-double(g[i]))) * u[i];
            QVERIFY2(
                relErr(y[i], want) < 1e-6 || std::fabs(want) < 1e-30,
                qPrintable(QString("g %1 u %2: %3 vs %4").arg(g[i]).arg(u[i]).arg(y[i]).arg(want)));
        }
        // A range in the middle: the rest untouched.
        std::vector<float> part(g.size(), 7.0f);
        siluMul(g.data(), u.data(), part.data(), 100, 200);
        QCOMPARE(part[99], 7.0f);
        QCOMPARE(part[200], 7.0f);
        QCOMPARE(part[150], y[150]);
    }

    // torch: silu's bf16 result, then a bf16 product (two roundings).
    void siluMulBf16_data() { addLanesColumn(); }
    void siluMulBf16()
    {
        QFETCH(int, copy);
        const CopyScope lanes(copy);
        auto gb = toBf16(randomFloats(5000, -12.0f, 12.0f, 7));
        auto ub = toBf16(randomFloats(5000, -3.0f, 3.0f, 8));
        gb[100] = 0x7fc1; // NaN: the product is the quiet NaN
        std::vector<std::uint16_t> y(gb.size(), 0x1234);
        // 4,997 elements: 8- or 16-lane vectors and a scalar rest.
        siluMul(gb.data(), ub.data(), y.data(), 0, static_cast<std::int64_t>(gb.size()) - 3);
        QCOMPARE(y[100], std::uint16_t(0x7fc0));
        QCOMPARE(y[gb.size() - 1], std::uint16_t(0x1234)); // past the end: untouched
        int exact = 0;
        for (std::size_t i = 0; i + 3 < gb.size(); ++i) {
            if (i == 100)
                continue;
            const double g = fromBf16(gb[i]);
            const std::uint16_t s = nearestBf16(g / (1.0 + std::exp(-g)));
            const std::uint16_t want = nearestBf16(double(fromBf16(s)) * fromBf16(ub[i]));
            const int steps = bf16Steps(y[i], want);
            QVERIFY2(steps <= 1 || (fromBf16(want) == 0 && fromBf16(y[i]) == 0),
                     qPrintable(QString("g %1: %2 steps").arg(g).arg(steps)));
            exact += steps == 0;
        }
        QVERIFY2(exact >= static_cast<int>(gb.size()) * 99 / 100,
                 qPrintable(QString::number(exact)));
    }

    void logSumExpEntropy_data()
    {
        QTest::addColumn<int>("vocab");
        QTest::addColumn<float>("spread");
        QTest::addColumn<int>("copy");
        for (const auto &[lanes, which] : kCopies) {
            const int copy = int(which);
            auto row = [&](const char *name) {
                return &QTest::newRow(qPrintable(QString(name) + lanes));
            };
            *row("one logit") << 1 << 5.0f << copy;
            *row("17 (tail after a vector)") << 17 << 5.0f << copy;
            *row("40 (tail after two 16-lane vectors)") << 40 << 5.0f << copy;
            *row("8192, peaked") << 8192 << 30.0f << copy;
            *row("50257, flat") << 50257 << 1.0f << copy;
            *row("151936, blocks of 1024 + tail") << 151936 << 12.0f << copy;
        }
    }
    // lse = log sum e^z and H = -sum p log p per row, against double; -inf logits add nothing, a
    // row of -inf gives lse -inf and H 0.
    void logSumExpEntropy()
    {
        QFETCH(int, vocab);
        QFETCH(float, spread);
        QFETCH(int, copy);
        const CopyScope lanes(copy);
        const int rows = 3, stride = vocab + 5;
        auto z = randomFloats(static_cast<std::size_t>(rows * stride), -spread, spread, 11);
        const float inf = std::numeric_limits<float>::infinity();
        if (vocab > 2)
            z[1] = -inf, z[static_cast<std::size_t>(vocab - 1)] = -inf; // row 0: two masked logits
        for (int i = 0; i < vocab; ++i)
            z[static_cast<std::size_t>(2 * stride + i)] = -inf; // row 2: all masked
        std::vector<float> lse(rows, 7.0f), ent(rows, 7.0f);
        terse::detail::logSumExpEntropy(z.data(), stride, vocab, lse.data(), ent.data(), 0, rows);
        for (int r = 0; r < 2; ++r) {
            const float *row = z.data() + r * stride;
            double m = -INFINITY;
            for (int i = 0; i < vocab; ++i)
                m = std::max<double>(m, row[i]);
            double sum = 0;
            for (int i = 0; i < vocab; ++i)
                sum += std::exp(double(row[i]) - m);
            const double wantLse = m + std::log(sum);
            double h = 0;
            for (int i = 0; i < vocab; ++i)
                if (std::isfinite(row[i])) {
                    const double lp = double(row[i]) - wantLse;
                    h -= std::exp(lp) * lp;
                }
            QVERIFY2(std::fabs(lse[r] - wantLse) < 1e-5 * std::max(1.0, std::fabs(wantLse)),
                     qPrintable(QString("row %1 lse %2 vs %3").arg(r).arg(lse[r]).arg(wantLse)));
            QVERIFY2(std::fabs(ent[r] - h) < 2e-5 * std::max(1.0, h),
                     qPrintable(QString("row %1 entropy %2 vs %3").arg(r).arg(ent[r]).arg(h)));
        }
        QCOMPARE(lse[2], -inf);
        QCOMPARE(ent[2], 0.0f);
        // Without entropy; a row range leaves the rest untouched.
        std::vector<float> only(rows, 7.0f);
        terse::detail::logSumExpEntropy(z.data(), stride, vocab, only.data(), nullptr, 1, 2);
        QCOMPARE(only[0], 7.0f);
        QCOMPARE(only[1], lse[1]);
        QCOMPARE(only[2], 7.0f);
        // bf16 logits (a bf16 head's rows) give what their fp32 values give: exactly in the
        // generic copies, which widen them as they read; the AVX512-BF16 copy (its own e^x,
        // sums in another order) within the tolerance above. A NaN logit adds nothing.
        auto zb = toBf16(z);
        if (vocab > 3)
            zb[static_cast<std::size_t>(stride + 2)] = 0x7fc0; // row 1
        std::vector<float> zw(zb.size());
        for (std::size_t i = 0; i < zb.size(); ++i)
            zw[i] = fromBf16(zb[i]);
        std::vector<float> lseB(rows), entB(rows), lseW(rows), entW(rows);
        terse::detail::logSumExpEntropy(zb.data(), stride, vocab, lseB.data(), entB.data(), 0,
                                        rows);
        terse::detail::logSumExpEntropy(zw.data(), stride, vocab, lseW.data(), entW.data(), 0,
                                        rows);
        for (int r = 0; r < rows; ++r) {
            if (copy != int(PointwiseCopy::Best)) {
                QCOMPARE(lseB[r], lseW[r]);
                QCOMPARE(entB[r], entW[r]);
                continue;
            }
            QVERIFY2(std::fabs(lseB[r] - lseW[r]) <= 1e-5 * std::max(1.0f, std::fabs(lseW[r])) ||
                         lseB[r] == lseW[r],
                     qPrintable(QString("row %1 lse %2 vs %3").arg(r).arg(lseB[r]).arg(lseW[r])));
            QVERIFY2(std::fabs(entB[r] - entW[r]) <= 2e-5 * std::max(1.0f, entW[r]) ||
                         entB[r] == entW[r],
                     qPrintable(QString("row %1 H %2 vs %3").arg(r).arg(entB[r]).arg(entW[r])));
        }
    }

    void ropeFp32_data()
    {
        addRopeColumns();
        QTest::newRow("llama: full rotary, heads dense") << 4 << 8 << 8 << 32;
        QTest::newRow("q of a fused q|k|v row") << 3 << 6 << 6 << 54;
        QTest::newRow("partial rotary (NeoX 25%)") << 2 << 16 << 4 << 32;
    }
    // [x1, x2] -> [x1 cos - x2 sin, x2 cos + x1 sin] on the first rotaryDim elements, the rest
    // copied; y dense [tokens, heads, headDim].
    void ropeFp32()
    {
        QFETCH(int, heads);
        QFETCH(int, headDim);
        QFETCH(int, rotaryDim);
        QFETCH(int, tokenStride);
        const int tokens = 5, half = rotaryDim / 2;
        auto x = randomFloats(static_cast<std::size_t>(tokens * tokenStride), -2.0f, 2.0f, 9);
        std::vector<float> cos(tokens * rotaryDim), sin(tokens * rotaryDim);
        for (int t = 0; t < tokens; ++t)
            for (int i = 0; i < rotaryDim; ++i) {
                const double a = (t + 1) * std::pow(10000.0, -2.0 * (i % half) / rotaryDim);
                cos[t * rotaryDim + i] = static_cast<float>(std::cos(a));
                sin[t * rotaryDim + i] = static_cast<float>(std::sin(a));
            }
        Rope rope;
        rope.cos = cos.data(), rope.sin = sin.data();
        rope.heads = heads, rope.headDim = headDim, rope.rotaryDim = rotaryDim;
        rope.tokenStride = tokenStride;
        std::vector<float> y(static_cast<std::size_t>(tokens * heads * headDim));
        rope.run(x.data(), y.data(), 0, tokens * heads);
        for (int t = 0; t < tokens; ++t)
            for (int h = 0; h < heads; ++h) {
                const float *xr = x.data() + t * tokenStride + h * headDim;
                const float *yr = y.data() + (t * heads + h) * headDim;
                for (int i = 0; i < headDim; ++i) {
                    double want = xr[i];
                    if (i < rotaryDim) {
                        const double rot = i < half ? -double(xr[i + half]) : double(xr[i - half]);
                        want =
                            double(xr[i]) * cos[t * rotaryDim + i] + rot * sin[t * rotaryDim + i];
                    }
                    QVERIFY2(std::fabs(yr[i] - want) < 1e-6,
                             qPrintable(QString("token %1 head %2 element %3: %4 vs %5")
                                            .arg(t)
                                            .arg(h)
                                            .arg(i)
                                            .arg(yr[i])
                                            .arg(want)));
                }
            }
    }

    void ropeBf16_data()
    {
        addRopeColumns();
        QTest::newRow("head dim 64") << 2 << 64 << 64 << 128;
        // Halves shorter than a 16-lane vector, and one full vector plus a masked rest.
        QTest::newRow("head dim 24 (half 12)") << 3 << 24 << 24 << 72;
        QTest::newRow("head dim 40 (half 20), fused q|k|v row") << 2 << 40 << 40 << 240;
        QTest::newRow("partial rotary") << 2 << 32 << 8 << 64;
    }
    // bf16: x cos and rotate_half(x) sin each rounded to bf16, then their sum (torch's three ops).
    // The AVX-512 rows (where the CPU has them) equal the generic ones bit for bit, NaN included.
    void ropeBf16()
    {
        QFETCH(int, heads);
        QFETCH(int, headDim);
        QFETCH(int, rotaryDim);
        QFETCH(int, tokenStride);
        const int tokens = 16, hd = headDim, rd = rotaryDim, half = rd / 2;
        auto xb = toBf16(randomFloats(tokens * tokenStride, -3.0f, 3.0f, 10));
        xb[static_cast<std::size_t>(tokenStride + 1)] = 0x7fc1; // a NaN: stays NaN (0x7fc0)
        std::vector<std::uint16_t> cb(tokens * rd), sb(tokens * rd);
        for (int t = 0; t < tokens; ++t)
            for (int i = 0; i < rd; ++i) {
                const double a = (t + 3) * std::pow(10000.0, -2.0 * (i % half) / rd);
                cb[t * rd + i] = nearestBf16(std::cos(a));
                sb[t * rd + i] = nearestBf16(std::sin(a));
            }
        Rope rope;
        rope.cosb = cb.data(), rope.sinb = sb.data();
        rope.heads = heads, rope.headDim = hd, rope.rotaryDim = rd, rope.tokenStride = tokenStride;
        std::vector<std::uint16_t> y(static_cast<std::size_t>(tokens * heads * hd)),
            generic(y.size());
        rope.run(xb.data(), y.data(), 0, tokens * heads);
        rope.runGeneric(xb.data(), generic.data(), 0, tokens * heads);
        QVERIFY(y == generic);
        int exact = 0, nans = 0;
        for (int r = 0; r < tokens * heads; ++r) {
            const int t = r / heads;
            const std::uint16_t *xr = xb.data() + t * tokenStride + (r % heads) * hd;
            for (int i = 0; i < hd; ++i) {
                const std::uint16_t got = y[static_cast<std::size_t>(r * hd + i)];
                if (i >= rd) {
                    QCOMPARE(got, xr[i]);
                    ++exact;
                    continue;
                }
                const double xv = fromBf16(xr[i]);
                const double rot =
                    i < half ? -double(fromBf16(xr[i + half])) : double(fromBf16(xr[i - half]));
                if (std::isnan(xv) || std::isnan(rot)) {
                    QCOMPARE(got, std::uint16_t(0x7fc0));
                    ++nans;
                    continue;
                }
                const double a = fromBf16(nearestBf16(xv * fromBf16(cb[t * rd + i])));
                const double b = fromBf16(nearestBf16(rot * fromBf16(sb[t * rd + i])));
                const std::uint16_t want = nearestBf16(a + b);
                const int steps = bf16Steps(got, want);
                QVERIFY2(
                    steps <= 1 || (fromBf16(want) == 0 && fromBf16(got) == 0),
                    qPrintable(QString("row %1 element %2: %3 steps").arg(r).arg(i).arg(steps)));
                exact += steps == 0;
            }
        }
        QCOMPARE(nans, 2); // the NaN's element and its rotate_half partner
        // Only a sum that float itself rounds (exponents far apart) may round twice.
        QVERIFY2(exact >= (tokens * heads * hd - nans) * 99 / 100,
                 qPrintable(QString::number(exact)));
    }
};

QTEST_APPLESS_MAIN(TestPointwiseKernel)
#include "test_pointwise_kernel.moc"
