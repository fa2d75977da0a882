// Sentence splitting and token -> word grouping (terse/text_units.h).
#include "terse/text_units.h"
#include "terse/tokenizer.h"

#include "core/word_joins.h"
#include "text/unicode.h"

#include <algorithm>
#include <array>
#include <string>

namespace terse {

namespace {

using text::Category;
using text::category;
using text::decodeUtf8Lenient;
using text::isWhiteSpace;

char32_t charAt(std::string_view t, std::size_t i, std::size_t *len = nullptr)
{
    char32_t cp;
    const std::size_t n = decodeUtf8Lenient(t, i, cp);
    if (len)
        *len = n;
    return cp;
}

bool isCloser(char32_t c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == 0x201D ||
           c == 0x2019 || c == 0xBB || c == 0x300D || c == 0x300F;
}

bool isTerminator(char32_t c)
{
    return c == '.' || c == '!' || c == '?' || c == 0x2026;
}
bool isCjkTerminator(char32_t c)
{
    return c == 0x3002 || c == 0xFF01 || c == 0xFF1F;
}

// Abbreviations that do not end a sentence before a capitalised word (lower case, inner dots kept).
bool isAbbreviation(std::string word)
{
    static const std::array<const char *, 47> kAbbrev = {
        "mr",   "mrs", "ms",   "dr",   "prof",   "sr",   "jr",   "st",  "vs",  "mt",  "gen", "col",
        "lt",   "sgt", "capt", "rev",  "hon",    "fig",  "figs", "no",  "nos", "vol", "ed",  "eds",
        "inc",  "ltd", "co",   "corp", "jan",    "feb",  "mar",  "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov",  "dec",  "approx", "dept", "e.g",  "i.e", "cf",  "a.m", "p.m"};
    for (char &c : word)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c + 32);
    if (std::find_if(kAbbrev.begin(), kAbbrev.end(), [&](const char *a) { return word == a; }) !=
        kAbbrev.end())
        return true;
    // Initialisms with inner dots ("U.S", "Ph.D", "e.g") and single-letter initials ("J").
    if (word.size() == 1 && word[0] >= 'a' && word[0] <= 'z')
        return true;
    return word.find('.') != std::string::npos && std::all_of(word.begin(), word.end(), [](char c) {
               return c == '.' || (c >= 'a' && c <= 'z');
           });
}

} // namespace

std::vector<Span> splitSentences(std::string_view t)
{
    std::vector<Span> out;
    std::size_t start = 0;
    auto skipSpace = [&](std::size_t i, bool *sawNewline) {
        while (i < t.size()) {
            std::size_t len;
            const char32_t c = charAt(t, i, &len);
            if (!isWhiteSpace(c))
                break;
            if (sawNewline && (c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029 || c == 0x85))
                *sawNewline = true;
            i += len;
        }
        return i;
    };
    auto cut = [&](std::size_t end) {
        if (end > start) {
            out.push_back({start, end});
            start = end;
        }
    };
    for (std::size_t i = 0; i < t.size();) {
        std::size_t len;
        const char32_t c = charAt(t, i, &len);
        if (c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029) {
            cut(skipSpace(i, nullptr));
            i = std::max(i + len, start);
            continue;
        }
        if (isCjkTerminator(c)) {
            std::size_t j = i + len;
            while (j < t.size() && (isCjkTerminator(charAt(t, j)) || isCloser(charAt(t, j)))) {
                std::size_t l;
                charAt(t, j, &l);
                j += l;
            }
            bool newline = false;
            cut(skipSpace(j, &newline));
            i = std::max(j, start);
            continue;
        }
        if (!isTerminator(c)) {
            i += len;
            continue;
        }
        // The terminator run and closing quotes/brackets after it.
        std::size_t j = i;
        bool single = true;
        std::size_t runLen = 0;
        while (j < t.size()) {
            std::size_t l;
            const char32_t d = charAt(t, j, &l);
            if (isTerminator(d)) {
                ++runLen;
            } else if (!isCloser(d)) {
                break;
            }
            j += l;
        }
        single = runLen == 1 && c == '.';
        bool newline = false;
        const std::size_t next = skipSpace(j, &newline);
        if (next == j && j < t.size()) { // "3.14", "e.g.x", "?!" inside a token: no boundary
            i = j;
            continue;
        }
        if (next >= t.size()) {
            cut(t.size());
            break;
        }
        bool boundary = newline;
        if (!boundary) {
            const Category nc = category(charAt(t, next));
            boundary = nc != Category::Ll;
            if (boundary && single) {
                // The word before the dot: letters and inner dots back to whitespace.
                std::size_t w = i;
                while (w > start) {
                    std::size_t p = w - 1;
                    while (p > start && (static_cast<unsigned char>(t[p]) & 0xC0) == 0x80)
                        --p;
                    const char32_t pc = charAt(t, p);
                    if (!(pc == '.' || text::isLetter(category(pc))))
                        break;
                    w = p;
                }
                // A letter after digits ("the 1990s.", "5s.") is no initial.
                const bool afterDigit = w > start && t[w - 1] >= '0' && t[w - 1] <= '9';
                if (w < i && !afterDigit && isAbbreviation(std::string(t.substr(w, i - w))))
                    boundary = false;
            }
        }
        if (boundary)
            cut(next);
        i = next;
    }
    cut(t.size());
    return out;
}

std::vector<WordGroup> groupWords(const Encoding &enc, std::string_view t)
{
    std::vector<WordGroup> out;
    const bool wordPiece = enc.kind == "wordpiece";
    auto spanText = [&](const Span &s) {
        return s.end <= t.size() && s.begin <= s.end ? t.substr(s.begin, s.end - s.begin)
                                                     : std::string_view();
    };
    auto allSpace = [&](std::string_view s) {
        for (std::size_t i = 0; i < s.size();) {
            std::size_t l;
            if (!isWhiteSpace(charAt(s, i, &l)))
                return false;
            i += l;
        }
        return true;
    };
    auto startsSpace = [&](std::string_view s) { return !s.empty() && isWhiteSpace(charAt(s, 0)); };
    bool prevSpecial = true, prevAllSpace = false;
    std::size_t prevEnd = 0;
    for (std::size_t i = 0; i < enc.ids.size(); ++i) {
        const bool special = i < enc.special.size() && enc.special[i];
        const Span s = i < enc.spans.size() ? enc.spans[i] : Span{};
        const std::string &tok = i < enc.tokens.size() ? enc.tokens[i] : std::string();
        const std::string_view st = spanText(s);
        bool starts;
        if (special || prevSpecial || out.empty()) {
            starts = true;
        } else if (s.begin == s.end) {
            starts = false; // shares a character with the previous token
        } else if (wordPiece) {
            starts = tok.compare(0, 2, "##") != 0;
        } else {
            // Whitespace-only tokens ("Ċ", a lone "▁") join the word that follows them.
            starts = !prevAllSpace &&
                     (startsSpace(st) ||
                      (s.begin > prevEnd && allSpace(t.substr(prevEnd, s.begin - prevEnd))) ||
                      tok.rfind("\xC4\xA0", 0) == 0 || tok.rfind("\xE2\x96\x81", 0) == 0);
        }
        if (starts) {
            out.push_back({s, i, i + 1});
        } else {
            out.back().endToken = i + 1;
            out.back().span.end = std::max(out.back().span.end, s.end);
        }
        prevSpecial = special;
        prevAllSpace = !special && !st.empty() && allSpace(st);
        prevEnd = std::max(prevEnd, s.end);
    }
    for (WordGroup &g : out) {
        const std::string_view st = spanText(g.span);
        if (allSpace(st))
            continue;
        while (g.span.begin < g.span.end && isWhiteSpace(charAt(t, g.span.begin)))
            g.span.begin += text::utf8Length(static_cast<unsigned char>(t[g.span.begin]));
    }
    return out;
}

std::vector<WordGroup> groupDictionaryWords(const Encoding &enc, std::string_view t)
{
    std::vector<WordGroup> groups = groupWords(enc, t);
    const std::vector<char> edges = detail::dictionaryWordEdges(t);
    if (edges.empty())
        return groups;
    std::vector<WordGroup> out;
    out.reserve(groups.size());
    for (const WordGroup &g : groups) {
        WordGroup piece = g;
        for (std::size_t k = g.firstToken + 1; k < g.endToken && k < enc.spans.size(); ++k) {
            const Span sp = enc.spans[k];
            if (sp.end > sp.begin && sp.begin > piece.span.begin && sp.begin < g.span.end &&
                edges[sp.begin]) {
                piece.span.end = sp.begin;
                piece.endToken = k;
                out.push_back(piece);
                piece.span.begin = sp.begin;
                piece.firstToken = k;
            }
        }
        piece.span.end = g.span.end;
        piece.endToken = g.endToken;
        out.push_back(piece);
    }
    return out;
}

} // namespace terse
