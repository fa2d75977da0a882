#include "compressors/prompt_format.h"

#include "core/utf8.h"

#include "terse/text_units.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

namespace terse::detail {

namespace {

// Words of a line: runs of non-space bytes.
template <class F> void forEachWord(std::string_view line, F &&f)
{
    std::size_t at = 0;
    while (at < line.size()) {
        while (at < line.size() && isAsciiSpace(line[at]))
            ++at;
        std::size_t stop = at;
        while (stop < line.size() && !isAsciiSpace(line[stop]))
            ++stop;
        if (stop > at && !f(line.substr(at, stop - at), stop))
            return;
        at = stop;
    }
}

// A line, or the last sentence of one: its bytes in the segment without surrounding whitespace.
struct Piece {
    Span span;
    std::size_t lead = 0; // lineLead's byte length, from span.begin
    int words = 0;        // its words (runs of non-space bytes)
    int leadWords = 0;    // the words of its lead
    bool plain = false;   // every word plain (plainWord), at least two

    Piece() = default;
    Piece(const std::string &text, Span sp) : span(sp)
    {
        const std::string_view t = std::string_view(text).substr(sp.begin, sp.size());
        lead = lineLead(t);
        bool allPlain = true;
        forEachWord(t, [&](std::string_view w, std::size_t stop) {
            ++words;
            leadWords += stop <= lead ? 1 : 0;
            allPlain = allPlain && plainWord(w);
            return true;
        });
        plain = allPlain && words >= 2;
    }
    // The answer a demonstration ends with: a lead and at most kFormatAnswerWords words after it.
    bool answerShaped() const { return lead > 0 && words - leadWords <= kFormatAnswerWords; }
};

// One non-empty line of a demonstration; its last line also knows its last sentence, where an
// answer often stands after the reasoning ("... = False. So the answer is False.").
struct Line : Piece {
    int segment = 0;
    bool last = false; // the last line of its demonstration
    Piece ending;      // last lines only: the line's last sentence
};

// The demonstrations of one context: runs of non-empty lines (split at '\n', trimmed) that lines
// holding only whitespace separate.
void addBlocks(const std::string &text, int segment, std::vector<std::vector<Line>> &blocks)
{
    std::vector<Line> block;
    std::size_t at = 0;
    while (at <= text.size()) {
        std::size_t stop = text.find('\n', at);
        if (stop == std::string::npos)
            stop = text.size();
        std::size_t b = at, e = stop;
        while (b < e && isAsciiSpace(text[b]))
            ++b;
        while (e > b && isAsciiSpace(text[e - 1]))
            --e;
        if (e > b) {
            Line l;
            static_cast<Piece &>(l) = Piece(text, {b, e});
            l.segment = segment;
            block.push_back(l);
        }
        if ((e == b || stop == text.size()) && !block.empty()) {
            Line &last = block.back();
            last.last = true;
            const auto sentences =
                splitSentences(std::string_view(text).substr(last.span.begin, last.span.size()));
            Span s{last.span.begin + (sentences.empty() ? 0 : sentences.back().begin),
                   last.span.end};
            while (s.end > s.begin && isAsciiSpace(text[s.end - 1]))
                --s.end;
            last.ending = Piece(text, s);
            blocks.push_back(std::move(block));
            block.clear();
        }
        at = stop + 1;
    }
}

} // namespace

bool plainWord(std::string_view w)
{
    // Trailing punctuation of prose.
    while (!w.empty() && std::string_view(":,.?!;").find(w.back()) != std::string_view::npos)
        w.remove_suffix(1);
    if (w.empty())
        return false;
    for (std::size_t i = 0; i < w.size(); ++i) {
        const auto c = static_cast<unsigned char>(w[i]);
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
        const bool inner = (c == '\'' || c == '-') && i > 0 && i + 1 < w.size();
        if (!letter && !inner)
            return false;
    }
    return true;
}

std::size_t lineLead(std::string_view line)
{
    std::size_t end = 0;
    int words = 0;
    bool label = false;
    forEachWord(line, [&](std::string_view w, std::size_t stop) {
        if (words >= kFormatLeadWords || !plainWord(w))
            return false;
        ++words;
        end = stop;
        label = w.back() == ':';
        return !label; // a label ends the lead
    });
    return label || words >= 2 ? end : 0;
}

DemonstrationFormat demonstrationFormat(const std::vector<PromptSegment> &segments)
{
    DemonstrationFormat none;
    none.spans.resize(segments.size());
    std::vector<std::vector<Span>> out(segments.size());
    // The demonstrations: each context's blank-line-separated blocks, each a list of lines.
    std::vector<std::vector<Line>> blocks;
    for (std::size_t s = 0; s < segments.size(); ++s)
        if (segments[s].role == SegmentRole::Context)
            addBlocks(segments[s].text, static_cast<int>(s), blocks);
    std::size_t blockBytes = 0;
    for (const auto &lines : blocks)
        blockBytes += lines.back().span.end - lines.front().span.begin;
    const int n = static_cast<int>(blocks.size());
    if (n < kFormatMinBlocks)
        return none;
    const int need = std::max(kFormatMinBlocks, static_cast<int>(std::ceil(kFormatShare * n)));
    // In how many demonstrations each plain line and each lead occurs; lines some demonstration
    // repeats are content (code, lists), not format.
    std::map<std::string, std::set<int>> lineIn, leadIn, endingIn;
    std::set<std::string> repeated;
    auto text = [&](int segment, Span sp) {
        return segments[static_cast<std::size_t>(segment)].text.substr(sp.begin, sp.size());
    };
    for (int b = 0; b < n; ++b)
        for (const Line &l : blocks[static_cast<std::size_t>(b)]) {
            if (l.plain && !lineIn[text(l.segment, l.span)].insert(b).second)
                repeated.insert(text(l.segment, l.span));
            if (l.lead > 0)
                leadIn[text(l.segment, {l.span.begin, l.span.begin + l.lead})].insert(b);
            if (l.last && l.ending.lead > 0)
                endingIn[text(l.segment,
                              {l.ending.span.begin, l.ending.span.begin + l.ending.lead})]
                    .insert(b);
        }
    auto common = [&](const std::map<std::string, std::set<int>> &m, const std::string &key) {
        auto it = m.find(key);
        return it != m.end() && static_cast<int>(it->second.size()) >= need;
    };
    std::size_t formatBytes = 0;
    auto keep = [&](int segment, Span sp) {
        if (sp.size() == 0)
            return;
        out[static_cast<std::size_t>(segment)].push_back(sp);
        formatBytes += sp.size();
    };
    for (const auto &lines : blocks)
        for (const Line &l : lines) {
            const std::string whole = text(l.segment, l.span);
            const bool leadCommon =
                l.lead > 0 &&
                common(leadIn, text(l.segment, {l.span.begin, l.span.begin + l.lead}));
            // A demonstration's short last sentence that starts as most of theirs do is its answer:
            // whole ("The answer is 6.", "So the answer is False.", "A: 42").
            const Span endingLead{l.ending.span.begin, l.ending.span.begin + l.ending.lead};
            const bool endingCommon = l.last && lines.size() >= 2 && l.ending.lead > 0 &&
                                      common(endingIn, text(l.segment, endingLead));
            const bool answer = endingCommon && l.ending.answerShaped();
            if (l.plain && common(lineIn, whole) && !repeated.count(whole)) {
                keep(l.segment, l.span);
            } else if (answer && l.ending.span.begin == l.span.begin) {
                keep(l.segment, l.span); // the line is its answer
            } else {
                if (leadCommon)
                    keep(l.segment, {l.span.begin, l.span.begin + l.lead});
                // A long answer ("So the answer is arson aspect census ...") keeps its lead.
                if (answer)
                    keep(l.segment, l.ending.span);
                else if (endingCommon && (l.ending.span.begin > l.span.begin || !leadCommon))
                    keep(l.segment, endingLead);
            }
        }
    if (formatBytes == 0 ||
        static_cast<double>(formatBytes) > kFormatMaxShare * static_cast<double>(blockBytes))
        return none;
    return {std::move(out), n};
}

} // namespace terse::detail
