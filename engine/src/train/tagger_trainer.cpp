// Training of Terse's LLMLingua-2 style tagger: a BERT encoder (post-LN, GELU, learned absolute
// positions) with a 2-label token-classification head, trained on word keep/drop labels from human
// deletion-based compressions (LLMLingua-2 section 4: each token carries its word's label). Saved
// as a HF BertForTokenClassification folder that terse::Model loads like any user model.
#include "terse/train.h"

#include "core/engine_error.h"
#include "core/output_paths.h"
#include "core/threads.h"
#include "terse/runtime.h"
#include "terse/tokenizer.h"
#include "train/adamw.h"
#include "train/step_threads.h"
#include "train/tagger_data.h"
#include "train/trainable.h"
#include "weights/safetensors_writer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

namespace terse {

namespace {

namespace fs = std::filesystem;

// The initial weights under HF BertForTokenClassification's names (seeded, N(0, 0.02) matrices,
// unit LayerNorms, zero biases). The network itself is the inference Transformer
// (train/trainable.h).
train::NamedTensors initialBert(const TaggerTrainOptions &c, int vocab)
{
    torch::manual_seed(c.seed);
    auto opts = torch::TensorOptions().dtype(torch::kFloat32);
    auto normal = [&](std::vector<int64_t> s) { return torch::randn(s, opts) * 0.02; };
    auto zeros = [&](int64_t n) { return torch::zeros({n}, opts); };
    auto ones = [&](int64_t n) { return torch::ones({n}, opts); };
    const int64_t H = c.hidden, I = c.intermediate;
    train::NamedTensors out{
        {"bert.embeddings.word_embeddings.weight", normal({vocab, H})},
        {"bert.embeddings.position_embeddings.weight", normal({c.maxPositions, H})},
        {"bert.embeddings.token_type_embeddings.weight", normal({2, H})},
        {"bert.embeddings.LayerNorm.weight", ones(H)},
        {"bert.embeddings.LayerNorm.bias", zeros(H)}};
    for (int i = 0; i < c.layers; ++i) {
        const auto p = "bert.encoder.layer." + std::to_string(i) + ".";
        for (const char *dense : {"attention.self.query", "attention.self.key",
                                  "attention.self.value", "attention.output.dense"}) {
            out.emplace_back(p + dense + ".weight", normal({H, H}));
            out.emplace_back(p + dense + ".bias", zeros(H));
        }
        out.emplace_back(p + "attention.output.LayerNorm.weight", ones(H));
        out.emplace_back(p + "attention.output.LayerNorm.bias", zeros(H));
        out.emplace_back(p + "intermediate.dense.weight", normal({I, H}));
        out.emplace_back(p + "intermediate.dense.bias", zeros(I));
        out.emplace_back(p + "output.dense.weight", normal({H, I}));
        out.emplace_back(p + "output.dense.bias", zeros(H));
        out.emplace_back(p + "output.LayerNorm.weight", ones(H));
        out.emplace_back(p + "output.LayerNorm.bias", zeros(H));
    }
    out.emplace_back("classifier.weight", normal({2, H}));
    out.emplace_back("classifier.bias", zeros(2));
    return out;
}

// The Llama LM of `o.initFrom` as a token classifier: its embeddings, its first `o.layers` layers
// and final norm, and a new N(0, 0.02) `score` head (HF LlamaForTokenClassification's names),
// with the config.json the folder is saved with. Throws WeightError / returns errors naming the
// file.
Result<std::pair<train::NamedTensors, nlohmann::json>> initialLlama(const TaggerTrainOptions &o,
                                                                    int vocab, int pad)
{
    fs::path dir(o.initFrom);
    if (!fs::is_directory(dir))
        dir = dir.parent_path();
    const fs::path configPath = dir / "config.json", weightsPath = dir / "model.safetensors";
    std::ifstream in(configPath);
    if (!in)
        return fail(ErrorCode::NotFound, "cannot read '" + configPath.string() + "'");
    nlohmann::json c = nlohmann::json::parse(in, nullptr, false);
    if (!c.is_object() || c.value("model_type", std::string()) != "llama" ||
        !c.contains("num_hidden_layers") || !c["num_hidden_layers"].is_number_integer())
        return fail(ErrorCode::InvalidInput,
                    "'" + configPath.string() +
                        "': expected a Llama LM's config (model_type \"llama\", "
                        "num_hidden_layers) for --arch llama");
    const int lmLayers = c["num_hidden_layers"].get<int>();
    if (o.layers > lmLayers)
        return fail(ErrorCode::InvalidArgument, "--layers " + std::to_string(o.layers) + " but '" +
                                                    configPath.string() + "' has " +
                                                    std::to_string(lmLayers) + " layers");
    if (c.value("vocab_size", 0) != vocab)
        return fail(ErrorCode::InvalidInput,
                    "'" + configPath.string() + "': vocab_size is not the tokenizer's " +
                        std::to_string(vocab) + " (the tagger must share the LM's tokenizer)");
    auto st = weights::readSafetensors(weightsPath.string());
    if (!st)
        return st.error();
    train::NamedTensors named;
    for (auto &[name, t] : *st) {
        int layer = -1;
        if (name.rfind("model.layers.", 0) == 0)
            layer = std::atoi(name.c_str() + 13);
        if (name == "lm_head.weight" || (layer >= 0 && layer >= o.layers))
            continue;
        named.emplace_back(name, t.to(torch::kFloat32).clone());
    }
    const int H = c.value("hidden_size", 0);
    torch::manual_seed(o.seed);
    named.emplace_back("score.weight", torch::randn({2, H}) * 0.02);
    named.emplace_back("score.bias", torch::zeros({2}));
    c["architectures"] = {"LlamaForTokenClassification"};
    c["num_hidden_layers"] = o.layers;
    c["is_causal"] = o.causal;
    c["num_labels"] = 2;
    c["id2label"] = {{"0", "drop"}, {"1", "keep"}};
    c["label2id"] = {{"drop", 0}, {"keep", 1}};
    c["pad_token_id"] = pad;
    // The length it was trained on: LLMLingua-2 classifies prompts in chunks of at most this many
    // tokens, so the tagger is not asked about contexts longer than it learned from.
    c["max_position_embeddings"] =
        std::min(o.maxPositions, c.value("max_position_embeddings", 512));
    c["torch_dtype"] = "bfloat16";
    c.erase("tie_word_embeddings");
    return std::make_pair(std::move(named), std::move(c));
}

// A sentence as [CLS] tokens [SEP] with each token's label (-100 = ignored) and word index (-1 =
// none).
struct Example {
    std::vector<int64_t> ids, labels;
    std::vector<int> word;
    int words = 0;
    const LabeledSentence *sentence = nullptr;
};

Result<Example> makeExample(const Tokenizer &tok, const LabeledSentence &s, int cls, int sep,
                            int maxLen)
{
    auto tt = train::tagTokens(tok, s, cls, sep, maxLen);
    if (!tt)
        return tt.error();
    Example e;
    e.sentence = &s;
    e.words = static_cast<int>(s.words.size());
    e.word = tt->word;
    for (std::size_t t = 0; t < tt->ids.size(); ++t) {
        e.ids.push_back(tt->ids[t]);
        e.labels.push_back(tt->word[t] >= 0 ? s.keep[static_cast<std::size_t>(tt->word[t])] : -100);
    }
    return e;
}

struct Batch {
    torch::Tensor ids, mask, labels;
};

Batch makeBatch(const std::vector<const Example *> &ex, int pad)
{
    std::size_t T = 0;
    for (auto *e : ex)
        T = std::max(T, e->ids.size());
    const auto B = static_cast<int64_t>(ex.size());
    auto ids = torch::full({B, static_cast<int64_t>(T)}, pad, torch::kInt64);
    auto mask = torch::zeros({B, static_cast<int64_t>(T)}, torch::kInt64);
    auto labels = torch::full({B, static_cast<int64_t>(T)}, -100, torch::kInt64);
    for (int64_t b = 0; b < B; ++b) {
        const auto n = static_cast<int64_t>(ex[b]->ids.size());
        ids[b].slice(0, 0, n).copy_(torch::tensor(ex[b]->ids, torch::kInt64));
        mask[b].slice(0, 0, n).fill_(1);
        labels[b].slice(0, 0, n).copy_(torch::tensor(ex[b]->labels, torch::kInt64));
    }
    return {ids, mask, labels};
}

// Word-level keep metrics: a word's p(keep) is the mean over its tokens (LLMLingua-2 word
// probability).
TaggerMetrics heldoutMetrics(const train::TrainableTransformer &model,
                             const std::vector<Example> &examples, int pad)
{
    torch::NoGradGuard ng;
    model.setTraining(false);
    long long tp = 0, fp = 0, fn = 0, kept = 0, words = 0;
    for (std::size_t i = 0; i < examples.size(); i += 64) {
        std::vector<const Example *> part;
        for (std::size_t j = i; j < std::min(examples.size(), i + 64); ++j)
            part.push_back(&examples[j]);
        auto b = makeBatch(part, pad);
        auto probs = torch::softmax(model.logits(b.ids, b.mask), -1).select(-1, 1).contiguous();
        for (std::size_t k = 0; k < part.size(); ++k) {
            const Example &e = *part[k];
            std::vector<double> sum(static_cast<std::size_t>(e.words), 0.0);
            std::vector<int> cnt(static_cast<std::size_t>(e.words), 0);
            auto row = probs[static_cast<int64_t>(k)];
            for (std::size_t t = 0; t < e.ids.size(); ++t)
                if (e.word[t] >= 0) {
                    sum[static_cast<std::size_t>(e.word[t])] +=
                        row[static_cast<int64_t>(t)].item<double>();
                    ++cnt[static_cast<std::size_t>(e.word[t])];
                }
            for (int w = 0; w < e.words; ++w) {
                if (!cnt[static_cast<std::size_t>(w)])
                    continue; // cut off by maxPositions
                const bool pred =
                    sum[static_cast<std::size_t>(w)] / cnt[static_cast<std::size_t>(w)] >= 0.5;
                const bool gold = e.sentence->keep[static_cast<std::size_t>(w)] != 0;
                tp += pred && gold;
                fp += pred && !gold;
                fn += !pred && gold;
                kept += pred;
                ++words;
            }
        }
    }
    TaggerMetrics m;
    m.words = words;
    m.precision = tp + fp ? double(tp) / double(tp + fp) : 0;
    m.recall = tp + fn ? double(tp) / double(tp + fn) : 0;
    m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;
    m.rate = words ? double(kept) / double(words) : 0;
    return m;
}

nlohmann::json hfConfig(const TaggerTrainOptions &o, int vocab, int pad)
{
    return {{"architectures", {"BertForTokenClassification"}},
            {"model_type", "bert"},
            {"hidden_size", o.hidden},
            {"num_hidden_layers", o.layers},
            {"num_attention_heads", o.heads},
            {"intermediate_size", o.intermediate},
            {"hidden_act", "gelu"},
            {"max_position_embeddings", o.maxPositions},
            {"type_vocab_size", 2},
            {"vocab_size", vocab},
            {"layer_norm_eps", 1e-12},
            {"pad_token_id", pad},
            {"position_embedding_type", "absolute"},
            {"hidden_dropout_prob", o.dropout},
            {"attention_probs_dropout_prob", o.dropout},
            {"id2label", {{"0", "drop"}, {"1", "keep"}}},
            {"label2id", {{"drop", 0}, {"keep", 1}}},
            {"torch_dtype", "bfloat16"}};
}

} // namespace

Result<TaggerTrainReport> trainTagger(const TaggerTrainOptions &o, const JobContext &job)
{
    const bool llama = o.arch == "llama";
    if (!llama && o.arch != "bert")
        return fail(ErrorCode::InvalidArgument,
                    "tagger: --arch is '" + o.arch + "'; expected bert or llama");
    if (llama && o.initFrom.empty())
        return fail(ErrorCode::InvalidArgument,
                    "tagger: --arch llama fine-tunes an LM: give it with --init-from");
    if ((!llama && o.hidden % o.heads != 0) || o.layers < 1 || o.epochs < 1 || o.batchSize < 1 ||
        o.maxPositions < 8)
        return fail(ErrorCode::InvalidArgument,
                    "tagger: hidden must split into heads; layers, epochs and batch >= 1");
    if (o.outputDir.empty())
        return fail(ErrorCode::InvalidArgument, "no output folder given");
    if (auto made = detail::makeOutputFolder(o.outputDir); !made)
        return made.error();
    const auto t0 = std::chrono::steady_clock::now();
    auto pairs = loadCompressionPairs(o.data, o.heldoutEvery);
    if (!pairs)
        return pairs.error();
    auto tok = Tokenizer::load(o.tokenizer);
    if (!tok)
        return tok.error();
    const SpecialIds sid = tok->specialIds();
    const int cls = sid.cls >= 0 ? sid.cls : sid.bos, sep = sid.sep >= 0 ? sid.sep : sid.eos;
    const int pad = sid.pad >= 0 ? sid.pad : std::max(0, sep);
    if (cls < 0 || sep < 0)
        return fail(ErrorCode::InvalidInput,
                    "tokenizer '" + o.tokenizer + "' has no [CLS]/[SEP] or BOS/EOS token");
    try {
        detail::ensureRuntime();
        std::vector<Example> train, held;
        for (const auto &s : pairs->train) {
            auto e = makeExample(*tok, s, cls, sep, o.maxPositions);
            if (!e)
                return e.error();
            train.push_back(std::move(*e));
        }
        std::vector<LabeledSentence> passages;
        if (o.passages) {
            std::vector<LabeledSentence> shuffled = pairs->train;
            std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(o.seed + 1));
            auto joined = train::joinIntoPassages(*tok, shuffled, o.maxPositions);
            if (!joined)
                return joined.error();
            passages = std::move(*joined);
        }
        const std::size_t sentences = train.size();
        for (const auto &s : passages) {
            auto e = makeExample(*tok, s, cls, sep, o.maxPositions);
            if (!e)
                return e.error();
            train.push_back(std::move(*e));
        }
        for (const auto &s : pairs->heldout) {
            auto e = makeExample(*tok, s, cls, sep, o.maxPositions);
            if (!e)
                return e.error();
            held.push_back(std::move(*e));
        }
        const int vocab = static_cast<int>(tok->vocabSize());
        train::NamedTensors initial;
        nlohmann::json config;
        if (llama) {
            auto init = initialLlama(o, vocab, pad);
            if (!init)
                return init.error();
            initial = std::move(init->first);
            config = std::move(init->second);
        } else {
            initial = initialBert(o, vocab);
            config = hfConfig(o, vocab, pad);
        }
        const auto model =
            train::TrainableTransformer::build(std::move(initial), config, torch::kCPU, o.dropout);
        if (!llama &&
            !o.initFrom
                 .empty()) { // reuse the LM's token embeddings (same tokenizer) as a warm start
            fs::path p(o.initFrom);
            if (fs::is_directory(p))
                p /= "model.safetensors";
            auto st = weights::readSafetensors(p.string());
            if (!st)
                return st.error();
            auto it = st->find("model.embed_tokens.weight");
            if (it == st->end() || it->second.dim() != 2 || it->second.size(0) != vocab ||
                it->second.size(1) < o.hidden)
                return fail(ErrorCode::InvalidInput,
                            "'" + p.string() + "' has no model.embed_tokens.weight of shape [" +
                                std::to_string(vocab) + ", H] with H >= " +
                                std::to_string(o.hidden) + " (the tagger's hidden size)");
            torch::NoGradGuard ng;
            torch::Tensor e = it->second.to(torch::kFloat32);
            if (e.size(1) > o.hidden) {
                // A wider LM: its embeddings' first `hidden` principal components (E V_h of the
                // centred E = U S V^T), scaled to the tagger's initial std 0.02 so words and
                // positions start on the same footing.
                const torch::Tensor centred = e - e.mean(0, true);
                const auto svd = torch::linalg::svd(centred, false, c10::nullopt);
                e = centred.matmul(std::get<2>(svd).narrow(0, 0, o.hidden).t());
                e = e * (0.02 / e.std().item<double>());
            }
            model.named[0].second.copy_(e); // word embeddings
        }
        // No decay on embeddings and norms (BERT's and Llama's names).
        train::AdamW opt(model.named, {"embeddings", "embed_tokens", "LayerNorm", "norm"});
        const train::AdamWHyper hyper{0.9, 0.999, 1e-8, o.weightDecay};
        TaggerTrainReport rep;
        rep.trainSentences = static_cast<int>(sentences);
        rep.trainPassages = static_cast<int>(passages.size());
        rep.heldoutSentences = static_cast<int>(held.size());
        rep.parameters = model.parameters();
        const long long stepsPerEpoch =
            (static_cast<long long>(train.size()) + o.batchSize - 1) / o.batchSize;
        const long long total = stepsPerEpoch * o.epochs;
        std::mt19937_64 rng(o.seed);
        std::vector<std::size_t> order(train.size());
        long long step = 0;
        train::StepThreads stepThreads(runtimeThreads());
        detail::CpuMark cpuMark;
        for (int epoch = 0; epoch < o.epochs; ++epoch) {
            for (std::size_t i = 0; i < order.size(); ++i)
                order[i] = i;
            std::shuffle(order.begin(), order.end(), rng);
            double lossSum = 0;
            long long lossCount = 0;
            for (long long s = 0; s < stepsPerEpoch; ++s, ++step) {
                if (job.isCancelled())
                    return fail(ErrorCode::Cancelled,
                                "tagger training cancelled at epoch " + std::to_string(epoch + 1));
                std::vector<const Example *> part;
                for (long long j = s * o.batchSize;
                     j < std::min<long long>((s + 1) * o.batchSize, order.size()); ++j)
                    part.push_back(&train[order[static_cast<std::size_t>(j)]]);
                auto b = makeBatch(part, pad);
                const int threads = stepThreads.next(); // issue 16
                if (torch::get_num_threads() != threads)
                    torch::set_num_threads(threads);
                const auto stepStart = std::chrono::steady_clock::now();
                model.setTraining(true);
                std::optional<train::Bf16Autocast> autocast;
                autocast.emplace(torch::kCPU, o.bf16);
                auto logits = model.logits(b.ids, b.mask);
                autocast.reset();
                auto loss = torch::nn::functional::cross_entropy(
                    logits.reshape({-1, 2}), b.labels.reshape({-1}),
                    torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
                loss.backward();
                {
                    std::vector<torch::Tensor> ps(opt.params.begin(), opt.params.end());
                    torch::nn::utils::clip_grad_norm_(ps, 1.0);
                }
                // Linear warm-up, then cosine decay to 10% of the peak.
                const double progress =
                    std::min(1.0, double(std::max(0LL, step - o.warmupSteps)) /
                                      double(std::max(1LL, total - o.warmupSteps)));
                const double lr = step < o.warmupSteps
                                      ? o.lr * double(step + 1) / o.warmupSteps
                                      : o.lr * (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * progress)));
                opt.step(lr, hyper);
                const double l = loss.item<double>();
                if (!std::isfinite(l))
                    return fail(ErrorCode::ModelError,
                                "tagger training diverged (loss is not finite); lower --lr");
                stepThreads.done(
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - stepStart)
                        .count() /
                    static_cast<double>(b.ids.numel()));
                stepThreads.freeCores(detail::freeCoresSince(cpuMark));
                lossSum += l;
                ++lossCount;
                std::ostringstream stage;
                stage.precision(4);
                stage << "epoch " << epoch + 1 << "/" << o.epochs << " loss "
                      << lossSum / double(lossCount) << " threads " << threads;
                job.report(step + 1, total, stage.str());
            }
            rep.finalLoss = lossCount ? lossSum / double(lossCount) : 0;
            rep.epochLoss.push_back(rep.finalLoss);
        }
        rep.steps = step;
        if (torch::get_num_threads() != stepThreads.most())
            torch::set_num_threads(stepThreads.most());
        { // evaluate exactly the weights that are saved (bf16)
            torch::NoGradGuard ng;
            for (auto &[n, p] : model.named)
                p.copy_(p.to(torch::kBFloat16).to(torch::kFloat32));
        }
        rep.heldout = heldoutMetrics(model, held, pad);
        if (!held.empty()) {
            torch::NoGradGuard ng;
            auto b = makeBatch({&held[0]}, pad);
            auto probs =
                torch::softmax(model.logits(b.ids, b.mask), -1)[0].select(-1, 1).contiguous();
            rep.sampleIds.assign(held[0].ids.begin(), held[0].ids.end());
            rep.sampleKeepProbs.assign(probs.data_ptr<float>(),
                                       probs.data_ptr<float>() + probs.numel());
        }

        fs::create_directories(o.outputDir);
        std::ofstream(fs::path(o.outputDir) / "config.json") << config.dump(2) << "\n";
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        for (const auto &[n, p] : model.named)
            tensors.emplace_back(n, p.detach().to(torch::kBFloat16).contiguous());
        if (auto s =
                weights::writeSafetensors((fs::path(o.outputDir) / "model.safetensors").string(),
                                          tensors, {{"format", "pt"}});
            !s)
            return s.error();
        // The tokenizer travels with the model so the folder loads on its own.
        const fs::path tp(o.tokenizer);
        const fs::path tokDir = fs::is_directory(tp) ? tp : tp.parent_path();
        for (const char *f :
             {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
            std::error_code ec;
            if (fs::exists(tokDir / f) && fs::absolute(tokDir) != fs::absolute(o.outputDir))
                fs::copy_file(tokDir / f, fs::path(o.outputDir) / f,
                              fs::copy_options::overwrite_existing, ec);
        }
        rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return rep;
    } catch (const detail::EngineError &e) { // the network build's (a weight it refuses)
        return e.error();
    } catch (const c10::Error &e) {
        return fail(ErrorCode::ModelError, std::string("libtorch: ") + e.what_without_backtrace());
    } catch (const std::exception &e) {
        return fail(ErrorCode::Internal, e.what());
    }
}

} // namespace terse
