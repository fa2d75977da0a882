#include "compressors/word_layer.h"

#include "compressors/context_rank.h"
#include "compressors/budget.h"
#include "compressors/prompt_format.h"
#include "compressors/question_focus.h"

#include "core/word_joins.h"
#include "models/model_context.h"
#include "text/unicode.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <numeric>

namespace terse::detail {

Result<WordAggregation> parseAggregation(const std::string &option, const std::string &value)
{
    if (value == "sum")
        return WordAggregation::Sum;
    if (value == "mean")
        return WordAggregation::Mean;
    if (value == "max")
        return WordAggregation::Max;
    if (value == "first")
        return WordAggregation::First;
    return fail(ErrorCode::InvalidArgument,
                option + ": expected sum, mean, max or first, got '" + value + "'");
}

const char *aggregationName(WordAggregation a)
{
    switch (a) {
    case WordAggregation::Sum:
        return "sum";
    case WordAggregation::Mean:
        return "mean";
    case WordAggregation::Max:
        return "max";
    case WordAggregation::First:
        return "first";
    }
    return "sum";
}

long rateTolerance(long targetTokensIn)
{
    return std::max(2L, static_cast<long>(
                            std::floor(0.01 * static_cast<double>(std::max(0L, targetTokensIn)))));
}

Selection selectToBudget(const std::vector<float> &scores, const std::vector<Decision> &state,
                         const std::vector<int> &cost, long target, long tolerance,
                         const std::function<long(const std::vector<char> &)> &measure)
{
    const std::size_t n = state.size();
    Selection sel;
    sel.keep.assign(n, 0);
    long forcedCost = 0;
    std::vector<int> priority, order;
    for (std::size_t i = 0; i < n; ++i) {
        switch (state[i]) {
        case Decision::Keep:
            sel.keep[i] = 1;
            forcedCost += cost[i];
            break;
        case Decision::Priority:
            priority.push_back(static_cast<int>(i));
            break;
        case Decision::Free:
            order.push_back(static_cast<int>(i));
            break;
        case Decision::Drop:
            break;
        }
    }
    // Ties and NaN defined once: higher score first, NaN after every number, earlier item first.
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const bool na = std::isnan(scores[a]), nb = std::isnan(scores[b]);
        if (na != nb)
            return nb;
        return !na && scores[a] > scores[b];
    });
    order.insert(order.begin(), priority.begin(), priority.end());
    sel.reachable = forcedCost <= target + tolerance;

    std::vector<char> extra(n, 0); // items kept beyond the prefix by the fine tuning
    auto keepVector = [&](std::size_t k) {
        std::vector<char> keep = sel.keep;
        for (std::size_t r = 0; r < order.size(); ++r)
            keep[static_cast<std::size_t>(order[r])] =
                r < k || extra[static_cast<std::size_t>(order[r])];
        return keep;
    };
    // Estimate the prefix from the costs: the closest sum to the target.
    std::size_t k = 0;
    long sum = forcedCost;
    while (k < order.size() && sum + cost[static_cast<std::size_t>(order[k])] <= target) {
        sum += cost[static_cast<std::size_t>(order[k])];
        ++k;
    }
    if (k < order.size() && std::abs(sum + cost[static_cast<std::size_t>(order[k])] - target) <
                                std::abs(sum - target)) {
        sum += cost[static_cast<std::size_t>(order[k])];
        ++k;
    }
    long measured = sum;
    if (measure) {
        // The measured cost grows with the prefix: find the shortest prefix that reaches the
        // target, then compare it with the prefix one shorter, alone and filled with later words
        // that still fit (a long word such as a URL at the margin would otherwise decide the rate
        // on its own).
        std::size_t lo = 0, hi = order.size();
        std::vector<long> memo(order.size() + 1, -1);
        auto at = [&](std::size_t kk) {
            if (memo[kk] < 0)
                memo[kk] = measure(keepVector(kk));
            return memo[kk];
        };
        // Start the search around the estimate.
        if (at(k) >= target)
            hi = k;
        else
            lo = k + 1;
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (at(mid) < target)
                lo = mid + 1;
            else
                hi = mid;
        }
        const std::size_t kHi = std::min(lo, order.size());
        k = kHi;
        measured = at(kHi);
        if (kHi > 0 && std::abs(measured - target) > 0) {
            const std::size_t kLo = kHi - 1;
            const long mLo = at(kLo);
            // On a tie the longer prefix wins (never an empty output when a word could be kept).
            if (std::abs(mLo - target) < std::abs(measured - target)) {
                k = kLo;
                measured = mLo;
            }
            // Only when the best prefix misses the tolerance: the ranking decides whenever it can.
            if (std::abs(measured - target) > tolerance && target - mLo > 1) {
                long room = target - mLo;
                for (std::size_t r = kLo + 1; r < order.size() && room > 0; ++r) {
                    const int i = order[r];
                    if (cost[static_cast<std::size_t>(i)] <= room) {
                        extra[static_cast<std::size_t>(i)] = 1;
                        room -= cost[static_cast<std::size_t>(i)];
                    }
                }
                const long mFill = measure(keepVector(kLo));
                if (std::abs(mFill - target) < std::abs(measured - target)) {
                    k = kLo;
                    measured = mFill;
                } else {
                    std::fill(extra.begin(), extra.end(), 0);
                }
            }
        }
    }
    sel.keep = keepVector(k);
    // Still outside the tolerance (words whose measured cost jumps, separators that merge): try
    // flipping one of the items at the margin of the ranking (the last kept, the first dropped) on
    // the measured text.
    if (measure && std::abs(measured - target) > tolerance) {
        constexpr std::size_t kMargin = 8;
        const std::size_t from = k > kMargin ? k - kMargin : 0,
                          to = std::min(order.size(), k + kMargin);
        std::vector<char> best = sel.keep;
        for (std::size_t r = from; r < to; ++r) {
            std::vector<char> cand = sel.keep;
            const auto i = static_cast<std::size_t>(order[r]);
            cand[i] = cand[i] ? 0 : 1;
            const long m = measure(cand);
            if (std::abs(m - target) < std::abs(measured - target)) {
                measured = m;
                best = std::move(cand);
            }
        }
        sel.keep = std::move(best);
    }
    sel.cost = measured;
    sel.threshold = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i)
        if (sel.keep[i] && state[i] == Decision::Free && !std::isnan(scores[i]))
            sel.threshold = std::min(sel.threshold, static_cast<double>(scores[i]));
    return sel;
}

// ---------------------------------------------------------------------------------------------------------

std::vector<Span> atomicWordCores(std::string_view text)
{
    std::vector<Span> cores;
    for (Span c : splitAtomicWords(text)) {
        // Leading (first unit) and trailing whitespace, Unicode White_Space included, are outside
        // the core.
        char32_t cp;
        while (c.begin < c.end) {
            const std::size_t n = text::decodeUtf8Lenient(text, c.begin, cp);
            if (!text::isWhiteSpace(cp))
                break;
            c.begin += n;
        }
        while (c.end > c.begin) {
            std::size_t b = c.end - 1;
            while (b > c.begin && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80)
                --b;
            text::decodeUtf8Lenient(text, b, cp);
            if (!text::isWhiteSpace(cp))
                break;
            c.end = b;
        }
        if (c.end > c.begin)
            cores.push_back(c);
    }
    return cores;
}

WordLayer WordLayer::build(const CompressionResult &result, bool format)
{
    WordLayer w;
    w.m_groupOf.assign(result.units.size(), -1);
    std::vector<std::vector<int>> unitsOfSegment(result.segments.size());
    for (std::size_t u = 0; u < result.units.size(); ++u) {
        const int s = result.units[u].segment;
        if (s >= 0 && s < static_cast<int>(result.segments.size()))
            unitsOfSegment[static_cast<std::size_t>(s)].push_back(static_cast<int>(u));
    }
    for (std::size_t s = 0; s < result.segments.size(); ++s) {
        const std::string &text = result.segments[s].text;
        const std::vector<Span> cores = atomicWordCores(text);
        if (cores.empty())
            continue;
        // Units that overlap several cores tie them into one word.
        std::vector<char> link(cores.size(), 0); // link[k]: core k and k+1 are one word
        std::vector<std::pair<int, int>>
            unitRange; // first core of each unit of the segment, -1 if none
        for (int u : unitsOfSegment[s]) {
            const Span sp = result.units[static_cast<std::size_t>(u)].span;
            auto it = std::upper_bound(cores.begin(), cores.end(), sp.begin,
                                       [](std::size_t v, const Span &c) { return v < c.end; });
            int a = static_cast<int>(it - cores.begin());
            int b = a;
            while (b < static_cast<int>(cores.size()) &&
                   cores[static_cast<std::size_t>(b)].begin < sp.end)
                ++b;
            if (b > a) {
                for (int k = a; k + 1 < b; ++k)
                    link[static_cast<std::size_t>(k)] = 1;
                unitRange.push_back({u, a});
            } else {
                unitRange.push_back({u, -1 - a}); // whitespace only: the next core is a (if any)
            }
        }
        std::vector<int> groupOfCore(cores.size());
        for (std::size_t k = 0; k < cores.size(); ++k) {
            if (k == 0 || !link[k - 1]) {
                Group g;
                g.segment = static_cast<int>(s);
                g.core = cores[k];
                w.m_groups.push_back(g);
            } else {
                w.m_groups.back().core.end = cores[k].end;
            }
            groupOfCore[k] = static_cast<int>(w.m_groups.size()) - 1;
        }
        for (auto [u, a] : unitRange) {
            int g;
            if (a >= 0) {
                g = groupOfCore[static_cast<std::size_t>(a)];
            } else {
                const int next = -1 - a;
                g = next < static_cast<int>(cores.size())
                        ? groupOfCore[static_cast<std::size_t>(next)]
                        : static_cast<int>(w.m_groups.size()) - 1;
            }
            w.m_groupOf[static_cast<std::size_t>(u)] = g;
            w.m_groups[static_cast<std::size_t>(g)].units.push_back(u);
        }
    }
    if (!format)
        return w;
    const DemonstrationFormat f = demonstrationFormat(result.segments);
    w.m_demonstrations = f.demonstrations;
    for (auto &g : w.m_groups)
        g.format =
            overlapsAny(f.spans[static_cast<std::size_t>(g.segment)], g.core.begin, g.core.end);
    return w;
}

std::vector<float> WordLayer::aggregate(const std::vector<float> &unitScores, WordAggregation how,
                                        const std::vector<char> *alive) const
{
    std::vector<float> out(m_groups.size(), std::numeric_limits<float>::quiet_NaN());
    for (std::size_t g = 0; g < m_groups.size(); ++g) {
        double acc = 0;
        int count = 0;
        bool first = true;
        for (int u : m_groups[g].units) {
            if (alive && !(*alive)[static_cast<std::size_t>(u)])
                continue;
            if (static_cast<std::size_t>(u) >= unitScores.size())
                continue;
            const float v = unitScores[static_cast<std::size_t>(u)];
            if (std::isnan(v))
                continue;
            switch (how) {
            case WordAggregation::Sum:
            case WordAggregation::Mean:
                acc += v;
                break;
            case WordAggregation::Max:
                acc = first ? v : std::max<double>(acc, v);
                break;
            case WordAggregation::First:
                acc = first ? v : acc;
                break;
            }
            first = false;
            ++count;
        }
        if (count > 0)
            out[g] = static_cast<float>(how == WordAggregation::Mean ? acc / count : acc);
    }
    return out;
}

std::vector<Decision> WordLayer::states(const CompressionResult &result) const
{
    std::vector<Decision> st(m_groups.size(), Decision::Free);
    for (std::size_t g = 0; g < m_groups.size(); ++g) {
        if (m_groups[g].units.empty()) {
            st[g] = Decision::Drop;
            continue;
        }
        bool keep = false, drop = false;
        for (int u : m_groups[g].units) {
            const Unit &x = result.units[static_cast<std::size_t>(u)];
            if (x.forced)
                (x.kept ? keep : drop) = true;
        }
        st[g] = keep                 ? Decision::Keep
                : drop               ? Decision::Drop
                : m_groups[g].format ? Decision::Priority
                                     : Decision::Free;
    }
    return st;
}

std::vector<int> WordLayer::costs(const CompressionResult &result,
                                  const std::string &targetTokenizer) const
{
    std::vector<int> c(m_groups.size(), 1);
    auto tok = targetTokenizer.empty()
                   ? Result<std::shared_ptr<const Tokenizer>>(fail(ErrorCode::NotFound, ""))
                   : detail::targetTokenizer(targetTokenizer);
    if (!tok)
        return c;
    EncodeOptions eo;
    eo.specialText = SpecialText::AsText;
    for (std::size_t g = 0; g < m_groups.size(); ++g) {
        const Group &w = m_groups[g];
        auto n = (*tok)->countTokens(
            std::string_view(result.segments[static_cast<std::size_t>(w.segment)].text)
                .substr(w.core.begin, w.core.size()),
            eo);
        c[g] = n ? std::max(1, static_cast<int>(*n)) : 1;
    }
    return c;
}

namespace {
bool isAsciiMark(char c)
{
    return std::ispunct(static_cast<unsigned char>(c)) != 0;
}
} // namespace

std::string WordLayer::render(const CompressionResult &result, const std::vector<char> &keep,
                              std::vector<std::string> *perSegment) const
{
    std::string out;
    std::string seg;
    int segment = -1;
    int prev = -1; // the previous kept word of the current segment
    if (perSegment)
        perSegment->assign(result.segments.size(), std::string());
    auto flush = [&] {
        if (perSegment && segment >= 0 && static_cast<std::size_t>(segment) < perSegment->size())
            (*perSegment)[static_cast<std::size_t>(segment)] = seg;
        if (!seg.empty()) {
            if (!out.empty())
                out += "\n\n";
            out += seg;
        }
        seg.clear();
    };
    for (std::size_t g = 0; g < m_groups.size(); ++g) {
        const Group &w = m_groups[g];
        if (w.segment != segment) {
            flush();
            segment = w.segment;
            prev = -1;
        }
        if (!keep[g])
            continue;
        const std::string &text = result.segments[static_cast<std::size_t>(w.segment)].text;
        if (prev < 0) {
            seg.append(text, w.core.begin, w.core.size());
        } else if (prev == static_cast<int>(g) - 1) {
            const std::size_t from = m_groups[static_cast<std::size_t>(prev)].core.end;
            seg.append(text, from, w.core.end - from);
        } else {
            // Not adjacent: the whitespace before this word, a newline if one was dropped. With no
            // whitespace before it (CJK text; a mark after a dropped word), nothing when the two
            // still read as two words ("作二", "Heidi,"), else a space ("Alice Bob"); a space
            // between two ASCII marks too (", ," rather than ",,").
            const Span &p = m_groups[static_cast<std::size_t>(prev)].core;
            const std::size_t wsBegin = m_groups[g - 1].core.end;
            const std::string_view gap(text.data() + p.end, w.core.begin - p.end);
            const std::string_view before(text.data() + wsBegin, w.core.begin - wsBegin);
            const std::string_view view(text);
            if (gap.find('\n') != std::string_view::npos)
                seg += before.find('\n') != std::string_view::npos ? std::string(before)
                                                                   : std::string("\n");
            else if (!before.empty())
                seg += before;
            else if (const auto left = view.substr(p.begin, p.size()),
                     right = view.substr(w.core.begin, w.core.size());
                     !detail::staysApart(left, right) ||
                     (isAsciiMark(left.back()) && isAsciiMark(right.front())))
                seg += ' ';
            seg.append(text, w.core.begin, w.core.size());
        }
        prev = static_cast<int>(g);
    }
    flush();
    return out;
}

void WordLayer::apply(CompressionResult &result, const std::vector<char> &keep) const
{
    long kept = 0;
    for (std::size_t u = 0; u < result.units.size(); ++u) {
        const int g = m_groupOf[u];
        if (g >= 0)
            result.units[u].kept = keep[static_cast<std::size_t>(g)] != 0;
        kept += result.units[u].kept ? 1 : 0;
    }
    result.compressedText = render(result, keep, &result.segmentTexts);
    const auto words =
        std::count_if(m_groups.begin(), m_groups.end(), [](const Group &g) { return g.format; });
    if (words > 0) {
        std::vector<float> series(result.units.size(), std::numeric_limits<float>::quiet_NaN());
        for (std::size_t u = 0; u < result.units.size(); ++u)
            if (m_groupOf[u] >= 0)
                series[u] = m_groups[static_cast<std::size_t>(m_groupOf[u])].format ? 1.f : 0.f;
        auto it = std::find_if(result.scores.begin(), result.scores.end(),
                               [](const ScoreSeries &s) { return s.name == "format"; });
        if (it == result.scores.end())
            result.scores.push_back({"format", std::move(series)});
        else
            it->values = std::move(series);
        if (std::none_of(result.warnings.begin(), result.warnings.end(),
                         [](const Warning &x) { return x.code == "demonstration_format"; }))
            result.warnings.push_back(
                {"demonstration_format",
                 "the prompt reads as " + std::to_string(m_demonstrations) +
                     " demonstrations: the " + std::to_string(words) +
                     " words of their shared format (labels, repeated lines, answer lines) are "
                     "kept before other words"});
    }
    result.tokensIn = static_cast<long>(result.units.size());
    result.tokensOut = kept;
    result.unitRate = result.tokensIn > 0
                          ? static_cast<double>(kept) / static_cast<double>(result.tokensIn)
                          : 1.0;
    updateAchievedRate(result);
}

double assignClassKeys(std::vector<int> members, const std::vector<float> &scores,
                       const std::vector<int> &cost, double ratio, double offset,
                       std::vector<float> &keys)
{
    std::stable_sort(members.begin(), members.end(), [&](int a, int b) {
        const float x = scores[static_cast<std::size_t>(a)],
                    y = scores[static_cast<std::size_t>(b)];
        if (std::isnan(x) != std::isnan(y))
            return std::isnan(y);
        return !std::isnan(x) && x > y;
    });
    double total = 0, before = 0;
    for (int g : members)
        total += cost[static_cast<std::size_t>(g)];
    for (int g : members) {
        const double q = total > 0 ? before / total : 0.0;
        // A class with ratio 0 keeps nothing unless every other word is kept first.
        keys[static_cast<std::size_t>(g)] =
            static_cast<float>(ratio > 0 ? offset - q / ratio : offset - 1e30);
        before += cost[static_cast<std::size_t>(g)];
    }
    return total;
}

double decideWordsByKey(CompressionResult &result, const WordLayer &layer,
                        const std::vector<float> &wordKeys, std::vector<Decision> states,
                        const CompressOptions &options, long targetOverride,
                        const std::vector<int> *knownCosts, const WordBudget *knownBudget)
{
    const std::vector<int> costs =
        knownCosts ? *knownCosts : layer.costs(result, options.targetTokenizer);
    const WordBudget budget =
        knownBudget ? *knownBudget : wordBudget(result, costs, options, targetOverride);
    const long totalIn = budget.totalIn, target = budget.target;
    const bool counted = budget.counted;
    std::function<long(const std::vector<char> &)> measure;
    if (counted)
        measure = [&](const std::vector<char> &keep) {
            return countTargetTokens(options.targetTokenizer, layer.render(result, keep));
        };
    // One token stricter than the promise, so that the rounding of the target never spends the
    // margin.
    const Selection sel = selectToBudget(wordKeys, states, costs, target,
                                         std::max(1L, rateTolerance(totalIn) - 1), measure);
    result.targetTokensIn = counted ? totalIn : -1;
    result.targetTokensOut = counted ? sel.cost : -1;
    layer.apply(result, sel.keep);
    if (!sel.reachable)
        result.warnings.push_back({"rate_unreachable",
                                   "the text that must be kept (pins, instruction, question) "
                                   "is longer than the requested rate allows"});
    else if (counted && std::abs(sel.cost - target) > rateTolerance(totalIn))
        result.warnings.push_back(
            {"rate_granularity", "the method's units are too coarse for the requested rate: " +
                                     std::to_string(sel.cost) + " of " + std::to_string(totalIn) +
                                     " target tokens kept, " + std::to_string(target) + " asked"});
    return sel.threshold;
}

double decideWords(CompressionResult &result, const std::vector<float> &unitScores,
                   WordAggregation how, const CompressOptions &options,
                   const std::vector<char> *priority, bool questionFocus, bool format)
{
    const WordLayer layer = WordLayer::build(result, format);
    std::vector<Decision> states = layer.states(result);
    if (priority)
        for (int g = 0; g < layer.size(); ++g)
            if (states[static_cast<std::size_t>(g)] == Decision::Free)
                for (int u : layer.groups()[static_cast<std::size_t>(g)].units)
                    if ((*priority)[static_cast<std::size_t>(u)])
                        states[static_cast<std::size_t>(g)] = Decision::Priority;
    std::vector<float> keys = layer.aggregate(unitScores, how);
    if (!questionFocus)
        return decideWordsByKey(result, layer, keys, std::move(states), options);
    // The costs and the budget are counted once, for the focus and the selection.
    const std::vector<int> costs = layer.costs(result, options.targetTokenizer);
    const WordBudget budget = wordBudget(result, costs, options);
    const QuestionFocus focus = QuestionFocus::plan(result, layer, states, costs, budget.target,
                                                    options.rate, rankingVectors(options).get());
    focus.applyStates(states);
    focus.applyKeys(keys);
    focus.addStage(result, 0);
    return decideWordsByKey(result, layer, keys, std::move(states), options, -1, &costs, &budget);
}

} // namespace terse::detail
