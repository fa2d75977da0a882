#pragma once
// One LLMLingua-2 compression (private to the compressors): the run's state with one member
// function per step of compress_prompt_llmlingua2 (algorithms.md 1.5; the progress labels, the
// trace and the warnings name the same stages). Stage order and what each reads and writes:
//   mapForceTokens   force tokens that are not one subword mapped to [NEWi]; the chunk-end set
//   chunkContexts    each context tokenised with the mapping and cut into chunks (step 2)
//   classifyChunks   "classifying chunks": the keep probability of every chunk token (steps 3-4)
//   mergeWords       the chunk tokens merged into words with their probabilities (step 5)
//   buildUnits       one unit per word (or identifier run), tiling each segment, and the cached
//                    per-unit series that rethreshold() re-decides from
//   coarseRanking    "coarse ranking": the question-aware context score (coarse_rank)
//   decideUnits      decide(): "context filter" and "token filter" (steps 6-10)
//   finish           the "chunked" warning (corrected mode)

#include "compressors/llmlingua2_impl.h"
#include "terse/model.h"
#include "terse/tokenizer.h"

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace terse::detail::lingua2 {

// A force token that is not exactly one subword: it becomes [NEW{index}] (1.5 step 1).
struct MappedToken {
    std::string text;
    int index;
    int id;
};

// One model token of a context, with the [NEWi] mapping of force tokens applied (1.5 step 1).
struct Tok {
    int id = 0;
    std::string str;
    Span span;
    int mapped = -1; // index i of [NEWi], or -1
    bool special = false;
};

// A chunk of at most 510 tokens of one context segment (__chunk_context).
struct Chunk {
    int segment;
    std::vector<Tok> toks;
};

// A word as __merge_token_to_word builds it.
struct Word {
    Span core;
    std::vector<float> probs; // per token, forced/digit already applied
    float firstRaw = 0;       // the first token's raw probability (no-force list)
    int force = 0;            // kForce encoding
    int chunk = -1;
    bool modelWord = true; // false: a skipped special token ([UNK]) in reference mode
};

// The per-unit series buildUnits caches in the result (llmlingua2_impl.h's names).
struct UnitCache {
    std::vector<float> prob, probNoForce, force, chunk, targetTokens, wordOffset, wordBytes,
        protect;
};

class Run {
public:
    Run(const Prompt &prompt, const CompressOptions &options, const JobContext &job,
        const Params &params, const Model &model, const Tokenizer &tokenizer, std::string method,
        std::string modelPath);

    // Every stage in order; the result (its total time is the caller's). Throws EngineError.
    CompressionResult run();

private:
    void mapForceTokens();
    void chunkContexts();
    void classifyChunks();
    void mergeWords();
    void buildUnits();
    void coarseRanking();
    void decideUnits();
    void finish();

    // The tokens of one context text with the [NEWi] mapping (chunkContexts).
    std::vector<Tok> mappedTokens(const std::string &text) const;
    // The tokens of text[b, e) appended to `toks` (mappedTokens).
    void encodePiece(const std::string &text, std::size_t b, std::size_t e,
                     std::vector<Tok> &toks) const;
    // Whether `tk` starts a word (is_begin_of_new_word); `pure` is its text, "##" stripped for a
    // WordPiece continuation.
    bool beginsWord(const Tok &tk, std::string &pure) const;
    bool isForceText(const std::string &s) const;
    // The units of segment s and their series (buildUnits); protectUnits marks the protected ones.
    void segmentUnits(int s);
    void addUnit(int s, Span core, float pw, float pnf, float force, float chunk, float tt);
    void protectUnits(int s, std::size_t first, std::size_t last);
    float countTarget(std::string_view s) const;

    // Inputs.
    const Prompt &prompt;
    const CompressOptions &options;
    const JobContext &job;
    const Params &p;
    const Model &model;
    const Tokenizer &tok;
    const std::string method;
    const std::string modelPath;
    const bool reference;
    const bool wordPiece;
    // Beyond the reference (BERT / XLM-R only): byte-level BPE taggers (Terse's own) start a word
    // at a token whose text begins with whitespace (the space travels with the following word).
    const bool byteLevel;

    // Force tokens, special ids and the window.
    std::vector<MappedToken> mapped;
    std::set<std::string> chunkEnd;
    SpecialIds sid;
    int cls = -1, sep = -1;
    int maxLen = 512;

    // Chunks, their probabilities and words.
    std::vector<Chunk> chunks;
    std::vector<std::vector<int>> inputs;
    std::vector<std::vector<float>> keepProb;
    double forwardMs = 0;
    std::vector<std::vector<Word>> words; // per segment

    // Units.
    CompressionResult r;
    UnitCache cache;
    std::shared_ptr<const Tokenizer> target; // null: count one token per non-empty word
};

} // namespace terse::detail::lingua2
