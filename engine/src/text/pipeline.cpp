// Normalizers, pre-tokenizers and decoders of the tokenizer pipeline (HF tokenizers semantics).
#include "text/regex.h"
#include "text/tokenizer_impl.h"
#include "text/unicode.h"

#include <algorithm>
#include <cstring>

namespace terse::text {

const char kGpt2Pattern[] = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

Normalized Normalized::slice(std::size_t b, std::size_t e) const
{
    Normalized out;
    out.text.assign(text, b, e - b);
    if (identity()) {
        out.base = base + b;
    } else {
        out.from.assign(from.begin() + b, from.begin() + e);
        out.to.assign(to.begin() + b, to.begin() + e);
    }
    return out;
}

void Normalized::materialize()
{
    if (!identity() || text.empty())
        return;
    from.resize(text.size());
    to.resize(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        from[i] = static_cast<std::uint32_t>(base + i);
        to[i] = static_cast<std::uint32_t>(base + i + 1);
    }
}

namespace {

// Inserts `s` at byte `at`; the inserted bytes get the empty range at the neighbouring character.
void insertText(Normalized &n, std::size_t at, const std::string &s)
{
    const std::size_t pos = at < n.text.size() ? n.origBegin(at) : (at == 0 ? n.base : n.origEnd(at));
    n.materialize();
    n.text.insert(at, s);
    n.from.insert(n.from.begin() + at, s.size(), static_cast<std::uint32_t>(pos));
    n.to.insert(n.to.begin() + at, s.size(), static_cast<std::uint32_t>(pos));
}

// Replaces every range in `ranges` (sorted, disjoint) with `content`, which takes the range's alignment.
void replaceRanges(Normalized &n, const std::vector<std::pair<std::size_t, std::size_t>> &ranges,
                   const std::string &content)
{
    if (ranges.empty())
        return;
    Normalized out;
    std::size_t last = 0;
    for (auto [b, e] : ranges) {
        for (std::size_t i = last; i < b; ++i) {
            out.text.push_back(n.text[i]);
            out.from.push_back(static_cast<std::uint32_t>(n.origBegin(i)));
            out.to.push_back(static_cast<std::uint32_t>(n.origEnd(i + 1)));
        }
        const auto ob = static_cast<std::uint32_t>(n.origBegin(b));
        const auto oe = static_cast<std::uint32_t>(n.origEnd(e));
        out.text += content;
        out.from.insert(out.from.end(), content.size(), ob);
        out.to.insert(out.to.end(), content.size(), oe);
        last = e;
    }
    for (std::size_t i = last; i < n.text.size(); ++i) {
        out.text.push_back(n.text[i]);
        out.from.push_back(static_cast<std::uint32_t>(n.origBegin(i)));
        out.to.push_back(static_cast<std::uint32_t>(n.origEnd(i + 1)));
    }
    out.base = n.base;
    n = std::move(out);
}

std::vector<std::pair<std::size_t, std::size_t>> findAll(std::string_view text, std::string_view needle)
{
    std::vector<std::pair<std::size_t, std::size_t>> out;
    if (needle.empty())
        return out;
    for (std::size_t p = text.find(needle); p != std::string_view::npos; p = text.find(needle, p + needle.size()))
        out.emplace_back(p, p + needle.size());
    return out;
}

bool isBertControl(char32_t c)
{
    if (c == '\t' || c == '\n' || c == '\r')
        return false;
    const Category cat = category(c);
    return cat == Category::Cc || cat == Category::Cf || cat == Category::Co || cat == Category::Cs;
}

bool isBertWhitespace(char32_t c) { return c == '\t' || c == '\n' || c == '\r' || isWhiteSpace(c); }

bool isBertPunct(char32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
        return true;
    return isPunct(category(c));
}

class BertNormalizer : public Normalizer {
public:
    BertNormalizer(bool clean, bool chinese, bool strip, bool lower)
        : m_clean(clean), m_chinese(chinese), m_strip(strip), m_lower(lower)
    {
    }
    void normalize(Normalized &n) const override
    {
        // ASCII fast path: no table lookups; other characters go through the Unicode path.
        const std::string &s = n.text;
        std::string out;
        std::vector<std::uint32_t> from, to;
        out.reserve(s.size() + 8);
        from.reserve(s.size() + 8);
        to.reserve(s.size() + 8);
        std::u32string buf;
        for (std::size_t i = 0; i < s.size();) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c < 0x80) {
                char o = static_cast<char>(c);
                if (m_clean) {
                    // Controls go first (\v and \f too, though White_Space); then whitespace -> ' '.
                    if (c == '\t' || c == '\n' || c == '\r') {
                        o = ' ';
                    } else if (c < 0x20 || c == 0x7F) {
                        ++i;
                        continue;
                    }
                }
                if (m_lower && c >= 'A' && c <= 'Z')
                    o = static_cast<char>(c + 32);
                out.push_back(o);
                from.push_back(static_cast<std::uint32_t>(n.origBegin(i)));
                to.push_back(static_cast<std::uint32_t>(n.origEnd(i + 1)));
                ++i;
                continue;
            }
            char32_t cp;
            const std::size_t len = decodeUtf8Lenient(s, i, cp);
            buf.clear();
            normalizeChar(cp, buf);
            const auto b = static_cast<std::uint32_t>(n.origBegin(i));
            const auto e = static_cast<std::uint32_t>(n.origEnd(i + len));
            for (char32_t o : buf) {
                const std::size_t before = out.size();
                appendUtf8(out, o);
                from.insert(from.end(), out.size() - before, b);
                to.insert(to.end(), out.size() - before, e);
            }
            i += len;
        }
        n.text = std::move(out);
        n.from = std::move(from);
        n.to = std::move(to);
    }

private:
    // HF BertNormalizer order: clean_text, handle_chinese_chars, strip_accents (NFD, drop Mn), lowercase.
    void normalizeChar(char32_t c, std::u32string &out) const
    {
        if (m_clean) {
            if (c == 0 || c == 0xFFFD || isBertControl(c))
                return;
            if (isBertWhitespace(c))
                c = ' ';
        }
        const bool pad = m_chinese && isCjkIdeograph(c);
        if (pad)
            out.push_back(' ');
        std::u32string tmp;
        if (m_strip && c >= 0xC0) {
            appendNfd(tmp, c);
            tmp.erase(std::remove_if(tmp.begin(), tmp.end(), [](char32_t m) { return category(m) == Category::Mn; }),
                      tmp.end());
        } else {
            tmp.push_back(c);
        }
        for (char32_t t : tmp) {
            if (m_lower)
                appendLower(out, t);
            else
                out.push_back(t);
        }
        if (pad)
            out.push_back(' ');
    }

    bool m_clean, m_chinese, m_strip, m_lower;
};

class LowercaseNormalizer : public Normalizer {
public:
    void normalize(Normalized &n) const override
    {
        mapChars(n, [](char32_t c, std::u32string &out) { appendLower(out, c); });
    }
};

class StripAccentsNormalizer : public Normalizer {
public:
    void normalize(Normalized &n) const override
    {
        mapChars(n, [](char32_t c, std::u32string &out) {
            if (category(c) != Category::Mn)
                out.push_back(c);
        });
    }
};

class UnicodeNormalizer : public Normalizer {
public:
    explicit UnicodeNormalizer(bool compose) : m_compose(compose) {}
    void normalize(Normalized &n) const override
    {
        if (!m_compose) {
            mapChars(n, [](char32_t c, std::u32string &out) { appendNfd(out, c); });
            return;
        }
        // NFC per cluster (a starter and the marks after it); ASCII runs are already NFC.
        bool ascii = std::all_of(n.text.begin(), n.text.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
        if (ascii)
            return;
        Normalized out;
        std::u32string cluster;
        std::size_t clusterBegin = 0;
        auto flush = [&](std::size_t end) {
            if (cluster.empty())
                return;
            const auto ob = static_cast<std::uint32_t>(n.origBegin(clusterBegin));
            const auto oe = static_cast<std::uint32_t>(n.origEnd(end));
            for (char32_t c : toNfc(cluster)) {
                const std::size_t before = out.text.size();
                appendUtf8(out.text, c);
                out.from.insert(out.from.end(), out.text.size() - before, ob);
                out.to.insert(out.to.end(), out.text.size() - before, oe);
            }
            cluster.clear();
        };
        for (std::size_t i = 0; i < n.text.size();) {
            char32_t cp;
            const std::size_t len = decodeUtf8Lenient(n.text, i, cp);
            if (combiningClass(cp) == 0) {
                flush(i);
                clusterBegin = i;
            }
            cluster.push_back(cp);
            i += len;
        }
        flush(n.text.size());
        out.base = n.base;
        n = std::move(out);
    }

private:
    bool m_compose;
};

class StripNormalizer : public Normalizer {
public:
    StripNormalizer(bool left, bool right) : m_left(left), m_right(right) {}
    void normalize(Normalized &n) const override
    {
        std::size_t b = 0, e = n.text.size();
        char32_t cp;
        while (m_left && b < e) {
            std::size_t len = decodeUtf8Lenient(n.text, b, cp);
            if (!isWhiteSpace(cp))
                break;
            b += len;
        }
        while (m_right && e > b) {
            std::size_t s = e - 1;
            while (s > b && (static_cast<unsigned char>(n.text[s]) & 0xC0) == 0x80)
                --s;
            decodeUtf8Lenient(n.text, s, cp);
            if (!isWhiteSpace(cp))
                break;
            e = s;
        }
        if (b != 0 || e != n.text.size())
            n = n.slice(b, e);
    }

private:
    bool m_left, m_right;
};

class ReplaceNormalizer : public Normalizer {
public:
    ReplaceNormalizer(std::string pattern, std::string content, bool regex)
        : m_pattern(std::move(pattern)), m_content(std::move(content))
    {
        if (regex)
            m_regex = std::make_unique<Regex>(m_pattern);
    }
    void normalize(Normalized &n) const override
    {
        std::vector<std::pair<std::size_t, std::size_t>> ranges;
        if (m_regex)
            m_regex->forEachMatch(n.text, [&](std::size_t b, std::size_t e) { ranges.emplace_back(b, e); });
        else
            ranges = findAll(n.text, m_pattern);
        replaceRanges(n, ranges, m_content);
    }

private:
    std::string m_pattern, m_content;
    std::unique_ptr<Regex> m_regex;
};

class PrependNormalizer : public Normalizer {
public:
    explicit PrependNormalizer(std::string prefix) : m_prefix(std::move(prefix)) {}
    void normalize(Normalized &n) const override
    {
        if (!n.text.empty())
            insertText(n, 0, m_prefix);
    }

private:
    std::string m_prefix;
};

// SentencePiece's precompiled normalization map: a darts-clone double array over UTF-8 bytes whose
// values index NUL-terminated replacement strings (sentencepiece normalizer.cc).
class CharsMap {
public:
    explicit CharsMap(std::string blob) : m_blob(std::move(blob))
    {
        if (m_blob.empty())
            return;
        if (m_blob.size() < 4)
            throw TextError{ErrorCode::FormatError, "precompiled charsmap is truncated"};
        std::uint32_t trieSize;
        std::memcpy(&trieSize, m_blob.data(), 4);
        if (trieSize % 4 != 0 || 4 + std::size_t(trieSize) > m_blob.size())
            throw TextError{ErrorCode::FormatError, "precompiled charsmap has a bad trie size"};
        m_units.resize(trieSize / 4);
        std::memcpy(m_units.data(), m_blob.data() + 4, trieSize);
        m_strings = std::string_view(m_blob).substr(4 + trieSize);
    }
    bool empty() const { return m_units.empty(); }

    // Longest prefix of `s` in the map: returns its length and sets `out`; 0 when none.
    std::size_t longestMatch(std::string_view s, std::string_view &out) const
    {
        std::size_t best = 0;
        std::uint32_t id = 0;
        std::uint32_t unit = m_units[0];
        id ^= offset(unit);
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto ch = static_cast<unsigned char>(s[i]);
            if (ch == 0)
                break;
            id ^= ch;
            if (id >= m_units.size())
                break;
            unit = m_units[id];
            if ((unit & ((1u << 31) | 0xFF)) != ch)
                break;
            id ^= offset(unit);
            if (id >= m_units.size())
                break;
            if ((unit >> 8) & 1) {
                const std::uint32_t value = m_units[id] & ((1u << 31) - 1);
                if (value < m_strings.size()) {
                    const std::size_t end = m_strings.find('\0', value);
                    out = m_strings.substr(value, end == std::string_view::npos ? std::string_view::npos : end - value);
                    best = i + 1;
                }
            }
        }
        return best;
    }

private:
    static std::uint32_t offset(std::uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }
    std::string m_blob;
    std::vector<std::uint32_t> m_units;
    std::string_view m_strings;
};

// Applies the charsmap: each longest match is replaced, other characters are copied.
void applyCharsMap(const CharsMap &map, Normalized &n)
{
    if (map.empty() || n.text.empty())
        return;
    Normalized out;
    for (std::size_t i = 0; i < n.text.size();) {
        std::string_view rep;
        std::size_t len = map.longestMatch(std::string_view(n.text).substr(i), rep);
        if (len == 0) {
            len = utf8Length(static_cast<unsigned char>(n.text[i]));
            len = std::min(len, n.text.size() - i);
            rep = std::string_view(n.text).substr(i, len);
        }
        const auto ob = static_cast<std::uint32_t>(n.origBegin(i));
        const auto oe = static_cast<std::uint32_t>(n.origEnd(i + len));
        out.text.append(rep);
        out.from.insert(out.from.end(), rep.size(), ob);
        out.to.insert(out.to.end(), rep.size(), oe);
        i += len;
    }
    out.base = n.base;
    n = std::move(out);
}

class PrecompiledNormalizer : public Normalizer {
public:
    explicit PrecompiledNormalizer(std::string blob) : m_map(std::move(blob)) {}
    void normalize(Normalized &n) const override { applyCharsMap(m_map, n); }

private:
    CharsMap m_map;
};

class SentencePieceNormalizer : public Normalizer {
public:
    SentencePieceNormalizer(std::string blob, bool dummy, bool removeExtra, bool escape)
        : m_map(std::move(blob)), m_dummy(dummy), m_removeExtra(removeExtra), m_escape(escape)
    {
    }
    void normalize(Normalized &n) const override
    {
        applyCharsMap(m_map, n);
        if (m_removeExtra) {
            // Drop leading/trailing spaces and collapse runs of spaces to one.
            std::vector<std::pair<std::size_t, std::size_t>> drop;
            const std::string &t = n.text;
            std::size_t i = 0;
            while (i < t.size() && t[i] == ' ')
                ++i;
            if (i > 0)
                drop.emplace_back(0, i);
            while (i < t.size()) {
                if (t[i] == ' ') {
                    std::size_t j = i;
                    while (j < t.size() && t[j] == ' ')
                        ++j;
                    if (j == t.size())
                        drop.emplace_back(i, j);
                    else if (j - i > 1)
                        drop.emplace_back(i + 1, j);
                    i = j;
                } else {
                    ++i;
                }
            }
            replaceRanges(n, drop, "");
        }
        if (n.text.empty())
            return;
        if (m_dummy)
            insertText(n, 0, " ");
        if (m_escape)
            replaceRanges(n, findAll(n.text, " "), "\xE2\x96\x81");
    }

private:
    CharsMap m_map;
    bool m_dummy, m_removeExtra, m_escape;
};

class NormalizerSequence : public Normalizer {
public:
    explicit NormalizerSequence(std::vector<std::unique_ptr<Normalizer>> items) : m_items(std::move(items)) {}
    void normalize(Normalized &n) const override
    {
        for (const auto &i : m_items)
            i->normalize(n);
    }

private:
    std::vector<std::unique_ptr<Normalizer>> m_items;
};

// Splits every piece with `find` (which reports match ranges) according to `behavior`.
template <typename Find>
void splitPieces(Pieces &pieces, SplitBehavior behavior, bool invert, Find &&find)
{
    std::vector<Pieces::Ref> out;
    out.reserve(pieces.refs.size() + 16);
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    struct Seg {
        std::size_t b, e;
        bool match;
    };
    std::vector<Seg> segs;
    std::vector<std::pair<std::size_t, std::size_t>> ranges;
    for (const Pieces::Ref &ref : pieces.refs) {
        const std::string_view text = pieces.text(ref);
        matches.clear();
        find(text, matches);
        segs.clear();
        std::size_t last = 0;
        for (auto [b, e] : matches) {
            if (b > last)
                segs.push_back({last, b, invert});
            segs.push_back({b, e, !invert});
            last = e;
        }
        if (last < text.size())
            segs.push_back({last, text.size(), invert});
        ranges.clear();
        switch (behavior) {
        case SplitBehavior::Removed:
            for (const Seg &s : segs)
                if (!s.match)
                    ranges.emplace_back(s.b, s.e);
            break;
        case SplitBehavior::Isolated:
            for (const Seg &s : segs)
                ranges.emplace_back(s.b, s.e);
            break;
        case SplitBehavior::MergedWithPrevious:
            for (const Seg &s : segs) {
                if (s.match && !ranges.empty() && ranges.back().second == s.b)
                    ranges.back().second = s.e;
                else
                    ranges.emplace_back(s.b, s.e);
            }
            break;
        case SplitBehavior::MergedWithNext: {
            bool pending = false;
            for (const Seg &s : segs) {
                if (pending)
                    ranges.back().second = s.e;
                else
                    ranges.emplace_back(s.b, s.e);
                pending = s.match;
            }
            break;
        }
        case SplitBehavior::Contiguous: {
            bool prevMatch = false;
            for (const Seg &s : segs) {
                if (s.match && prevMatch)
                    ranges.back().second = s.e;
                else
                    ranges.emplace_back(s.b, s.e);
                prevMatch = s.match;
            }
            break;
        }
        }
        for (auto [b, e] : ranges)
            if (e > b)
                out.push_back({ref.owner, static_cast<std::uint32_t>(ref.begin + b), static_cast<std::uint32_t>(ref.begin + e)});
    }
    pieces.refs = std::move(out);
}

// Rewrites every piece with `edit` (giving each its own owner text), for pre-tokenizers that change text.
template <typename Edit>
void rewritePieces(Pieces &pieces, Edit &&edit)
{
    std::vector<Normalized> owners;
    std::vector<Pieces::Ref> refs;
    owners.reserve(pieces.refs.size());
    for (const Pieces::Ref &r : pieces.refs) {
        const Normalized &o = pieces.owners[r.owner];
        Normalized n = (r.begin == 0 && r.end == o.text.size()) ? o : o.slice(r.begin, r.end);
        edit(n, r);
        refs.push_back({static_cast<std::uint32_t>(owners.size()), 0, static_cast<std::uint32_t>(n.text.size())});
        owners.push_back(std::move(n));
    }
    pieces.owners = std::move(owners);
    pieces.refs = std::move(refs);
}

class SplitPre : public PreTokenizer {
public:
    SplitPre(std::string pattern, bool regex, SplitBehavior behavior, bool invert)
        : m_pattern(std::move(pattern)), m_behavior(behavior), m_invert(invert)
    {
        if (regex)
            m_regex = std::make_unique<Regex>(m_pattern);
    }
    void split(Pieces &pieces, bool) const override
    {
        splitPieces(pieces, m_behavior, m_invert, [&](std::string_view t, auto &m) {
            if (m_regex)
                m_regex->forEachMatch(t, [&](std::size_t b, std::size_t e) { m.emplace_back(b, e); });
            else
                m = findAll(t, m_pattern);
        });
    }

private:
    std::string m_pattern;
    std::unique_ptr<Regex> m_regex;
    SplitBehavior m_behavior;
    bool m_invert;
};

class ByteLevelPre : public PreTokenizer {
public:
    ByteLevelPre(bool prefix, bool useRegex) : m_prefix(prefix)
    {
        if (useRegex)
            m_regex = std::make_unique<Regex>(kGpt2Pattern);
    }
    void split(Pieces &pieces, bool) const override
    {
        if (m_prefix)
            rewritePieces(pieces, [](Normalized &p, const Pieces::Ref &) {
                if (!p.text.empty() && p.text[0] != ' ')
                    insertText(p, 0, " ");
            });
        if (!m_regex)
            return;
        splitPieces(pieces, SplitBehavior::Isolated, false, [&](std::string_view t, auto &m) {
            m_regex->forEachMatch(t, [&](std::size_t b, std::size_t e) { m.emplace_back(b, e); });
        });
    }

private:
    bool m_prefix;
    std::unique_ptr<Regex> m_regex;
};

// Reports runs (or single characters) of characters that satisfy `pred`.
template <typename Pred>
void charMatches(std::string_view t, std::vector<std::pair<std::size_t, std::size_t>> &m, bool individual, Pred &&pred)
{
    for (std::size_t i = 0; i < t.size();) {
        char32_t cp;
        const std::size_t len = decodeUtf8Lenient(t, i, cp);
        if (pred(cp)) {
            if (!individual && !m.empty() && m.back().second == i)
                m.back().second = i + len;
            else
                m.emplace_back(i, i + len);
        }
        i += len;
    }
}

class DigitsPre : public PreTokenizer {
public:
    explicit DigitsPre(bool individual) : m_individual(individual) {}
    void split(Pieces &pieces, bool) const override
    {
        splitPieces(pieces, SplitBehavior::Isolated, false, [&](std::string_view t, auto &m) {
            // Rust char::is_numeric: Nd, Nl and No.
            charMatches(t, m, m_individual, [](char32_t c) {
                return c < 0x80 ? (c >= '0' && c <= '9') : isNumber(category(c));
            });
        });
    }

private:
    bool m_individual;
};

class WhitespaceSplitPre : public PreTokenizer {
public:
    void split(Pieces &pieces, bool) const override
    {
        splitPieces(pieces, SplitBehavior::Removed, false, [](std::string_view t, auto &m) {
            charMatches(t, m, false, [](char32_t c) { return isWhiteSpace(c); });
        });
    }
};

class BertPre : public PreTokenizer {
public:
    void split(Pieces &pieces, bool) const override
    {
        splitPieces(pieces, SplitBehavior::Removed, false, [](std::string_view t, auto &m) {
            charMatches(t, m, false, [](char32_t c) { return isBertWhitespace(c); });
        });
        splitPieces(pieces, SplitBehavior::Isolated, false, [](std::string_view t, auto &m) {
            charMatches(t, m, true, [](char32_t c) { return isBertPunct(c); });
        });
    }
};

class PunctuationPre : public PreTokenizer {
public:
    explicit PunctuationPre(SplitBehavior b) : m_behavior(b) {}
    void split(Pieces &pieces, bool) const override
    {
        splitPieces(pieces, m_behavior, false, [](std::string_view t, auto &m) {
            charMatches(t, m, true, [](char32_t c) { return isBertPunct(c); });
        });
    }

private:
    SplitBehavior m_behavior;
};

class MetaspacePre : public PreTokenizer {
public:
    MetaspacePre(std::string rep, int scheme, bool split) : m_rep(std::move(rep)), m_scheme(scheme), m_split(split) {}
    void split(Pieces &pieces, bool first) const override
    {
        rewritePieces(pieces, [&](Normalized &p, const Pieces::Ref &) {
            replaceRanges(p, findAll(p.text, " "), m_rep);
            const bool atStart = first && !p.text.empty() && p.origBegin(0) == 0;
            if ((m_scheme == 2 || (m_scheme == 1 && atStart)) && p.text.compare(0, m_rep.size(), m_rep) != 0 &&
                !p.text.empty())
                insertText(p, 0, m_rep);
        });
        if (m_split)
            splitPieces(pieces, SplitBehavior::MergedWithNext, false,
                        [&](std::string_view t, auto &m) { m = findAll(t, m_rep); });
    }

private:
    std::string m_rep;
    int m_scheme;
    bool m_split;
};

class SpaceWordSplitPre : public PreTokenizer {
public:
    explicit SpaceWordSplitPre(std::string space) : m_space(std::move(space)) {}
    void split(Pieces &pieces, bool) const override
    {
        splitPieces(pieces, SplitBehavior::MergedWithNext, false, [&](std::string_view t, auto &m) {
            // Each run of spaces that follows a non-space starts a new word.
            bool prevSpace = true;
            for (std::size_t i = 0; i < t.size();) {
                const bool space = t.compare(i, m_space.size(), m_space) == 0;
                if (space && !prevSpace && i > 0) {
                    std::size_t e = i;
                    while (t.compare(e, m_space.size(), m_space) == 0)
                        e += m_space.size();
                    m.emplace_back(i, e);
                    prevSpace = true;
                    i = e;
                    continue;
                }
                prevSpace = space;
                i += space ? m_space.size() : 1;
            }
        });
    }

private:
    std::string m_space;
};

class PreTokenizerSequence : public PreTokenizer {
public:
    explicit PreTokenizerSequence(std::vector<std::unique_ptr<PreTokenizer>> items) : m_items(std::move(items)) {}
    void split(Pieces &pieces, bool first) const override
    {
        for (const auto &i : m_items)
            i->split(pieces, first);
    }

private:
    std::vector<std::unique_ptr<PreTokenizer>> m_items;
};

// ---- decoders ----

class ByteLevelDecoder : public Decoder {
public:
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::string &t : tokens) {
            std::string out;
            out.reserve(t.size());
            for (std::size_t i = 0; i < t.size();) {
                char32_t cp;
                const std::size_t len = decodeUtf8Lenient(t, i, cp);
                const int b = unicodeToByte(cp);
                if (b >= 0)
                    out.push_back(static_cast<char>(b));
                else
                    out.append(t, i, len);
                i += len;
            }
            t = std::move(out);
        }
    }
};

void replaceAll(std::string &s, std::string_view from, std::string_view to)
{
    if (from.empty())
        return;
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
        s.replace(p, from.size(), to);
}

class WordPieceDecoder : public Decoder {
public:
    WordPieceDecoder(std::string prefix, bool cleanup) : m_prefix(std::move(prefix)), m_cleanup(cleanup) {}
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            std::string &t = tokens[i];
            if (i != 0) {
                if (t.compare(0, m_prefix.size(), m_prefix) == 0)
                    t.erase(0, m_prefix.size());
                else
                    t.insert(0, " ");
            }
        }
        if (!m_cleanup)
            return;
        // transformers' clean_up_tokenization on the joined text ("it ' s" -> "it's"); unlike the Rust
        // decoder it leaves "do not" alone, as Python and JS transformers do (tokvec paragraph-001).
        std::string all;
        for (const std::string &t : tokens)
            all += t;
        static const char *const kPairs[][2] = {{" .", "."},   {" ?", "?"},      {" !", "!"},       {" ,", ","},
                                                {" ' ", "'"},  {" n't", "n't"},  {" 'm", "'m"},
                                                {" 's", "'s"}, {" 've", "'ve"},  {" 're", "'re"}};
        for (const auto &p : kPairs)
            replaceAll(all, p[0], p[1]);
        tokens.assign(1, std::move(all));
    }

private:
    std::string m_prefix;
    bool m_cleanup;
};

class MetaspaceDecoder : public Decoder {
public:
    MetaspaceDecoder(std::string rep, bool stripFirst) : m_rep(std::move(rep)), m_stripFirst(stripFirst) {}
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            replaceAll(tokens[i], m_rep, " ");
            if (i == 0 && m_stripFirst && !tokens[i].empty() && tokens[i][0] == ' ')
                tokens[i].erase(0, 1);
        }
    }

private:
    std::string m_rep;
    bool m_stripFirst;
};

// "<0xAB>" -> the byte value, or -1.
int bytePiece(const std::string &t)
{
    if (t.size() != 6 || t[0] != '<' || t[1] != '0' || t[2] != 'x' || t[5] != '>')
        return -1;
    auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    const int hi = hex(t[3]), lo = hex(t[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

class ByteFallbackDecoder : public Decoder {
public:
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::string &t : tokens)
            if (int b = bytePiece(t); b >= 0)
                t = std::string(1, static_cast<char>(b));
    }
};

class FuseDecoder : public Decoder {
public:
    void decode(std::vector<std::string> &tokens) const override
    {
        std::string all;
        for (const std::string &t : tokens)
            all += t;
        tokens.assign(1, std::move(all));
    }
};

class StripDecoder : public Decoder {
public:
    StripDecoder(std::string content, int start, int stop) : m_content(std::move(content)), m_start(start), m_stop(stop) {}
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::string &t : tokens) {
            for (int k = 0; k < m_start && t.compare(0, m_content.size(), m_content) == 0 && !m_content.empty(); ++k)
                t.erase(0, m_content.size());
            for (int k = 0; k < m_stop && !m_content.empty() && t.size() >= m_content.size() &&
                            t.compare(t.size() - m_content.size(), m_content.size(), m_content) == 0;
                 ++k)
                t.erase(t.size() - m_content.size());
        }
    }

private:
    std::string m_content;
    int m_start, m_stop;
};

class ReplaceDecoder : public Decoder {
public:
    ReplaceDecoder(std::string pattern, std::string content) : m_pattern(std::move(pattern)), m_content(std::move(content)) {}
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::string &t : tokens)
            replaceAll(t, m_pattern, m_content);
    }

private:
    std::string m_pattern, m_content;
};

class BpeSuffixDecoder : public Decoder {
public:
    explicit BpeSuffixDecoder(std::string suffix) : m_suffix(std::move(suffix)) {}
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::size_t i = 0; i < tokens.size(); ++i)
            replaceAll(tokens[i], m_suffix, i + 1 == tokens.size() ? "" : " ");
    }

private:
    std::string m_suffix;
};

}  // namespace

std::unique_ptr<Normalizer> makeBertNormalizer(bool cleanText, bool chinese, bool stripAccents, bool lowercase)
{
    return std::make_unique<BertNormalizer>(cleanText, chinese, stripAccents, lowercase);
}
std::unique_ptr<Normalizer> makeLowercase() { return std::make_unique<LowercaseNormalizer>(); }
std::unique_ptr<Normalizer> makeUnicodeNormalizer(bool compose) { return std::make_unique<UnicodeNormalizer>(compose); }
std::unique_ptr<Normalizer> makeStripAccents() { return std::make_unique<StripAccentsNormalizer>(); }
std::unique_ptr<Normalizer> makeStrip(bool left, bool right) { return std::make_unique<StripNormalizer>(left, right); }
std::unique_ptr<Normalizer> makeReplace(std::string pattern, std::string content, bool regex)
{
    return std::make_unique<ReplaceNormalizer>(std::move(pattern), std::move(content), regex);
}
std::unique_ptr<Normalizer> makePrepend(std::string prefix) { return std::make_unique<PrependNormalizer>(std::move(prefix)); }
std::unique_ptr<Normalizer> makePrecompiled(std::string charsmap)
{
    return std::make_unique<PrecompiledNormalizer>(std::move(charsmap));
}
std::unique_ptr<Normalizer> makeSentencePieceNormalizer(std::string charsmap, bool addDummyPrefix,
                                                        bool removeExtraWhitespace, bool escapeWhitespace)
{
    return std::make_unique<SentencePieceNormalizer>(std::move(charsmap), addDummyPrefix, removeExtraWhitespace,
                                                     escapeWhitespace);
}
std::unique_ptr<Normalizer> makeNormalizerSequence(std::vector<std::unique_ptr<Normalizer>> items)
{
    return std::make_unique<NormalizerSequence>(std::move(items));
}

std::unique_ptr<PreTokenizer> makeSplit(std::string pattern, bool regex, SplitBehavior behavior, bool invert)
{
    return std::make_unique<SplitPre>(std::move(pattern), regex, behavior, invert);
}
std::unique_ptr<PreTokenizer> makeByteLevelPre(bool addPrefixSpace, bool useRegex)
{
    return std::make_unique<ByteLevelPre>(addPrefixSpace, useRegex);
}
std::unique_ptr<PreTokenizer> makeDigits(bool individual) { return std::make_unique<DigitsPre>(individual); }
std::unique_ptr<PreTokenizer> makeWhitespace()
{
    return std::make_unique<SplitPre>("\\w+|[^\\w\\s]+", true, SplitBehavior::Removed, true);
}
std::unique_ptr<PreTokenizer> makeWhitespaceSplit() { return std::make_unique<WhitespaceSplitPre>(); }
std::unique_ptr<PreTokenizer> makeBertPre() { return std::make_unique<BertPre>(); }
std::unique_ptr<PreTokenizer> makePunctuation(SplitBehavior behavior) { return std::make_unique<PunctuationPre>(behavior); }
std::unique_ptr<PreTokenizer> makeMetaspacePre(std::string replacement, int prependScheme, bool split)
{
    return std::make_unique<MetaspacePre>(std::move(replacement), prependScheme, split);
}
std::unique_ptr<PreTokenizer> makeSpaceWordSplit(std::string space)
{
    return std::make_unique<SpaceWordSplitPre>(std::move(space));
}
std::unique_ptr<PreTokenizer> makePreTokenizerSequence(std::vector<std::unique_ptr<PreTokenizer>> items)
{
    return std::make_unique<PreTokenizerSequence>(std::move(items));
}

std::unique_ptr<Decoder> makeByteLevelDecoder() { return std::make_unique<ByteLevelDecoder>(); }
std::unique_ptr<Decoder> makeWordPieceDecoder(std::string prefix, bool cleanup)
{
    return std::make_unique<WordPieceDecoder>(std::move(prefix), cleanup);
}
std::unique_ptr<Decoder> makeMetaspaceDecoder(std::string replacement, bool stripFirst)
{
    return std::make_unique<MetaspaceDecoder>(std::move(replacement), stripFirst);
}
std::unique_ptr<Decoder> makeByteFallbackDecoder() { return std::make_unique<ByteFallbackDecoder>(); }
std::unique_ptr<Decoder> makeFuseDecoder() { return std::make_unique<FuseDecoder>(); }
std::unique_ptr<Decoder> makeStripDecoder(std::string content, int start, int stop)
{
    return std::make_unique<StripDecoder>(std::move(content), start, stop);
}
std::unique_ptr<Decoder> makeReplaceDecoder(std::string pattern, std::string content)
{
    return std::make_unique<ReplaceDecoder>(std::move(pattern), std::move(content));
}
std::unique_ptr<Decoder> makeBpeSuffixDecoder(std::string suffix) { return std::make_unique<BpeSuffixDecoder>(std::move(suffix)); }

}  // namespace terse::text
