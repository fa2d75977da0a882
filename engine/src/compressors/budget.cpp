#include "compressors/budget.h"

#include "compressors/model_context.h"
#include "text/regex.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace terse::detail {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Fenced code blocks: a line starting with ``` opens, the next such line closes (unclosed: to the end).
void addFences(const std::string &text, std::vector<Span> &out)
{
    std::size_t pos = 0;
    std::size_t open = std::string::npos;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        const std::size_t lineEnd = eol == std::string::npos ? text.size() : eol + 1;
        std::size_t b = pos;
        while (b < lineEnd && (text[b] == ' ' || text[b] == '\t'))
            ++b;
        if (text.compare(b, 3, "```") == 0) {
            if (open == std::string::npos) {
                open = pos;
            } else {
                out.push_back({open, lineEnd});
                open = std::string::npos;
            }
        }
        pos = lineEnd;
    }
    if (open != std::string::npos)
        out.push_back({open, text.size()});
}

// JSON keys ("key" followed by ':') and the structural characters { } [ ] , : outside strings, inside
// text that looks like JSON (a '{' or '[' opening a run that parses as balanced brackets).
void addJson(const std::string &text, std::vector<Span> &out)
{
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '{' && text[i] != '[') {
            ++i;
            continue;
        }
        // Scan the bracketed run, tracking strings; give up on unbalanced brackets.
        std::vector<char> stack;
        std::vector<Span> local;
        std::size_t j = i;
        bool inString = false;
        std::size_t strBegin = 0;
        bool ok = false;
        bool sawKey = false;
        for (; j < text.size(); ++j) {
            const char c = text[j];
            if (inString) {
                if (c == '\\') {
                    ++j;
                } else if (c == '"') {
                    inString = false;
                    std::size_t k = j + 1;
                    while (k < text.size() && isSpace(text[k]))
                        ++k;
                    if (k < text.size() && text[k] == ':') {
                        local.push_back({strBegin, j + 1});
                        sawKey = true;
                    }
                }
                continue;
            }
            if (c == '"') {
                inString = true;
                strBegin = j;
            } else if (c == '{' || c == '[') {
                stack.push_back(c);
                local.push_back({j, j + 1});
            } else if (c == '}' || c == ']') {
                if (stack.empty() || (c == '}') != (stack.back() == '{'))
                    break;
                stack.pop_back();
                local.push_back({j, j + 1});
                if (stack.empty()) {
                    ok = true;
                    break;
                }
            } else if (c == ',' || c == ':') {
                local.push_back({j, j + 1});
            }
        }
        if (ok && sawKey) {
            out.insert(out.end(), local.begin(), local.end());
            i = j + 1;
        } else {
            ++i;
        }
    }
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

}  // namespace

Result<std::vector<Span>> protectedSpans(const std::string &text, const std::string &protectRegex, bool keepStructure)
{
    std::vector<Span> out;
    if (!protectRegex.empty()) {
        try {
            text::Regex re(protectRegex);
            re.forEachMatch(text, [&](std::size_t b, std::size_t e) {
                if (e > b)
                    out.push_back({b, e});
            });
        } catch (const std::exception &e) {
            return fail(ErrorCode::InvalidArgument, std::string("protect_regex: ") + e.what());
        }
    }
    if (keepStructure) {
        addFences(text, out);
        addJson(text, out);
    }
    std::sort(out.begin(), out.end(), [](const Span &a, const Span &b) { return a.begin < b.begin; });
    return out;
}

bool overlapsAny(const std::vector<Span> &spans, std::size_t begin, std::size_t end)
{
    // Spans are sorted by begin; any span starting before `end` may overlap.
    auto it = std::lower_bound(spans.begin(), spans.end(), end,
                               [](const Span &s, std::size_t v) { return s.begin < v; });
    for (auto p = spans.begin(); p != it; ++p)
        if (p->end > begin)
            return true;
    return false;
}

std::vector<int> unitTargetCosts(const CompressionResult &result, const std::string &targetTokenizer)
{
    std::vector<int> costs(result.units.size(), 1);
    auto tok = targetTokenizer.empty() ? Result<std::shared_ptr<const Tokenizer>>(fail(ErrorCode::NotFound, ""))
                                       : detail::targetTokenizer(targetTokenizer);
    EncodeOptions eo;
    eo.specialText = SpecialText::AsText;
    for (std::size_t i = 0; i < result.units.size(); ++i) {
        const Unit &u = result.units[i];
        std::string_view t = trimmed(std::string_view(result.segments[u.segment].text).substr(u.span.begin, u.span.size()));
        if (!tok) {
            costs[i] = t.empty() ? 0 : 1;
            continue;
        }
        auto n = (*tok)->countTokens(t, eo);
        costs[i] = n ? static_cast<int>(*n) : 1;
    }
    return costs;
}

double keepToTargetBudget(CompressionResult &result, const std::vector<float> &scores, const CompressOptions &options)
{
    auto &units = result.units;
    const Prompt prompt{result.segments};
    const std::vector<int> costs = unitTargetCosts(result, options.targetTokenizer);
    long total = countTargetTokens(options.targetTokenizer, prompt.joined());
    if (total < 0)
        total = std::accumulate(costs.begin(), costs.end(), 0L);
    const long target = options.targetTokens >= 0 ? options.targetTokens
                                                  : std::lround(options.rate * static_cast<double>(total));
    const long tolerance = std::max(2L, static_cast<long>(std::floor(0.01 * static_cast<double>(total))));

    std::vector<int> freeUnits;
    long forcedCost = 0;
    for (int i = 0; i < static_cast<int>(units.size()); ++i) {
        if (units[i].forced)
            forcedCost += units[i].kept ? costs[i] : 0;
        else
            freeUnits.push_back(i);
    }
    std::stable_sort(freeUnits.begin(), freeUnits.end(), [&](int a, int b) {
        const bool na = std::isnan(scores[a]), nb = std::isnan(scores[b]);
        if (na != nb)
            return nb;
        return !na && scores[a] > scores[b];
    });
    auto apply = [&](std::size_t k) {
        for (std::size_t r = 0; r < freeUnits.size(); ++r)
            units[freeUnits[r]].kept = r < k;
        finalizeResult(result);
        const long n = countTargetTokens(options.targetTokenizer, result.compressedText);
        return n >= 0 ? n : forcedCost;
    };
    // Estimate k from the per-unit costs, then correct it on the measured count of the output text.
    std::size_t k = 0;
    long sum = forcedCost;
    while (k < freeUnits.size() && sum + costs[freeUnits[k]] <= target) {
        sum += costs[freeUnits[k]];
        ++k;
    }
    if (k < freeUnits.size() && std::abs(sum + costs[freeUnits[k]] - target) < std::abs(sum - target))
        ++k;
    long measured = apply(k);
    if (std::abs(measured - target) > tolerance) {
        std::size_t lo = 0, hi = freeUnits.size();
        std::size_t best = k;
        long bestErr = std::abs(measured - target);
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            const long m = apply(mid);
            if (std::abs(m - target) < bestErr) {
                bestErr = std::abs(m - target);
                best = mid;
            }
            if (m < target)
                lo = mid + 1;
            else
                hi = mid;
        }
        k = best;
        measured = apply(k);
    }
    result.targetTokensIn = total;
    result.targetTokensOut = measured;
    return k > 0 ? static_cast<double>(scores[freeUnits[k - 1]]) : std::numeric_limits<double>::infinity();
}

}  // namespace terse::detail
