#pragma once
// PIS as implemented here (algorithms.md 2.2; arXiv 2504.16574 publishes no code): token importance
// from causally normalised attention and TF-IDF, sentence-level Russian-roulette removal of
// redundant sentences, and per-sentence keep fractions from a Double-DQN agent rescaled to the
// requested rate.
#include "terse/compressor.h"
#include "terse/model.h"
#include "terse/tokenizer.h"

#include <string>
#include <vector>

namespace terse {

class PisCompressor : public Compressor {
public:
    std::string name() const override { return "pis"; }
    std::string displayName() const override { return "PIS"; }
    std::string description() const override;
    std::vector<OptionSpec> options() const override;
    // Token units. The agent is params["agent"] or pis_agent.safetensors beside the model; without
    // one every sentence gets the same allocation and the result carries a "no_agent" warning. The
    // rate is met exactly. Random draws come from options.seed. Errors: model/agent loading,
    // Cancelled.
    Result<CompressionResult> compress(const Prompt &prompt, const CompressOptions &options,
                                       const JobContext &job) override;
};

namespace detail {

// The action set: keep fractions 0.1, 0.2, ..., 1.0.
constexpr int kPisActions = 10;
inline double pisKeepFraction(int action)
{
    return 0.1 * (action + 1);
}

// Everything PIS derives from one forward over a prompt, shared by the compressor and the agent
// trainer.
struct PisAnalysis {
    std::vector<int> ids;                       // model input
    std::vector<std::string> tokenText;         // text of each token (tiled spans)
    std::vector<float> attention;               // a_i, min-max normalised
    std::vector<float> tfidf;                   // TF-IDF of each token's word, min-max normalised
    std::vector<float> weight;                  // w_i = a_i^(1-γ) · tfidf_i^γ
    std::vector<std::pair<int, int>> sentences; // token range [begin, end) of each sentence
    std::vector<std::vector<float>> embeddings; // mean last hidden state per sentence
    int hidden = 0;
    double forwardMs = 0;
};

// Analyses `ids` (tokens with their texts, sentence ranges given) with `model`: scored in chunks of
// at most the model's window, cut at sentence boundaries. γ balances attention and TF-IDF.
// `sentenceTf` (corrected mode): a word's TF counts it in its own sentence (the IDF's documents)
// instead of over the whole prompt (algorithms.md 2.2 step 3), so frequent function words stop
// outranking the rare words, names and numbers that TF-IDF exists to find.
Result<PisAnalysis> analysePis(const Model &model, std::vector<int> ids,
                               std::vector<std::string> tokenText,
                               std::vector<std::pair<int, int>> sentences,
                               const std::vector<std::string> &wordKeys,
                               const std::vector<int> &wordOf, double gamma, const JobContext &job,
                               bool sentenceTf = false);

// Analyses plain text: tokenises, splits sentences and groups words, then analysePis.
Result<PisAnalysis> analysePisText(const Model &model, const Tokenizer &tokenizer,
                                   const std::string &text, double gamma, const JobContext &job);

// The agent's state for sentence s: [emb(prev), emb(cur), emb(next), relative position, length
// share].
std::vector<float> pisState(const PisAnalysis &a, int s);

// Text kept from sentence s when it keeps `fraction` of its tokens (the top ones by weight), and
// the reward 0.3·(1 − kept/orig) + 0.5·ROUGE-1 F1(kept, orig) + 0.2·BLEU(kept, orig) of that
// choice.
double pisReward(const PisAnalysis &a, int s, double fraction);

} // namespace detail
} // namespace terse
