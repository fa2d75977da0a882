#pragma once
// The Compressor interface, its options and results, and the method registry (design.md rules 2-3).
// Plain value types only: no torch, no Qt.

#include "terse/job.h"
#include "terse/result.h"
#include "terse/text_units.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace terse {

// reference: reproduce the reference implementation including its documented quirks (parity);
// corrected: the default; fixes the quirks so that the achieved rate equals the requested one.
enum class CompressionMode { Corrected, Reference };

// The role of a prompt segment. Instruction and question are kept verbatim by the LLMLingua family.
enum class SegmentRole { Instruction, Context, Question };

struct PromptSegment {
    SegmentRole role = SegmentRole::Context;
    std::string text; // UTF-8
};

// A prompt: plain text is a single Context segment.
struct Prompt {
    std::vector<PromptSegment> segments;

    static Prompt fromText(std::string text);
    // All segment texts in order, joined with "\n\n" (the reference's join).
    std::string joined() const;
};

// A span the user pinned: force-keep or force-drop the units it overlaps.
struct PinnedSpan {
    int segment = 0;  // index into Prompt::segments
    Span span;        // byte range in that segment's text
    bool keep = true; // true: force keep; false: force drop
};

// Describes one method-specific option so the UI and CLI can present it generically.
struct OptionSpec {
    enum class Type { Double, Int, Bool, Choice, String };
    std::string name;  // key in CompressOptions::params, e.g. "alpha"
    std::string label; // short English label, e.g. "Attention weight α"
    std::string help;  // one-sentence tooltip, cites the paper/reference where it matters
    Type type = Type::Double;
    std::string defaultValue; // as text: "0.8", "true", "mean"
    double minValue = 0;      // numeric types
    double maxValue = 1;
    double step = 0.01;
    std::vector<std::string> choices; // Choice type
};

struct CompressOptions {
    std::string method = "random"; // registry name
    double rate = 0.5;             // keep fraction: compressed/original tokens, in (0, 1]
    long targetTokens = -1;        // >= 0 overrides rate (token budget of the output)
    CompressionMode mode = CompressionMode::Corrected; // reference quirks or corrected behaviour
    std::uint64_t seed = 42;                           // for methods with randomness
    std::string model;          // model folder/file; "" = the method's default model
    std::string device = "cpu"; // where models run: cpu, cuda, cuda:N or auto (resolveDevice)
    // Compute precision of the models in corrected mode: "auto" (bf16 on a CPU with native bf16,
    // else fp32), "fp32" or "bf16" (parseDtype). Reference mode computes in fp32, as the reference
    // implementations do.
    std::string dtype = "auto";
    std::string targetTokenizer =
        "cl100k_base";                         // tokenizer of the target LLM, for token accounting
    std::map<std::string, std::string> params; // method-specific options by OptionSpec::name
    std::vector<PinnedSpan> pinned;            // user force-keep / force-drop spans
    // Corrected mode: a prompt that is one Context whose end asks a question
    // (trailingQuestionStart) is compressed as that context plus a Question part, so the question
    // is kept whole and the question-aware methods rank against it. false: the text is one context,
    // as the reference treats a plain string (the app's structured editor, whose parts the user
    // chose).
    bool findQuestion = true;
    // Corrected mode's BM25 ranking of contexts and question sentences matches a question's words
    // to near-synonyms through word vectors (issue 15; context_rank.h): "" = the bundled
    // terse-words vectors (exact words only when they are absent), "none" = exact words only, or a
    // word-vector file or folder (`terse train vectors`). Reference mode never uses them.
    std::string wordVectors;
};

// One unit the method decided on (a token, word, phrase or sentence, depending on the method).
struct Unit {
    int segment = 0; // index into CompressionResult::segments
    Span span;       // byte range in that segment's text, including trailing whitespace
    bool kept = true;
    bool forced = false; // decision forced (pinned, protected, or instruction/question)
    int stage = -1; // index of the stage that dropped it, -1 if kept or dropped in the only stage
};

// A named per-unit score series ("surprisal", "entropy", "attention", "fused", "probability").
struct ScoreSeries {
    std::string name;
    std::vector<float> values; // one per unit; NaN where not defined
};

// A decision threshold on a score series, to draw as a line.
struct Threshold {
    std::string series; // ScoreSeries::name it applies to
    double value = 0;
    std::string label;
};

// One step of an iterative method (a window, an iteration, a coarse filter).
struct Stage {
    std::string name;                // e.g. "window 3", "coarse ranking", "iteration 2"
    std::vector<int> removedUnits;   // indices into units removed in this stage
    std::vector<ScoreSeries> scores; // per-unit scores as seen in this stage (may be empty)
    std::vector<Threshold> thresholds;
    // Units this stage decided on: [firstUnit, endUnit) (an LLMLingua window), -1 when not
    // recorded.
    int firstUnit = -1;
    int endUnit = -1;
};

// A non-fatal condition the user should know about (e.g. "prompt shorter than window: not
// compressed").
struct Warning {
    std::string code;
    std::string detail;
};

// True for a note: the warning explains how the method met the request ("chunked", "no_question", a
// filter undone to meet the rate). Every other code means the result is not what was asked (a real
// warning).
bool isNote(const std::string &warningCode);

struct CompressionResult {
    std::string method;
    CompressionMode mode = CompressionMode::Corrected;
    std::vector<PromptSegment> segments; // the input, as compressed
    std::vector<Unit> units;             // in text order; spans cover the segments exactly
    std::vector<ScoreSeries>
        scores; // final per-unit scores (what a user can colour by, plot, export)
    // Per-unit bookkeeping a method keeps only to re-decide from this result later (rethreshold):
    // byte offsets, flags, chunk indices. Not scores: never in the JSON, exports, the session
    // database or the app (issue 19).
    std::vector<ScoreSeries> internals;
    std::vector<Threshold> thresholds;
    std::vector<Stage> stages;
    std::vector<Warning> warnings;
    std::string compressedText; // the kept units, segments joined with "\n\n"
    // Each segment's own compressed text ("" when nothing of it is kept), where compressedText is
    // these pieces joined with "\n\n" (finalizeResult, llmlingua2: LLMLingua-2's
    // compressed_prompt_list). Methods that render their text otherwise leave it empty or
    // inconsistent; resultToJson then omits it.
    std::vector<std::string> segmentTexts;
    long tokensIn = 0;  // units before (in the method's unit)
    long tokensOut = 0; // units kept
    double requestedRate = 0;
    // targetTokensOut / targetTokensIn: the rate in the target LLM's tokens (what a user pays for);
    // the unit ratio when the target tokenizer is unavailable (then targetTokensIn is -1).
    double achievedRate = 0;
    double unitRate = 0;           // tokensOut / tokensIn, in the method's own unit
    double forwardMs = 0;          // time in model forward passes
    double totalMs = 0;            // wall time of compress()
    std::string unitName = "word"; // "token", "word", "phrase", "sentence"
    std::string model;             // the model that scored the prompt ("" for model-free methods)
    long targetTokensIn = -1;      // prompt length in the target tokenizer (-1: not counted)
    long targetTokensOut = -1;     // compressed length in the target tokenizer

    const ScoreSeries *series(const std::string &name) const;
    const ScoreSeries *internal(const std::string &name) const;
};

class Compressor {
public:
    virtual ~Compressor() = default;
    virtual std::string name() const = 0;        // registry key, e.g. "dac"
    virtual std::string displayName() const = 0; // e.g. "DAC"
    virtual std::string description() const = 0; // one sentence
    virtual std::vector<OptionSpec> options() const = 0;

    // Compresses the prompt. Synchronous; reports progress and honours cancellation through `job`.
    // Thread: any, but one call at a time per instance.
    virtual Result<CompressionResult> compress(const Prompt &prompt, const CompressOptions &options,
                                               const JobContext &job) = 0;

    // True when `next` differs from the options that produced `previous` only in ways this method
    // can re-decide from the cached scores (rate, thresholds): no model run needed.
    virtual bool canRethreshold(const CompressionResult &previous,
                                const CompressOptions &prevOptions,
                                const CompressOptions &next) const;

    // Re-decides from cached scores (only valid when canRethreshold() is true). Microseconds.
    virtual Result<CompressionResult> rethreshold(const CompressionResult &previous,
                                                  const CompressOptions &next) const;
};

// Information about a registered method.
struct MethodInfo {
    std::string name;
    std::string displayName;
    std::string description;
    std::vector<OptionSpec> options;
};

// The registry of compressors (explicit registration in registry.cpp).
std::vector<MethodInfo> availableMethods();
// The registered method called `name`; NotFound names the known methods.
Result<MethodInfo> findMethod(const std::string &name);
// Creates a compressor by registry name; NotFound names the known methods.
Result<std::unique_ptr<Compressor>> createCompressor(const std::string &name);

// Where the question at the end of a plain prompt starts (a byte of `text`), or npos. In the last
// paragraph (after the last blank line), the last line that starts with "Question:", "Query:" or
// "Q:" (any case) begins it, and everything after it is part of it ("Question: ...\nAnswer:");
// without such a line, a last paragraph that is one line ending in '?' (or the fullwidth '？' of
// Chinese and Japanese, or the Arabic '؟'), or one line of at most 200 bytes opening with an
// interrogative word ("when did ...") and not ending in '.', '!' or ':', is the question.
// Something other than whitespace must come before it, and it is at most 3 lines ("Question:
// ...\nLet's think step by step\nAnswer:", not a few-shot demonstration with its worked answer)
// and 2000 bytes.
std::size_t trailingQuestionStart(std::string_view text);

// Where the parts of a plain prompt begin (bytes of `text`, the first is 0) and their roles. Empty
// when no question is found. With `paragraphs`, the text before the question splits at its blank
// lines when that gives at least 3 paragraphs, and a first paragraph of at most 3 lines and 500
// bytes is the Instruction when at least 3 follow it.
struct PromptParts {
    std::vector<std::size_t> starts;
    // Where each part's text ends: before the whitespace up to the next part (or the text's end).
    std::vector<std::size_t> ends;
    std::vector<SegmentRole> roles;
};
// The compressors read a plain prompt so in corrected mode (`paragraphs` for LLMLingua,
// LongLLMLingua and LLMLingua-2, which rank contexts); the app's structured editor converts with
// it.
PromptParts plainPromptParts(std::string_view text, bool paragraphs);

// Validates options common to all methods (rate range, target tokens, pinned spans vs prompt).
Result<void> validateOptions(const Prompt &prompt, const CompressOptions &options);

// Checks method-specific options against the method's OptionSpecs: every key known, every value of
// its type (number, integer, true/false, one of the choices) and in range. InvalidArgument names
// the key and the method: "unknown <what> key 'k' for dac (valid: ...)", "<what> alpha of dac must
// be in [0, 1], got 3"; `what` is how the caller's users write an option ("--param" on the command
// line).
Result<void> validateMethodParams(const MethodInfo &method,
                                  const std::map<std::string, std::string> &params,
                                  const std::string &what = "option");

// Fills text, counts and rates of `result` from its units' kept flags (achievedRate from the target
// token counts when they are set, else the unit ratio).
void finalizeResult(CompressionResult &result);

// Sets achievedRate from the target token counts (the unit ratio when they are not counted).
void updateAchievedRate(CompressionResult &result);

// Serialises a result to JSON text (the CLI's --json and the export format).
std::string resultToJson(const CompressionResult &result, bool pretty = true);
// Options as JSON, the one encoding the session store and every export use: method, rate,
// target_tokens, mode, seed (as text), params, pinned, model, device, dtype, target_tokenizer,
// find_question.
std::string compressOptionsToJson(const CompressOptions &options, bool pretty = true);

// Name of a mode ("corrected"/"reference") and the reverse; parse fails on unknown names.
const char *modeName(CompressionMode mode);
Result<CompressionMode> parseMode(const std::string &name);
// "instruction", "context" or "question" (the session store and the JSON output spell roles so).
const char *roleName(SegmentRole role);

} // namespace terse
