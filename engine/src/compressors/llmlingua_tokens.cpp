// LLMLingua / LongLLMLingua, the token stages: the conditioning prefix, the token stream, the ITPC
// windows and the units (llmlingua_run.h; lines cite prompt_compressor.py).
#include "compressors/llmlingua_run.h"

#include "compressors/common.h"
#include "core/engine_error.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace terse::detail::lingua {

namespace {

// First `n` code points of UTF-8 text (Python text[:n]).
std::string pyHead(const std::string &s, long n)
{
    std::size_t i = 0;
    long seen = 0;
    while (i < s.size()) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            if (seen == n)
                break;
            ++seen;
        }
        ++i;
    }
    return s.substr(0, i);
}

} // namespace

void Stream::add(int segment, std::size_t segBegin, std::string_view text)
{
    Piece p{segment, segBegin, flat.size(), flat.size() + text.size()};
    flat.append(text);
    if (p.flatEnd > p.flatBegin)
        pieces.push_back(p);
}

void Stream::tokenize(const Lm &lm)
{
    auto enc = unwrap(lm.tok.encode(flat, EncodeOptions{false, SpecialText::Auto}));
    ids.assign(enc.ids.begin(), enc.ids.end());
    const auto tiles = tileSpans(enc, flat.size());
    tokSegment.assign(ids.size(), -1);
    tokSpan.assign(ids.size(), Span{});
    for (std::size_t t = 0; t < ids.size(); ++t) {
        const Span s = tiles[t];
        for (const auto &p : pieces) {
            if (p.segment < 0 || p.flatEnd <= s.begin ||
                p.flatBegin >= std::max(s.end, s.begin + 1))
                continue;
            const std::size_t b = std::max(s.begin, p.flatBegin), e = std::min(s.end, p.flatEnd);
            tokSegment[t] = p.segment;
            tokSpan[t] = {p.segBegin + (b - p.flatBegin), p.segBegin + (e - p.flatBegin)};
            break;
        }
    }
}

void addEncodedEntries(const Lm &lm, std::vector<Entry> &out, int segment, std::size_t base,
                       std::string_view text, bool kept, bool forced, int stage)
{
    if (text.empty())
        return;
    auto enc = unwrap(lm.tok.encode(text, EncodeOptions{false, SpecialText::Auto}));
    const auto tiles = tileSpans(enc, text.size());
    for (const auto &t : tiles)
        out.push_back({segment, {base + t.begin, base + t.end}, kept, forced, stage, kNaN});
}

std::vector<Unit> buildUnits(std::vector<Entry> entries, const std::vector<PromptSegment> &segments,
                             std::vector<float> &scoreOut)
{
    std::stable_sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        return a.segment != b.segment ? a.segment < b.segment : a.span.begin < b.span.begin;
    });
    std::vector<Unit> units;
    scoreOut.clear();
    std::vector<std::size_t> covered(segments.size(), 0);
    auto pushGap = [&](int seg, std::size_t b, std::size_t e) {
        if (e <= b)
            return;
        const std::string &t = segments[seg].text;
        const bool space = std::all_of(t.begin() + b, t.begin() + e, [](char c) {
            return c == ' ' || c == '\n' || c == '\t' || c == '\r';
        });
        if (space && !units.empty() && units.back().segment == seg && units.back().span.end == b) {
            units.back().span.end = e;
            return;
        }
        Unit u;
        u.segment = seg;
        u.span = {b, e};
        u.kept = false;
        u.forced = true; // text the method never sees (structured tags)
        units.push_back(u);
        scoreOut.push_back(kNaN);
    };
    for (const auto &en : entries) {
        if (en.span.end <= covered[en.segment]) {
            continue; // an empty continuation piece of a split character: it goes with its first
                      // token
        }
        const std::size_t b = std::max(en.span.begin, covered[en.segment]);
        pushGap(en.segment, covered[en.segment], b);
        Unit u;
        u.segment = en.segment;
        u.span = {b, en.span.end};
        u.kept = en.kept;
        u.forced = en.forced;
        u.stage = en.kept ? -1 : en.stage;
        units.push_back(u);
        scoreOut.push_back(en.score);
        covered[en.segment] = en.span.end;
    }
    for (std::size_t s = 0; s < segments.size(); ++s)
        pushGap(static_cast<int>(s), covered[s], segments[s].text.size());
    return units;
}

void Run::conditioningPrefix()
{
    // Step 5: the conditioning prefix (lines 661-681).
    if (conditionFlag) {
        prefix = p.addInstruction ? question + "\n\n" + instruction : question;
        if (lm.length(prefix + "\n\n") + p.iterativeSize * 2 > lm.maxPos) {
            auto t = lm.encode(prefix, false);
            const long tailFrom =
                static_cast<long>(t.size()) - lm.maxPos + 2 + kPrefixBosNum + 2 * p.iterativeSize;
            std::vector<int> keepIds(t.begin(),
                                     t.begin() + std::min<std::size_t>(kPrefixBosNum, t.size()));
            const long from = pyIdx(tailFrom, static_cast<long>(t.size()));
            keepIds.insert(keepIds.end(), t.begin() + from, t.end());
            prefix = lm.decode(keepIds);
        }
        // get_prefix_length (line 988).
        const std::string pre = prefix + "\n\n";
        const std::string first = keptText.empty() ? std::string() : keptText[0];
        const auto full = lm.encode(pre + pyHead(first, 100), false);
        long i = std::max<long>(lm.length(pre, false) - 3, 1);
        bool found = false;
        for (; i < static_cast<long>(full.size()); ++i)
            if (lm.decode(std::vector<int>(full.begin(), full.begin() + i)) == pre) {
                found = true;
                break;
            }
        if (!found)
            stop(ErrorCode::Unsupported, "the question prefix does not end on a token boundary");
        start = static_cast<int>(i);
    }
}

void Run::buildStream()
{
    // The stream: "\n\n".join([prefix] + contexts).
    if (conditionFlag) {
        stream.add(-1, 0, prefix);
        stream.add(-1, 0, "\n\n");
    }
    for (std::size_t ci = 0; ci < kept.size(); ++ci) {
        if (ci)
            stream.add(-1, 0, "\n\n");
        for (const auto &pt : kept[ci].parts)
            stream.add(ctxSeg[kept[ci].k], pt.span.begin,
                       std::string_view(r.segments[ctxSeg[kept[ci].k]].text)
                           .substr(pt.span.begin, pt.span.size()));
    }
    stream.tokenize(lm);
    nTok = static_cast<long>(stream.ids.size());
    pinKeep.assign(nTok, 0);
    pinDrop.assign(nTok, 0);
    for (long t = 0; t < nTok; ++t) {
        if (stream.tokSegment[t] < 0)
            continue;
        for (const auto &pin : options.pinned)
            if (pin.segment == stream.tokSegment[t] && stream.tokSpan[t].begin < pin.span.end &&
                pin.span.begin < std::max(stream.tokSpan[t].end, stream.tokSpan[t].begin + 1))
                (pin.keep ? pinKeep : pinDrop)[t] = 1;
    }
    // Per-token rate and compress flag (structured, or the context's tau + delta in corrected
    // mode).
    tokRate.assign(nTok, 1.0);
    tokCompress.assign(nTok, 1);
    tokCtx.assign(nTok, -1);
    {
        std::map<int, int> segToKept;
        for (std::size_t ci = 0; ci < kept.size(); ++ci)
            segToKept[ctxSeg[kept[ci].k]] = static_cast<int>(ci);
        for (long t = 0; t < nTok; ++t) {
            if (stream.tokSegment[t] < 0)
                continue;
            const int ci = segToKept[stream.tokSegment[t]];
            tokCtx[t] = ci;
            for (const auto &pt : kept[ci].parts)
                if (stream.tokSpan[t].begin >= pt.span.begin &&
                    stream.tokSpan[t].begin < std::max(pt.span.end, pt.span.begin + 1)) {
                    tokRate[t] = pt.rate;
                    tokCompress[t] = pt.compress;
                }
        }
    }
}

void Run::tokenStage()
{
    scoreName = p.conditionCompare ? "contrastive" : "surprisal";
    tokKept.assign(nTok, 1);
    tokScore.assign(nTok, kNaN);
    tokStage.assign(nTok, -1);
    firstWindowStage = static_cast<int>(r.stages.size());
    if (p.tokenFilter) {
        std::vector<std::string> planCtx;
        if (conditionFlag)
            planCtx.push_back(prefix);
        planCtx.insert(planCtx.end(), keptText.begin(), keptText.end());
        if (ref) {
            std::vector<Window> plan;
            if (structured) {
                std::vector<std::string> segTexts;
                std::vector<double> rates;
                std::vector<char> comp;
                for (std::size_t ci = 0; ci < kept.size(); ++ci)
                    for (std::size_t j = 0; j < kept[ci].parts.size(); ++j) {
                        const auto &pt = kept[ci].parts[j];
                        std::string t = r.segments[ctxSeg[kept[ci].k]].text.substr(pt.span.begin,
                                                                                   pt.span.size());
                        if (j + 1 == kept[ci].parts.size() && ci + 1 != kept.size())
                            t += "\n\n";
                        segTexts.push_back(t);
                        rates.push_back(pt.compress ? pt.rate : 1.0);
                        comp.push_back(pt.compress);
                    }
                plan = structuredPlan(
                    lm,
                    std::vector<int>(stream.ids.begin() + std::min<long>(start, nTok),
                                     stream.ids.end()),
                    p.iterativeSize, segTexts, rates, comp);
            } else {
                plan = dynamicPlan(lm, planCtx, target, p.iterativeSize, dyn, start);
            }
            std::vector<int> keepFlag;
            // split_token_id = 13 is Llama's "\n", hard-coded in the reference (quirk 6).
            const int splitId = 13;
            if (p.keepSplit) {
                for (long i = 0; i < nTok; ++i) {
                    const int id = stream.ids[i];
                    keepFlag.push_back(
                        (i > 0 && id == splitId && stream.ids[i - 1] == splitId) ||
                        (i < nTok - 1 && id == splitId && stream.ids[i + 1] == splitId));
                }
            }
            RefItpc itpc(lm, p.iterativeSize, start, p.conditionCompare, splitId, pinKeep, pinDrop);
            itpc.run(stream.ids, plan, keepFlag);
            for (long t = 0; t < nTok; ++t) {
                tokKept[t] = itpc.out.kept[t];
                tokScore[t] = itpc.out.value[t];
                tokStage[t] = itpc.out.stage[t] >= 0 ? firstWindowStage + itpc.out.stage[t] : -1;
            }
            std::vector<int> keptIds;
            for (int t : itpc.keptOrder)
                keptIds.push_back(stream.ids[t]);
            refCompressed = lm.decode(keptIds);
            for (std::size_t w = 0; w < itpc.out.windows.size(); ++w) {
                Stage st;
                st.name = "window " + std::to_string(w + 1);
                for (double th : itpc.out.windows[w].thresholds)
                    st.thresholds.push_back({scoreName, th, "window threshold"});
                r.stages.push_back(st);
            }
            if (nTok - start < p.iterativeSize)
                r.warnings.push_back(
                    {"short_prompt", "the prompt is shorter than one window (" +
                                         std::to_string(p.iterativeSize) +
                                         " tokens): the reference leaves most of it uncompressed"});
            job.report(nTok, nTok, "done");
        } else {
            // Corrected: per-token keep ratio tau + delta (or the segment's rate), prefix excluded.
            long sumLen = 0;
            for (const auto &c : keptText)
                sumLen += lm.length(c, false);
            const double tau =
                sumLen > 0 ? std::clamp(target / static_cast<double>(sumLen), 0.0, 1.0) : 1.0;
            CorrItpc itpc(lm, p.iterativeSize, start, p.conditionCompare);
            itpc.forceKeep.assign(nTok, 0);
            itpc.forceDrop.assign(nTok, 0);
            itpc.ratio.assign(nTok, 1.0);
            const int nl = static_cast<int>(
                lm.encode("\n", false).empty() ? -1 : lm.encode("\n", false).back());
            for (long t = 0; t < nTok; ++t) {
                const bool sep = stream.tokSegment[t] < 0;
                const bool splitRun = p.keepSplit && stream.ids[t] == nl &&
                                      ((t > 0 && stream.ids[t - 1] == nl) ||
                                       (t + 1 < nTok && stream.ids[t + 1] == nl));
                itpc.forceKeep[t] = sep || pinKeep[t] || !tokCompress[t] || splitRun;
                itpc.forceDrop[t] = pinDrop[t];
                if (tokCtx[t] >= 0)
                    itpc.ratio[t] =
                        structured ? tokRate[t] : std::clamp(tau + dyn[tokCtx[t]], 0.0, 1.0);
            }
            // Atomic word of each stream token (the first word its text overlaps).
            {
                itpc.wordOf.assign(nTok, -1);
                std::map<int, std::pair<long, std::vector<Span>>>
                    cores; // segment -> (first word id, cores)
                long base = 0;
                for (long t = 0; t < nTok; ++t) {
                    const int sg = stream.tokSegment[t];
                    if (sg < 0)
                        continue;
                    auto found = cores.find(sg);
                    if (found == cores.end()) {
                        auto c =
                            detail::atomicWordCores(r.segments[static_cast<std::size_t>(sg)].text);
                        const long n = static_cast<long>(c.size());
                        found = cores.emplace(sg, std::make_pair(base, std::move(c))).first;
                        base += n;
                    }
                    const auto &c = found->second.second;
                    const Span sp = stream.tokSpan[t];
                    auto it =
                        std::upper_bound(c.begin(), c.end(), sp.begin,
                                         [](std::size_t v, const Span &x) { return v < x.end; });
                    if (it != c.end() && it->begin < sp.end)
                        itpc.wordOf[t] = found->second.first + static_cast<long>(it - c.begin());
                }
            }
            itpc.run(stream.ids);
            for (long t = 0; t < nTok; ++t) {
                tokScore[t] = itpc.score[t];
                tokKept[t] = itpc.forceKeep[t] ? 1 : 0; // decided below by the final top-k
            }
            for (std::size_t w = 0; w < itpc.windows.size(); ++w) {
                Stage st;
                st.name = "window " + std::to_string(w + 1);
                for (double th : itpc.windows[w].thresholds)
                    st.thresholds.push_back({scoreName, th, "provisional window threshold"});
                r.stages.push_back(st);
            }
            // Window of each token, for the replay.
            for (long t = start; t < nTok; ++t)
                tokStage[t] =
                    firstWindowStage + static_cast<int>((t - start) / std::max(1, itpc.it));
            // Keep-ratio group of each token (for the final per-group budgets).
            for (long t = 0; t < nTok; ++t)
                tokRate[t] = itpc.ratio[t];
        }
    } else {
        refCompressed.clear();
        for (std::size_t ci = 0; ci < keptText.size(); ++ci)
            refCompressed += (ci ? "\n\n" : "") + keptText[ci];
    }
}

void Run::collectUnits()
{
    // Units.
    for (long t = 0; t < nTok; ++t) {
        if (stream.tokSegment[t] < 0)
            continue;
        const bool forced = pinKeep[t] || pinDrop[t] || !tokCompress[t];
        entries.push_back({stream.tokSegment[t], stream.tokSpan[t], tokKept[t] != 0, forced,
                           tokStage[t], tokScore[t]});
    }
    for (std::size_t i = 0; i < r.segments.size(); ++i) {
        const auto role = r.segments[i].role;
        if (role == SegmentRole::Context)
            continue;
        const bool keptSeg = role == SegmentRole::Instruction || p.concateQuestion;
        addEncodedEntries(lm, entries, static_cast<int>(i), 0, r.segments[i].text, keptSeg, true,
                          -1);
    }
    for (std::size_t k = 0; k < ctxSeg.size(); ++k)
        for (const auto &tg : tagPerCtx[k])
            entries.push_back({ctxSeg[k], tg, false, true, -1, kNaN});
    r.units = buildUnits(entries, r.segments, unitScore);
    // Window boundaries for the replay: the units each window decided on (before the final top-k
    // resets the stage of kept units).
    for (std::size_t i = 0; i < r.units.size(); ++i) {
        const int st = r.units[i].stage;
        if (st < firstWindowStage || st >= static_cast<int>(r.stages.size()))
            continue;
        Stage &w = r.stages[static_cast<std::size_t>(st)];
        if (w.firstUnit < 0)
            w.firstUnit = static_cast<int>(i);
        w.endUnit = static_cast<int>(i) + 1;
    }
}

} // namespace terse::detail::lingua
