// Pre-tokenizers of the tokenizer pipeline (HF tokenizers semantics): regex split, byte-level,
// digits, whitespace, BERT, punctuation, metaspace, sequences.
#include "text/pipeline.h"
#include "text/regex.h"
#include "text/tokenizer_impl.h"
#include "text/unicode.h"

#include <algorithm>
#include <cstring>

namespace terse::text {

const char kGpt2Pattern[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

namespace {

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
                out.push_back({ref.owner, static_cast<std::uint32_t>(ref.begin + b),
                               static_cast<std::uint32_t>(ref.begin + e)});
    }
    pieces.refs = std::move(out);
}

// Rewrites every piece with `edit` (giving each its own owner text), for pre-tokenizers that change
// text.
template <typename Edit> void rewritePieces(Pieces &pieces, Edit &&edit)
{
    std::vector<Normalized> owners;
    std::vector<Pieces::Ref> refs;
    owners.reserve(pieces.refs.size());
    for (const Pieces::Ref &r : pieces.refs) {
        const Normalized &o = pieces.owners[r.owner];
        Normalized n = (r.begin == 0 && r.end == o.text.size()) ? o : o.slice(r.begin, r.end);
        edit(n, r);
        refs.push_back({static_cast<std::uint32_t>(owners.size()), 0,
                        static_cast<std::uint32_t>(n.text.size())});
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
                m_regex->forEachMatch(t,
                                      [&](std::size_t b, std::size_t e) { m.emplace_back(b, e); });
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
void charMatches(std::string_view t, std::vector<std::pair<std::size_t, std::size_t>> &m,
                 bool individual, Pred &&pred)
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
    MetaspacePre(std::string rep, int scheme, bool split)
        : m_rep(std::move(rep)), m_scheme(scheme), m_split(split)
    {
    }
    void split(Pieces &pieces, bool first) const override
    {
        rewritePieces(pieces, [&](Normalized &p, const Pieces::Ref &) {
            replaceRanges(p, findAll(p.text, " "), m_rep);
            const bool atStart = first && !p.text.empty() && p.origBegin(0) == 0;
            if ((m_scheme == 2 || (m_scheme == 1 && atStart)) &&
                p.text.compare(0, m_rep.size(), m_rep) != 0 && !p.text.empty())
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
    explicit PreTokenizerSequence(std::vector<std::unique_ptr<PreTokenizer>> items)
        : m_items(std::move(items))
    {
    }
    void split(Pieces &pieces, bool first) const override
    {
        for (const auto &i : m_items)
            i->split(pieces, first);
    }

private:
    std::vector<std::unique_ptr<PreTokenizer>> m_items;
};

} // namespace

std::unique_ptr<PreTokenizer> makeSplit(std::string pattern, bool regex, SplitBehavior behavior,
                                        bool invert)
{
    return std::make_unique<SplitPre>(std::move(pattern), regex, behavior, invert);
}
std::unique_ptr<PreTokenizer> makeByteLevelPre(bool addPrefixSpace, bool useRegex)
{
    return std::make_unique<ByteLevelPre>(addPrefixSpace, useRegex);
}
std::unique_ptr<PreTokenizer> makeDigits(bool individual)
{
    return std::make_unique<DigitsPre>(individual);
}
std::unique_ptr<PreTokenizer> makeWhitespace()
{
    return std::make_unique<SplitPre>("\\w+|[^\\w\\s]+", true, SplitBehavior::Removed, true);
}
std::unique_ptr<PreTokenizer> makeWhitespaceSplit()
{
    return std::make_unique<WhitespaceSplitPre>();
}
std::unique_ptr<PreTokenizer> makeBertPre()
{
    return std::make_unique<BertPre>();
}
std::unique_ptr<PreTokenizer> makePunctuation(SplitBehavior behavior)
{
    return std::make_unique<PunctuationPre>(behavior);
}
std::unique_ptr<PreTokenizer> makeMetaspacePre(std::string replacement, int prependScheme,
                                               bool split)
{
    return std::make_unique<MetaspacePre>(std::move(replacement), prependScheme, split);
}
std::unique_ptr<PreTokenizer> makeSpaceWordSplit(std::string space)
{
    return std::make_unique<SpaceWordSplitPre>(std::move(space));
}
std::unique_ptr<PreTokenizer>
makePreTokenizerSequence(std::vector<std::unique_ptr<PreTokenizer>> items)
{
    return std::make_unique<PreTokenizerSequence>(std::move(items));
}

} // namespace terse::text
