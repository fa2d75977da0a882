#include "text/unicode.h"

#include <algorithm>
#include <unordered_map>

namespace terse::text {

namespace unicode_data {
extern const char kUnicodeVersion[];
extern const std::uint32_t kCategoryRuns[];
extern const std::size_t kCategoryRunsSize;
extern const std::uint32_t kCombiningRuns[];
extern const std::size_t kCombiningRunsSize;
extern const std::uint32_t kDecompositions[];
extern const std::size_t kDecompositionsSize;
extern const std::uint32_t kLowercase[];
extern const std::size_t kLowercaseSize;
} // namespace unicode_data

namespace {

using namespace unicode_data;

// Hangul syllable constants (Unicode 3.12: conjoining jamo behaviour).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount,
                   kSCount = kLCount * kNCount;

// Binary search in a run table whose entries hold (first code point << shift) | value.
std::uint32_t lookupRun(const std::uint32_t *runs, std::size_t size, char32_t cp, int shift)
{
    const std::uint32_t key = (static_cast<std::uint32_t>(cp) << shift) | ((1u << shift) - 1);
    const std::uint32_t *it = std::upper_bound(runs, runs + size, key);
    return it == runs ? 0 : (it[-1] & ((1u << shift) - 1));
}

struct Decomposition {
    char32_t first;
    char32_t second; // 0: single code point
};

struct Tables {
    std::unordered_map<char32_t, Decomposition> decomp;
    std::unordered_map<std::uint64_t, char32_t> compose;
    std::unordered_map<char32_t, char32_t> lower;

    Tables()
    {
        decomp.reserve(kDecompositionsSize);
        for (std::size_t i = 0; i < kDecompositionsSize; ++i) {
            const std::uint32_t *e = kDecompositions + 3 * i;
            const char32_t second = e[2] >> 1;
            decomp.emplace(e[0], Decomposition{e[1], second});
            if (e[2] & 1)
                compose.emplace((std::uint64_t(e[1]) << 32) | second, e[0]);
        }
        lower.reserve(kLowercaseSize);
        for (std::size_t i = 0; i < kLowercaseSize; ++i)
            lower.emplace(kLowercase[2 * i], kLowercase[2 * i + 1]);
    }
};

const Tables &tables()
{
    static const Tables t;
    return t;
}

void decomposeInto(std::u32string &out, char32_t cp, const Tables &t)
{
    if (cp >= kSBase && cp < kSBase + kSCount) {
        const char32_t s = cp - kSBase;
        out.push_back(kLBase + s / kNCount);
        out.push_back(kVBase + (s % kNCount) / kTCount);
        if (s % kTCount)
            out.push_back(kTBase + s % kTCount);
        return;
    }
    auto it = t.decomp.find(cp);
    if (it == t.decomp.end()) {
        out.push_back(cp);
        return;
    }
    decomposeInto(out, it->second.first, t);
    if (it->second.second)
        decomposeInto(out, it->second.second, t);
}

// Canonical ordering: stable sort of each run of non-starters by combining class.
void reorder(std::u32string &s, std::size_t from)
{
    for (std::size_t i = from; i < s.size();) {
        if (combiningClass(s[i]) == 0) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < s.size() && combiningClass(s[j]) != 0)
            ++j;
        if (j - i > 1)
            std::stable_sort(s.begin() + i, s.begin() + j, [](char32_t a, char32_t b) {
                return combiningClass(a) < combiningClass(b);
            });
        i = j;
    }
}

} // namespace

Category category(char32_t cp)
{
    if (cp < 0x80) {
        // ASCII fast path: the table lookup is a binary search.
        struct Ascii {
            Category c[128];
        };
        static const Ascii kAscii = [] {
            Ascii a{};
            for (char32_t c = 0; c < 128; ++c)
                a.c[c] = static_cast<Category>(lookupRun(kCategoryRuns, kCategoryRunsSize, c, 5));
            return a;
        }();
        return kAscii.c[cp];
    }
    if (cp > 0x10FFFF)
        return Category::Cn;
    return static_cast<Category>(lookupRun(kCategoryRuns, kCategoryRunsSize, cp, 5));
}

std::uint8_t combiningClass(char32_t cp)
{
    if (cp < 0x300 || cp > 0x10FFFF)
        return 0;
    return static_cast<std::uint8_t>(lookupRun(kCombiningRuns, kCombiningRunsSize, cp, 8));
}

void appendNfd(std::u32string &out, char32_t cp)
{
    const std::size_t from = out.size();
    decomposeInto(out, cp, tables());
    reorder(out, from);
}

std::u32string toNfd(const std::u32string &in)
{
    std::u32string out;
    out.reserve(in.size());
    const Tables &t = tables();
    for (char32_t c : in)
        decomposeInto(out, c, t);
    reorder(out, 0);
    return out;
}

std::u32string toNfc(const std::u32string &in)
{
    std::u32string d = toNfd(in);
    const Tables &t = tables();
    std::u32string out;
    out.reserve(d.size());
    // Canonical composition algorithm (UAX #15): compose each character with the last starter
    // unless it is blocked by an intervening character of equal or higher class.
    std::size_t starter = std::u32string::npos;
    int lastClass = 0; // class of the last character appended after the starter
    for (char32_t c : d) {
        const int cc = combiningClass(c);
        if (starter != std::u32string::npos) {
            const bool adjacent = out.size() - 1 == starter;
            if (adjacent || (lastClass != 0 && lastClass < cc)) {
                const char32_t s = out[starter];
                char32_t composed = 0;
                if (s >= kLBase && s < kLBase + kLCount && c >= kVBase && c < kVBase + kVCount) {
                    composed = kSBase + ((s - kLBase) * kVCount + (c - kVBase)) * kTCount;
                } else if (s >= kSBase && s < kSBase + kSCount && (s - kSBase) % kTCount == 0 &&
                           c > kTBase && c < kTBase + kTCount) {
                    composed = s + (c - kTBase);
                } else if (auto it = t.compose.find((std::uint64_t(s) << 32) | c);
                           it != t.compose.end()) {
                    composed = it->second;
                }
                if (composed) {
                    out[starter] = composed;
                    continue;
                }
            }
        }
        if (cc == 0)
            starter = out.size();
        lastClass = cc;
        out.push_back(c);
    }
    return out;
}

void appendLower(std::u32string &out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        return;
    }
    if (cp == 0x130) {
        out.push_back('i');
        out.push_back(0x307);
        return;
    }
    const auto &lower = tables().lower;
    auto it = lower.find(cp);
    out.push_back(it == lower.end() ? cp : it->second);
}

bool isCjkIdeograph(char32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

const char *unicodeVersion()
{
    return unicode_data::kUnicodeVersion;
}

} // namespace terse::text
