#pragma once
// Fixtures for the session store tests and benchmark: synthetic results with every field set
// (NaN, infinities, negative zero and NaN payloads in the scores) and a field-by-field comparison.

#include "terse/compressor.h"
#include "terse/session_store.h"
#include "terse/text_units.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace terse::testutil {

// A prompt of roughly `words` words: an instruction, a long context and a question.
inline Prompt makePrompt(int words, unsigned seed = 1)
{
    static const char *vocab[] = {"the",   "model",  "keeps", "tokens", "whose", "surprisal",
                                  "is",    "high,",  "drops", "filler", "and",   "café",
                                  "naïve", "日本語", "data.", "Prompt"};
    std::mt19937 rng(seed);
    std::string context;
    for (int i = 0; i < words; ++i) {
        context += vocab[rng() % 16];
        context += (i % 17 == 16) ? "\n" : " ";
    }
    Prompt p;
    p.segments.push_back({SegmentRole::Instruction, "Summarise the text below."});
    p.segments.push_back({SegmentRole::Context, context});
    p.segments.push_back({SegmentRole::Question, "What does the model keep?"});
    return p;
}

// A result over `prompt` with word units, `series` score series, `stages` stages (each with its
// own scores and thresholds), and awkward float values mixed in.
inline CompressionResult makeResult(const Prompt &prompt, int series = 5, int stages = 20,
                                    unsigned seed = 7)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-5.f, 20.f);
    CompressionResult r;
    r.method = "selective_context";
    r.mode = CompressionMode::Reference;
    r.unitName = "word";
    r.segments = prompt.segments;
    for (int s = 0; s < static_cast<int>(prompt.segments.size()); ++s)
        for (const auto &span : splitWords(prompt.segments[s].text)) {
            Unit u;
            u.segment = s;
            u.span = span;
            u.kept = rng() % 3 != 0;
            u.forced = s != 1;
            u.stage = u.kept ? -1 : static_cast<int>(rng() % std::max(1, stages));
            r.units.push_back(u);
        }
    const std::size_t n = r.units.size();
    auto makeSeries = [&](const std::string &name) {
        ScoreSeries sc{name, std::vector<float>(n)};
        for (std::size_t i = 0; i < n; ++i)
            sc.values[i] = dist(rng);
        if (n > 5) {
            sc.values[0] = std::numeric_limits<float>::quiet_NaN();
            sc.values[1] = std::bit_cast<float>(0x7fc12345u); // NaN with a payload
            sc.values[2] = -0.0f;
            sc.values[3] = std::numeric_limits<float>::infinity();
            sc.values[4] = std::numeric_limits<float>::denorm_min();
            sc.values[5] = -std::numeric_limits<float>::infinity();
        }
        return sc;
    };
    static const char *names[] = {"surprisal", "entropy", "attention", "fused", "probability"};
    for (int k = 0; k < series; ++k)
        r.scores.push_back(makeSeries(k < 5 ? names[k] : "extra" + std::to_string(k)));
    r.thresholds = {{"surprisal", 3.25, "rate 0.5"},
                    {"fused", std::numeric_limits<double>::infinity(), "none"},
                    {"entropy", std::numeric_limits<double>::quiet_NaN(), "undefined"}};
    for (int s = 0; s < stages; ++s) {
        Stage st;
        st.name = "window " + std::to_string(s + 1);
        for (std::size_t i = 0; i < n; ++i)
            if (r.units[i].stage == s)
                st.removedUnits.push_back(static_cast<int>(i));
        if (s % 4 == 0)
            st.scores.push_back(makeSeries("surprisal"));
        st.thresholds.push_back({"surprisal", 0.1 * s, "window threshold"});
        r.stages.push_back(std::move(st));
    }
    r.warnings = {{"short_prompt", "the prompt is shorter than one window"},
                  {"rate", "achieved 0.49"}};
    finalizeResult(r);
    r.requestedRate = 0.5;
    r.forwardMs = 12.345678901234567;
    r.totalMs = 15.0 / 7.0;
    return r;
}

inline CompressOptions makeOptions()
{
    CompressOptions o;
    o.method = "selective_context";
    o.rate = 0.37;
    o.targetTokens = 120;
    o.mode = CompressionMode::Reference;
    o.seed = 0xfedcba9876543210ull; // above INT64_MAX: must survive the signed column
    o.params = {{"unit", "phrase"}, {"alpha", "0.8"}, {"note", "ünïcode \"quoted\""}};
    o.pinned = {{1, {0, 4}, true}, {1, {10, 20}, false}};
    return o;
}

inline bool sameBits(float a, float b)
{
    return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}
// Doubles: equal, or both NaN (SQLite stores NaN as NULL, so a NaN's payload is not kept).
inline bool sameDouble(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) ||
           std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// The first difference between two score lists, or "".
inline std::string diffSeries(const std::vector<ScoreSeries> &a, const std::vector<ScoreSeries> &b,
                              const std::string &where)
{
    if (a.size() != b.size())
        return where + ": series count " + std::to_string(a.size()) + " vs " +
               std::to_string(b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
        if (a[k].name != b[k].name || a[k].values.size() != b[k].values.size())
            return where + ": series " + std::to_string(k) + " name/size";
        for (std::size_t i = 0; i < a[k].values.size(); ++i)
            if (!sameBits(a[k].values[i], b[k].values[i]))
                return where + ": series " + a[k].name + " value " + std::to_string(i) +
                       " differs in bits";
    }
    return {};
}

inline std::string diffThresholds(const std::vector<Threshold> &a, const std::vector<Threshold> &b,
                                  const std::string &where)
{
    if (a.size() != b.size())
        return where + ": threshold count";
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].series != b[i].series || a[i].label != b[i].label ||
            !sameDouble(a[i].value, b[i].value))
            return where + ": threshold " + std::to_string(i);
    return {};
}

inline std::string diffSegments(const std::vector<PromptSegment> &a,
                                const std::vector<PromptSegment> &b, const std::string &where)
{
    if (a.size() != b.size())
        return where + ": segment count";
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].role != b[i].role || a[i].text != b[i].text)
            return where + ": segment " + std::to_string(i);
    return {};
}

// "" when every field of the two results is equal (scores compared bit for bit).
inline std::string diffResults(const CompressionResult &a, const CompressionResult &b)
{
    if (a.method != b.method || a.mode != b.mode || a.unitName != b.unitName)
        return "method/mode/unit";
    if (auto d = diffSegments(a.segments, b.segments, "segments"); !d.empty())
        return d;
    if (a.units.size() != b.units.size())
        return "unit count";
    for (std::size_t i = 0; i < a.units.size(); ++i) {
        const Unit &x = a.units[i], &y = b.units[i];
        if (x.segment != y.segment || !(x.span == y.span) || x.kept != y.kept ||
            x.forced != y.forced || x.stage != y.stage)
            return "unit " + std::to_string(i);
    }
    if (auto d = diffSeries(a.scores, b.scores, "scores"); !d.empty())
        return d;
    if (auto d = diffThresholds(a.thresholds, b.thresholds, "thresholds"); !d.empty())
        return d;
    if (a.stages.size() != b.stages.size())
        return "stage count";
    for (std::size_t s = 0; s < a.stages.size(); ++s) {
        const std::string where = "stage " + std::to_string(s);
        if (a.stages[s].name != b.stages[s].name ||
            a.stages[s].removedUnits != b.stages[s].removedUnits)
            return where + " name/removed units";
        if (auto d = diffSeries(a.stages[s].scores, b.stages[s].scores, where); !d.empty())
            return d;
        if (auto d = diffThresholds(a.stages[s].thresholds, b.stages[s].thresholds, where);
            !d.empty())
            return d;
    }
    if (a.warnings.size() != b.warnings.size())
        return "warning count";
    for (std::size_t i = 0; i < a.warnings.size(); ++i)
        if (a.warnings[i].code != b.warnings[i].code ||
            a.warnings[i].detail != b.warnings[i].detail)
            return "warning " + std::to_string(i);
    if (a.compressedText != b.compressedText)
        return "compressed text";
    if (a.tokensIn != b.tokensIn || a.tokensOut != b.tokensOut)
        return "token counts";
    if (!sameDouble(a.requestedRate, b.requestedRate) ||
        !sameDouble(a.achievedRate, b.achievedRate) || !sameDouble(a.forwardMs, b.forwardMs) ||
        !sameDouble(a.totalMs, b.totalMs))
        return "rates/timings";
    return {};
}

inline std::string diffOptions(const CompressOptions &a, const CompressOptions &b)
{
    if (a.method != b.method || !sameDouble(a.rate, b.rate) || a.targetTokens != b.targetTokens ||
        a.mode != b.mode || a.seed != b.seed || a.params != b.params)
        return "options scalars/params";
    if (a.pinned.size() != b.pinned.size())
        return "pinned count";
    for (std::size_t i = 0; i < a.pinned.size(); ++i)
        if (a.pinned[i].segment != b.pinned[i].segment || !(a.pinned[i].span == b.pinned[i].span) ||
            a.pinned[i].keep != b.pinned[i].keep)
            return "pinned " + std::to_string(i);
    return {};
}

} // namespace terse::testutil
