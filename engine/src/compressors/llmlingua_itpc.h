#pragma once
// LLMLingua's iterative token-level compression (ITPC), private to compressors/llmlingua*.cpp
// (issue 19: split out of llmlingua.cpp): the model side (tokenisation, the reference's get_ppl,
// KV-cached steps), the window plans, the reference ITPC (iterative_compress_prompt 1523-1749,
// get_compressed_input 1402-1506) and the corrected ITPC. Line numbers cite microsoft/LLMLingua
// llmlingua/prompt_compressor.py.

#include "core/engine_error.h"
#include "terse/job.h"
#include "terse/model.h"
#include "terse/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace terse::detail::lingua {

constexpr int kCacheBosNum = 10;   // attention-sink slots kept on KV eviction (line 87)
constexpr int kPrefixBosNum = 100; // head of an over-long question prefix that is kept (line 88)

// Internal failures travel to the compress() edge as the engine's one exception type.
using Stop = EngineError;

[[noreturn]] inline void stop(ErrorCode code, std::string detail)
{
    raise(code, std::move(detail));
}

using detail::unwrap;

// Python slice bound: negative counts from the end, then clamped to [0, n].
inline long pyIdx(long i, long n)
{
    if (i < 0)
        i += n;
    return std::clamp(i, 0L, n);
}

// Number of Unicode code points (Python len of a str) in UTF-8 text.
inline long pyLen(std::string_view s)
{
    long n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

// The model side: tokenisation and the reference's get_ppl.
struct Lm {
    const Model &model;
    const Tokenizer &tok;
    const JobContext &job;
    int maxPos = 512;
    double forwardMs = 0;

    std::vector<int> encode(std::string_view text, bool special) const
    {
        auto ids = unwrap(tok.encodeIds(text, EncodeOptions{special, SpecialText::Auto}));
        return {ids.begin(), ids.end()};
    }
    // get_token_length (line 975): tokens with the tokenizer's special tokens.
    long length(std::string_view text, bool special = true) const
    {
        return static_cast<long>(encode(text, special).size());
    }
    std::string decode(const std::vector<int> &ids) const
    {
        return unwrap(tok.decode(std::vector<std::int32_t>(ids.begin(), ids.end())));
    }

    void check() const
    {
        if (job.isCancelled())
            stop(ErrorCode::Cancelled, "compression cancelled");
    }

    // get_ppl(granularity="token") without cache (lines 165-210): loss[k] = -log p(ids[k+1] |
    // ids[<=k]), the input silently truncated at max_position_embeddings.
    std::vector<float> tokenLoss(std::vector<int> ids)
    {
        if (static_cast<int>(ids.size()) > maxPos)
            ids.resize(maxPos);
        if (ids.size() < 2)
            return {};
        ScoreRequest req;
        req.wantEntropy = false;
        const auto t0 = std::chrono::steady_clock::now();
        auto r = unwrap(model.score({ids}, req, job));
        forwardMs +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        std::vector<float> loss;
        for (float lp : r.sequences[0].nextTokenLogprob)
            loss.push_back(-lp);
        return loss;
    }

    StepScores append(ModelSession &s, const std::vector<int> &ids)
    {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = unwrap(s.append(ids, false, job));
        forwardMs +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        return r;
    }

    // get_condition_ppl (lines 999-1021), granularity "sentence": mean loss, NaN when the slice is
    // empty.
    double conditionPpl(const std::string &text, const std::string &question,
                        const std::string &cond)
    {
        std::vector<float> loss;
        long from = 0;
        if (cond == "none") {
            loss = tokenLoss(encode(text, true));
        } else if (cond == "before") {
            loss = tokenLoss(encode(question + text, true));
            from = length(question) - 1;
        } else {
            loss = tokenLoss(encode(text + question, true));
            from = length(text) - 1;
        }
        from = pyIdx(from, static_cast<long>(loss.size()));
        if (from >= static_cast<long>(loss.size()))
            return std::numeric_limits<double>::quiet_NaN();
        double sum = 0;
        for (std::size_t i = from; i < loss.size(); ++i)
            sum += loss[i];
        return sum / static_cast<double>(loss.size() - from);
    }
};

// ---------------------------------------------------------------------------------------------------------
// Window plans.

using Window = std::vector<std::pair<long, double>>; // (tokens, keep ratio) pieces

// get_dynamic_compression_ratio (lines 1023-1065).
std::vector<Window> dynamicPlan(const Lm &lm, const std::vector<std::string> &context,
                                double target, int it, const std::vector<double> &dyn, int start);

// token_segment (lines 1115-1171): windows from per-segment rates over the stream after the prefix.
std::vector<Window> structuredPlan(const Lm &lm, const std::vector<int> &ids, int it,
                                   const std::vector<std::string> &segments,
                                   const std::vector<double> &rate,
                                   const std::vector<char> &compress);

// ---------------------------------------------------------------------------------------------------------
// Reference ITPC (iterative_compress_prompt 1523-1749, get_compressed_input 1402-1506).

struct WindowTrace {
    std::vector<double> thresholds;
};

struct ItpcOut {
    std::vector<char> kept;   // per stream token
    std::vector<float> value; // decision value per stream token (NaN where undecided)
    std::vector<int> stage;   // window that dropped the token, -1
    std::vector<WindowTrace> windows;
};

// get_estimate_threshold_base_distribution (lines 1508-1521).
double estimateThreshold(std::vector<float> v, double ratio);

struct RefItpc {
    RefItpc(Lm &l, int iter, int st, bool c, int split, const std::vector<char> &keepPins,
            const std::vector<char> &dropPins)
        : lm(l), it(iter), start(st), cc(c), splitId(split), pinKeep(keepPins), pinDrop(dropPins)
    {
    }
    Lm &lm;
    int it;
    int start;
    bool cc;
    int splitId;
    const std::vector<char> &pinKeep; // by original stream index
    const std::vector<char> &pinDrop;

    std::vector<int> ids, pos; // compressed stream and original indices
    std::vector<int> selfIds;
    std::vector<int> keep; // keep_flag (empty: None)
    ItpcOut out;
    int window = 0;

    // get_compressed_input; returns the new end.
    long compressedInput(std::vector<float> &loss, long end, long iterSize, double threshold,
                         std::vector<float> *selfLoss);

    // get_ppl with a cache: forwards ids[past:end] on top of the session; loss of the new tokens
    // but the first.
    std::vector<float> pplStep(std::optional<ModelSession> &session, const std::vector<int> &seq,
                               std::optional<long> endArg);

    static void trimSession(std::optional<ModelSession> &s, long to);

    static void assignSlice(std::vector<float> &dst, long a, long b, const std::vector<float> &src);

    void run(const std::vector<int> &stream, const std::vector<Window> &plan,
             const std::vector<int> &keepFlag);

    std::vector<int> keptOrder; // original stream indices of the output, in output order

    static void evict(ModelSession &s, long start, long count);
};

// ---------------------------------------------------------------------------------------------------------
// Corrected ITPC: windows of iterative_size over the stream after the prefix; each token scored by
// its own surprisal (paper alignment) given the prefix and the already compressed text; a
// provisional per-window keep decision builds that compressed prefix; the final decision is a
// budgeted top-k done by the caller.

struct CorrItpc {
    CorrItpc(Lm &l, int iter, int st, bool c) : lm(l), it(iter), start(st), cc(c) {}
    Lm &lm;
    int it;
    int start;
    bool cc;
    std::vector<char> forceKeep, forceDrop; // by stream index
    std::vector<double> ratio;              // keep ratio per stream token
    std::vector<long> wordOf; // atomic word of each stream token (-1: none): whole-word decisions

    std::vector<float> score; // per stream token: surprisal or contrastive (self - conditional)
    std::vector<float> surprisal;
    std::vector<char> provisional;
    std::vector<WindowTrace> windows;

    void appendBounded(ModelSession &s, const std::vector<int> &chunk, int sink,
                       std::vector<float> *lossOut);

    void run(const std::vector<int> &ids);
};

} // namespace terse::detail::lingua
