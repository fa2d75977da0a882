// DAC and the entropy/attention baselines on real prompts (GSM8K CoT prompt, a LEval meeting
// transcript) with tiny-gpt2-pos2048: the output is a subsequence of the input, Corrected modes
// meet the rate within 1% or 2 tokens, and DAC's stage trace accounts for every removed unit
// exactly once.
#include "terse/compressor.h"
#include "terse/model.h"
#include "terse/resources.h"
#include "terse/tokenizer.h"

#include "real_prompts.h"

#include "whole_words_check.h"

#include <QtTest>

#include <cmath>
#include <filesystem>
#include <optional>
#include <set>

using namespace terse;
using namespace terse::testing;

namespace {
const std::string kModel = sharedDir() + "/parity/models/tiny-gpt2-pos2048";

// The bundled LM and the first five windows of the meeting transcript in its tokens (long-prompt
// tests).
struct LongTranscript {
    std::optional<Model> model;
    std::vector<int> ids;
    int window = 0;
};

LongTranscript longTranscript()
{
    LongTranscript t;
    auto path = defaultModelPath(DefaultModel::CausalLM);
    if (!path)
        return t;
    auto model = Model::load(*path);
    auto tok = Tokenizer::load(*path);
    if (!model || !tok)
        return t;
    auto enc = tok->encode(meetingTranscript(), false);
    if (!enc)
        return t;
    t.window = model->info().maxPositions;
    const std::size_t n =
        std::min<std::size_t>(enc->ids.size(), static_cast<std::size_t>(t.window) * 5);
    t.ids.assign(enc->ids.begin(), enc->ids.begin() + static_cast<std::ptrdiff_t>(n));
    t.model.emplace(std::move(*model));
    return t;
}
} // namespace

class TestDacReal : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (!std::filesystem::exists(kModel + "/model.safetensors") || gsm8kCotPrompt().empty())
            QSKIP("TERSE_SHARED_DIR lacks the parity model or the data sets");
    }

    // Corrected mode's attention baseline. A token's attention averaged over the queries that see
    // it is dominated by nearby queries when few see it, so the last tokens of every prompt scored
    // high: attention_only kept every word of a transcript's last tenth at rate 0.33. Over what a
    // token with the same queries receives at those distances, the last tenth is kept near the
    // rate. The bundled LM, the first 1,800 bytes of a meeting transcript (one window).
    void attentionBaselineHasNoEndBias()
    {
        auto path = defaultModelPath(DefaultModel::CausalLM);
        QVERIFY(path.ok());
        const std::string text = meetingTranscript().substr(0, 1800);
        QVERIFY(text.size() == 1800);
        auto lastTenth = [&](const char *baseline) {
            auto c = createCompressor("attention_only");
            CompressOptions o;
            o.method = "attention_only";
            o.model = *path;
            o.rate = 0.33;
            o.params = {{"attention_baseline", baseline}};
            auto r = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
            if (!r)
                return -1.0;
            std::vector<bool> kept;
            for (const Unit &u : r->units) {
                const std::string &seg = r->segments[static_cast<std::size_t>(u.segment)].text;
                if (seg.find_first_not_of(" \n\t", u.span.begin) < u.span.end)
                    kept.push_back(u.kept); // words, not whitespace units
            }
            const std::size_t from = kept.size() - kept.size() / 10;
            double k = 0;
            for (std::size_t i = from; i < kept.size(); ++i)
                k += kept[i];
            return k / static_cast<double>(kept.size() - from);
        };
        const double distance = lastTenth("distance"), queries = lastTenth("queries");
        qInfo("last tenth kept at rate 0.33: %.2f (distance), %.2f (queries)", distance, queries);
        QVERIFY(distance >= 0 && queries >= 0);
        QVERIFY2(distance < 0.5,
                 "the distance baseline keeps the prompt's end well above the rate");
        QVERIFY(queries > distance + 0.3);
    }

    void carriedLongPromptsAgreeWithStrideWindows()
    {
        // Issue 16: long prompts of rotary models run once through the model (chunks of new
        // tokens on the cache of the chunk before, each token seeing W - 1 before it) instead of
        // windows advancing by W/2. Tolerance against the windows on a real transcript (README,
        // Models): the surprisal of the same tokens, and no attention step at the chunk starts (the
        // windows' own scheme has none at positions inside a window).
        const LongTranscript t = longTranscript();
        QVERIFY2(t.model, "the bundled model or its tokenizer did not load");
        const Model *model = &*t.model;
        const std::vector<int> &ids = t.ids;
        const int W = t.window;
        const std::size_t n = ids.size();
        QVERIFY2(n > static_cast<std::size_t>(3 * W),
                 "the meeting transcript is shorter than three windows");
        ScoreRequest req;
        req.wantCausalColumnMeans = true;
        auto carried = model->score({ids}, req);
        req.windowStride = W / 2;
        auto windows = model->score({ids}, req);
        req.windowStride =
            W * 3 / 8; // windows that start elsewhere: attention truth at the chunk starts
        auto other = model->score({ids}, req);
        QVERIFY(carried && windows && other);
        const int chunk = std::max(W, kCarriedChunkTokens); // new tokens per forward
        QCOMPARE(carried->windows, static_cast<int>((n + chunk - 1) / chunk));
        const auto &a = carried->sequences[0].surprisal, &b = windows->sequences[0].surprisal;
        double diff = 0, sa = 0, sb = 0, first = 0;
        for (std::size_t t = 1; t < n; ++t) {
            diff += std::fabs(a[t] - b[t]);
            sa += a[t];
            sb += b[t];
            if (t < static_cast<std::size_t>(W)) // the same context: only the forward's length
                first = std::max(first, static_cast<double>(std::fabs(a[t] - b[t])));
        }
        qInfo("first window: largest |surprisal difference| %.2g nats (a forward of %d tokens "
              "against one of %d)",
              first, std::min<int>(chunk, static_cast<int>(n)), W);
        // The same values computed in forwards of different lengths (other matmul and attention
        // blocks): far below the bf16-vs-fp32 differences the README gives (0.004-0.011 nats).
        QVERIFY(first < 1e-4);
        diff /= static_cast<double>(n - 1);
        sa /= static_cast<double>(n - 1);
        sb /= static_cast<double>(n - 1);
        qInfo("%zu tokens, window %d: mean |surprisal difference| %.4f nats; mean surprisal %.4f "
              "(one pass, "
              "chunks) vs %.4f (windows)",
              n, W, diff, sa, sb);
        QVERIFY2(diff < 0.15, "the chunked pass drifts from the windows");
        QVERIFY2(sa < sb + 0.02, "more context should not predict worse");
        auto mean = [&](const ScoreResult &r) {
            std::vector<double> m(n, 0.0);
            for (int l = 0; l < r.layers; ++l)
                for (std::size_t k = 0; k < n; ++k)
                    m[k] += r.sequences[0].causalColumnMeans[static_cast<std::size_t>(l) * n + k] /
                            r.layers;
            return m;
        };
        const auto ca = mean(*carried), cb = mean(*other);
        double logRatio = 0;
        int boundaries = 0;
        // Every multiple of W: the chunk starts among them (the bundled model's W divides the
        // chunk), and the positions where the chunks of W before kCarriedChunkTokens started.
        for (std::size_t at = static_cast<std::size_t>(W); at + 64 < n;
             at += static_cast<std::size_t>(W)) {
            double before = 0, after = 0, before2 = 0, after2 = 0;
            for (std::size_t k = at - 32; k < at; ++k) {
                before += ca[k];
                before2 += cb[k];
            }
            for (std::size_t k = at; k < at + 32; ++k) {
                after += ca[k];
                after2 += cb[k];
            }
            logRatio += std::log(before / after) - std::log(before2 / after2);
            ++boundaries;
        }
        const double ratio = std::exp(logRatio / boundaries);
        qInfo("attention before/after the %d multiples of W, against windows starting elsewhere: "
              "%.3f",
              boundaries, ratio);
        QVERIFY(ratio > 0.9 && ratio < 1.1);
    }

    void longPromptAttentionHasNoWindowJumps()
    {
        // A prompt longer than the model's window is scored in windows advancing by half the
        // window. Attention (layer-averaged causal means, DAC's and PIS's corrected signal) must
        // not jump at the window starts (issue 20: a saw-tooth with the stride's period). Truth:
        // the same tokens scored with another stride, where those positions are inside windows; the
        // text is the same, so content cancels.
        const LongTranscript t = longTranscript();
        QVERIFY2(t.model, "the bundled model or its tokenizer did not load");
        const Model *model = &*t.model;
        const std::vector<int> &ids = t.ids;
        const int W = t.window, stride = W / 2;
        const std::size_t n = ids.size();
        QVERIFY2(n > static_cast<std::size_t>(2 * W),
                 "the meeting transcript is shorter than two windows");
        auto attention = [&](int windowStride) {
            ScoreRequest req;
            req.windowStride = windowStride;
            req.wantCausalColumnMeans = true;
            auto r = model->score({ids}, req);
            std::vector<double> a(n, 0.0);
            if (!r)
                return a;
            for (int l = 0; l < r->layers; ++l)
                for (std::size_t k = 0; k < n; ++k)
                    a[k] += r->sequences[0].causalColumnMeans[static_cast<std::size_t>(l) * n + k] /
                            r->layers;
            return a;
        };
        const std::vector<double> a = attention(stride), b = attention(stride * 3 / 4);
        auto jump = [&](const std::vector<double> &x, std::size_t at) {
            double before = 0, after = 0;
            for (std::size_t k = at - 32; k < at; ++k)
                before += x[k];
            for (std::size_t k = at; k < at + 32; ++k)
                after += x[k];
            return std::log(before / after);
        };
        double logRatio = 0;
        int boundaries = 0;
        for (std::size_t at = static_cast<std::size_t>(stride); at + 32 < n - 64;
             at += static_cast<std::size_t>(stride)) {
            if (at % static_cast<std::size_t>(stride * 3 / 4) == 0)
                continue; // a boundary in both runs
            logRatio += jump(a, at) - jump(b, at);
            ++boundaries;
        }
        QVERIFY(boundaries >= 4);
        const double ratio = std::exp(logRatio / boundaries);
        qInfo("attention before/after a window start, vs the same tokens inside a window: %.3f "
              "over %d boundaries",
              ratio, boundaries);
        QVERIFY2(ratio > 0.92 && ratio < 1.08, qPrintable(QString::number(ratio)));
    }

    void partialResultsFollowTheStages_data()
    {
        QTest::addColumn<bool>("reference");
        QTest::newRow("corrected") << false;
        QTest::newRow("reference") << true;
    }

    void partialResultsFollowTheStages()
    {
        // Issue 20: a long dynamic run reports the result of every stage but the last while it
        // goes. Each partial result is the final run's first k stages, keeps a superset of what
        // later stages keep, and is a valid result of its own (whole words in corrected mode); a
        // cancel from the listener ends the run at once.
        QFETCH(bool, reference);
        const std::string text = gsm8kCotPrompt();
        auto c = createCompressor("dac");
        QVERIFY(c);
        CompressOptions o;
        o.method = "dac";
        o.model = kModel;
        o.rate = 0.4;
        o.mode = reference ? CompressionMode::Reference : CompressionMode::Corrected;
        o.params["stages"] = "4";
        std::vector<CompressionResult> partials;
        std::vector<std::pair<int, int>> counts;
        JobContext job;
        job.onPartial([&](const CompressionResult &p, int done, int total) {
            partials.push_back(p);
            counts.emplace_back(done, total);
        });
        auto r = (*c)->compress(Prompt::fromText(text), o, job);
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        QCOMPARE(r->stages.size(), std::size_t(4));
        QCOMPARE(counts, (std::vector<std::pair<int, int>>{{1, 4}, {2, 4}, {3, 4}}));
        const CompressionResult *prev = nullptr;
        for (std::size_t k = 0; k < partials.size(); ++k) {
            const CompressionResult &p = partials[k];
            QCOMPARE(p.stages.size(), k + 1);
            for (std::size_t s = 0; s <= k; ++s) {
                QCOMPARE(p.stages[s].name, r->stages[s].name);
                QCOMPARE(p.stages[s].removedUnits, r->stages[s].removedUnits);
            }
            QCOMPARE(p.units.size(), r->units.size());
            for (std::size_t u = 0; u < p.units.size(); ++u) {
                QVERIFY(p.units[u].kept || !r->units[u].kept); // later stages only remove
                if (prev)
                    QVERIFY(prev->units[u].kept || !p.units[u].kept);
            }
            QVERIFY(p.compressedText.size() > r->compressedText.size());
            QVERIFY(p.achievedRate > r->achievedRate);
            if (!reference) {
                QVERIFY(testing::piecesSubsequence(p.compressedText, text));
                QVERIFY(testing::unitsKeepWholeWords(p));
            }
            prev = &p;
        }
        // Cancelling from the listener (what the app's Cancel does mid-run) ends the run with
        // Cancelled.
        JobContext cancelling;
        int seen = 0;
        cancelling.onPartial([&](const CompressionResult &, int, int) {
            ++seen;
            cancelling.cancel();
        });
        auto cut = (*c)->compress(Prompt::fromText(text), o, cancelling);
        QVERIFY(!cut);
        QCOMPARE(cut.error().code, ErrorCode::Cancelled);
        QCOMPARE(seen, 1);
    }

    void realPrompts_data()
    {
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("variant");
        QTest::addColumn<double>("rate");
        QTest::addColumn<bool>("reference");
        for (const char *p : {"gsm8k", "meeting"}) {
            QTest::newRow((std::string(p) + " dac dynamic 0.5").c_str())
                << p << "dac"
                << "dynamic_attn_ppl" << 0.5 << false;
            QTest::newRow((std::string(p) + " dac wosucce 0.6").c_str())
                << p << "dac"
                << "dynamic_attn_ppl_wosucce" << 0.6 << false;
            QTest::newRow((std::string(p) + " dac attn_ppl 0.3").c_str())
                << p << "dac"
                << "attn_ppl" << 0.3 << false;
            QTest::newRow((std::string(p) + " dac reference 0.5").c_str())
                << p << "dac"
                << "dynamic_attn_ppl" << 0.5 << true;
            QTest::newRow((std::string(p) + " entropy_only 0.4").c_str()) << p << "entropy_only"
                                                                          << "" << 0.4 << false;
            QTest::newRow((std::string(p) + " attention_only 0.4").c_str()) << p << "attention_only"
                                                                            << "" << 0.4 << false;
        }
    }

    void realPrompts()
    {
        QFETCH(QString, prompt);
        QFETCH(QString, method);
        QFETCH(QString, variant);
        QFETCH(double, rate);
        QFETCH(bool, reference);
        // The meeting transcript is cut to its first ~12 kB (about 3k tokens, at a line end):
        // dynamic DAC re-forwards up to 15 times, and the whole 11k-token transcript takes minutes
        // on 2 cores.
        std::string text = prompt == "gsm8k" ? gsm8kCotPrompt() : meetingTranscript();
        if (prompt != "gsm8k" && text.size() > 12000)
            text.resize(text.rfind('\n', 12000) + 1);
        QVERIFY(!text.empty());
        auto c = createCompressor(method.toStdString());
        QVERIFY(c);
        CompressOptions o;
        o.method = method.toStdString();
        o.model = kModel;
        o.rate = rate;
        o.mode = reference ? CompressionMode::Reference : CompressionMode::Corrected;
        if (!variant.isEmpty())
            o.params["variant"] = variant.toStdString();
        auto r = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        // Reference: the decode of kept tokens (a character subsequence). Corrected (issue 14):
        // whole words, the rate met in the target tokenizer.
        QVERIFY(reference ? isSubsequence(r->compressedText, text)
                          : testing::piecesSubsequence(r->compressedText, text));
        if (!reference) {
            QVERIFY(testing::unitsKeepWholeWords(*r));
            QVERIFY2(testing::meetsTargetRate(*r, rate),
                     qPrintable(QString("kept %1 of %2 target tokens for rate %3")
                                    .arg(r->targetTokensOut)
                                    .arg(r->targetTokensIn)
                                    .arg(rate)));
        }
        if (method == "dac") {
            std::multiset<int> removed;
            for (const auto &s : r->stages)
                removed.insert(s.removedUnits.begin(), s.removedUnits.end());
            long dropped = 0;
            for (int u = 0; u < static_cast<int>(r->units.size()); ++u) {
                dropped += r->units[u].kept ? 0 : 1;
                QCOMPARE(static_cast<int>(removed.count(u)), r->units[u].kept ? 0 : 1);
            }
            QCOMPARE(static_cast<long>(removed.size()), dropped);
            if (variant.startsWith("dynamic"))
                QVERIFY(r->stages.size() > 1);
        }
        qInfo("%s %s %s: %ld -> %ld tokens, %.0f ms (%.0f ms forward)", qPrintable(prompt),
              qPrintable(method), qPrintable(variant), r->tokensIn, r->tokensOut, r->totalMs,
              r->forwardMs);
    }
};

QTEST_GUILESS_MAIN(TestDacReal)
#include "test_dac_real.moc"
