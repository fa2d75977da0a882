// LLMLingua's iterative token-level compression: the window plans and both ITPCs (see
// llmlingua_itpc.h).
#include "compressors/llmlingua_itpc.h"

#include "compressors/common.h"

#include <cmath>
#include <functional>
#include <numeric>

namespace terse::detail::lingua {

std::vector<Window> dynamicPlan(const Lm &lm, const std::vector<std::string> &context,
                                double target, int it, const std::vector<double> &dyn, int start)
{
    auto ratio = [](double base, double delta) {
        return std::max(std::min(1.0, base + delta), 0.0);
    };
    std::vector<long> len;
    for (const auto &c : context)
        len.push_back(lm.length(c, false) + 2);
    if (start)
        len.erase(len.begin());
    const double tau =
        target / (static_cast<double>(std::accumulate(len.begin(), len.end(), 0L)) + 1);
    std::vector<Window> res;
    Window lastTarget;
    long last = 1;
    for (std::size_t i = 0; i < len.size(); ++i) {
        const double d = i < dyn.size() ? dyn[i] : 0.0;
        if (last + len[i] >= it) {
            lastTarget.push_back({it - last, ratio(tau, d)});
            res.push_back(lastTarget);
            last = last + len[i] - it;
            if (last > it) {
                const long k = last / it;
                for (long j = 0; j < k; ++j)
                    res.push_back({{it, ratio(tau, d)}});
                last -= k * it;
            }
            lastTarget = last ? Window{{last, ratio(tau, d)}} : Window{};
        } else {
            last += len[i];
            lastTarget.push_back({len[i], ratio(tau, d)});
        }
    }
    if (!lastTarget.empty())
        res.push_back(lastTarget);
    return res;
}

std::vector<Window> structuredPlan(const Lm &lm, const std::vector<int> &ids, int it,
                                   const std::vector<std::string> &segments,
                                   const std::vector<double> &rate,
                                   const std::vector<char> &compress)
{
    constexpr int decodeWindow = 3;
    std::size_t segIdx = 0;
    long segSeen = 0, tokenSeen = 0;
    double lastRate = -1;
    std::vector<Window> res;
    Window local;
    const long n = static_cast<long>(ids.size());
    for (long i = 0; i < n; ++i) {
        const long b0 = i < decodeWindow ? 0 : i - decodeWindow + 1;
        const std::vector<int> pre(ids.begin() + b0, ids.begin() + i),
            cur(ids.begin() + b0, ids.begin() + i + 1);
        const std::string dcur = lm.decode(cur), dpre = lm.decode(pre);
        long curLen = pyLen(dcur) - pyLen(dpre);
        auto segLeft = [&] { return pyLen(segments[segIdx]) - segSeen; };
        double newRate;
        if (curLen && segIdx < segments.size() && curLen >= segLeft()) {
            std::vector<double> possibleRate;
            bool anyFalse = false;
            while (curLen && segIdx < segments.size() && curLen >= segLeft()) {
                possibleRate.push_back(rate[segIdx]);
                anyFalse |= !compress[segIdx];
                curLen -= segLeft();
                ++segIdx;
                segSeen = 0;
            }
            if (curLen && segIdx < segments.size()) {
                possibleRate.push_back(rate[segIdx]);
                anyFalse |= !compress[segIdx];
            }
            newRate = anyFalse ? 1.0 : *std::min_element(possibleRate.begin(), possibleRate.end());
        } else {
            newRate = rate[std::min(segIdx, rate.size() - 1)];
        }
        if (newRate != lastRate && i - tokenSeen) {
            local.push_back({i - tokenSeen, lastRate});
            tokenSeen = i;
        }
        lastRate = newRate;
        segSeen += curLen;
        if ((i + 1) % it == 0) {
            if (tokenSeen != i + 1) {
                local.push_back({i + 1 - tokenSeen, lastRate});
                tokenSeen = i + 1;
            }
            res.push_back(local);
            local.clear();
        }
    }
    if (tokenSeen != n)
        local.push_back({n - tokenSeen, lastRate});
    if (!local.empty())
        res.push_back(local);
    return res;
}

double estimateThreshold(std::vector<float> v, double ratio)
{
    if (ratio == 1.0 || v.empty())
        return -std::numeric_limits<double>::infinity();
    const long n = static_cast<long>(v.size());
    const long k =
        std::max(0L, std::min(n - 1, static_cast<long>(static_cast<double>(n) * ratio) - 1));
    std::sort(v.begin(), v.end(), std::greater<float>());
    return v[k];
}

long RefItpc::compressedInput(std::vector<float> &loss, long end, long iterSize, double threshold,
                              std::vector<float> *selfLoss)
{
    const long L = static_cast<long>(loss.size());
    std::vector<char> need;
    std::vector<float> value;
    if (selfLoss) {
        const long st = std::min<long>(start, L);
        for (long i = 0; i < st; ++i) {
            need.push_back(loss[i] > 0);
            value.push_back(loss[i]);
        }
        const long m = std::min<long>(L - st, static_cast<long>(selfLoss->size()));
        for (long j = 0; j < m; ++j) {
            const float d = (*selfLoss)[j] - loss[st + j];
            need.push_back(d > threshold);
            value.push_back(d);
        }
    } else {
        for (long i = 0; i < L; ++i) {
            need.push_back(loss[i] > threshold);
            value.push_back(loss[i]);
        }
    }
    if (L > 0)
        need.push_back(loss[0] > 0);
    long N = static_cast<long>(need.size());
    const long hi = pyIdx(end, N), lo = pyIdx(end - iterSize, N);
    for (long i = hi; i < N; ++i)
        need[i] = 1;
    for (long i = 0; i < lo; ++i)
        need[i] = 1;
    // Pins and the trace cover the positions this call decides.
    for (long i = lo; i < hi && i < static_cast<long>(ids.size()); ++i) {
        const int p = pos[i];
        if (i < static_cast<long>(value.size()) && i < N - 1 && i >= start)
            out.value[p] = value[i];
        if (pinKeep[p])
            need[i] = 1;
        else if (pinDrop[p] && i >= start)
            need[i] = 0;
    }
    {
        std::vector<float> nl;
        for (long i = 0; i < L && i < N - 1; ++i)
            if (need[i])
                nl.push_back(loss[i]);
        loss = std::move(nl);
    }
    if (selfLoss) {
        const long S = static_cast<long>(selfLoss->size());
        if (N < S + start + 1)
            need.resize(S + start + 1, 1);
        std::vector<float> ns;
        for (long j = 0; j < S; ++j)
            if (start + j < static_cast<long>(need.size()) - 1 && need[start + j])
                ns.push_back((*selfLoss)[j]);
        *selfLoss = std::move(ns);
    }
    need.resize(ids.size(), 1);
    if (!keep.empty()) {
        for (std::size_t i = 0; i < need.size(); ++i)
            if (keep[i] == 1)
                need[i] = 1;
        int last = -1;
        for (long ii = std::max(0L, end - iterSize); ii < end && ii < static_cast<long>(ids.size());
             ++ii) {
            if (need[ii] != 1)
                continue;
            const int now = ids[ii];
            if (now == splitId && last == splitId && keep[ii] == 0)
                need[ii] = 0;
            else
                last = now;
        }
    }
    std::vector<int> nIds, nPos, nSelf, nKeep;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (need[i]) {
            nIds.push_back(ids[i]);
            nPos.push_back(pos[i]);
            if (!keep.empty())
                nKeep.push_back(keep[i]);
        } else {
            out.kept[pos[i]] = 0;
            out.stage[pos[i]] = window;
        }
    }
    if (selfLoss || cc) {
        for (std::size_t j = 0; j < selfIds.size(); ++j)
            if (start + j >= need.size() || need[start + j])
                nSelf.push_back(selfIds[j]);
        selfIds = std::move(nSelf);
    }
    ids = std::move(nIds);
    pos = std::move(nPos);
    keep = std::move(nKeep);
    long removed = 0;
    for (long i = 0; i < pyIdx(end, static_cast<long>(need.size())); ++i)
        removed += need[i] == 0;
    return end - removed;
}

std::vector<float> RefItpc::pplStep(std::optional<ModelSession> &session,
                                    const std::vector<int> &seq, std::optional<long> endArg)
{
    if (!session)
        session.emplace(unwrap(lm.model.newSession()));
    const long past = session->length();
    long end = endArg ? *endArg : static_cast<long>(seq.size());
    end = std::min(end, past + lm.maxPos);
    end = std::min(end, static_cast<long>(seq.size()));
    if (end - past < 1)
        return {};
    const std::vector<int> chunk(seq.begin() + past, seq.begin() + end);
    auto step = lm.append(*session, chunk);
    std::vector<float> loss;
    for (std::size_t i = 1; i < step.logprob.size(); ++i)
        loss.push_back(-step.logprob[i]);
    return loss;
}

void RefItpc::trimSession(std::optional<ModelSession> &s, long to)
{
    to = pyIdx(to, s->length());
    unwrap(s->trim(static_cast<int>(to)));
}

void RefItpc::assignSlice(std::vector<float> &dst, long a, long b, const std::vector<float> &src)
{
    const long n = static_cast<long>(dst.size());
    a = pyIdx(a, n);
    b = pyIdx(b, n);
    for (long i = a, j = 0; i < b && j < static_cast<long>(src.size()); ++i, ++j)
        dst[i] = src[j];
}

void RefItpc::run(const std::vector<int> &stream, const std::vector<Window> &plan,
                  const std::vector<int> &keepFlag)
{
    ids = stream;
    pos.resize(ids.size());
    std::iota(pos.begin(), pos.end(), 0);
    keep = keepFlag;
    out.kept.assign(ids.size(), 1);
    out.value.assign(ids.size(), kNaN);
    out.stage.assign(ids.size(), -1);
    if (cc)
        selfIds.assign(ids.begin() + std::min<std::size_t>(start, ids.size()), ids.end());
    long end = std::min<long>(it + start, static_cast<long>(ids.size()));
    std::optional<ModelSession> session, selfSession;
    std::optional<std::vector<float>> pastLoss, selfPastLoss;
    long readyEnd = 0, selfReadyEnd = 0;
    std::vector<int> popIds, popPos;
    int idx = 0;
    while (end <= static_cast<long>(ids.size())) {
        lm.check();
        lm.job.report(end, static_cast<long long>(stream.size()), "token-level compression");
        if (end > lm.maxPos && session) {
            // KV-cache compression (lines 1588-1634): evict [s, s+e), pop the first e ids
            // unchanged.
            const long e = end - lm.maxPos;
            long s = std::min<long>(kCacheBosNum + start, lm.maxPos);
            const long take = std::min<long>(e, static_cast<long>(ids.size()));
            popIds.insert(popIds.end(), ids.begin(), ids.begin() + take);
            popPos.insert(popPos.end(), pos.begin(), pos.begin() + take);
            ids.erase(ids.begin(), ids.begin() + take);
            pos.erase(pos.begin(), pos.begin() + take);
            evict(*session, s, e);
            if (!keep.empty())
                keep.erase(keep.begin(),
                           keep.begin() + std::min<long>(e, static_cast<long>(keep.size())));
            end -= e;
            readyEnd -= e;
            if (cc && selfSession) {
                s = std::min<long>(s, selfSession->length() - e);
                selfReadyEnd -= e;
                selfIds.erase(selfIds.begin(),
                              selfIds.begin() +
                                  std::min<long>(e, static_cast<long>(selfIds.size())));
                evict(*selfSession, s, e);
            }
        }
        auto loss = pplStep(session, ids, idx ? std::optional<long>(end) : std::nullopt);
        if (loss.empty())
            break;
        if (pastLoss) {
            if (end - 1 > static_cast<long>(pastLoss->size()))
                pastLoss->resize(pastLoss->size() +
                                     std::min<long>(end - 1 - pastLoss->size(), loss.size()),
                                 0.f);
            assignSlice(*pastLoss, readyEnd, end - 1, loss);
        } else {
            pastLoss = loss;
        }
        if (idx)
            trimSession(session, end - it);
        else
            session.reset();
        if (cc) {
            auto selfLoss = pplStep(selfSession, selfIds,
                                    idx ? std::optional<long>(end - start) : std::nullopt);
            if (selfPastLoss) {
                if (end - start - 1 > static_cast<long>(selfPastLoss->size()))
                    selfPastLoss->resize(
                        selfPastLoss->size() +
                            std::min<long>(end - 1 - start - selfPastLoss->size(), selfLoss.size()),
                        0.f);
                assignSlice(*selfPastLoss, selfReadyEnd, end - start - 1, selfLoss);
            } else {
                selfPastLoss = selfLoss;
            }
            if (idx)
                trimSession(selfSession, end - it - start);
            else
                selfSession.reset();
            selfReadyEnd = (start && idx == 0) ? 0 : end - start - it;
        }
        readyEnd = (start && idx == 0) ? 0 : end - it;
        if (idx >= static_cast<int>(plan.size()))
            break;
        window = idx;
        WindowTrace trace;
        for (const auto &[delta, ratio] : plan[idx]) {
            double threshold;
            if (cc) {
                std::vector<float> diff;
                const long st = std::min<long>(start, static_cast<long>(pastLoss->size()));
                for (std::size_t j = 0; j + st < pastLoss->size() && j < selfPastLoss->size(); ++j)
                    diff.push_back((*selfPastLoss)[j] - (*pastLoss)[st + j]);
                threshold = estimateThreshold(diff, ratio);
            } else {
                threshold = estimateThreshold(*pastLoss, ratio);
            }
            trace.thresholds.push_back(threshold);
            end = compressedInput(*pastLoss, end - it + delta, delta, threshold,
                                  cc ? &*selfPastLoss : nullptr);
            end += it;
        }
        out.windows.push_back(trace);
        ++idx;
    }
    // The popped prefix goes back in front; the conditioning prefix is cut (line 1749).
    popPos.insert(popPos.end(), pos.begin(), pos.end());
    std::vector<char> finalKept(stream.size(), 0);
    for (std::size_t i = start; i < popPos.size(); ++i)
        finalKept[popPos[i]] = 1;
    for (std::size_t i = 0; i < stream.size(); ++i)
        if (!finalKept[i] && out.kept[i])
            out.kept[i] = 0;
    for (int i = 0; i < start && i < static_cast<int>(popPos.size()); ++i)
        out.kept[popPos[i]] = 0;
    keptOrder = std::vector<int>(popPos.begin() + std::min<std::size_t>(start, popPos.size()),
                                 popPos.end());
}

void RefItpc::evict(ModelSession &s, long start, long count)
{
    const long len = s.length();
    start = std::clamp(start, 0L, len);
    count = std::clamp(count, 0L, len - start);
    if (count > 0)
        unwrap(s.evict(static_cast<int>(start), static_cast<int>(count)));
}

void CorrItpc::appendBounded(ModelSession &s, const std::vector<int> &chunk, int sink,
                             std::vector<float> *lossOut)
{
    const long over = static_cast<long>(s.length()) + static_cast<long>(chunk.size()) - lm.maxPos;
    if (over > 0)
        RefItpc::evict(s, std::min<long>(sink, s.length()), over);
    if (chunk.empty())
        return;
    auto step = lm.append(s, chunk);
    if (lossOut)
        for (float lp : step.logprob)
            lossOut->push_back(-lp);
}

void CorrItpc::run(const std::vector<int> &ids)
{
    const long n = static_cast<long>(ids.size());
    score.assign(n, kNaN);
    surprisal.assign(n, kNaN);
    provisional.assign(n, 1);
    if (it > lm.maxPos / 2)
        it = std::max(1, lm.maxPos / 2);
    ModelSession cond = unwrap(lm.model.newSession());
    std::optional<ModelSession> self;
    if (cc)
        self.emplace(unwrap(lm.model.newSession()));
    std::vector<int> prefix(ids.begin(), ids.begin() + start);
    if (static_cast<long>(prefix.size()) > lm.maxPos - it)
        prefix.erase(prefix.begin(),
                     prefix.end() - std::max(0L, static_cast<long>(lm.maxPos - it)));
    const int sink = static_cast<int>(std::min<long>(kCacheBosNum + prefix.size(), lm.maxPos / 2));
    appendBounded(cond, prefix, sink, nullptr);
    for (long a = start; a < n; a += it) {
        lm.check();
        lm.job.report(a - start, n - start, "token-level compression");
        const long b = std::min(n, a + it);
        const std::vector<int> win(ids.begin() + a, ids.begin() + b);
        const int condLen = cond.length();
        std::vector<float> c, sl;
        appendBounded(cond, win, sink, &c);
        const int condKeep = cond.length() - static_cast<int>(win.size());
        int selfKeep = 0;
        if (self) {
            appendBounded(*self, win, kCacheBosNum, &sl);
            selfKeep = self->length() - static_cast<int>(win.size());
        }
        (void)condLen;
        for (long i = a; i < b; ++i) {
            const float ci = c[i - a];
            surprisal[i] = ci;
            if (!std::isfinite(ci))
                score[i] = kNaN;
            else if (self) {
                const float si = sl[i - a];
                // Contrastive perplexity (LongLLMLingua eq. 5): surprisal drop given the question.
                score[i] = std::isfinite(si) ? si - ci : kNaN;
            } else
                score[i] = ci;
        }
        // Provisional decision per run of equal ratio: keep ceil(rho * d) highest scores.
        WindowTrace trace;
        long r0 = a;
        while (r0 < b) {
            long r1 = r0;
            while (r1 < b && ratio[r1] == ratio[r0])
                ++r1;
            std::vector<long> freeIdx;
            for (long i = r0; i < r1; ++i) {
                if (forceKeep[i])
                    provisional[i] = 1;
                else if (forceDrop[i])
                    provisional[i] = 0;
                else
                    freeIdx.push_back(i);
            }
            const long k = std::min<long>(
                freeIdx.size(), static_cast<long>(std::ceil(ratio[r0] * (r1 - r0) - 1e-9)));
            auto key = [&](long i) {
                return std::isnan(score[i]) ? std::numeric_limits<float>::infinity() : score[i];
            };
            double thr = std::numeric_limits<double>::infinity();
            if (!wordOf.empty()) {
                // Whole words (issue 14): a word's tokens in this window share one provisional
                // decision, ranked by the sum of their scores; words are kept until k tokens are
                // reached.
                std::vector<std::vector<long>> words;
                std::map<long, std::size_t> at;
                for (long i : freeIdx) {
                    const long w = wordOf[i] >= 0 ? wordOf[i] : -2 - i;
                    auto it = at.find(w);
                    if (it == at.end()) {
                        at[w] = words.size();
                        words.push_back({i});
                    } else {
                        words[it->second].push_back(i);
                    }
                }
                std::vector<double> wkey(words.size(), 0.0);
                for (std::size_t w = 0; w < words.size(); ++w)
                    for (long i : words[w])
                        wkey[w] += key(i);
                std::vector<std::size_t> order(words.size());
                std::iota(order.begin(), order.end(), 0);
                std::stable_sort(order.begin(), order.end(),
                                 [&](std::size_t x, std::size_t y) { return wkey[x] > wkey[y]; });
                long kept = 0;
                for (std::size_t w : order) {
                    const bool keep = kept < k;
                    for (long i : words[w])
                        provisional[i] = keep;
                    if (keep) {
                        kept += static_cast<long>(words[w].size());
                        thr = wkey[w];
                    }
                }
            } else {
                std::stable_sort(freeIdx.begin(), freeIdx.end(),
                                 [&](long x, long y) { return key(x) > key(y); });
                for (std::size_t j = 0; j < freeIdx.size(); ++j) {
                    provisional[freeIdx[j]] = static_cast<long>(j) < k;
                    if (static_cast<long>(j) < k)
                        thr = key(freeIdx[j]);
                }
            }
            trace.thresholds.push_back(thr);
            r0 = r1;
        }
        windows.push_back(trace);
        // Re-encode the window as compressed, so later windows condition on the compressed prefix.
        std::vector<int> keptWin;
        for (long i = a; i < b; ++i)
            if (provisional[i])
                keptWin.push_back(ids[i]);
        unwrap(cond.trim(condKeep));
        appendBounded(cond, keptWin, sink, nullptr);
        if (self) {
            unwrap(self->trim(selfKeep));
            appendBounded(*self, keptWin, kCacheBosNum, nullptr);
        }
    }
}

} // namespace terse::detail::lingua
