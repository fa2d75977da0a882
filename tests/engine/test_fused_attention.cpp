// The fused CPU attention kernel (issue 16, engine/src/models/attention_kernel.h): the kernel alone
// against softmax(QK^T + mask) V written out naively, and every oracle architecture scored through
// it against the same weights scored through the blocked attention (and against HF's logits).
#include "models/attention_kernel.h"
#include "oracle_test_util.h"
#include "terse/model.h"

#include <QtTest>

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

using namespace terse;

namespace {

using testing::flatten;
using testing::kOracle;
using testing::maxDiff;
using testing::randomIds;

// The kernel's problem with its inputs in the plain layouts q [B,H,T,hd], k and v [B,kvH,S,hd].
struct Problem {
    std::int64_t B, H, kvH, T, S, hd, window;
    bool causal;
    std::vector<float> q, k, v;
    std::vector<std::uint8_t> hidden; // [B, S] or empty

    // softmax(q k^T + mask) v, one query row at a time in double; rows seeing no key average v.
    std::vector<float> naive() const
    {
        std::vector<float> out(static_cast<std::size_t>(B * T * H * hd));
        const std::int64_t past = S - T;
        for (std::int64_t b = 0; b < B; ++b)
            for (std::int64_t h = 0; h < H; ++h)
                for (std::int64_t i = 0; i < T; ++i) {
                    const std::int64_t g = h / (H / kvH);
                    std::vector<double> s(static_cast<std::size_t>(S), -INFINITY);
                    double top = -INFINITY;
                    for (std::int64_t j = 0; j < S; ++j) {
                        const bool visible = (!causal || j <= past + i) &&
                                             (!causal || window == 0 || j > past + i - window) &&
                                             (hidden.empty() || !hidden[b * S + j]);
                        if (!visible)
                            continue;
                        double dot = 0;
                        for (std::int64_t d = 0; d < hd; ++d)
                            dot += double(q[((b * H + h) * T + i) * hd + d]) *
                                   k[((b * kvH + g) * S + j) * hd + d];
                        s[j] = dot;
                        top = std::max(top, dot);
                    }
                    double sum = 0;
                    for (auto &x : s)
                        sum += (x = top == -INFINITY ? 1.0 : std::exp(x - top));
                    for (std::int64_t d = 0; d < hd; ++d) {
                        double o = 0;
                        for (std::int64_t j = 0; j < S; ++j)
                            o += s[j] / sum * v[((b * kvH + g) * S + j) * hd + d];
                        out[((b * T + i) * H + h) * hd + d] = static_cast<float>(o);
                    }
                }
        return out;
    }

    std::vector<float>
    fused(detail::FusedAttention::Isa isa = detail::FusedAttention::Isa::Auto) const
    {
        detail::FusedAttention fa;
        fa.isa = isa;
        fa.batch = B, fa.heads = H, fa.kvHeads = kvH, fa.rows = T, fa.keys = S, fa.headDim = hd;
        fa.past = S - T, fa.window = window, fa.causal = causal;
        const std::int64_t sp = (S + 63) / 64 * 64, hdp = fa.paddedHeadDim();
        std::vector<float> kt(static_cast<std::size_t>(B * kvH * hd * sp), 0.0f);
        std::vector<float> vp(static_cast<std::size_t>(B * kvH * sp * hdp), 0.0f);
        for (std::int64_t bg = 0; bg < B * kvH; ++bg)
            for (std::int64_t j = 0; j < S; ++j)
                for (std::int64_t d = 0; d < hd; ++d) {
                    kt[((bg * sp / 64 + j / 64) * hd + d) * 64 + j % 64] = k[(bg * S + j) * hd + d];
                    vp[(bg * sp + j) * hdp + d] = v[(bg * S + j) * hd + d];
                }
        std::vector<float> out(static_cast<std::size_t>(B * T * H * hd), NAN);
        fa.q = q.data(), fa.kt = kt.data(), fa.v = vp.data(), fa.out = out.data();
        fa.keyHidden = hidden.empty() ? nullptr : hidden.data();
        // Two halves, as two threads would split the tasks.
        fa.run(0, fa.tasks() / 2);
        fa.run(fa.tasks() / 2, fa.tasks());
        return out;
    }
};

std::uint16_t toBf16(float x) // round to nearest even, as libtorch does
{
    std::uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    return static_cast<std::uint16_t>((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
}

float fromBf16(std::uint16_t x)
{
    const std::uint32_t u = std::uint32_t(x) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// The problem's inputs rounded to bf16 (the truth for the bf16 kernel) and the kernel's bf16
// layouts: dims of q and k in pairs, keys of v in pairs.
// rowsInLanes: which task full blocks take (FusedAttention::rowsInLanes).
std::vector<float> fusedBf16(Problem &p, int rowsInLanes)
{
    for (auto *x : {&p.q, &p.k, &p.v})
        for (auto &f : *x)
            f = fromBf16(toBf16(f));
    detail::FusedAttention fa;
    fa.batch = p.B, fa.heads = p.H, fa.kvHeads = p.kvH, fa.rows = p.T, fa.keys = p.S;
    fa.headDim = p.hd, fa.past = p.S - p.T, fa.window = p.window, fa.causal = p.causal;
    fa.bf16 = true;
    fa.rowsInLanes = rowsInLanes;
    const std::int64_t sp = fa.paddedKeys(), hdp = fa.paddedHeadDim(), he = fa.evenHeadDim();
    std::vector<std::uint16_t> qb(static_cast<std::size_t>(p.B * p.H * p.T * he), 0);
    std::vector<std::uint16_t> kb(static_cast<std::size_t>(p.B * p.kvH * he * sp), 0);
    std::vector<std::uint16_t> vb(static_cast<std::size_t>(p.B * p.kvH * sp * hdp), 0);
    for (std::int64_t r = 0; r < p.B * p.H * p.T; ++r)
        for (std::int64_t d = 0; d < p.hd; ++d)
            qb[r * he + d] = toBf16(p.q[r * p.hd + d]);
    for (std::int64_t bg = 0; bg < p.B * p.kvH; ++bg)
        for (std::int64_t j = 0; j < p.S; ++j)
            for (std::int64_t d = 0; d < p.hd; ++d) {
                kb[(((bg * sp / 64 + j / 64) * (he / 2) + d / 2) * 64 + j % 64) * 2 + d % 2] =
                    toBf16(p.k[(bg * p.S + j) * p.hd + d]);
                vb[((bg * sp / 2 + j / 2) * hdp + d) * 2 + j % 2] =
                    toBf16(p.v[(bg * p.S + j) * p.hd + d]);
            }
    // packBf16 builds the same layouts from bf16 tensors as the model holds them: q as a
    // projection's rows [B, T, H, hd] with a wider token stride (a fused q|k|v row), k and v
    // [B, kvH, S, hd]; every byte equal, the padding's zeros included.
    const std::int64_t ts = p.H * p.hd + 3;
    std::vector<std::uint16_t> qsrc(static_cast<std::size_t>(p.B * p.T * ts), 0x7fc0);
    std::vector<std::uint16_t> ksrc(p.k.size()), vsrc(p.v.size());
    for (std::int64_t b = 0; b < p.B; ++b)
        for (std::int64_t h = 0; h < p.H; ++h)
            for (std::int64_t t = 0; t < p.T; ++t)
                for (std::int64_t d = 0; d < p.hd; ++d)
                    qsrc[(b * p.T + t) * ts + h * p.hd + d] =
                        toBf16(p.q[((b * p.H + h) * p.T + t) * p.hd + d]);
    for (std::size_t i = 0; i < p.k.size(); ++i)
        ksrc[i] = toBf16(p.k[i]), vsrc[i] = toBf16(p.v[i]);
    std::vector<std::uint16_t> qb2(qb.size(), 1), kb2(kb.size(), 1), vb2(vb.size(), 1);
    const detail::FusedAttention::Bf16Source q{qsrc.data(), p.T * ts, p.hd, ts},
        k{ksrc.data(), p.kvH * p.S * p.hd, p.S * p.hd, p.hd},
        v{vsrc.data(), p.kvH * p.S * p.hd, p.S * p.hd, p.hd};
    fa.packBf16(q, k, v, 1.0f, qb2.data(), kb2.data(), vb2.data(), 0, fa.packTasks() / 3);
    fa.packBf16(q, k, v, 1.0f, qb2.data(), kb2.data(), vb2.data(), fa.packTasks() / 3,
                fa.packTasks());
    if (qb2 != qb || kb2 != kb || vb2 != vb)
        qFatal("packBf16 differs from the layouts written out (q %d, k %d, v %d)", qb2 == qb,
               kb2 == kb, vb2 == vb);
    // A scale: each query element times it, rounded to bf16 once (as a bf16 tensor's mul).
    const float scale = 1.0f / std::sqrt(static_cast<float>(p.hd));
    std::vector<std::uint16_t> qb3(qb.size(), 1), kb3(kb.size()), vb3(vb.size());
    fa.packBf16(q, k, v, scale, qb3.data(), kb3.data(), vb3.data(), 0, fa.packTasks());
    for (std::size_t i = 0; i < qb.size(); ++i)
        if (qb3[i] != toBf16(fromBf16(qb[i]) * scale))
            qFatal("packBf16 with scale %g: q element %zu is %04x, not %04x", scale, i, qb3[i],
                   toBf16(fromBf16(qb[i]) * scale));
    std::vector<float> out(static_cast<std::size_t>(p.B * p.T * p.H * p.hd), NAN);
    fa.qb = qb2.data(), fa.kb = kb2.data(), fa.vb = vb2.data(), fa.out = out.data();
    fa.keyHidden = p.hidden.empty() ? nullptr : p.hidden.data();
    fa.run(0, fa.tasks());
    // A bf16 output is the fp32 one rounded once.
    std::vector<std::uint16_t> outb(out.size(), 1);
    fa.out = nullptr, fa.outb = outb.data();
    fa.run(0, fa.tasks());
    for (std::size_t i = 0; i < out.size(); ++i)
        if (outb[i] != toBf16(out[i]))
            qFatal("bf16 output %zu: %04x, the fp32 output rounds to %04x", i, outb[i],
                   toBf16(out[i]));
    return out;
}

Problem makeProblem(std::int64_t B, std::int64_t H, std::int64_t kvH, std::int64_t T,
                    std::int64_t S, std::int64_t hd, bool causal, std::int64_t window,
                    unsigned seed)
{
    Problem p{B, H, kvH, T, S, hd, window, causal, {}, {}, {}, {}};
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    p.q.resize(static_cast<std::size_t>(B * H * T * hd));
    p.k.resize(static_cast<std::size_t>(B * kvH * S * hd));
    p.v.resize(p.k.size());
    for (auto &x : p.q)
        x = 0.5f * normal(rng);
    for (auto &x : p.k)
        x = normal(rng);
    for (auto &x : p.v)
        x = normal(rng);
    return p;
}

ModelLoadOptions attention(bool fused)
{
    ModelLoadOptions o;
    o.fusedAttention = fused;
    return o;
}

} // namespace

class TestFusedAttention : public QObject {
    Q_OBJECT
private slots:
    void kernelEqualsNaiveSoftmax_data()
    {
        QTest::addColumn<int>("T");
        QTest::addColumn<int>("S");
        QTest::addColumn<int>("hd");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<int>("window");
        QTest::addColumn<bool>("padding");
        // Tiles of 64 keys and blocks of 64 rows: sizes below, at and across them; head dims
        // padded (20 to 24 in the 8-float copies, 24 and 48 to 16s in the AVX-512 copy and bf16),
        // the multiples with their own code (16, 24, 32, 48, 64, 96, 128), one past them (160:
        // the generic path).
        QTest::newRow("causal 1 row") << 1 << 1 << 24 << true << 0 << false;
        QTest::newRow("causal 63") << 63 << 63 << 24 << true << 0 << false;
        QTest::newRow("causal 64") << 64 << 64 << 16 << true << 0 << false;
        QTest::newRow("causal 77, hd 20") << 77 << 77 << 20 << true << 0 << false;
        QTest::newRow("causal 130, hd 32") << 130 << 130 << 32 << true << 0 << false;
        QTest::newRow("causal 200, hd 48") << 200 << 200 << 48 << true << 0 << false;
        QTest::newRow("causal 129, hd 64") << 129 << 129 << 64 << true << 0 << false;
        QTest::newRow("causal 70, hd 96") << 70 << 70 << 96 << true << 0 << false;
        QTest::newRow("causal 66, hd 128") << 66 << 66 << 128 << true << 0 << false;
        // bf16 P V: a last column of at most 8 dims runs on 8 lanes (24: one full column and a
        // half; 40: two and a half; 56: three and a half in one pass; 72: a pass of four, then
        // the half alone; 7 and 8: only the half).
        QTest::newRow("causal 90, hd 40") << 90 << 90 << 40 << true << 0 << false;
        QTest::newRow("causal 81, hd 56") << 81 << 81 << 56 << true << 0 << false;
        QTest::newRow("causal 75, hd 72") << 75 << 75 << 72 << true << 0 << false;
        QTest::newRow("causal 33, hd 8") << 33 << 33 << 8 << true << 0 << false;
        QTest::newRow("causal 65, hd 7") << 65 << 65 << 7 << true << 0 << false;
        QTest::newRow("causal 67, hd 160") << 67 << 67 << 160 << true << 0 << false;
        // An odd head dim: q and k padded by one zero to pairs (the last pair half real).
        QTest::newRow("causal 70, hd 25") << 70 << 70 << 25 << true << 0 << false;
        QTest::newRow("after a cache: 5 rows on 190 keys") << 5 << 190 << 24 << true << 0 << false;
        QTest::newRow("after a cache: 100 rows on 300 keys")
            << 100 << 300 << 32 << true << 0 << false;
        QTest::newRow("window 16") << 150 << 150 << 24 << true << 16 << false;
        QTest::newRow("window 100 after a cache") << 90 << 260 << 32 << true << 100 << false;
        QTest::newRow("causal, padding") << 150 << 150 << 24 << true << 0 << true;
        QTest::newRow("encoder") << 100 << 100 << 48 << false << 0 << false;
        QTest::newRow("encoder, padding") << 140 << 140 << 48 << false << 0 << true;
    }

    void kernelEqualsNaiveSoftmax()
    {
        QFETCH(int, T);
        QFETCH(int, S);
        QFETCH(int, hd);
        QFETCH(bool, causal);
        QFETCH(int, window);
        QFETCH(bool, padding);
        // Batch 2, 4 query heads on 2 KV heads (GQA).
        Problem p =
            makeProblem(2, 4, 2, T, S, hd, causal, window, static_cast<unsigned>(T + S + hd));
        if (padding) {
            // Row 0: the first 37 keys are padding (left-padded: its first queries see none);
            // row 1: the last 20 (right-padded).
            p.hidden.assign(static_cast<std::size_t>(2 * S), 0);
            for (int j = 0; j < 37; ++j)
                p.hidden[j] = 1;
            for (int j = S - 20; j < S; ++j)
                p.hidden[S + j] = 1;
        }
        const auto want = p.naive();
        // Every copy of the kernel this CPU can run (AVX-512, AVX2, baseline: each has its own
        // vector width and blocking).
        using Isa = detail::FusedAttention::Isa;
        int copies = 0;
        for (Isa isa : {Isa::Avx512, Isa::Avx2, Isa::Baseline}) {
            if (!detail::FusedAttention::isaSupported(isa))
                continue;
            const float d = maxDiff(p.fused(isa), want);
            const char *name = isa == Isa::Avx512 ? "AVX-512"
                               : isa == Isa::Avx2 ? "AVX2"
                                                  : "baseline";
            qInfo("%s copy: max abs difference %.3g", name, d);
            QVERIFY2(d < 2e-5f, (std::string(name) + ": " + std::to_string(d)).c_str());
            ++copies;
        }
        QVERIFY(copies >= 1);
        QCOMPARE(maxDiff(p.fused(), want) < 2e-5f, true); // the copy chosen by default
        // bf16: the same on inputs rounded to bf16; the probabilities are rounded to bf16 too
        // (relative 2^-9), so outputs (weighted means of values ~ N(0, 1)) move by ~1e-2.
        if (!detail::FusedAttention::bf16Supported()) {
            qInfo("no AVX512-BF16 on this CPU: the bf16 kernel is not used here");
            return;
        }
        // Both tasks: rows in the vector lanes (full blocks of 64 rows; the rest take the
        // other) and keys and dims there. The same probabilities (same maximum, same
        // polynomial, same rounding) and the same dot products: they differ only in the order
        // the row sums are added in. Three layouts of heads: 4 query heads on 2 KV heads, 3 on
        // 1, 2 on 2.
        const auto check = [](Problem &q, const char *heads) {
            const auto lanes = fusedBf16(q, 1), keys = fusedBf16(q, 0);
            const auto truth = q.naive();
            for (const auto &[name, got] :
                 {std::pair{"rows in lanes", &lanes}, {"keys in lanes", &keys}}) {
                const float db = maxDiff(*got, truth);
                qInfo("bf16, %s, %s: max abs difference %.3g", heads, name, db);
                if (!(db < 1e-2f))
                    return std::string(heads) + ", " + name + ": " + std::to_string(db);
            }
            const float dk = maxDiff(lanes, keys);
            return dk < 1e-5f ? std::string() : std::string(heads) + ": " + std::to_string(dk);
        };
        std::string failed = check(p, "4 heads on 2");
        QVERIFY2(failed.empty(), failed.c_str());
        for (const auto &[heads, kvHeads] : {std::pair{3, 1}, {2, 2}}) {
            Problem q = makeProblem(1, heads, kvHeads, T, S, hd, causal, window,
                                    static_cast<unsigned>(T + S + hd + heads));
            if (padding)
                q.hidden.assign(p.hidden.begin(), p.hidden.begin() + S); // left-padded
            failed = check(q, heads == 3 ? "3 heads on 1" : "2 heads on 2");
            QVERIFY2(failed.empty(), failed.c_str());
        }
    }

    // The order threads take tasks in (costliest first): every task once, blocks of later queries
    // (more keys visible under the causal mask) before earlier ones, every head of a block
    // together.
    void tasksByCost()
    {
        for (const auto &[batch, heads, rows] :
             {std::array<int, 3>{1, 8, 4096}, std::array<int, 3>{2, 4, 100},
              std::array<int, 3>{3, 2, 1}}) {
            detail::FusedAttention fa;
            fa.batch = batch, fa.heads = heads, fa.kvHeads = 1, fa.rows = rows, fa.keys = rows;
            fa.headDim = 24;
            const std::int64_t n = fa.tasks(), blocks = (rows + 63) / 64;
            QCOMPARE(n, std::int64_t(batch) * heads * blocks);
            std::vector<int> seen(static_cast<std::size_t>(n), 0);
            std::int64_t lastBlock = blocks;
            for (std::int64_t p = 0; p < n; ++p) {
                const std::int64_t t = fa.taskByCost(p);
                QVERIFY(t >= 0 && t < n);
                ++seen[static_cast<std::size_t>(t)];
                const std::int64_t block = t % blocks; // tasks are (b heads + h) blocks + block
                QVERIFY2(block <= lastBlock, qPrintable(QString("position %1").arg(p)));
                lastBlock = block;
                if (p < std::int64_t(batch) * heads) // the first batch x heads: the last block
                    QCOMPARE(block, blocks - 1);
            }
            QVERIFY(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
        }
    }

    void modelsAgreeWithTheBlocks_data()
    {
        QTest::addColumn<QString>("model");
        for (const char *m : {"gpt2", "llama_gqa", "llama3_tied", "qwen2", "mistral", "gpt_neox",
                              "bert", "xlm_roberta"})
            QTest::newRow(m) << QString(m);
    }

    void modelsAgreeWithTheBlocks()
    {
        // The same weights through the fused kernel and through the blocked attention: one
        // sequence across several tiles, a padded batch, a prompt longer than the context (windows
        // carrying the cache), and a session appending on its cache.
        if (!std::filesystem::exists(kOracle))
            QSKIP("shared oracle data not found (TERSE_SHARED_DIR)");
        QFETCH(QString, model);
        const std::string dir = kOracle + "/" + model.toStdString();
        auto fused = Model::load(dir, attention(true));
        auto blocks = Model::load(dir, attention(false));
        QVERIFY2(fused.ok(), fused.ok() ? "" : fused.error().toString().c_str());
        QVERIFY(blocks.ok());
        const bool decoder = fused->info().kind == ModelKind::CausalLM;
        ScoreRequest req;
        req.wantHidden = true;
        req.wantLogits = true;
        const std::vector<std::vector<int>> batch = {randomIds(120, 1), randomIds(77, 2),
                                                     randomIds(3, 3)};
        auto a = fused->score(batch, req), b = blocks->score(batch, req);
        QVERIFY(a.ok() && b.ok());
        for (std::size_t s = 0; s < batch.size(); ++s) {
            const auto &x = a->sequences[s], &y = b->sequences[s];
            QVERIFY2(maxDiff(x.logits, y.logits) < 1e-4f, std::to_string(s).c_str());
            QVERIFY(maxDiff(x.hidden, y.hidden) < 1e-4f);
            if (decoder)
                QVERIFY(maxDiff(x.nextTokenLogprob, y.nextTokenLogprob) < 1e-4f);
            else
                QVERIFY(maxDiff(x.labelLogprobs, y.labelLogprobs) < 1e-4f);
        }
        // Left padding through an explicit mask: the padded positions' rows see no key at all.
        ScoreRequest masked = req;
        std::vector<int> row = randomIds(90, 4);
        masked.attentionMask = {std::vector<int>(90, 1), std::vector<int>(90, 1)};
        std::fill(masked.attentionMask[1].begin(), masked.attentionMask[1].begin() + 30, 0);
        a = fused->score({row, row}, masked), b = blocks->score({row, row}, masked);
        QVERIFY(a.ok() && b.ok());
        for (int s = 0; s < 2; ++s) {
            const auto &x = a->sequences[s].logits, &y = b->sequences[s].logits;
            const std::size_t vocab = x.size() / 90, from = s == 1 ? 30 * vocab : 0;
            QVERIFY(x.size() == y.size());
            QVERIFY(maxDiff({x.begin() + from, x.end()}, {y.begin() + from, y.end()}) < 1e-4f);
        }
        if (!decoder)
            return;
        // Longer than the 128-position context: chunks of 128 over the cache (3 forwards), and
        // the default chunk (all 300 tokens in one forward, the window of 128 inside it). GPT-2
        // (learned positions) takes windows advancing by 64 whatever the chunk: 4 forwards.
        const auto ids = randomIds(300, 5);
        const bool strided = model == "gpt2";
        for (auto [chunk, forwards] : {std::pair{128, 3}, {0, 1}}) {
            ScoreRequest plain;
            plain.carriedChunk = chunk;
            a = fused->score({ids}, plain), b = blocks->score({ids}, plain);
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(a->windows, strided ? 4 : forwards);
            QCOMPARE(b->windows, strided ? 4 : forwards);
            QVERIFY(maxDiff(a->sequences[0].nextTokenLogprob, b->sequences[0].nextTokenLogprob) <
                    1e-4f);
            QVERIFY(maxDiff(a->sequences[0].entropy, b->sequences[0].entropy) < 1e-4f);
        }
        // A session: 50 tokens, then 1, then 20 on the cache.
        auto sa = fused->newSession(), sb = blocks->newSession();
        QVERIFY(sa.ok() && sb.ok());
        for (auto [from, to] : {std::pair{0, 50}, {50, 51}, {51, 71}}) {
            const std::vector<int> part(ids.begin() + from, ids.begin() + to);
            auto x = sa->append(part, true), y = sb->append(part, true);
            QVERIFY(x.ok() && y.ok());
            QVERIFY(maxDiff(x->logits, y->logits) < 1e-4f);
        }
    }

    // bf16 from fp32 files converts the weights on load, so q|k|v and gate|up become one matmul
    // each (ModelLoadOptions::fuseProjections): the same scores as one matmul per projection
    // (Qwen2's q, k and v carry biases; GPT-2's c_attn is fused in the file already).
    void fusedProjectionsScoreAsSeparateOnes()
    {
        if (!std::filesystem::exists(kOracle))
            QSKIP("shared oracle data not found (TERSE_SHARED_DIR)");
        for (const char *name : {"llama_gqa", "qwen2", "mistral", "gpt2"}) {
            const std::string dir = kOracle + "/" + name;
            for (const ComputeDtype dtype : {ComputeDtype::BFloat16, ComputeDtype::Float32}) {
                ModelLoadOptions fused;
                fused.dtype = dtype;
                ModelLoadOptions separate = fused;
                separate.fuseProjections = false;
                auto a = Model::load(dir, fused), b = Model::load(dir, separate);
                QVERIFY(a.ok() && b.ok());
                const auto ids = randomIds(150, 4);
                auto ra = a->score({ids}), rb = b->score({ids});
                QVERIFY(ra.ok() && rb.ok());
                const float dl = maxDiff(ra->sequences[0].nextTokenLogprob,
                                         rb->sequences[0].nextTokenLogprob),
                            de = maxDiff(ra->sequences[0].entropy, rb->sequences[0].entropy);
                qInfo("%s %s: max |fused - separate| log-prob %.3g, entropy %.3g", name,
                      dtype == ComputeDtype::BFloat16 ? "bf16" : "fp32", dl, de);
                QVERIFY2(dl < 1e-3f && de < 1e-3f, name); // equal on a Zen 4
            }
        }
    }

    void bf16StaysAsNearFp32AsTheBlocks()
    {
        // bf16 through the kernel (bf16 dot products into fp32, fp32 softmax) against fp32: no
        // further from it than bf16 through the blocks (bf16 scores, softmax rounded to bf16).
        if (!std::filesystem::exists(kOracle))
            QSKIP("shared oracle data not found (TERSE_SHARED_DIR)");
        if (!detail::FusedAttention::bf16Supported())
            QSKIP("no AVX512-BF16 on this CPU: bf16 attention stays on the blocks");
        for (const char *name : {"llama_gqa", "gpt2", "mistral", "bert"}) {
            const std::string dir = kOracle + "/" + name;
            ModelLoadOptions bf;
            bf.dtype = ComputeDtype::BFloat16;
            ModelLoadOptions bfBlocks = bf;
            bfBlocks.fusedAttention = false;
            auto f32 = Model::load(dir), fused = Model::load(dir, bf),
                 blocks = Model::load(dir, bfBlocks);
            QVERIFY(f32.ok() && fused.ok() && blocks.ok());
            const bool decoder = f32->info().kind == ModelKind::CausalLM;
            const auto ids = randomIds(120, 9);
            auto r = f32->score({ids}), rf = fused->score({ids}), rb = blocks->score({ids});
            QVERIFY(r.ok() && rf.ok() && rb.ok());
            auto values = [&](const ScoreResult &x) {
                return decoder ? x.sequences[0].nextTokenLogprob : x.sequences[0].labelLogprobs;
            };
            auto meanDiff = [&](const std::vector<float> &a, const std::vector<float> &b) {
                double sum = 0;
                std::size_t n = 0;
                for (std::size_t i = 0; i < a.size(); ++i)
                    if (!std::isnan(a[i]))
                        sum += std::fabs(a[i] - b[i]), ++n;
                return sum / static_cast<double>(std::max<std::size_t>(1, n));
            };
            const double dFused = meanDiff(values(*rf), values(*r)),
                         dBlocks = meanDiff(values(*rb), values(*r));
            qInfo("%s: mean |bf16 - fp32| log-prob: fused %.4f, blocks %.4f", name, dFused,
                  dBlocks);
            QVERIFY(dFused <= 1.5 * dBlocks + 1e-3);
        }
    }

    void defaultLoadUsesTheKernelAndMatchesTransformers()
    {
        // The default (fused) load without attention outputs requested, against HF's logits.
        if (!std::filesystem::exists(kOracle))
            QSKIP("shared oracle data not found (TERSE_SHARED_DIR)");
        for (const char *name : {"llama_gqa", "mistral", "bert"}) {
            auto m = Model::load(kOracle + "/" + name);
            QVERIFY(m.ok());
            std::ifstream in(kOracle + "/" + name + "/expected.json");
            const auto expected = nlohmann::json::parse(in);
            for (const auto &c : expected["cases"]) {
                ScoreRequest req;
                req.wantLogits = true;
                if (!c["attention_mask"].is_null())
                    req.attentionMask = c["attention_mask"].get<std::vector<std::vector<int>>>();
                auto r = m->score(c["input_ids"].get<std::vector<std::vector<int>>>(), req);
                QVERIFY(r.ok());
                std::vector<float> got, want;
                for (const auto &s : r->sequences)
                    got.insert(got.end(), s.logits.begin(), s.logits.end());
                flatten(c["logits"], want);
                const float d = maxDiff(got, want);
                QVERIFY2(d < 1e-4f, (std::string(name) + " " + c["name"].get<std::string>() + ": " +
                                     std::to_string(d))
                                        .c_str());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestFusedAttention)
#include "test_fused_attention.moc"
