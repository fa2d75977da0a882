#pragma once
// Helpers shared by the compressors: building units over a prompt, pinning, budgeted top-k
// selection.

#include "terse/compressor.h"
#include "terse/model.h"
#include "compressors/params.h"
#include "models/model_context.h"

#include <chrono>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace terse::detail {

// The compute precision of a method's models: fp32 in reference mode (as the reference computes),
// else options.dtype ("auto": bf16 on a CPU with native bf16; checked by validateOptions).
ComputeDtype methodDtype(const CompressOptions &options);

// The model a model method runs: options.model, else the bundled `which`, loaded (and cached) in
// the method's dtype on options.device, and checked to be what `which` names: a causal LM, or for
// the tagger a token classifier with at least 2 labels. Unsupported names the method and the path.
Result<std::shared_ptr<const LoadedModel>>
methodModel(const std::string &method, const CompressOptions &options, DefaultModel which);

// True when the causal LM a compression runs is small: under kSmallLmParameters, such as the
// bundled terse-lm (23M), a copy or an adaptation of it (`train lm --init-from`) or its GGUF
// export. Such a model's perplexities rank documents worse than BM25 (30 nq_multidoc prompts at
// rate 0.33: the bundled LM's question-conditioned ranking kept the answer in 0.57 of them, BM25 in
// 0.87), so the corrected-mode defaults meant for small models (auto rank_method, sentence_rank)
// ask this. It used to ask whether the model was the bundled one by path, and an adapted copy lost
// them.
inline constexpr long long kSmallLmParameters = 100'000'000;
bool runsSmallLm(const CompressOptions &options, const Model &model);

// What every model method's compress() starts from: its parameters and its model.
template <class P> struct ModelMethodStart {
    P params;
    std::shared_ptr<const LoadedModel> model;
};

// The prologue of a model method's compress(): the options checked (validateOptions), the
// parameters parsed by `table` over `defaults`, then the method's model loaded (methodModel). The
// first error stops it, as each step words it.
template <class P>
Result<ModelMethodStart<P>>
startModelMethod(const std::string &method, const Prompt &prompt, const CompressOptions &options,
                 const ParamTable<P> &table, DefaultModel which, P defaults = P{})
{
    if (auto v = validateOptions(prompt, options); !v)
        return v.error();
    auto params = table.parse(options.params, std::move(defaults));
    if (!params)
        return params.error();
    auto model = methodModel(method, options, which);
    if (!model)
        return model.error();
    return ModelMethodStart<P>{std::move(*params), std::move(*model)};
}

// Milliseconds since `t0` (a result's totalMs).
inline double msSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// "No score" in a per-unit series.
inline constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// A result of `method` for `prompt` before any decision: its segments, mode, requested rate, unit
// name and the model that scores it ("" for model-free methods).
CompressionResult newResult(const std::string &method, const Prompt &prompt,
                            const CompressOptions &options, std::string unitName,
                            std::string model = {});

// Word units (splitWords) over every segment; instruction/question units are marked forced+kept
// when `keepNonContext` is true.
std::vector<Unit> wordUnits(const Prompt &prompt, bool keepNonContext);

// Applies the user's pinned spans: a unit overlapping a keep pin is forced kept, a drop pin forced
// dropped.
void applyPins(std::vector<Unit> &units, const std::vector<PinnedSpan> &pins);

// A re-decision from cached scores is possible when only the rate, the target and the pins changed:
// the same method, mode, options, model and target tokenizer (the canRethreshold of the methods
// that cache scores).
bool onlyThresholdsChanged(const CompressionResult &previous, const std::string &method,
                           const CompressOptions &prevOptions, const CompressOptions &next);

// Re-decides `previous` under `next` with the method's own option parser and decision step (its
// rethreshold): no model runs, so forwardMs is 0 and totalMs the time of the decision.
template <class Parse, class Decide>
Result<CompressionResult> redecide(const CompressionResult &previous, const CompressOptions &next,
                                   Parse parse, Decide decide)
{
    const auto t0 = std::chrono::steady_clock::now();
    CompressionResult r = previous;
    if (auto v = validateOptions(Prompt{r.segments}, next); !v)
        return v.error();
    auto params = parse(next);
    if (!params)
        return params.error();
    if (auto d = decide(r, next, *params); !d)
        return d.error();
    r.forwardMs = 0;
    r.totalMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

// The values of a per-unit series of `r` (a score or an internal series) when it has one value per
// unit.
const std::vector<float> *unitValues(const CompressionResult &r, const char *name);

// Number of units to keep overall for the options (targetTokens, else round(rate * units.size())).
long keepBudget(const std::vector<Unit> &units, const CompressOptions &options);

// Keeps the forced-kept units, drops forced-dropped ones, and fills the rest of `budget` with the
// highest-scoring free units (ties: earlier unit first). Returns the score threshold (the lowest
// kept free score; +inf when none kept).
double keepTopK(std::vector<Unit> &units, const std::vector<float> &scores, long budget);

// Python's str.split(" "): every single space separates, so empty pieces appear between spaces.
std::vector<std::string> splitOnSpaces(const std::string &text);

// numpy.percentile(values, q) with the default linear method (numpy 1.24 _quantile / _lerp); with
// `skipNaN` numpy.nanpercentile. NaN when no value is left. The one percentile every method's
// reference mode uses.
double numpyPercentile(std::vector<double> values, double q, bool skipNaN = false);

// ASCII letters lower-cased; other bytes unchanged.
std::string lowerAscii(std::string s);

// Python's str.isspace for one byte.
bool isPyspace(char c);

// Whether `s` has an ASCII digit.
bool hasDigit(std::string_view s);

// A byte of an identifier: an ASCII letter or digit, or any byte of a multi-byte UTF-8 character.
bool isAlnumByte(char c);

// Whether the words at `a` and `b` of `text` (touching, no whitespace between) are one identifier
// or number: either side has a digit (3.14, ABC123), or they meet at a connector "-_./:@#"
// (ABC-123, user_id, a/b, x@y) with identifier bytes on both sides.
bool identifierJoin(std::string_view text, Span a, Span b);

} // namespace terse::detail
