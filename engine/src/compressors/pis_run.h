#pragma once
// One PIS compression (private to the compressors): the options and the run's state with one
// member function per stage (algorithms.md 2.2; the progress labels and the trace name the same
// stages). Stage order and what each reads and writes:
//   tokenize         the token sequence over the prompt (separator tokens between segments), pins
//   splitSentences   token texts, sentences and word keys of every segment (pisTokens)
//   scoreTokens      "PIS scoring": attention, TF-IDF and weights from one forward (analysePis)
//   sentenceFilter   "PIS sentence filter": the SIS Russian roulette over redundant sentences
//   ratioAgent       the agent's keep fraction per sentence, or uniform with a no_agent warning
//   "PIS allocation", corrected mode:
//     decideWords      whole words to the target-token budget, ranked by the allocations
//     traceWords       the removed words of "sentence filter" and "token budget"
//   "PIS allocation", reference mode:
//     allocateTokens   per-sentence token counts that meet the rate exactly
//     keepTopTokens    each sentence keeps its top tokens by weight
//   finish           the trace's stages and score series, the output text

#include "compressors/pis.h"
#include "compressors/question_focus.h"
#include "compressors/token_sequence.h"
#include "compressors/word_layer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace terse::detail::pis {

// The options; the initializers are the defaults (params.h table in pis.cpp).
struct Settings {
    double gamma = 0.5;        // TF-IDF weight γ (0 = attention only, 1 = TF-IDF only)
    double tau = 0.9;          // cosine similarity for "redundant"
    double survival = 0.5;     // q: a run of c similar sentences deletes with probability 1 - q^c
    bool sis = true;           // sentence-level Russian roulette on/off
    std::string agent;         // agent file; "" = pis_agent.safetensors beside the model
    bool questionFocus = true; // corrected mode (question_focus.h)
};

// The inputs analysePis takes besides the ids: per position the token's text, the sentences as
// position ranges and each position's word.
struct Tokens {
    std::vector<std::string> text;              // per position ("\n\n" for separator tokens)
    std::vector<std::pair<int, int>> sentences; // [begin, end) positions; separators on their own
    std::vector<std::string> wordKeys;          // lower-cased word texts
    std::vector<int> wordOf;                    // per position: index into wordKeys, -1 none
};

// Token texts, sentences (splitSentences per segment) and words (groupWords) of `seq`, built over
// `prompt` with `units`. Errors: the tokenizer's.
Result<Tokens> pisTokens(const Prompt &prompt, const Tokenizer &tokenizer,
                         const std::vector<Unit> &units, const TokenSequence &seq);

class Run {
public:
    Run(const Prompt &prompt, const CompressOptions &options, const JobContext &job,
        Settings settings, const Model &model, const Tokenizer &tokenizer, std::string modelPath,
        CompressionResult result)
        : prompt(prompt), options(options), job(job), settings(std::move(settings)), model(model),
          tokenizer(tokenizer), modelPath(std::move(modelPath)), r(std::move(result))
    {
    }

    // Every stage in order; the result (its total time is the caller's). Throws EngineError.
    CompressionResult run();

private:
    void tokenize();
    void splitSentences();
    void scoreTokens();
    void sentenceFilter();
    void ratioAgent();
    void decideWords();
    void traceWords();
    void allocateTokens();
    void keepTopTokens();
    void finish();

    // Gives the eligible sentences up to `want` more tokens in proportion to their fractions;
    // returns how many it gave (allocateTokens).
    long shareTokens(const std::vector<bool> &eligible, long want);
    // The trace's two stages before their removed units, and the allocation series.
    void startTrace();
    // A per-position series as a per-unit series.
    std::vector<float> perUnit(const std::vector<float> &perPos) const;
    void checkCancelled() const;

    // Inputs.
    const Prompt &prompt;
    const CompressOptions &options;
    const JobContext &job;
    const Settings settings;
    const Model &model;
    const Tokenizer &tokenizer;
    const std::string modelPath;
    CompressionResult r;

    // Tokens, sentences and the analysis.
    TokenSequence seq;
    int n = 0; // positions
    Tokens tokens;
    PisAnalysis a;
    int S = 0; // sentences

    // The sentence filter and the agent.
    std::vector<float> similarity;   // per position: best cosine to a kept earlier sentence
    std::vector<bool> sentenceAlive; // survivors of the roulette
    std::vector<double> fraction;    // keep fraction per sentence

    // The word decision (corrected).
    std::optional<WordLayer> layer;
    QuestionFocus focus;             // corrected mode, a prompt with a question
    std::vector<int> sentenceOfWord; // per word: its sentence, -1 none

    // The allocation (reference: per-position state, free tokens and tokens given per sentence).
    std::vector<int> state; // 1 forced keep, -1 forced drop / separator, 0 free
    std::vector<int> freeCount;
    std::vector<long> take;
    Stage sis, tis;
    std::vector<float> allocation; // per position: the sentence's keep fraction
};

} // namespace terse::detail::pis
