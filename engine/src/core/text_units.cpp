#include "terse/text_units.h"

#include "core/utf8.h"
#include "core/word_joins.h"

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include <algorithm>
#include <climits>
#include <string>

namespace terse {

namespace {

using detail::decodeUtf8;
using detail::decodeUtf8Lenient;

// Unit boundaries: Unicode White_Space, and U+FEFF (a byte-order mark or zero-width no-break space
// left in pasted text separates words as a space does).
bool isSpace(char32_t c)
{
    return detail::isWhiteSpace(c) || c == 0xFEFF;
}

// Ideographs and kana (with the iteration marks 々 〆 〇 〻): CJK text, which has no spaces between
// words.
bool isIdeograph(char32_t c)
{
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x20000 && c <= 0x3FFFF) || (c >= 0x3005 && c <= 0x3007) || c == 0x303B;
}

// Scripts written without spaces between words, whose words ICU's word break finds with its
// dictionaries: CJK, Thai, Lao, Myanmar, Khmer.
bool isDictionaryScript(char32_t c)
{
    return isIdeograph(c) || (c >= 0x0E00 && c <= 0x0EFF) || (c >= 0x1000 && c <= 0x109F) ||
           (c >= 0x1780 && c <= 0x17FF);
}

// ICU's word break iterator (root locale: the CJK and South-East Asian dictionaries), one per
// thread (an iterator is not thread-safe; opening one costs more than a run).
class DictionaryWords {
public:
    static DictionaryWords &local()
    {
        thread_local DictionaryWords words;
        return words;
    }
    DictionaryWords(const DictionaryWords &) = delete;
    DictionaryWords &operator=(const DictionaryWords &) = delete;
    ~DictionaryWords()
    {
        if (m_it)
            ubrk_close(m_it);
    }

    // The end offsets of the words of `run` (valid UTF-8), relative to its start; false when ICU
    // cannot segment it (no break data), and the caller keeps its own units.
    bool ends(std::string_view run, std::vector<std::size_t> &out)
    {
        out.clear();
        if (!m_it || run.size() > static_cast<std::size_t>(INT32_MAX))
            return false;
        UErrorCode status = U_ZERO_ERROR;
        UText text = UTEXT_INITIALIZER;
        utext_openUTF8(&text, run.data(), static_cast<int64_t>(run.size()), &status);
        ubrk_setUText(m_it, &text, &status); // the iterator keeps a shallow clone of `text`
        if (U_SUCCESS(status)) {
            ubrk_first(m_it);
            for (int32_t at = ubrk_next(m_it); at != UBRK_DONE; at = ubrk_next(m_it))
                out.push_back(static_cast<std::size_t>(at)); // UTF-8 text: native byte offsets
        }
        utext_close(&text);
        return U_SUCCESS(status) && !out.empty() && out.back() == run.size();
    }

private:
    DictionaryWords()
    {
        UErrorCode status = U_ZERO_ERROR;
        m_it = ubrk_open(UBRK_WORD, "", nullptr, 0, &status);
        if (U_FAILURE(status) && m_it) {
            ubrk_close(m_it);
            m_it = nullptr;
        }
    }
    UBreakIterator *m_it = nullptr;
};

// Whether a non-empty span is written only in dictionary scripts.
bool wholeDictionaryScript(std::string_view text, Span s)
{
    // Every dictionary script lies above U+0E00: three or four UTF-8 bytes.
    if (s.end <= s.begin || static_cast<unsigned char>(text[s.begin]) < 0xE0)
        return false;
    char32_t cp;
    for (std::size_t i = s.begin; i < s.end;) {
        const std::size_t n = decodeUtf8(text, i, cp);
        if (n == 0 || !isDictionaryScript(cp))
            return false;
        i += n;
    }
    return true;
}

// Re-segments cores[from..] where they are runs of dictionary-script text (adjacent cores, each
// wholly such text: single ideographs, a Thai word run) into ICU's dictionary words, so that
// 北京大学 is 北京 + 大学 rather than four characters, and a Thai clause is its words.
void segmentDictionaryRuns(std::string_view text, std::vector<Span> &cores, std::size_t from)
{
    std::size_t k = from;
    while (k < cores.size() && !wholeDictionaryScript(text, cores[k]))
        ++k;
    if (k == cores.size())
        return;
    std::vector<Span> tail(cores.begin() + static_cast<std::ptrdiff_t>(k), cores.end());
    cores.resize(k);
    std::vector<std::size_t> ends;
    for (std::size_t t = 0; t < tail.size();) {
        if (!wholeDictionaryScript(text, tail[t])) {
            cores.push_back(tail[t++]);
            continue;
        }
        std::size_t j = t + 1;
        while (j < tail.size() && tail[j].begin == tail[j - 1].end &&
               wholeDictionaryScript(text, tail[j]))
            ++j;
        const Span run{tail[t].begin, tail[j - 1].end};
        if (DictionaryWords::local().ends(text.substr(run.begin, run.size()), ends)) {
            std::size_t at = run.begin;
            for (std::size_t e : ends) {
                cores.push_back({at, run.begin + e});
                at = run.begin + e;
            }
        } else {
            cores.insert(cores.end(), tail.begin() + static_cast<std::ptrdiff_t>(t),
                         tail.begin() + static_cast<std::ptrdiff_t>(j));
        }
        t = j;
    }
}

// Units from cores: each core takes the whitespace after it, the first the whitespace before it,
// so that the units tile `text` (one unit for a text without cores).
std::vector<Span> widenCores(const std::vector<Span> &cores, std::size_t n)
{
    std::vector<Span> out;
    out.reserve(cores.size());
    for (std::size_t k = 0; k < cores.size(); ++k)
        out.push_back({k == 0 ? 0 : cores[k].begin, k + 1 < cores.size() ? cores[k + 1].begin : n});
    if (out.empty() && n > 0)
        out.push_back({0, n});
    return out;
}

// ASCII letters/digits, and any non-ASCII character that is not space, punctuation or an ideograph.
bool isWordChar(char32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '_';
    if (isSpace(c) || isIdeograph(c))
        return false;
    // General punctuation, CJK punctuation and fullwidth forms' punctuation stand alone.
    if ((c >= 0x2010 && c <= 0x205E) || (c >= 0x3000 && c <= 0x303F) ||
        (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) || c == 0xA1 || c == 0xBF ||
        c == 0xAB || c == 0xBB)
        return false;
    return true;
}

} // namespace

bool isValidUtf8(std::string_view text, std::size_t *badOffset)
{
    char32_t cp;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = decodeUtf8(text, i, cp);
        if (n == 0) {
            if (badOffset)
                *badOffset = i;
            return false;
        }
        i += n;
    }
    return true;
}

Result<void> validatePromptText(std::string_view text, std::size_t maxBytes)
{
    if (text.size() > maxBytes)
        return fail(ErrorCode::InvalidInput, "the prompt is " + std::to_string(text.size()) +
                                                 " bytes; the limit is " +
                                                 std::to_string(maxBytes) + " bytes");
    if (auto nul = text.find('\0'); nul != std::string_view::npos)
        return fail(ErrorCode::InvalidInput, "the text contains a NUL byte at offset " +
                                                 std::to_string(nul) +
                                                 ": it looks like a binary file");
    std::size_t bad = 0;
    if (!isValidUtf8(text, &bad))
        return fail(ErrorCode::InvalidInput,
                    "the text is not valid UTF-8 (first bad byte at offset " + std::to_string(bad) +
                        ")");
    bool blank = true;
    char32_t cp;
    for (std::size_t i = 0; i < text.size() && blank;) {
        std::size_t n = decodeUtf8(text, i, cp);
        blank = isSpace(cp);
        i += n;
    }
    if (blank)
        return fail(ErrorCode::InvalidInput, "the prompt is empty");
    return {};
}

std::vector<Span> splitWords(std::string_view text)
{
    std::vector<Span> cores;
    std::size_t i = 0;
    const std::size_t n = text.size();
    char32_t cp = 0;
    // An invalid byte reads as a one-byte U+FFFD symbol, so the loops never stall.
    auto next = [&](std::size_t at, char32_t *c) { return decodeUtf8Lenient(text, at, *c); };
    auto skipSpace = [&] {
        while (i < n) {
            char32_t c2;
            std::size_t l2 = next(i, &c2);
            if (!isSpace(c2))
                break;
            i += l2;
        }
    };
    skipSpace(); // leading whitespace belongs to the first unit (widenCores)
    while (i < n) {
        const std::size_t begin = i;
        std::size_t len = next(i, &cp);
        if (isWordChar(cp)) {
            i += len;
            while (i < n) {
                char32_t c2;
                std::size_t l2 = next(i, &c2);
                if (isWordChar(c2)) {
                    i += l2;
                    continue;
                }
                // Apostrophes, hyphens, dots and commas between word characters stay inside the
                // word ("don't", "state-of-the-art", "3.14", "1,000").
                if ((c2 == '\'' || c2 == 0x2019 || c2 == '-' || c2 == '.' || c2 == ',') &&
                    i + l2 < n) {
                    char32_t c3;
                    next(i + l2, &c3);
                    bool numeric = (c2 == '.' || c2 == ',');
                    char32_t prev = static_cast<unsigned char>(text[i - 1]);
                    if (isWordChar(c3) &&
                        (!numeric || ((prev >= '0' && prev <= '9') && c3 >= '0' && c3 <= '9'))) {
                        i += l2;
                        continue;
                    }
                }
                break;
            }
        } else {
            i += len;
        }
        cores.push_back({begin, i});
        skipSpace();
    }
    segmentDictionaryRuns(text, cores, 0);
    return widenCores(cores, n);
}

namespace {

struct Cp {
    std::size_t at;
    std::size_t len;
    char32_t c;
};

// Brackets and quotes split an atomic word; everything else between word characters joins it.
bool isBracketOrQuote(char32_t c)
{
    switch (c) {
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '<':
    case '>':
    case '"':
    case '`':
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0xAB:
    case 0xBB:
    case 0x2039:
    case 0x203A:
    case 0x3008:
    case 0x3009:
    case 0x300A:
    case 0x300B:
    case 0x300C:
    case 0x300D:
    case 0x300E:
    case 0x300F:
    case 0x3010:
    case 0x3011:
    case 0xFF08:
    case 0xFF09:
        return true;
    default:
        return false;
    }
}

bool isLeadingAttach(char32_t c)
{
    return c == '$' || c == '+' || c == '-' || c == 0x2212 || c == '#' || c == '@' || c == '~' ||
           c == 0x20AC || c == 0xA3 || c == 0xA5 || c == 0x20B9 || c == '\\';
}

bool startsWithUrl(std::string_view s)
{
    for (std::string_view p : {"http://", "https://", "ftp://", "file://", "www.", "mailto:"})
        if (s.size() > p.size() && s.substr(0, p.size()) == p)
            return true;
    return false;
}

bool isTrailingUrlPunct(char32_t c)
{
    return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' ||
           c == '"' || c == ')' || c == ']' || c == '>' || c == 0x201D || c == 0x2019;
}

// Appends the atomic units of one non-space run `cps` (its characters) as [begin, end) byte ranges.
void atomsOfRunParts(std::string_view text, const std::vector<Cp> &cps, std::vector<Span> &out);

// A run of backticks (a code fence "```" or an inline-code delimiter "``") is one unit, so that a
// fence is never cut into "` `"; single backticks stay quotes of their own. Ideographs, which the
// parts leave one per unit, and words of other scripts without spaces become dictionary words.
void atomsOfRun(std::string_view text, const std::vector<Cp> &cps, std::vector<Span> &out)
{
    const std::size_t from = out.size();
    atomsOfRunParts(text, cps, out);
    auto ticks = [&](const Span &u) {
        return u.end > u.begin && text.substr(u.begin, u.end - u.begin).find_first_not_of('`') ==
                                      std::string_view::npos;
    };
    std::size_t w = from;
    for (std::size_t r = from; r < out.size(); ++r) {
        if (w > from && ticks(out[w - 1]) && ticks(out[r]) && out[w - 1].end == out[r].begin)
            out[w - 1].end = out[r].end;
        else
            out[w++] = out[r];
    }
    out.resize(w);
    segmentDictionaryRuns(text, out, from);
}

void atomsOfRunParts(std::string_view text, const std::vector<Cp> &cps, std::vector<Span> &out)
{
    const std::size_t n = cps.size();
    auto endOf = [&](std::size_t k) { return cps[k].at + cps[k].len; };
    auto single = [&](std::size_t k) { out.push_back({cps[k].at, endOf(k)}); };
    if (startsWithUrl(text.substr(cps[0].at, endOf(n - 1) - cps[0].at))) {
        std::size_t last = n;
        while (last > 1 && isTrailingUrlPunct(cps[last - 1].c))
            --last;
        out.push_back({cps[0].at, endOf(last - 1)});
        for (std::size_t k = last; k < n; ++k)
            single(k);
        return;
    }
    auto word = [&](std::size_t k) { return isWordChar(cps[k].c); };
    std::size_t first = n, last = n;
    for (std::size_t k = 0; k < n; ++k)
        if (word(k)) {
            if (first == n)
                first = k;
            last = k;
        }
    if (first == n) { // punctuation only: one unit per character (ideographs included)
        for (std::size_t k = 0; k < n; ++k)
            single(k);
        return;
    }
    std::size_t coreBegin = first;
    while (coreBegin > 0 && isLeadingAttach(cps[coreBegin - 1].c) &&
           !isBracketOrQuote(cps[coreBegin - 1].c))
        --coreBegin;
    std::size_t coreEnd = last + 1;
    if (coreEnd < n && cps[coreEnd].c == '%' && cps[last].c >= '0' && cps[last].c <= '9')
        ++coreEnd;
    for (std::size_t k = 0; k < coreBegin; ++k)
        single(k);
    // Inside the core: ideographs and brackets/quotes stand alone; the runs between them are one
    // unit.
    std::size_t runBegin = coreBegin;
    for (std::size_t k = coreBegin; k <= coreEnd; ++k) {
        const bool cut = k == coreEnd || isBracketOrQuote(cps[k].c) || isIdeograph(cps[k].c);
        if (!cut)
            continue;
        if (k > runBegin) {
            // A run that is only punctuation (between two brackets) is one unit per character.
            bool any = false;
            for (std::size_t j = runBegin; j < k; ++j)
                any = any || word(j);
            if (any)
                out.push_back({cps[runBegin].at, endOf(k - 1)});
            else
                for (std::size_t j = runBegin; j < k; ++j)
                    single(j);
        }
        if (k < coreEnd)
            single(k);
        runBegin = k + 1;
    }
    for (std::size_t k = coreEnd; k < n; ++k)
        single(k);
}

} // namespace

std::vector<Span> splitAtomicWords(std::string_view text)
{
    std::vector<Span> cores;
    std::vector<Cp> run;
    const std::size_t n = text.size();
    for (std::size_t i = 0; i <= n;) {
        char32_t c = ' ';
        std::size_t len = 1;
        if (i < n)
            len = decodeUtf8Lenient(text, i, c);
        if (i == n || isSpace(c)) {
            if (!run.empty())
                atomsOfRun(text, run, cores);
            run.clear();
        } else {
            run.push_back({i, len, c});
        }
        i += len;
    }
    return widenCores(cores, n);
}

std::vector<char> detail::dictionaryWordEdges(std::string_view text)
{
    // Every such script lies above U+0E00 (lead bytes 0xE0 and up): most text has none.
    if (std::none_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0xE0; }))
        return {};
    std::vector<char> edges(text.size() + 1, 0);
    auto dictionaryAt = [&](std::size_t at) {
        char32_t cp;
        return at < text.size() && decodeUtf8Lenient(text, at, cp) > 0 && isDictionaryScript(cp);
    };
    auto dictionaryBefore = [&](std::size_t at) {
        if (at == 0)
            return false;
        std::size_t b = at - 1;
        while (b > 0 && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80)
            --b;
        char32_t cp;
        return decodeUtf8Lenient(text, b, cp) == at - b && isDictionaryScript(cp);
    };
    // The units of splitAtomicWords begin at their words (after the first, whose leading
    // whitespace is its own); an edge is where one begins or the text ends beside such a script.
    const std::vector<Span> units = splitAtomicWords(text);
    for (std::size_t k = 0; k < units.size(); ++k) {
        std::size_t at = units[k].begin;
        if (k == 0) {
            char32_t cp;
            while (at < text.size()) {
                const std::size_t n = decodeUtf8Lenient(text, at, cp);
                if (!isSpace(cp))
                    break;
                at += n;
            }
        }
        if (dictionaryAt(at) || dictionaryBefore(at))
            edges[at] = 1;
    }
    // The end of a word of such a script followed by whitespace or the end of the text.
    for (const Span &u : units) {
        std::size_t e = u.end;
        while (e > u.begin) {
            std::size_t b = e - 1;
            while (b > u.begin && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80)
                --b;
            char32_t cp;
            decodeUtf8Lenient(text, b, cp);
            if (!isSpace(cp))
                break;
            e = b;
        }
        if (dictionaryBefore(e))
            edges[e] = 1;
    }
    return edges;
}

bool detail::staysApart(std::string_view left, std::string_view right)
{
    if (left.empty() || right.empty())
        return true;
    // Words of scripts without spaces read as written side by side ("作" "二", "ครับ" "ผม"), even
    // where the dictionary would segment the joined text otherwise.
    {
        char32_t first, last = 0;
        decodeUtf8Lenient(right, 0, first);
        std::size_t b = left.size() - 1;
        while (b > 0 && (static_cast<unsigned char>(left[b]) & 0xC0) == 0x80)
            --b;
        if (decodeUtf8Lenient(left, b, last) == left.size() - b && isDictionaryScript(last) &&
            isDictionaryScript(first))
            return true;
    }
    std::string joined;
    joined.reserve(left.size() + right.size());
    joined.append(left).append(right);
    const auto a = splitAtomicWords(left), b = splitAtomicWords(right);
    const auto j = splitAtomicWords(joined);
    if (j.size() != a.size() + b.size())
        return false;
    for (std::size_t k = 0; k < a.size(); ++k)
        if (j[k].end != a[k].end)
            return false;
    for (std::size_t k = 0; k < b.size(); ++k)
        if (j[a.size() + k].end != left.size() + b[k].end)
            return false;
    return true;
}

} // namespace terse
