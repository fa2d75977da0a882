// Model (public API), the Scorer (windows, per-token scores, attention aggregates) and
// ModelSession.
#include "terse/model.h"

#include "core/threads.h"
#include "models/attention_lift.h"
#include "models/bf16_bits.h"
#include "models/pointwise_kernel.h"
#include "models/transformer.h"
#include "terse/runtime.h"

#include <torch/torch.h>

#include <c10/util/Exception.h>
#include <chrono>
#include <fstream>
#include <sstream>
#include <cmath>
#include <limits>
#include <new>

namespace terse {

using torch::Tensor;

struct Model::Impl {
    std::shared_ptr<Transformer> net;
    ModelInfo info;
};

struct ModelSession::Impl {
    std::shared_ptr<const Model::Impl> model;
    KvCache cache;
    std::vector<int> tokens;
    Tensor
        lastLogp; // log-distribution after the last cached token (float [V]); undefined if unknown
};

namespace {

// Converts everything thrown inside the engine to an Error (design.md rule 8).
template <typename F> auto guarded(const char *what, F &&f) -> decltype(f())
{
    const detail::GuardWords words{what, ErrorCode::ModelError};
    return detail::guard(
        words, std::forward<F>(f), [&](const std::exception &e) -> std::optional<Error> {
            if (const auto *c = dynamic_cast<const c10::Error *>(&e))
                return Error{ErrorCode::ModelError,
                             std::string(what) + ": " + c->what_without_backtrace()};
            return std::nullopt;
        });
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::string archName(const ArchConfig &c)
{
    switch (c.arch) {
    case Arch::Gpt2:
        return "gpt2";
    case Arch::NeoX:
        return "gpt_neox";
    case Arch::Llama:
        return c.modelType;
    case Arch::Bert:
        return c.modelType == "bert" ? "bert" : c.modelType;
    }
    return c.modelType;
}

void copyInto(std::vector<float> &dst, std::size_t offset, const Tensor &src)
{
    Tensor c = src.to(torch::kCPU, torch::kFloat32).contiguous();
    std::copy(c.data_ptr<float>(), c.data_ptr<float>() + c.numel(),
              dst.begin() + static_cast<std::ptrdiff_t>(offset));
}

// One sequence's part in one forward window.
struct Slot {
    SequenceScores *out = nullptr;
    const std::vector<int> *ids = nullptr;
    int n = 0;          // full sequence length (outputs cover 0..n-1)
    int offset = 0;     // global index of the window's first token
    int len = 0;        // tokens of this sequence in the window
    int newFrom = 0;    // local index where positions not scored by an earlier window start
    bool single = true; // the whole sequence fits one window
    // Causal means of a windowed sequence count only queries less than `band` positions after the
    // key, the distance every key has in some window where the query is new. Without it a key early
    // in a stride block also averages in far queries and one late in a block does not: a saw-tooth
    // with the stride's period (issue 20), and the window's first token (the attention sink) was
    // averaged in from far queries.
    int band = 0;
    std::vector<float> *visibleCount =
        nullptr; // [n] queries that could see each key (causal means)
    // Attention lift: per layer, the head-summed attention of every counted (query, key) pair by
    // distance query - key, and the number of such pairs ([layers][n] each).
    std::vector<double> *distanceSum = nullptr, *distanceCount = nullptr;
    std::vector<float> *queryKeys = nullptr; // [n] keys each new query attends over
    // The forward's attention window (each query sees the positions less than `window` before it;
    // 0: all before it): the model's sliding window, or W in the carried scheme (the tighter).
    int window = 0;
    int hFrom =
        0; // local index of the forward's first output row (newFrom when earlier ones are cached)
};

class Scorer {
public:
    Scorer(const Transformer &net, const ScoreRequest &req) : m_net(net), m_req(req) {}

    // Runs one forward over a batch of window slots and fills their outputs.
    void run(std::vector<Slot> &slots, const Tensor &mask, const JobContext &job)
    {
        const auto &cfg = m_net.cfg;
        const int64_t B = static_cast<int64_t>(slots.size());
        int64_t T = 0;
        for (const auto &s : slots)
            T = std::max<int64_t>(T, s.len);
        const int pad = cfg.padId >= 0 && cfg.padId < cfg.vocab ? cfg.padId : 0;
        Tensor ids = torch::full({B, T}, pad, torch::kInt64);
        auto acc = ids.accessor<int64_t, 2>();
        for (int64_t b = 0; b < B; ++b)
            for (int t = 0; t < slots[b].len; ++t)
                acc[b][t] = (*slots[b].ids)[slots[b].offset + t];
        AttentionHook hook;
        if (wantsAttention())
            hook = [&](int layer, const Tensor &probs, int64_t firstRow, int64_t firstKey) {
                onAttention(slots, layer, probs, firstRow, firstKey);
            };
        if (m_req.wantCausalColumnMeans || lift())
            for (auto &s : slots)
                countVisible(s);
        std::vector<Tensor> hidden;
        Tensor h =
            m_net.forward(ids, mask, nullptr, hook, m_req.wantHidden ? &hidden : nullptr, job);
        for (int64_t b = 0; b < B; ++b) {
            throwIfCancelled(job);
            scoreRow(slots[b], h[b], b, hidden);
        }
    }

    // Long prompts of rotary models (issue 16): one chunk of new tokens [offset + newFrom, offset +
    // len) on top of a cache holding [offset, offset + newFrom); then the cache keeps its last
    // `keep` entries.
    void runChunk(Slot &s, KvCache &cache, int64_t keep, const JobContext &job)
    {
        const int64_t count = s.len - s.newFrom;
        std::vector<int64_t> chunk((*s.ids).begin() + s.offset + s.newFrom,
                                   (*s.ids).begin() + s.offset + s.len);
        Tensor ids = torch::tensor(chunk, torch::kInt64).view({1, count});
        std::vector<Slot> slots{s};
        slots[0].hFrom = s.newFrom;
        AttentionHook hook;
        if (wantsAttention())
            hook = [&](int layer, const Tensor &probs, int64_t firstRow, int64_t firstKey) {
                onAttention(slots, layer, probs, firstRow, firstKey);
            };
        if (m_req.wantCausalColumnMeans || lift())
            countVisible(slots[0]);
        std::vector<Tensor> hidden;
        Tensor h =
            m_net.forward(ids, Tensor(), &cache, hook, m_req.wantHidden ? &hidden : nullptr, job);
        throwIfCancelled(job);
        scoreRow(slots[0], h[0], 0, hidden);
        // The next chunk sees the last `keep` tokens as its context: drop the older entries, keep
        // positions absolute.
        const int64_t drop = std::max<int64_t>(0, cache.length() - keep);
        for (std::size_t l = 0; l < cache.k.size(); ++l) {
            cache.k[l] = cache.k[l].narrow(2, drop, cache.k[l].size(2) - drop);
            cache.v[l] = cache.v[l].narrow(2, drop, cache.v[l].size(2) - drop);
        }
        cache.positionBase += drop;
    }

private:
    bool wantsAttention() const
    {
        return m_req.wantLayerColumnSums || m_req.wantHeadColumnSums ||
               m_req.wantCausalColumnMeans || lift() || m_req.wantLastQueryRow ||
               m_req.displayLayer >= 0 || m_req.wantHeadSumMatrices;
    }
    bool lift() const { return m_req.wantAttentionLift && m_net.cfg.languageModel(); }

    // Accumulates one block of query rows [firstRow, firstRow + rows) of one layer's probabilities
    // over the keys [firstKey, firstKey + probs.size(3)); keys outside were not computed (causal or
    // windowed: 0).
    void onAttention(std::vector<Slot> &slots, int layer, const Tensor &probs, int64_t firstRow,
                     int64_t firstKey)
    {
        const int H = m_net.cfg.heads;
        const int64_t rows = probs.size(2);
        for (std::size_t b = 0; b < slots.size(); ++b) {
            Slot &s = slots[b];
            SequenceScores &o = *s.out;
            const int n = s.n, len = s.len;
            const int64_t q0 = std::max<int64_t>(firstRow, 0),
                          q1 = std::min<int64_t>(firstRow + rows, len);
            const int64_t kb = firstKey, ke = std::min<int64_t>(firstKey + probs.size(3), len);
            if (q0 >= q1 || kb >= ke)
                continue;
            Tensor p = probs[static_cast<int64_t>(b)]
                           .narrow(1, q0 - firstRow, q1 - q0)
                           .narrow(2, 0, ke - kb);
            const std::size_t at0 =
                static_cast<std::size_t>(s.offset + kb); // global index of key kb
            // Column sums use only queries new in this window (each query counted once over all
            // windows).
            const int64_t n0 = std::max<int64_t>(q0, s.newFrom);
            if (n0 < q1 && lift())
                addLiftPairs(s, layer, p.narrow(1, n0 - q0, q1 - n0), n0, kb);
            if (n0 < q1 && (m_req.wantHeadColumnSums || m_req.wantLayerColumnSums ||
                            m_req.wantCausalColumnMeans)) {
                Tensor fresh = p.narrow(1, n0 - q0, q1 - n0); // [H, new rows, keys]
                Tensor headCol = fresh.sum(1).to(torch::kFloat32).cpu().contiguous(); // [H, keys]
                auto hc = headCol.accessor<float, 2>();
                const bool banded = m_req.wantCausalColumnMeans && s.band > 0;
                Tensor bandCol;
                if (banded) {
                    // Only pairs with q - k < band (see Slot::band).
                    Tensor q = torch::arange(n0, q1, torch::kInt64).unsqueeze(1);
                    Tensor k = torch::arange(kb, ke, torch::kInt64).unsqueeze(0);
                    Tensor keep = (k > q - s.band).to(fresh.device(), fresh.scalar_type());
                    bandCol = (fresh * keep)
                                  .sum(1)
                                  .sum(0)
                                  .to(torch::kFloat32)
                                  .cpu()
                                  .contiguous(); // [keys]
                }
                for (int hh = 0; hh < H; ++hh)
                    for (int64_t k = 0; k < ke - kb; ++k) {
                        const float v = hc[hh][k];
                        const std::size_t at = static_cast<std::size_t>(layer) * n + at0 + k;
                        if (m_req.wantHeadColumnSums)
                            o.headColumnSums[(static_cast<std::size_t>(layer) * H + hh) * n + at0 +
                                             k] += v;
                        if (m_req.wantLayerColumnSums)
                            o.layerColumnSums[at] += v;
                        if (m_req.wantCausalColumnMeans && !banded)
                            o.causalColumnMeans[at] += v;
                    }
                if (banded) {
                    const float *bc = bandCol.data_ptr<float>();
                    for (int64_t k = 0; k < ke - kb; ++k)
                        o.causalColumnMeans[static_cast<std::size_t>(layer) * n + at0 + k] += bc[k];
                }
            }
            if (m_req.wantLastQueryRow && s.offset + len == n && q1 == len) {
                Tensor row = p.select(1, q1 - 1 - q0).sum(0);
                std::fill(o.lastQueryRow.begin() + static_cast<std::ptrdiff_t>(layer) * n,
                          o.lastQueryRow.begin() + static_cast<std::ptrdiff_t>(layer + 1) * n,
                          0.0f);
                copyInto(o.lastQueryRow, static_cast<std::size_t>(layer) * n + at0, row);
            }
            if ((kb > 0 || ke < len) && s.single &&
                (m_req.displayLayer == layer || m_req.wantHeadSumMatrices))
                p = torch::constant_pad_nd(p, {kb, len - ke}); // matrices are stored [query, n]
            if (s.single && m_req.displayLayer == layer) {
                Tensor m = m_req.displayHead >= 0 && m_req.displayHead < H ? p[m_req.displayHead]
                                                                           : p.sum(0);
                copyInto(o.displayMatrix, static_cast<std::size_t>(q0) * n, m);
            }
            if (s.single && m_req.wantHeadSumMatrices)
                copyInto(o.headSumMatrices, (static_cast<std::size_t>(layer) * n + q0) * n,
                         p.sum(0));
        }
    }

    // Attention lift: adds this block's pairs (new queries `fresh` [H, rows, keys] from `n0`, keys
    // from `kb`, local indices) to each key's received sum and to the layer's sums by distance,
    // over the pairs the causal means count (causal, inside the sliding window and the band); one
    // pass over the head-summed block.
    void addLiftPairs(Slot &s, int layer, const Tensor &fresh, int64_t n0, int64_t kb)
    {
        const Tensor m = fresh.sum(0).to(torch::kFloat32).cpu().contiguous(); // [rows, keys]
        const int64_t rows = m.size(0), keys = m.size(1);
        const float *a = m.data_ptr<float>();
        const int window = s.window;
        const std::size_t base = static_cast<std::size_t>(layer) * static_cast<std::size_t>(s.n);
        double *sum = s.distanceSum->data() + base, *count = s.distanceCount->data() + base;
        float *received =
            s.out->attentionLift.data() + base + s.offset; // the sums, divided at the end
        for (int64_t r = 0; r < rows; ++r) {
            const int64_t q = n0 + r;
            int64_t lo = kb;
            if (window > 0)
                lo = std::max(lo, q - window + 1);
            const int64_t hi = std::min(q, kb + keys - 1); // causal: keys up to the query
            (*s.queryKeys)[static_cast<std::size_t>(s.offset + q)] =
                static_cast<float>(std::max<int64_t>(0, hi - lo + 1)); // all its keys
            if (s.band > 0)
                lo = std::max(lo, q - s.band + 1); // the counted pairs
            for (int64_t k = lo; k <= hi; ++k) {
                const float v = a[r * keys + (k - kb)];
                const std::size_t d = static_cast<std::size_t>(q - k);
                received[k] += v;
                sum[d] += v;
                count[d] += 1.0;
            }
        }
    }

    // How many of this window's new queries may see each key: causal (and sliding) for decoders,
    // every query for encoders.
    void countVisible(Slot &s)
    {
        // Key k is seen by the new queries q in [max(newFrom, k), len) (causal; every new query for
        // encoders) with q < k + window and q < k + band where those apply: a count per key, no
        // loop over pairs.
        const auto &cfg = m_net.cfg;
        const int window = cfg.causal ? s.window : 0;
        for (int k = 0; k < s.len; ++k) {
            int lo = cfg.causal ? std::max(s.newFrom, k) : s.newFrom, hi = s.len;
            if (window > 0)
                hi = std::min(hi, k + window);
            if (s.band > 0)
                hi = std::min(hi, k + s.band);
            if (hi > lo)
                (*s.visibleCount)[s.offset + k] += static_cast<float>(hi - lo);
        }
    }

    // Log-sum-exp (and entropy, when `ent`) of each row of a CPU head's contiguous [rows, V]
    // output, fp32 or bf16 (read as bf16: the same values whichever path asks).
    static void logSumExpOnCpu(const Tensor &head, float *lse, float *ent)
    {
        const int64_t rows = head.size(0), V = head.size(1);
        const bool bf16 = head.scalar_type() == torch::kBFloat16;
        at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
            if (bf16)
                detail::logSumExpEntropy(
                    reinterpret_cast<const std::uint16_t *>(head.data_ptr<at::BFloat16>()), V, V,
                    lse, ent, begin, end);
            else
                detail::logSumExpEntropy(head.data_ptr<float>(), V, V, lse, ent, begin, end);
        });
    }

    // log p(next) and (asked for) entropy of rows [g0, g0 + cnt) from a CPU language-model head's
    // contiguous fp32 or bf16 logits.
    void scoreRowsOnCpu(Slot &s, const Tensor &head, int g0, int cnt)
    {
        SequenceScores &o = *s.out;
        const int V = m_net.cfg.vocab;
        const bool bf16 = head.scalar_type() == torch::kBFloat16;
        const auto *zb =
            bf16 ? reinterpret_cast<const std::uint16_t *>(head.data_ptr<at::BFloat16>()) : nullptr;
        const float *zf = bf16 ? nullptr : head.data_ptr<float>();
        std::vector<float> lse(static_cast<std::size_t>(cnt));
        logSumExpOnCpu(head, lse.data(), m_req.wantEntropy ? o.entropy.data() + g0 : nullptr);
        const int rows = std::min(cnt, s.n - 1 - g0); // rows whose next token is known
        for (int r = 0; r < rows; ++r) {
            const std::size_t at = static_cast<std::size_t>(r) * V + (*s.ids)[g0 + r + 1];
            const float lp = (bf16 ? detail::fromBf16(zb[at]) : zf[at]) - lse[r];
            o.nextTokenLogprob[g0 + r] = lp;
            o.surprisal[g0 + r + 1] = -lp;
        }
    }

    void scoreRow(Slot &s, const Tensor &h, int64_t b, const std::vector<Tensor> &hidden)
    {
        const auto &cfg = m_net.cfg;
        SequenceScores &o = *s.out;
        const int n = s.n;
        const bool lm = cfg.languageModel();
        const int V = lm ? cfg.vocab : cfg.numLabels;
        const int k = lm ? std::min(m_req.topK, V) : 0;
        constexpr int kChunk = 256;
        for (int from = s.newFrom; from < s.len; from += kChunk) {
            const int cnt = std::min(kChunk, s.len - from);
            // Log-softmax and entropy on the model's device in fp32 from one log-sum-exp (issue
            // 16): only the values asked for leave the device, not [cnt, V] logits. Against the
            // reference's float64 the difference is below 1e-5 nats
            // (tests/engine/test_model_oracle: atol 1e-4).
            Tensor head = m_net.headOutput(h.narrow(0, from - s.hFrom, cnt)); // [cnt, V]
            const int g0 = s.offset + from; // global position of row 0
            if (lm && k == 0 && !m_req.wantLogits && head.device().is_cpu() && head.size(1) == V &&
                (head.scalar_type() == torch::kBFloat16 || head.scalar_type() == torch::kFloat32)) {
                // What methods ask (surprisal, maybe entropy) straight from the head's rows, bf16
                // ones widened as they are read: the same values as the path below without its
                // fp32 copy of the logits (written, then read again: 16M of them for 4k tokens
                // and 4k words) and its gather / subtract / copy ops.
                scoreRowsOnCpu(s, head.contiguous(), g0, cnt);
                continue;
            }
            Tensor logits = head.to(torch::kFloat32).contiguous(); // [cnt, V]
            // On the CPU, log-sum-exp and entropy in one kernel over each row
            // (detail::logSumExpEntropy): two reads of the logits instead of six passes, each
            // with a [cnt, V] result.
            Tensor lse, fusedEntropy;
            if (logits.device().is_cpu()) {
                lse = torch::empty({cnt, 1}, logits.options());
                if (lm && m_req.wantEntropy)
                    fusedEntropy = torch::empty({cnt}, logits.options());
                // A bf16 head's rows as the path above reads them (the bf16 kernel, which may
                // differ from the fp32 one in the last bits): asking for logits or top-k
                // changes no score.
                logSumExpOnCpu(head.scalar_type() == torch::kBFloat16 ? head.contiguous() : logits,
                               lse.data_ptr<float>(),
                               fusedEntropy.defined() ? fusedEntropy.data_ptr<float>() : nullptr);
            } else {
                lse = logits.logsumexp(-1, true); // [cnt, 1]
            }
            if (m_req.wantLogits)
                copyInto(o.logits, static_cast<std::size_t>(g0) * V, logits);
            if (!lm) {
                Tensor logp = logits - lse;
                Tensor p = logp.exp();
                copyInto(o.entropy, g0, -(p * logp).sum(-1));
                copyInto(o.labelLogprobs, static_cast<std::size_t>(g0) * V, logp);
                copyInto(o.classProbs, static_cast<std::size_t>(g0) * V, p);
                continue;
            }
            if (m_req.wantEntropy && fusedEntropy.defined()) {
                copyInto(o.entropy, g0, fusedEntropy);
            } else if (m_req.wantEntropy) {
                // H = -sum p log p
                Tensor logp = logits - lse;
                Tensor p = logp.exp();
                Tensor ent = -(p * logp).sum(-1);
                if (ent.isnan().any().item<bool>()) // a -inf logit: 0 * -inf; such terms are 0
                    ent = -torch::where(p > 0, p * logp, torch::zeros_like(p)).sum(-1);
                copyInto(o.entropy, g0, ent);
            }
            const int rows = std::min(cnt, n - 1 - g0); // rows whose next token is known
            if (rows > 0) {
                std::vector<int64_t> next(static_cast<std::size_t>(rows));
                for (int r = 0; r < rows; ++r)
                    next[static_cast<std::size_t>(r)] = (*s.ids)[g0 + r + 1];
                Tensor idx = torch::tensor(next, torch::kInt64).to(logits.device()).unsqueeze(1);
                // log p(next) = z_next - logsumexp(z): only the gathered values are normalised.
                Tensor lpNext = (logits.narrow(0, 0, rows).gather(1, idx) - lse.narrow(0, 0, rows))
                                    .squeeze(1)
                                    .cpu()
                                    .contiguous();
                auto lp = lpNext.accessor<float, 1>();
                for (int r = 0; r < rows; ++r) {
                    o.nextTokenLogprob[g0 + r] = lp[r];
                    o.surprisal[g0 + r + 1] = -lp[r];
                }
            }
            if (k > 0) {
                auto top = logits.topk(k, -1);
                Tensor vals = (std::get<0>(top) - lse).cpu().contiguous();
                Tensor idx = std::get<1>(top).cpu().contiguous();
                auto va = vals.accessor<float, 2>();
                auto ia = idx.accessor<int64_t, 2>();
                for (int r = 0; r < cnt; ++r)
                    for (int j = 0; j < k; ++j)
                        o.topK[static_cast<std::size_t>(g0 + r) * k + j] = {
                            static_cast<int>(ia[r][j]), va[r][j]};
            }
        }
        if (m_req.wantHidden) {
            const int Hd = cfg.hidden;
            for (std::size_t l = 0; l < hidden.size(); ++l)
                copyInto(o.hidden, (l * n + s.offset + s.newFrom) * Hd,
                         hidden[l][b].narrow(0, s.newFrom - s.hFrom, s.len - s.newFrom));
        }
    }

    const Transformer &m_net;
    const ScoreRequest &m_req;
};

void allocate(SequenceScores &o, const ArchConfig &cfg, const ScoreRequest &req, int n, bool single)
{
    const std::size_t N = static_cast<std::size_t>(n), L = cfg.layers, H = cfg.heads;
    const bool lm = cfg.languageModel();
    const std::size_t V = lm ? cfg.vocab : cfg.numLabels;
    if (lm) {
        o.surprisal.assign(N, kNaN);
        o.nextTokenLogprob.assign(N > 0 ? N - 1 : 0, 0.0f);
        if (req.topK > 0)
            o.topK.assign(N * std::min<std::size_t>(req.topK, V), {});
    } else {
        o.classProbs.assign(N * V, 0.0f);
        o.labelLogprobs.assign(N * V, 0.0f);
    }
    if (req.wantEntropy || !lm)
        o.entropy.assign(N, 0.0f);
    if (req.wantLogits)
        o.logits.assign(N * V, 0.0f);
    if (req.wantHidden)
        o.hidden.assign((L + 1) * N * cfg.hidden, 0.0f);
    if (req.wantLayerColumnSums)
        o.layerColumnSums.assign(L * N, 0.0f);
    if (req.wantHeadColumnSums)
        o.headColumnSums.assign(L * H * N, 0.0f);
    if (req.wantCausalColumnMeans)
        o.causalColumnMeans.assign(L * N, 0.0f);
    if (req.wantAttentionLift && lm)
        o.attentionLift.assign(L * N, 0.0f);
    if (req.wantLastQueryRow)
        o.lastQueryRow.assign(L * N, 0.0f);
    if (single && req.displayLayer >= 0 && req.displayLayer < cfg.layers)
        o.displayMatrix.assign(N * N, 0.0f);
    if (single && req.wantHeadSumMatrices)
        o.headSumMatrices.assign(L * N * N, 0.0f);
}

} // namespace

bool cpuHasNativeBf16()
{
    static const bool has = [] {
        std::ifstream in("/proc/cpuinfo");
        std::string line;
        while (std::getline(in, line))
            if (line.rfind("flags", 0) == 0) {
                std::istringstream words(line);
                std::string w;
                while (words >> w)
                    if (w == "avx512_bf16" || w == "amx_bf16")
                        return true;
                return false;
            }
        return false;
    }();
    return has;
}

ComputeDtype resolveDtype(ComputeDtype dtype, const std::string &device)
{
    if (dtype != ComputeDtype::Auto)
        return dtype;
    const bool cpu = device.empty() || device == "cpu";
    return cpu && cpuHasNativeBf16() ? ComputeDtype::BFloat16 : ComputeDtype::Float32;
}

Result<ComputeDtype> parseDtype(const std::string &name)
{
    if (name == "fp32" || name == "float32")
        return ComputeDtype::Float32;
    if (name == "bf16" || name == "bfloat16")
        return ComputeDtype::BFloat16;
    if (name == "auto")
        return ComputeDtype::Auto;
    return fail(ErrorCode::InvalidArgument,
                "dtype must be fp32, bf16 or auto (got '" + name + "')");
}

const char *dtypeName(ComputeDtype dtype)
{
    switch (dtype) {
    case ComputeDtype::Float32:
        return "fp32";
    case ComputeDtype::BFloat16:
        return "bf16";
    case ComputeDtype::Auto:
        return "auto";
    }
    return "fp32";
}

Result<Model> Model::load(const std::string &path, const ModelLoadOptions &options)
{
    return guarded("loading the model", [&]() -> Result<Model> {
        if (options.threads > 0)
            initRuntime(options.threads);
        torch::Device device(torch::kCPU);
        try {
            device = torch::Device(options.device.empty() ? "cpu" : options.device);
        } catch (const c10::Error &) {
            return fail(ErrorCode::InvalidArgument,
                        "unknown device '" + options.device + "' (use cpu or cuda[:N])");
        }
        if (device.is_cuda() && !torch::cuda::is_available())
            return fail(ErrorCode::Unsupported,
                        "device '" + options.device + "' requested but CUDA is not available");
        const ComputeDtype computeDtype = resolveDtype(options.dtype, options.device);
        const auto dtype =
            computeDtype == ComputeDtype::BFloat16 ? torch::kBFloat16 : torch::kFloat32;
        // Once the store and the conversions' temporaries are gone (locals end in reverse order):
        // their freed blocks back to the system, not held by the allocator beside the model.
        struct ReleaseOnExit {
            ~ReleaseOnExit() { releaseFreeMemory(); }
        } releaseOnExit;
        WeightStore store = loadWeights(path);
        auto impl = std::make_shared<Impl>();
        impl->net = Transformer::build(store, dtype, device);
        impl->net->attentionBlockFloats = std::max<long long>(1, options.attentionBlockFloats);
        impl->net->fusedAttention = options.fusedAttention;
        if (options.fuseProjections)
            impl->net->fuseProjections();
        const ArchConfig &c = impl->net->cfg;
        ModelInfo &i = impl->info;
        i.architecture = archName(c);
        i.format = store.format;
        i.path = path;
        i.kind = c.languageModel() ? ModelKind::CausalLM : ModelKind::TokenClassifier;
        i.parameters = impl->net->parameters;
        i.layers = c.layers;
        i.heads = c.heads;
        i.kvHeads = c.kvHeads;
        i.hidden = c.hidden;
        i.vocabSize = c.vocab;
        i.numLabels = c.numLabels;
        i.maxPositions = c.maxPositions;
        i.slidingWindow = c.slidingWindow;
        i.bosId = c.bosId;
        i.eosId = c.eosId;
        i.padId = c.padId;
        i.dtype = computeDtype == ComputeDtype::BFloat16 ? "bfloat16" : "float32";
        i.device = device.str();
        return Model(std::move(impl));
    });
}

const ModelInfo &Model::info() const
{
    return m_impl->info;
}

Result<ScoreResult> Model::score(const std::vector<std::vector<int>> &ids, const ScoreRequest &req,
                                 const JobContext &job) const
{
    return guarded("scoring", [&]() -> Result<ScoreResult> {
        const auto t0 = std::chrono::steady_clock::now();
        const Transformer &net = *m_impl->net;
        const ArchConfig &cfg = net.cfg;
        for (std::size_t s = 0; s < ids.size(); ++s)
            for (std::size_t t = 0; t < ids[s].size(); ++t)
                if (ids[s][t] < 0 || ids[s][t] >= cfg.vocab)
                    return fail(ErrorCode::InvalidArgument,
                                "token id " + std::to_string(ids[s][t]) + " at sequence " +
                                    std::to_string(s) + ", position " + std::to_string(t) +
                                    " is outside the vocabulary [0, " + std::to_string(cfg.vocab) +
                                    ")");
        if (!req.attentionMask.empty()) {
            if (req.attentionMask.size() != ids.size())
                return fail(ErrorCode::InvalidArgument,
                            "attentionMask has " + std::to_string(req.attentionMask.size()) +
                                " rows for " + std::to_string(ids.size()) + " sequences");
            for (std::size_t s = 0; s < ids.size(); ++s)
                if (req.attentionMask[s].size() != ids[s].size())
                    return fail(ErrorCode::InvalidArgument,
                                "attentionMask row " + std::to_string(s) +
                                    " does not match the sequence length");
        }
        if (req.topK < 0 || req.windowStride < 0 || req.carriedChunk < 0)
            return fail(ErrorCode::InvalidArgument,
                        "topK, windowStride and carriedChunk must not be negative");
        const int W = cfg.maxPositions;
        const int stride =
            req.windowStride > 0 ? std::min(req.windowStride, W) : std::max(1, W / 2);
        if (!req.attentionMask.empty())
            for (std::size_t s = 0; s < ids.size(); ++s)
                if (static_cast<int>(ids[s].size()) > W)
                    return fail(ErrorCode::InvalidArgument,
                                "an explicit attentionMask needs sequences of at most " +
                                    std::to_string(W) + " tokens");
        double tokens = 0;
        for (const auto &seq : ids)
            tokens += static_cast<double>(seq.size());
        detail::useThreadsFor(2.0 * static_cast<double>(m_impl->info.parameters) * tokens);
        ScoreResult result;
        result.layers = cfg.layers;
        result.heads = cfg.heads;
        result.sequences.resize(ids.size());
        std::vector<std::vector<float>> visible(ids.size());
        std::vector<std::vector<double>> liftSum, liftCount; // per sequence: [layers][n]
        std::vector<std::vector<float>> liftKeys;            // per sequence: [n]
        if (req.wantAttentionLift && cfg.languageModel()) {
            liftSum.resize(ids.size());
            liftCount.resize(ids.size());
            liftKeys.resize(ids.size());
            for (std::size_t s = 0; s < ids.size(); ++s) {
                liftKeys[s].assign(ids[s].size(), 0.0f);
                liftSum[s].assign(static_cast<std::size_t>(cfg.layers) * ids[s].size(), 0.0);
                liftCount[s].assign(static_cast<std::size_t>(cfg.layers) * ids[s].size(), 0.0);
            }
        }
        auto withLift = [&](Slot &slot, std::size_t s) {
            if (!liftSum.empty()) {
                slot.distanceSum = &liftSum[s];
                slot.distanceCount = &liftCount[s];
                slot.queryKeys = &liftKeys[s];
            }
        };
        Scorer scorer(net, req);
        std::vector<Slot> shortSlots;
        for (std::size_t s = 0; s < ids.size(); ++s) {
            const int n = static_cast<int>(ids[s].size());
            allocate(result.sequences[s], cfg, req, n, n <= W);
            result.sequences[s].ids = ids[s];
            visible[s].assign(n, 0.0f);
            if (n == 0)
                continue;
            if (n <= W) {
                Slot slot;
                slot.out = &result.sequences[s];
                slot.ids = &ids[s];
                slot.n = slot.len = n;
                slot.window = cfg.slidingWindow;
                slot.visibleCount = &visible[s];
                withLift(slot, s);
                shortSlots.push_back(slot);
            }
        }
        // Short sequences: padded batches of similar length (sorted by length, so a batch of short
        // sentences is not padded to a long one's length), each of at most 8192 tokens with its
        // padding (bounding the activation memory). Results go to each sequence's own slot.
        std::stable_sort(shortSlots.begin(), shortSlots.end(),
                         [](const Slot &a, const Slot &b) { return a.n < b.n; });
        constexpr std::size_t kBatchTokens = 8192;
        for (std::size_t g = 0, next = 0; g < shortSlots.size(); g = next) {
            next = g + 1; // sorted: the last slot taken is the longest, the batch's padded length
            while (next < shortSlots.size() &&
                   (next + 1 - g) * static_cast<std::size_t>(shortSlots[next].n) <= kBatchTokens)
                ++next;
            std::vector<Slot> batch(shortSlots.begin() + g, shortSlots.begin() + next);
            int T = 0;
            bool ragged = false;
            for (const auto &s : batch) {
                ragged = ragged || (T != 0 && s.len != T);
                T = std::max(T, s.len);
            }
            Tensor mask;
            if (!req.attentionMask.empty() || (ragged && !cfg.causal)) {
                mask = torch::zeros({static_cast<int64_t>(batch.size()), T}, torch::kInt64);
                for (std::size_t b = 0; b < batch.size(); ++b) {
                    const std::size_t seq =
                        static_cast<std::size_t>(batch[b].out - result.sequences.data());
                    for (int t = 0; t < batch[b].len; ++t)
                        mask[b][t] = req.attentionMask.empty() ? 1 : req.attentionMask[seq][t];
                }
            }
            scorer.run(batch, mask, job);
            job.report(static_cast<long long>(g + batch.size()),
                       static_cast<long long>(shortSlots.size()), "scoring");
        }
        // Long sequences of rotary decoders (issue 16), unless a stride is asked for: chunks of C
        // >= W new tokens, each on top of the last W cached keys and values of the chunk before
        // (at their absolute positions), with attention limited to the W positions before each
        // query (a sliding window, inside a chunk too). Every token is computed once (the stride
        // windows below compute most twice) and sees W - 1 tokens before it, as in a window of its
        // own; only the cached context's states differ, as they saw context of their own (README,
        // Models: measured against one pass over the whole text). One pass with a sliding window
        // of W whatever C is. 8 windows' worth against 8 one-window forwards, bf16, the bundled
        // model's shape (FLOPs 1.06x): C = W 1.12-1.24x the time, C = 2048 1.09-1.14x; 192x4 1.16x
        // -> 1.03-1.06x (bench_model --section long).
        const bool carried = cfg.causal && cfg.arch != Arch::Gpt2 && req.windowStride == 0;
        const int chunk =
            std::max(W, req.carriedChunk > 0 ? req.carriedChunk : kCarriedChunkTokens);
        for (std::size_t s = 0; carried && s < ids.size(); ++s) {
            const int n = static_cast<int>(ids[s].size());
            if (n <= W)
                continue;
            KvCache cache;
            cache.window = W;
            int chunks = 0;
            for (int begin = 0; begin < n; begin += chunk) {
                throwIfCancelled(job);
                const int end = std::min(n, begin + chunk);
                Slot slot;
                slot.out = &result.sequences[s];
                slot.ids = &ids[s];
                slot.n = n;
                slot.offset = static_cast<int>(cache.positionBase);
                slot.newFrom = begin - slot.offset;
                slot.len = end - slot.offset;
                slot.single = false;
                slot.band =
                    std::max(1, W / 2); // causal means over each key's next W/2 queries, as before
                slot.window = cfg.slidingWindow > 0 ? std::min(cfg.slidingWindow, W) : W;
                slot.visibleCount = &visible[s];
                withLift(slot, s);
                scorer.runChunk(slot, cache, W, job);
                ++chunks;
                job.report(end, n, "scoring windows");
            }
            result.windows = std::max(result.windows, chunks);
        }
        // Other long sequences: windows of W tokens advancing by `stride`; each position is scored
        // once, in the first window where it is new (the HF perplexity-with-stride scheme).
        for (std::size_t s = 0; !carried && s < ids.size(); ++s) {
            const int n = static_cast<int>(ids[s].size());
            if (n <= W)
                continue;
            int prevEnd = 0, windows = 0;
            for (int start = 0; prevEnd < n; start += stride) {
                throwIfCancelled(job);
                const int end = std::min(start + W, n);
                Slot slot;
                slot.out = &result.sequences[s];
                slot.ids = &ids[s];
                slot.n = n;
                slot.offset = start;
                slot.len = end - start;
                slot.newFrom = prevEnd - start;
                slot.single = false;
                slot.band = cfg.causal ? stride : 0;
                slot.window = cfg.slidingWindow;
                slot.visibleCount = &visible[s];
                withLift(slot, s);
                std::vector<Slot> batch{slot};
                scorer.run(batch, Tensor(), job);
                prevEnd = end;
                ++windows;
                job.report(end, n, "scoring windows");
            }
            result.windows = std::max(result.windows, windows);
        }
        if (!liftSum.empty())
            for (std::size_t s = 0; s < ids.size(); ++s)
                detail::finishAttentionLift(result.sequences[s].attentionLift, liftSum[s],
                                            liftCount[s], visible[s], liftKeys[s], cfg.layers,
                                            cfg.heads);
        if (req.wantCausalColumnMeans)
            for (std::size_t s = 0; s < ids.size(); ++s) {
                auto &o = result.sequences[s];
                const std::size_t n = ids[s].size();
                for (int l = 0; l < cfg.layers; ++l)
                    for (std::size_t k = 0; k < n; ++k) {
                        const float c = visible[s][k] * cfg.heads;
                        float &v = o.causalColumnMeans[l * n + k];
                        v = c > 0 ? v / c : 0.0f;
                    }
            }
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return result;
    });
}

Result<ModelSession> Model::newSession() const
{
    if (!m_impl->net->cfg.languageModel())
        return fail(ErrorCode::Unsupported,
                    m_impl->info.architecture +
                        " is a token classifier: it has no KV-cache session");
    auto impl = std::make_unique<ModelSession::Impl>();
    impl->model = m_impl;
    return ModelSession(std::move(impl));
}

ModelSession::ModelSession(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ModelSession::ModelSession(ModelSession &&) noexcept = default;
ModelSession &ModelSession::operator=(ModelSession &&) noexcept = default;
ModelSession::~ModelSession() = default;

int ModelSession::length() const
{
    return static_cast<int>(m_impl->tokens.size());
}
const std::vector<int> &ModelSession::tokens() const
{
    return m_impl->tokens;
}

namespace {

void trimCache(KvCache &cache, int64_t length)
{
    for (std::size_t l = 0; l < cache.k.size(); ++l)
        if (cache.k[l].defined() && cache.k[l].size(2) > length) {
            cache.k[l] = cache.k[l].narrow(2, 0, length).contiguous();
            cache.v[l] = cache.v[l].narrow(2, 0, length).contiguous();
        }
}

} // namespace

Result<StepScores> ModelSession::append(const std::vector<int> &ids, bool wantLogits,
                                        const JobContext &job)
{
    const Transformer &net = *m_impl->model->net;
    const ArchConfig &cfg = net.cfg;
    const int before = length();
    auto r = guarded("decoding", [&]() -> Result<StepScores> {
        for (std::size_t i = 0; i < ids.size(); ++i)
            if (ids[i] < 0 || ids[i] >= cfg.vocab)
                return fail(ErrorCode::InvalidArgument, "token id " + std::to_string(ids[i]) +
                                                            " at position " + std::to_string(i) +
                                                            " is outside the vocabulary");
        // Learned position tables end at maxPositions; rotary models may run past it (quality
        // degrades).
        if (cfg.arch == Arch::Gpt2 && before + static_cast<int>(ids.size()) > cfg.maxPositions)
            return fail(ErrorCode::InvalidArgument,
                        "the session would hold " + std::to_string(before + ids.size()) +
                            " tokens; " + m_impl->model->info.architecture + " allows " +
                            std::to_string(cfg.maxPositions));
        StepScores out;
        if (ids.empty())
            return out;
        const int64_t n = static_cast<int64_t>(ids.size());
        detail::useThreadsFor(2.0 * static_cast<double>(m_impl->model->info.parameters) *
                              static_cast<double>(n));
        std::vector<int64_t> ids64(ids.begin(), ids.end());
        Tensor t = torch::tensor(ids64, torch::kInt64).view({1, n});
        Tensor h = net.forward(t, Tensor(), &m_impl->cache, nullptr, nullptr, job);
        Tensor logits = net.logits(h[0]).cpu();
        // fp32 from one log-sum-exp, as Model::score (no float64 pass over the vocabulary).
        Tensor logp = logits - logits.logsumexp(-1, true);
        Tensor ent = (-(logp.exp() * logp).sum(-1)).contiguous();
        Tensor arg = logp.argmax(-1).contiguous();
        Tensor own; // log-prob of each new token after the first, predicted by the row before it
        if (n > 1)
            own = logp.narrow(0, 0, n - 1)
                      .gather(1, t[0].narrow(0, 1, n - 1).unsqueeze(1))
                      .squeeze(1)
                      .contiguous();
        const float *entp = ent.data_ptr<float>();
        const int64_t *argp = arg.data_ptr<int64_t>();
        for (int64_t i = 0; i < n; ++i) {
            const int id = ids[static_cast<std::size_t>(i)];
            float v = kNaN;
            if (i > 0)
                v = own.data_ptr<float>()[i - 1];
            else if (m_impl->lastLogp.defined())
                v = m_impl->lastLogp.data_ptr<float>()[id];
            out.logprob.push_back(v);
            out.entropy.push_back(entp[i]);
            out.greedyNext.push_back(static_cast<int>(argp[i]));
        }
        if (wantLogits) {
            out.logits.resize(static_cast<std::size_t>(n) * cfg.vocab);
            copyInto(out.logits, 0, logits);
        }
        m_impl->lastLogp = logp[n - 1].contiguous().clone();
        m_impl->tokens.insert(m_impl->tokens.end(), ids.begin(), ids.end());
        return out;
    });
    if (!r.ok())
        trimCache(m_impl->cache, before); // a failed or cancelled step leaves the cache as it was
    return r;
}

Result<void> ModelSession::trim(int newLength)
{
    if (newLength < 0 || newLength > length())
        return fail(ErrorCode::InvalidArgument, "cannot trim a session of " +
                                                    std::to_string(length()) + " tokens to " +
                                                    std::to_string(newLength));
    if (newLength == length())
        return {};
    trimCache(m_impl->cache, newLength);
    m_impl->tokens.resize(static_cast<std::size_t>(newLength));
    m_impl->lastLogp = Tensor(); // the distribution after the new last token was not kept
    return {};
}

Result<void> ModelSession::evict(int start, int count)
{
    const int n = length();
    if (start < 0 || count < 0 || start + count > n)
        return fail(ErrorCode::InvalidArgument, "cannot evict [" + std::to_string(start) + ", " +
                                                    std::to_string(start + count) +
                                                    ") from a session of " + std::to_string(n) +
                                                    " tokens");
    if (count == 0)
        return {};
    KvCache &c = m_impl->cache;
    for (std::size_t l = 0; l < c.k.size(); ++l) {
        if (!c.k[l].defined())
            continue;
        const int64_t S = c.k[l].size(2);
        c.k[l] = torch::cat(
            {c.k[l].narrow(2, 0, start), c.k[l].narrow(2, start + count, S - start - count)}, 2);
        c.v[l] = torch::cat(
            {c.v[l].narrow(2, 0, start), c.v[l].narrow(2, start + count, S - start - count)}, 2);
    }
    m_impl->tokens.erase(m_impl->tokens.begin() + start, m_impl->tokens.begin() + start + count);
    if (start + count == n)
        m_impl->lastLogp = Tensor();
    return {};
}

} // namespace terse
