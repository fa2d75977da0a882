// Normalizers of the tokenizer pipeline (HF tokenizers semantics): BERT, case, Unicode forms,
// accents, strip, replace, prepend, SentencePiece's precompiled charsmap, sequences.
#include "text/pipeline.h"
#include "text/regex.h"
#include "text/tokenizer_impl.h"
#include "text/unicode.h"

#include <algorithm>
#include <cstring>

namespace terse::text {

namespace {

class BertNormalizer : public Normalizer {
public:
    BertNormalizer(bool clean, bool chinese, bool strip, bool lower)
        : m_clean(clean), m_chinese(chinese), m_strip(strip), m_lower(lower)
    {
    }
    void normalize(Normalized &n) const override
    {
        // ASCII fast path: no table lookups; other characters go through the Unicode path.
        mapChars(
            n, [this](char32_t c, std::u32string &out) { normalizeChar(c, out); },
            [this](unsigned char c) -> int {
                if (m_clean) {
                    // Controls go first (\v and \f too, though White_Space), then whitespace
                    // becomes a space.
                    if (c == '\t' || c == '\n' || c == '\r')
                        return ' ';
                    if (c < 0x20 || c == 0x7F)
                        return -1;
                }
                return m_lower && c >= 'A' && c <= 'Z' ? c + 32 : c;
            });
    }

private:
    // HF BertNormalizer order: clean_text, handle_chinese_chars, strip_accents (NFD, drop Mn),
    // lowercase.
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
            tmp.erase(std::remove_if(tmp.begin(), tmp.end(),
                                     [](char32_t m) { return category(m) == Category::Mn; }),
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
        bool ascii = std::all_of(n.text.begin(), n.text.end(),
                                 [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
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
            m_regex->forEachMatch(n.text,
                                  [&](std::size_t b, std::size_t e) { ranges.emplace_back(b, e); });
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
                    out = m_strings.substr(value, end == std::string_view::npos
                                                      ? std::string_view::npos
                                                      : end - value);
                    best = i + 1;
                }
            }
        }
        return best;
    }

private:
    static std::uint32_t offset(std::uint32_t unit)
    {
        return (unit >> 10) << ((unit & (1u << 9)) >> 6);
    }
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
    explicit NormalizerSequence(std::vector<std::unique_ptr<Normalizer>> items)
        : m_items(std::move(items))
    {
    }
    void normalize(Normalized &n) const override
    {
        for (const auto &i : m_items)
            i->normalize(n);
    }

private:
    std::vector<std::unique_ptr<Normalizer>> m_items;
};

} // namespace

std::unique_ptr<Normalizer> makeBertNormalizer(bool cleanText, bool chinese, bool stripAccents,
                                               bool lowercase)
{
    return std::make_unique<BertNormalizer>(cleanText, chinese, stripAccents, lowercase);
}
std::unique_ptr<Normalizer> makeLowercase()
{
    return std::make_unique<LowercaseNormalizer>();
}
std::unique_ptr<Normalizer> makeUnicodeNormalizer(bool compose)
{
    return std::make_unique<UnicodeNormalizer>(compose);
}
std::unique_ptr<Normalizer> makeStripAccents()
{
    return std::make_unique<StripAccentsNormalizer>();
}
std::unique_ptr<Normalizer> makeStrip(bool left, bool right)
{
    return std::make_unique<StripNormalizer>(left, right);
}
std::unique_ptr<Normalizer> makeReplace(std::string pattern, std::string content, bool regex)
{
    return std::make_unique<ReplaceNormalizer>(std::move(pattern), std::move(content), regex);
}
std::unique_ptr<Normalizer> makePrepend(std::string prefix)
{
    return std::make_unique<PrependNormalizer>(std::move(prefix));
}
std::unique_ptr<Normalizer> makePrecompiled(std::string charsmap)
{
    return std::make_unique<PrecompiledNormalizer>(std::move(charsmap));
}
std::unique_ptr<Normalizer> makeSentencePieceNormalizer(std::string charsmap, bool addDummyPrefix,
                                                        bool removeExtraWhitespace,
                                                        bool escapeWhitespace)
{
    return std::make_unique<SentencePieceNormalizer>(std::move(charsmap), addDummyPrefix,
                                                     removeExtraWhitespace, escapeWhitespace);
}
std::unique_ptr<Normalizer> makeNormalizerSequence(std::vector<std::unique_ptr<Normalizer>> items)
{
    return std::make_unique<NormalizerSequence>(std::move(items));
}

} // namespace terse::text
