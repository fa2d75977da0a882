// Pretraining of Terse's default causal LM: a Llama-architecture decoder (RMSNorm, RoPE with HF's
// rotate_half convention, SwiGLU MLP) trained with AdamW, warm-up + cosine schedule and gradient
// clipping, bf16 matmuls over fp32 master weights, from random weights or an existing model's
// (initFrom: continued pre-training, domain adaptation). The result is a HF Llama folder that
// terse::Model loads.
#include "terse/train.h"

#include "core/engine_error.h"
#include "core/output_paths.h"
#include "core/threads.h"
#include "terse/runtime.h"
#include "train/adamw.h"
#include "train/step_threads.h"
#include "train/time_budget.h"
#include "train/trainable.h"
#include "weights/safetensors_writer.h"
#include "weights/weight_store.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

namespace terse {

namespace {

namespace fs = std::filesystem;

// The initial weights of the model under HF LlamaForCausalLM's names (seeded; GPT-2 style scaled
// init of the residual projections). The network itself is the inference Transformer
// (train/trainable.h).
train::NamedTensors initialLlama(const LmTrainOptions &c, torch::Device device)
{
    torch::manual_seed(c.seed);
    auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device);
    const int hd = c.hidden / c.heads;
    auto normal = [&](std::vector<int64_t> shape, double std) {
        return torch::randn(shape, opts) * std;
    };
    auto ones = [&](int64_t n) { return torch::ones({n}, opts); };
    const double std = 0.02,
                 outStd = 0.02 / std::sqrt(2.0 * c.layers); // GPT-2 style residual scaling
    train::NamedTensors out;
    out.emplace_back("model.embed_tokens.weight", normal({c.vocabSize, c.hidden}, std));
    for (int i = 0; i < c.layers; ++i) {
        const auto p = "model.layers." + std::to_string(i) + ".";
        out.emplace_back(p + "input_layernorm.weight", ones(c.hidden));
        out.emplace_back(p + "self_attn.q_proj.weight", normal({c.heads * hd, c.hidden}, std));
        out.emplace_back(p + "self_attn.k_proj.weight", normal({c.kvHeads * hd, c.hidden}, std));
        out.emplace_back(p + "self_attn.v_proj.weight", normal({c.kvHeads * hd, c.hidden}, std));
        out.emplace_back(p + "self_attn.o_proj.weight", normal({c.hidden, c.heads * hd}, outStd));
        out.emplace_back(p + "post_attention_layernorm.weight", ones(c.hidden));
        out.emplace_back(p + "mlp.gate_proj.weight", normal({c.intermediate, c.hidden}, std));
        out.emplace_back(p + "mlp.up_proj.weight", normal({c.intermediate, c.hidden}, std));
        out.emplace_back(p + "mlp.down_proj.weight", normal({c.hidden, c.intermediate}, outStd));
    }
    out.emplace_back("model.norm.weight", ones(c.hidden));
    if (!c.tieEmbeddings)
        out.emplace_back("lm_head.weight", normal({c.vocabSize, c.hidden}, std));
    return out;
}

// Streams packed token sequences of seqLen+1 from the corpus on a background thread.
class TokenStream {
public:
    TokenStream(std::string corpus, EncodeFn encode, int eos, int seqLen, int batch,
                long long skipDocs)
        : m_corpus(std::move(corpus)), m_encode(std::move(encode)), m_eos(eos), m_len(seqLen + 1),
          m_batch(batch), m_skip(skipDocs)
    {
        m_thread = std::thread([this] { produce(); });
    }
    ~TokenStream()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }

    // Next batch [batch, seqLen+1] and the number of documents consumed up to it; empty on error.
    bool next(std::vector<int64_t> &out, long long &docs, std::string &error)
    {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return !m_ready.empty() || !m_error.empty(); });
        if (m_ready.empty()) {
            error = m_error;
            return false;
        }
        out = std::move(m_ready.front().first);
        docs = m_ready.front().second;
        m_ready.pop_front();
        m_cv.notify_all();
        return true;
    }

private:
    void produce()
    {
        std::vector<int64_t> buffer;
        long long docIndex = 0;
        for (int epoch = 0; !stopping(); ++epoch) {
            auto r = readCorpus(m_corpus, ~0ull, [&](std::string_view doc) {
                ++docIndex;
                if (docIndex <= m_skip)
                    return !stopping();
                for (int id : m_encode(doc))
                    buffer.push_back(id);
                buffer.push_back(m_eos); // documents are separated by <|endoftext|>, as GPT-2 does
                const std::size_t need = static_cast<std::size_t>(m_len) * m_batch;
                while (buffer.size() >= need) {
                    std::vector<int64_t> batch(buffer.begin(),
                                               buffer.begin() + static_cast<long>(need));
                    buffer.erase(buffer.begin(), buffer.begin() + static_cast<long>(need));
                    std::unique_lock lock(m_mutex);
                    m_cv.wait(lock, [&] { return m_ready.size() < 8 || m_stop; });
                    if (m_stop)
                        return false;
                    m_ready.emplace_back(std::move(batch), docIndex);
                    m_cv.notify_all();
                }
                return true;
            });
            if (!r) {
                std::lock_guard lock(m_mutex);
                m_error = r.error().detail;
                m_cv.notify_all();
                return;
            }
            if (docIndex == 0) {
                std::lock_guard lock(m_mutex);
                m_error = "corpus '" + m_corpus + "' has no documents";
                m_cv.notify_all();
                return;
            }
            m_skip = 0; // later epochs start from the first document
            docIndex = 0;
        }
    }
    bool stopping()
    {
        std::lock_guard lock(m_mutex);
        return m_stop;
    }

    std::string m_corpus;
    EncodeFn m_encode;
    int m_eos, m_len, m_batch;
    long long m_skip;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::pair<std::vector<int64_t>, long long>> m_ready;
    std::string m_error;
    bool m_stop = false;
    std::thread m_thread;
};

// Training windows of seqLen+1 tokens from a token file: epoch e cuts the ids into windows starting
// at a seeded shift and visits them in a seeded random order, so batches mix every part of the
// corpus (a corpus is often ordered by source) and a resumed run continues the same sequence from
// its step.
class TokenWindows {
public:
    TokenWindows(std::vector<std::int32_t> ids, int seqLen, std::uint64_t seed)
        : m_ids(std::move(ids)), m_len(seqLen + 1), m_seed(seed)
    {
        m_count = m_ids.size() >= static_cast<std::size_t>(2 * m_len)
                      ? (static_cast<long long>(m_ids.size()) - (m_len - 1)) / m_len
                      : 0;
    }
    long long windows() const { return m_count; }

    // Appends window number `g` (counting across epochs) to `out`.
    void append(long long g, std::vector<int64_t> &out)
    {
        const long long epoch = g / m_count, index = g % m_count;
        if (epoch != m_epoch) {
            m_epoch = epoch;
            std::uint64_t state =
                m_seed ^ (0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(epoch + 1));
            m_shift = static_cast<long long>(mix(state) % static_cast<std::uint64_t>(m_len));
            m_order.resize(static_cast<std::size_t>(m_count));
            for (long long i = 0; i < m_count; ++i)
                m_order[static_cast<std::size_t>(i)] = i;
            for (long long i = m_count - 1; i > 0; --i) // Fisher-Yates with a portable generator
                std::swap(m_order[static_cast<std::size_t>(i)],
                          m_order[static_cast<std::size_t>(mix(state) %
                                                           static_cast<std::uint64_t>(i + 1))]);
        }
        const auto start =
            static_cast<std::size_t>(m_shift + m_order[static_cast<std::size_t>(index)] * m_len);
        out.insert(out.end(), m_ids.begin() + static_cast<long>(start),
                   m_ids.begin() + static_cast<long>(start + m_len));
    }

private:
    static std::uint64_t mix(std::uint64_t &s) // splitmix64
    {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::vector<std::int32_t> m_ids;
    long long m_len, m_count = 0, m_epoch = -1, m_shift = 0;
    std::uint64_t m_seed;
    std::vector<long long> m_order;
};

double lrAt(long long step, const LmTrainOptions &o)
{
    if (step < o.warmupSteps)
        return o.lr * static_cast<double>(step + 1) / o.warmupSteps;
    const double progress = std::min(1.0, static_cast<double>(step - o.warmupSteps) /
                                              std::max<long long>(1, o.steps - o.warmupSteps));
    return o.lr * (o.minLrRatio + (1 - o.minLrRatio) * 0.5 * (1 + std::cos(M_PI * progress)));
}

nlohmann::json hfConfig(const LmTrainOptions &o)
{
    return {{"architectures", {"LlamaForCausalLM"}},
            {"model_type", "llama"},
            {"vocab_size", o.vocabSize},
            {"hidden_size", o.hidden},
            {"intermediate_size", o.intermediate},
            {"num_hidden_layers", o.layers},
            {"num_attention_heads", o.heads},
            {"num_key_value_heads", o.kvHeads},
            {"head_dim", o.hidden / o.heads},
            {"hidden_act", "silu"},
            {"max_position_embeddings", o.maxPositions},
            {"rms_norm_eps", o.rmsNormEps},
            {"rope_theta", o.ropeTheta},
            {"rope_scaling", nullptr},
            {"tie_word_embeddings", o.tieEmbeddings},
            {"attention_bias", false},
            {"mlp_bias", false},
            {"bos_token_id", o.bosId},
            {"eos_token_id", o.eosId},
            {"torch_dtype", "bfloat16"},
            {"initializer_range", 0.02}};
}

// Mean NLL (nats/token) and bytes of held-out text, scored in seqLen windows starting with BOS.
std::pair<double, double> heldoutNll(const train::TrainableTransformer &model,
                                     const LmTrainOptions &o, const EncodeFn &encode,
                                     std::uint64_t bytes, torch::Device device, double *bitsPerByte)
{
    torch::NoGradGuard ng;
    double nll = 0, tokens = 0, textBytes = 0;
    std::uint64_t used = 0;
    (void)readCorpus(o.heldout, bytes + (1 << 16), [&](std::string_view doc) {
        if (used >= bytes)
            return false;
        doc = doc.substr(
            0, static_cast<std::size_t>(std::min<std::uint64_t>(doc.size(), bytes - used)));
        used += doc.size();
        textBytes += static_cast<double>(doc.size());
        std::vector<int> ids = encode(doc);
        ids.push_back(
            o.eosId); // the separator is predicted too; its bytes ("\n<|doc|>\n") are not counted
        // Windows of seqLen predicted tokens, each conditioned on BOS + the window (no overlap).
        for (std::size_t s = 0; s < ids.size(); s += static_cast<std::size_t>(o.seqLen)) {
            const std::size_t e = std::min(ids.size(), s + static_cast<std::size_t>(o.seqLen));
            std::vector<int64_t> in{o.bosId};
            for (std::size_t i = s; i < e; ++i)
                in.push_back(ids[i]);
            auto t = torch::tensor(in, torch::kInt64).to(device).view({1, -1});
            torch::Tensor logits;
            {
                train::Bf16Autocast bf16(device, o.bf16);
                logits = model.logits(t.slice(1, 0, t.size(1) - 1));
            }
            auto loss = torch::nn::functional::cross_entropy(
                logits.view({-1, o.vocabSize}), t.slice(1, 1).reshape({-1}),
                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
            nll += loss.item<double>();
            tokens += static_cast<double>(e - s);
        }
        return true;
    });
    if (bitsPerByte)
        *bitsPerByte = textBytes > 0 ? nll / std::log(2.0) / textBytes : 0;
    return {tokens > 0 ? nll / tokens : 0, textBytes};
}

// initFrom: the model's weights and, from its config, the architecture it fixes (overwriting those
// fields of `o`). Refuses what the trainer's Llama cannot reproduce, naming the field.
Result<WeightStore> loadInitModel(LmTrainOptions &o)
{
    const std::string &path = o.initFrom;
    const std::string what = "initial model '" + path + "'";
    if (!fs::exists(path))
        return fail(ErrorCode::NotFound, what + " not found");
    // The loader's and the config's errors as they are; json and libtorch errors as FormatErrors
    // naming the model.
    auto mapped = [&](const std::exception &e) -> std::optional<Error> {
        if (dynamic_cast<const nlohmann::json::exception *>(&e))
            return Error{ErrorCode::FormatError, what + ": config.json: " + e.what()};
        if (const auto *c = dynamic_cast<const c10::Error *>(&e))
            return Error{ErrorCode::FormatError, what + ": " + c->what_without_backtrace()};
        return std::nullopt;
    };
    return detail::guard(
        detail::GuardWords{what, ErrorCode::ModelError},
        [&]() -> Result<WeightStore> {
            WeightStore store = loadWeights(path);
            if (store.configJson.empty())
                return fail(ErrorCode::FormatError,
                            what +
                                " has no config.json beside its weights (give the model's folder)");
            const auto cfg = nlohmann::json::parse(store.configJson);
            auto where = [&](const std::string &field) {
                return what + ": config field '" + field + "'";
            };
            auto integer = [&](const char *field, std::optional<int> fallback = std::nullopt) {
                if (!cfg.contains(field) || cfg[field].is_null()) {
                    if (fallback)
                        return *fallback;
                    detail::raise(ErrorCode::FormatError, where(field) + " is missing");
                }
                if (!cfg[field].is_number_integer() || cfg[field].get<long long>() < 1 ||
                    cfg[field].get<long long>() > (1 << 24))
                    detail::raise(ErrorCode::FormatError, where(field) + " is " +
                                                              cfg[field].dump() +
                                                              ", expected a positive integer");
                return cfg[field].get<int>();
            };
            const std::string type = cfg.value("model_type", std::string());
            if (type != "llama")
                return fail(ErrorCode::Unsupported,
                            where("model_type") + " is '" + type +
                                "': the trainer continues Llama-architecture causal LMs only");
            if (store.has("score.weight") || store.has("classifier.weight"))
                return fail(ErrorCode::Unsupported,
                            what + " is a token classifier (it has a score head), not a causal LM");
            const int vocab = integer("vocab_size");
            if (vocab != o.vocabSize)
                return fail(ErrorCode::InvalidArgument,
                            where("vocab_size") + " is " + std::to_string(vocab) +
                                " but the tokenizer has " + std::to_string(o.vocabSize) +
                                " tokens: give the model's own tokenizer");
            o.hidden = integer("hidden_size");
            o.layers = integer("num_hidden_layers");
            o.heads = integer("num_attention_heads");
            o.kvHeads = integer("num_key_value_heads", o.heads);
            o.intermediate = integer("intermediate_size");
            o.maxPositions = integer("max_position_embeddings");
            if (cfg.contains("head_dim") && !cfg["head_dim"].is_null() &&
                integer("head_dim") * o.heads != o.hidden)
                return fail(ErrorCode::Unsupported,
                            where("head_dim") + " times the heads is not the hidden size");
            for (const char *bias : {"attention_bias", "mlp_bias"})
                if (cfg.value(bias, false))
                    return fail(ErrorCode::Unsupported,
                                where(bias) + " is true: biases not supported");
            if (cfg.contains("rope_scaling") && !cfg["rope_scaling"].is_null())
                return fail(ErrorCode::Unsupported,
                            where("rope_scaling") + " is set: only plain RoPE is supported");
            if (cfg.value("hidden_act", std::string("silu")) != "silu")
                return fail(ErrorCode::Unsupported, where("hidden_act") + " is not silu");
            o.ropeTheta = cfg.value("rope_theta", 10000.0);
            o.rmsNormEps = cfg.value("rms_norm_eps", 1e-5);
            o.tieEmbeddings = cfg.value("tie_word_embeddings", !store.has("lm_head.weight"));
            return store;
        },
        mapped);
}

// Replaces the shape-only (meta) tensors of `start` with the initial model's, as fp32 copies on
// `device`. Shapes are compared before anything is allocated, so a config that claims sizes its
// weights do not have costs nothing.
Result<void> copyInitWeights(const WeightStore &store, const LmTrainOptions &o,
                             train::NamedTensors &start, torch::Device device)
{
    for (auto &[name, t] : start) {
        const torch::Tensor w = store.find(name);
        if (!w.defined())
            return fail(ErrorCode::FormatError,
                        "initial model '" + o.initFrom + "' has no tensor '" + name + "'");
        if (w.sizes() != t.sizes())
            return fail(ErrorCode::FormatError, "initial model '" + o.initFrom + "': tensor '" +
                                                    name + "' is " + shapeText(w.sizes()) +
                                                    ", its config implies " + shapeText(t.sizes()));
        // What the inference loader refuses too: training from it would only report divergence.
        if (!allFinite(w))
            return fail(ErrorCode::FormatError, "initial model '" + o.initFrom + "': tensor '" +
                                                    name + "' holds NaN or infinite values");
    }
    for (auto &[name, t] : start)
        t = store.find(name).to(device, torch::kFloat32).clone();
    return {};
}

} // namespace

Result<LmTrainReport> trainLanguageModel(const LmTrainOptions &given, const EncodeFn &encode,
                                         const JobContext &job)
{
    LmTrainOptions o = given;
    std::optional<WeightStore> init;
    if (!o.initFrom.empty()) {
        auto loaded = loadInitModel(o);
        if (!loaded)
            return loaded.error();
        init.emplace(std::move(*loaded));
    }
    if (o.hidden % o.heads != 0 || o.heads % o.kvHeads != 0 || (o.hidden / o.heads) % 2 != 0)
        return fail(ErrorCode::InvalidArgument,
                    "hidden size must split into an even head dimension and heads "
                    "must be a multiple of kv heads");
    if (!o.initFrom.empty() && o.seqLen > o.maxPositions)
        return fail(ErrorCode::InvalidArgument, "sequence length " + std::to_string(o.seqLen) +
                                                    " exceeds the initial model's " +
                                                    std::to_string(o.maxPositions) +
                                                    " positions (max_position_embeddings)");
    if (o.seqLen < 2 || o.seqLen > o.maxPositions || o.batchSize < 1 || o.steps < 1)
        return fail(ErrorCode::InvalidArgument,
                    "sequence length must be in [2, max positions] and steps >= 1");
    if (o.outputDir.empty())
        return fail(ErrorCode::InvalidArgument, "no output folder given");
    for (const std::string &dir : {o.outputDir, o.checkpointDir})
        if (!dir.empty())
            if (auto made = detail::makeOutputFolder(dir); !made)
                return made.error();
    if (o.corpus.empty() == o.tokens.empty())
        return fail(ErrorCode::InvalidArgument, "give either a corpus or a token file to train on");
    if (o.device != "cpu" && o.device != "cuda" && o.device.rfind("cuda:", 0) != 0)
        return fail(ErrorCode::InvalidArgument,
                    "device '" + o.device + "' is not cpu, cuda or cuda:N");
    try {
        const auto t0 = std::chrono::steady_clock::now();
        detail::ensureRuntime();
        torch::Device device(o.device);
        if (device.is_cuda()) {
            if (!torch::cuda::is_available())
                return fail(ErrorCode::InvalidArgument,
                            "device '" + o.device +
                                "': this build's libtorch sees no "
                                "CUDA device (a CPU-only libtorch, or no GPU on this machine)");
        }
        std::unique_ptr<TokenWindows> windows;
        if (!o.tokens.empty()) {
            auto tf = readTokenFile(o.tokens);
            if (!tf)
                return tf.error();
            if (tf->vocabSize != o.vocabSize)
                return fail(ErrorCode::InvalidArgument,
                            "token file '" + o.tokens + "' was encoded with a vocabulary of " +
                                std::to_string(tf->vocabSize) + ", the tokenizer has " +
                                std::to_string(o.vocabSize));
            windows = std::make_unique<TokenWindows>(std::move(tf->ids), o.seqLen, o.seed);
            if (windows->windows() < o.batchSize)
                return fail(ErrorCode::InvalidArgument,
                            "token file '" + o.tokens + "' holds too few tokens for one batch of " +
                                std::to_string(o.batchSize) + " sequences of " +
                                std::to_string(o.seqLen + 1));
        }
        LmTrainOptions sched =
            o; // o.steps, or fewer when maxSeconds fits the schedule to a time budget
        train::NamedTensors start = initialLlama(o, init ? torch::Device(torch::kMeta) : device);
        if (init) {
            auto copied = copyInitWeights(*init, o, start, device);
            if (!copied)
                return copied.error();
            init.reset(); // the file's tensors (maybe mapped) are no longer needed
        }
        const auto model =
            train::TrainableTransformer::build(std::move(start), hfConfig(o), device);
        train::AdamW opt(model.named, {"embed_tokens"});
        const train::AdamWHyper hyper{o.beta1, o.beta2, o.eps, o.weightDecay};
        const std::string ckDir = o.checkpointDir.empty()
                                      ? (fs::path(o.outputDir) / "checkpoint").string()
                                      : o.checkpointDir;
        fs::create_directories(ckDir);
        fs::create_directories(o.outputDir);
        long long startStep = 0, docs = 0;
        bool keepSchedule = false; // a resumed timed run: its fitted schedule, not a new fit
        const std::string ckModel = (fs::path(ckDir) / "state.safetensors").string();
        if (fs::exists(ckModel)) { // resume
            auto st = weights::readSafetensors(ckModel);
            if (!st)
                return st.error();
            torch::NoGradGuard ng;
            const auto &named = model.named;
            for (std::size_t i = 0; i < named.size(); ++i) {
                const auto &n = named[i].first;
                if (!st->count(n) || !st->count("adam.m." + n) || !st->count("adam.v." + n))
                    return fail(ErrorCode::FormatError, "checkpoint '" + ckModel +
                                                            "' lacks tensor '" + n +
                                                            "' (different architecture?)");
                named[i].second.copy_(st->at(n));
                opt.m[i].copy_(st->at("adam.m." + n));
                opt.v[i].copy_(st->at("adam.v." + n));
            }
            auto counters = st->at("trainer.counters"); // [step, docs, adam t(, scheduled steps)]
            startStep = counters[0].item<int64_t>();
            docs = counters[1].item<int64_t>();
            opt.t = counters[2].item<int64_t>();
            if (counters.numel() >= 4 &&
                o.maxSeconds > 0) { // a timed run keeps the schedule it fitted
                sched.steps = std::min<long long>(o.steps, counters[3].item<int64_t>());
                keepSchedule = true;
            }
        }
        auto saveCheckpoint = [&](long long step) -> Result<void> {
            std::vector<std::pair<std::string, torch::Tensor>> ts;
            const auto &named = model.named;
            for (std::size_t i = 0; i < named.size(); ++i) {
                ts.emplace_back(named[i].first, named[i].second);
                ts.emplace_back("adam.m." + named[i].first, opt.m[i]);
                ts.emplace_back("adam.v." + named[i].first, opt.v[i]);
            }
            ts.emplace_back(
                "trainer.counters",
                torch::tensor({static_cast<int64_t>(step), static_cast<int64_t>(docs),
                               static_cast<int64_t>(opt.t), static_cast<int64_t>(sched.steps)}));
            return weights::writeSafetensors(ckModel, ts, {{"config", hfConfig(o).dump()}});
        };

        LmTrainReport rep;
        rep.parameters = model.parameters();
        std::unique_ptr<TokenStream> stream;
        if (!windows)
            stream = std::make_unique<TokenStream>(o.corpus, encode, o.eosId, o.seqLen, o.batchSize,
                                                   docs);
        // The next batch [batch, seqLen+1]: random windows of the token file, or the corpus stream.
        auto nextBatch = [&](long long step, std::vector<int64_t> &batch, std::string &err) {
            if (!windows)
                return stream->next(batch, docs, err);
            batch.clear();
            for (int b = 0; b < o.batchSize; ++b)
                windows->append(step * o.batchSize + b, batch);
            return true;
        };
        std::deque<double> recent;
        const auto tTrain = std::chrono::steady_clock::now();
        long long trainedTokens = 0;
        double lastBpb = 0;
        const bool profile =
            std::getenv("TERSE_TRAIN_PROFILE") != nullptr; // per-step timings on stderr
        // A time budget fixes the number of steps from the speed of steps 5..25 of this run and
        // shortens them when the machine slows down (train::TimeBudget); a run that still overruns
        // by 5% stops early.
        train::StepThreads stepThreads(runtimeThreads());
        detail::CpuMark cpuMark;
        train::TimeBudget budget(o.maxSeconds, startStep, keepSchedule);
        long long step = startStep;
        for (; step < sched.steps; ++step) {
            if (o.maxSeconds > 0) {
                const auto now = std::chrono::steady_clock::now();
                const double used = std::chrono::duration<double>(now - tTrain).count();
                // Fitted once, then only shortened: refitting a resumed run to a longer schedule
                // moved the cosine under a run already on it (a resumed 298-step schedule became
                // ~600 steps and the learning rate rose 3x).
                if (const long long fitted = budget.fit(step, used, sched.steps);
                    fitted != sched.steps) {
                    const bool first = budget.refits() == 0;
                    sched.steps = fitted;
                    if (first)
                        sched.warmupSteps =
                            static_cast<int>(std::min<long long>(o.warmupSteps, sched.steps / 10));
                    std::fprintf(stderr, "\n%s: %lld steps fit in %.0f s\n",
                                 first ? "time budget" : "steps slowed down", sched.steps,
                                 o.maxSeconds);
                }
                if (used > 1.05 * o.maxSeconds)
                    break;
            }
            if (job.isCancelled()) {
                if (auto s = saveCheckpoint(step); !s)
                    return s.error();
                return fail(ErrorCode::Cancelled, "training cancelled at step " +
                                                      std::to_string(step) + "; resume from " +
                                                      ckDir);
            }
            const int threads = device.is_cuda() ? 0 : stepThreads.next(); // issue 16
            if (threads > 0 && torch::get_num_threads() != threads)
                torch::set_num_threads(threads);
            std::vector<int64_t> batch;
            std::string err;
            const auto tw = std::chrono::steady_clock::now();
            if (!nextBatch(step, batch, err))
                return fail(ErrorCode::IoError, err);
            const auto tf = std::chrono::steady_clock::now();
            auto t =
                torch::tensor(batch, torch::kInt64).view({o.batchSize, o.seqLen + 1}).to(device);
            torch::Tensor logits;
            {
                train::Bf16Autocast bf16(device, o.bf16);
                logits = model.logits(t.slice(1, 0, o.seqLen));
            }
            auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, o.vocabSize}),
                                                             t.slice(1, 1).reshape({-1}));
            const auto tb = std::chrono::steady_clock::now();
            loss.backward();
            if (profile) {
                const auto te = std::chrono::steady_clock::now();
                auto ms = [](auto a, auto b) {
                    return std::chrono::duration<double, std::milli>(b - a).count();
                };
                std::fprintf(stderr,
                             "\nstep %lld: data %.1f ms, forward %.1f ms, backward %.1f ms\n", step,
                             ms(tw, tf), ms(tf, tb), ms(tb, te));
            }
            {
                std::vector<torch::Tensor> ps;
                for (auto &p : opt.params)
                    ps.push_back(p);
                torch::nn::utils::clip_grad_norm_(ps, o.clipNorm);
            }
            const double lr = lrAt(step, sched);
            opt.step(lr, hyper);
            const double l = loss.item<double>();
            if (!std::isfinite(l))
                return fail(ErrorCode::ModelError,
                            "training diverged at step " + std::to_string(step) +
                                " (loss is not finite); lower the learning rate");
            if (threads > 0) {
                stepThreads.done(
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - tf).count() /
                    static_cast<double>(o.batchSize * o.seqLen));
                stepThreads.freeCores(detail::freeCoresSince(cpuMark));
            }
            if (step == startStep)
                rep.firstLoss = l;
            recent.push_back(l);
            if (recent.size() > 50)
                recent.pop_front();
            trainedTokens += static_cast<long long>(o.batchSize) * o.seqLen;
            const double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - tTrain).count();
            if ((step + 1) % o.checkpointEvery == 0 || step + 1 == sched.steps)
                if (auto s = saveCheckpoint(step + 1); !s)
                    return s.error();
            if (!o.heldout.empty() && o.evalEvery > 0 && (step + 1) % o.evalEvery == 0)
                heldoutNll(model, o, encode, o.evalBytes, device, &lastBpb);
            std::ostringstream stage;
            stage.precision(4);
            stage << "loss " << l << " lr " << lr << " tok/s "
                  << static_cast<long long>(trainedTokens / std::max(secs, 1e-9));
            if (threads > 0)
                stage << " threads " << threads;
            if (lastBpb > 0)
                stage << " heldout bpb " << lastBpb;
            job.report(step + 1, sched.steps, stage.str());
        }
        if (torch::get_num_threads() !=
            stepThreads.most()) // the evaluation below runs at full width
            torch::set_num_threads(stepThreads.most());
        double mean = 0;
        for (double x : recent)
            mean += x;
        rep.finalLoss = recent.empty() ? 0 : mean / static_cast<double>(recent.size());
        if (step < sched.steps) // stopped by the time budget: keep what was trained
            if (auto sv = saveCheckpoint(step); !sv)
                return sv.error();
        rep.steps = step;
        rep.tokens = trainedTokens;
        if (!o.heldout.empty())
            heldoutNll(model, o, encode, o.evalBytes, device, &rep.heldoutBitsPerByte);

        // The final folder: config.json + model.safetensors in bf16 (half the size; the engine
        // computes in fp32). Round the weights to bf16 in place so the sample below is scored with
        // exactly the saved weights.
        {
            torch::NoGradGuard ng;
            for (auto &[n, p] : model.named)
                p.copy_(p.to(torch::kBFloat16).to(torch::kFloat32));
            std::vector<int64_t> sample;
            std::string err;
            if (nextBatch(0, sample, err)) {
                sample.resize(
                    std::min<std::size_t>(sample.size(), static_cast<std::size_t>(o.seqLen)));
                sample[0] = o.bosId;
                // fp32 (no autocast), as the engine computes with the saved weights.
                auto ids = torch::tensor(sample, torch::kInt64).view({1, -1}).to(device);
                auto lp = torch::log_softmax(model.logits(ids), -1)[0].to(torch::kCPU);
                rep.sampleIds.assign(sample.begin(), sample.end());
                rep.sampleSurprisal.assign(sample.size(), std::nanf(""));
                for (std::size_t t = 1; t < sample.size(); ++t)
                    rep.sampleSurprisal[t] =
                        -lp[static_cast<int64_t>(t - 1)][sample[t]].item<float>();
            }
        }
        std::ofstream(fs::path(o.outputDir) / "config.json") << hfConfig(o).dump(2) << "\n";
        std::vector<std::pair<std::string, torch::Tensor>> finalTensors;
        for (const auto &[n, p] : model.named)
            finalTensors.emplace_back(n, p.detach().to(torch::kBFloat16));
        if (auto s =
                weights::writeSafetensors((fs::path(o.outputDir) / "model.safetensors").string(),
                                          finalTensors, {{"format", "pt"}});
            !s)
            return s.error();
        rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double trainSecs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - tTrain).count();
        rep.tokensPerSecond = trainSecs > 0 ? static_cast<double>(trainedTokens) / trainSecs : 0;
        return rep;
    } catch (const detail::EngineError &e) { // the network build's (a weight it refuses)
        return e.error();
    } catch (const c10::Error &e) {
        return fail(ErrorCode::ModelError, std::string("libtorch: ") + e.what_without_backtrace());
    } catch (const std::bad_alloc &) {
        return fail(ErrorCode::ModelError,
                    "out of memory while training; lower the batch size or model size");
    } catch (const std::exception &e) {
        return fail(ErrorCode::Internal, e.what());
    }
}

} // namespace terse
