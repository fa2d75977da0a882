#include "compressors/budget.h"

#include "core/utf8.h"

#include "models/model_context.h"
#include "compressors/word_layer.h"
#include "text/regex.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace terse::detail {

namespace {

// Fenced code blocks: a line starting with ``` opens, the next such line closes (unclosed: to the
// end).
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

// JSON keys ("key" followed by ':') and the structural characters { } [ ] , : outside strings,
// inside text that looks like JSON (a '{' or '[' opening a run that parses as balanced brackets).
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
                    while (k < text.size() && isAsciiSpace(text[k]))
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

} // namespace

Result<std::vector<Span>> protectedSpans(const std::string &text, const std::string &protectRegex,
                                         bool keepStructure)
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
    std::sort(out.begin(), out.end(),
              [](const Span &a, const Span &b) { return a.begin < b.begin; });
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

double keepToTargetBudget(CompressionResult &result, const std::vector<float> &scores,
                          const CompressOptions &options, WordAggregation how,
                          const std::vector<char> *priority, bool questionFocus, bool format)
{
    return decideWords(result, scores, how, options, priority, questionFocus, format);
}

} // namespace terse::detail
