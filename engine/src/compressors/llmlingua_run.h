#pragma once
// One LLMLingua / LongLLMLingua compression (private to the compressors): the parameters, the token
// stream the ITPC runs on, and the run's state with one member function per stage of
// compress_prompt (microsoft/LLMLingua prompt_compressor.py; the trace shows the same stages).
// Stage order and what each reads and writes:
//   assignRoles          instruction, question, context segments; the rank method resolved
//   normaliseCondition   the question's place (cond) and whether it conditions the token stage
//   (step 0) prepareContexts      structured <llmlingua> segments, context texts and lengths, the
//   token budget (step 1) coarseRanking        contexts ranked and kept up to the budget, dynamic
//   ratios (steps 2-3) sentenceFilter       sentences of the kept contexts ranked and kept (step 4)
//   conditioningPrefix   the question prefix of the token stage (step 5)
//   buildStream          the token stream, its pins, rates and contexts
//   tokenStage           the ITPC windows (reference or corrected)
//   collectUnits         units over every segment with their scores and stages
//   decideWords          corrected mode: whole words to the target-token budget (question sentences
//   first) finish               stage lists, score series and the output text
// Line numbers cite prompt_compressor.py (algorithms.md section 1).

#include "compressors/llmlingua_itpc.h"
#include "compressors/word_layer.h"
#include "terse/compressor.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace terse::detail::lingua {

// The options of both methods; the initializers are LLMLingua's defaults (params.h).
struct Params {
    int iterativeSize = 200;
    // "auto": "*2" in corrected mode when the coarse ranking is model-free (bm25, gzip), "+100"
    // (the reference default) otherwise (resolved in Run::assignRoles).
    std::string contextBudget = "auto";
    double tokenBudgetRatio = 1.4;
    std::string conditionInQuestion = "none";
    std::string reorderContext = "original";
    double dynamicRatio = 0.0;
    bool conditionCompare = false;
    bool sentenceFilter = false;
    bool contextFilter = true;
    bool tokenFilter = true;
    bool keepSplit = false;
    int keepFirstSentence = 0;
    int keepLastSentence = 0;
    int keepSentenceNumber = 0;
    double highPriorityBonus = 100;
    std::vector<int> forceContextIds;
    std::string rankMethod = "auto"; // resolved per run (llmlingua_contexts.cpp)
    bool concateQuestion = true;
    bool addInstruction = false;
    bool strictPreserveUncompressed = true;
    std::string structured = "auto";
    std::string sentenceRank =
        "auto"; // corrected: keep the question's best sentences whole (auto, bm25, none)
};

// LongLLMLingua's documented configuration (longllmlingua.cpp).
Params longLLMLinguaDefaults();

// A content range of a structured context with its rate (segment_structured_context, lines
// 2072-2129).
struct StructSeg {
    Span span; // content bytes in the segment text
    double rate = 1.0;
    bool compress = true;
};

// The contents of a segment's <llmlingua ...> tags; the tag text itself goes to `tags`.
std::vector<StructSeg> parseStructured(const std::string &text, double globalRate,
                                       std::vector<Span> &tags);

// eval(str(target) + context_budget) (line 1192) for the forms the reference documents: "+100",
// "*1.5".
double applyContextBudget(double target, const std::string &budget);

// The token stream the ITPC runs on: pieces of segments joined by separators, tokenised once.
struct Stream {
    struct Piece {
        int segment = -1;         // -1: separator or conditioning prefix (not part of the output)
        std::size_t segBegin = 0; // byte offset of the piece in its segment
        std::size_t flatBegin = 0, flatEnd = 0;
    };
    std::string flat;
    std::vector<Piece> pieces;
    std::vector<int> ids;
    std::vector<int> tokSegment; // owner segment per token (-1: separator/prefix)
    std::vector<Span> tokSpan;   // span in that segment

    void add(int segment, std::size_t segBegin, std::string_view text);
    void tokenize(const Lm &lm);
};

// A decided byte range of a segment, before the units are built.
struct Entry {
    int segment;
    Span span;
    bool kept;
    bool forced;
    int stage;
    float score;
};

// Appends the character-aligned tokens of `text` (at byte `base` of `segment`) as entries.
void addEncodedEntries(const Lm &lm, std::vector<Entry> &out, int segment, std::size_t base,
                       std::string_view text, bool kept, bool forced, int stage);
// Units over every segment byte from the entries (gaps become forced units); their scores to
// `scoreOut`.
std::vector<Unit> buildUnits(std::vector<Entry> entries, const std::vector<PromptSegment> &segments,
                             std::vector<float> &scoreOut);

// A context kept by the coarse stage: its content ranges with their rates.
struct CtxPart {
    int k;                        // index into the contexts
    std::vector<StructSeg> parts; // kept content byte ranges of the segment, with their rates
};

class Run {
public:
    Run(const Prompt &prompt, const CompressOptions &options, const JobContext &job, Params params,
        bool longVariant, Lm lm, CompressionResult result)
        : prompt(prompt), options(options), job(job), p(std::move(params)),
          longVariant(longVariant), ref(options.mode == CompressionMode::Reference),
          lm(std::move(lm)), r(std::move(result))
    {
    }

    // Every stage in order; the result (forward and total times are the caller's).
    CompressionResult run();

    const Lm &model() const { return lm; }

private:
    void assignRoles();
    void normaliseCondition();
    void prepareContexts();
    void coarseRanking();
    void sentenceFilter();
    void conditioningPrefix();
    void buildStream();
    void tokenStage();
    void collectUnits();
    void decideWords();
    void finish();

    // Inputs.
    const Prompt &prompt;
    const CompressOptions &options;
    const JobContext &job;
    Params p;
    const bool longVariant;
    const bool ref;
    Lm lm;
    CompressionResult r;

    // Roles and the ranking.
    std::string instruction, question;
    std::vector<int> ctxSeg; // segment index of each context
    bool retrieval = false;  // bm25 / gzip ranking (model-free)
    std::string cond;
    bool conditionFlag = false;

    // Contexts and the budget.
    bool structured = false;
    long lI = 0, lQ = 0;
    double rate = 0, target = -1;
    bool haveTarget = false;
    std::vector<std::vector<StructSeg>> segs;
    std::vector<std::vector<Span>> tagPerCtx;
    std::vector<std::string> ctxText;
    std::vector<long> ctxLen;
    std::vector<char> ctxPinned;
    std::vector<Entry> entries; // decided ranges (coarse and sentence drops, then the token stage)

    // Coarse ranking and the sentence filter.
    std::vector<int> used;       // kept contexts in output order
    std::vector<double> dyn;     // dynamic ratio offset per kept context
    std::vector<float> ctxScore; // ranking score per context
    std::vector<CtxPart> kept;
    std::vector<std::string> keptText;

    // The token stage.
    std::string prefix;
    int start = 0; // first stream token after the conditioning prefix
    Stream stream;
    long nTok = 0;
    std::vector<char> pinKeep, pinDrop;
    std::vector<double> tokRate;
    std::vector<char> tokCompress;
    std::vector<int> tokCtx;
    std::string scoreName;
    std::vector<char> tokKept;
    std::vector<float> tokScore;
    std::vector<int> tokStage;
    std::string refCompressed;
    int firstWindowStage = 0;

    // Units and the word decision.
    std::vector<float> unitScore;
    std::optional<detail::WordLayer> wordLayer;
    std::vector<char> wordKeep;
};

} // namespace terse::detail::lingua
