// The tokenizer pipeline's shared pieces: Normalized's alignment and the helpers of pipeline.h. The
// stages live in normalizers.cpp, pre_tokenizers.cpp and decoders.cpp (HF tokenizers semantics).
#include "text/pipeline.h"

#include "text/unicode.h"

#include <algorithm>
#include <cstring>

namespace terse::text {

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

// Inserts `s` at byte `at`; the inserted bytes get the empty range at the neighbouring character.
void insertText(Normalized &n, std::size_t at, const std::string &s)
{
    const std::size_t pos =
        at < n.text.size() ? n.origBegin(at) : (at == 0 ? n.base : n.origEnd(at));
    n.materialize();
    n.text.insert(at, s);
    n.from.insert(n.from.begin() + at, s.size(), static_cast<std::uint32_t>(pos));
    n.to.insert(n.to.begin() + at, s.size(), static_cast<std::uint32_t>(pos));
}

// Replaces every range in `ranges` (sorted, disjoint) with `content`, which takes the range's
// alignment.
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

std::vector<std::pair<std::size_t, std::size_t>> findAll(std::string_view text,
                                                         std::string_view needle)
{
    std::vector<std::pair<std::size_t, std::size_t>> out;
    if (needle.empty())
        return out;
    for (std::size_t p = text.find(needle); p != std::string_view::npos;
         p = text.find(needle, p + needle.size()))
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

bool isBertWhitespace(char32_t c)
{
    return c == '\t' || c == '\n' || c == '\r' || isWhiteSpace(c);
}

bool isBertPunct(char32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
        (c >= 123 && c <= 126))
        return true;
    return isPunct(category(c));
}

} // namespace terse::text
