// The data side of terse/compressor.h: prompts, results (text from kept units, rates), names of
// modes and roles, and the result's JSON. No registry, no models: the torch-free engine core
// (terse_engine_core) carries it, so quick tools link it without libtorch.
#include "terse/compressor.h"

#include "core/utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace terse {

Prompt Prompt::fromText(std::string text)
{
    Prompt p;
    p.segments.push_back({SegmentRole::Context, std::move(text)});
    return p;
}

std::string Prompt::joined() const
{
    std::string out;
    for (const auto &s : segments) {
        if (s.text.empty())
            continue;
        if (!out.empty())
            out += "\n\n";
        out += s.text;
    }
    return out;
}

const ScoreSeries *CompressionResult::series(const std::string &name) const
{
    for (const auto &s : scores)
        if (s.name == name)
            return &s;
    return nullptr;
}

const ScoreSeries *CompressionResult::internal(const std::string &name) const
{
    for (const auto &s : internals)
        if (s.name == name)
            return &s;
    return nullptr;
}

using detail::isAsciiSpace;

void finalizeResult(CompressionResult &result)
{
    std::vector<std::string> perSegment(result.segments.size());
    std::vector<char> gap(result.segments.size(),
                          0); // the whitespace ending a pending dropped run, or 0
    long kept = 0;
    for (const auto &u : result.units) {
        const std::string &src = result.segments[u.segment].text;
        std::string &out = perSegment[u.segment];
        if (!u.kept) {
            gap[u.segment] = u.span.end > u.span.begin && isAsciiSpace(src[u.span.end - 1])
                                 ? src[u.span.end - 1]
                                 : 0;
            continue;
        }
        ++kept;
        // Keep words apart when the whitespace that separated them belonged to a dropped unit
        // (the inserted space is that unit's own whitespace, so the output stays a subsequence).
        if (gap[u.segment] && !out.empty() && !isAsciiSpace(out.back()))
            out += gap[u.segment];
        gap[u.segment] = 0;
        out.append(src, u.span.begin, u.span.size());
    }
    std::string text;
    result.segmentTexts.assign(perSegment.size(), std::string());
    for (std::size_t i = 0; i < perSegment.size(); ++i) {
        std::string &s = perSegment[i];
        while (!s.empty() && isAsciiSpace(s.back()))
            s.pop_back();
        std::size_t b = 0;
        while (b < s.size() && isAsciiSpace(s[b]))
            ++b;
        if (b == s.size())
            continue;
        if (!text.empty())
            text += "\n\n";
        text.append(s, b);
        result.segmentTexts[i] = s.substr(b);
    }
    result.compressedText = std::move(text);
    result.tokensIn = static_cast<long>(result.units.size());
    result.tokensOut = kept;
    result.unitRate = result.tokensIn > 0
                          ? static_cast<double>(kept) / static_cast<double>(result.tokensIn)
                          : 1.0;
    updateAchievedRate(result);
}

void updateAchievedRate(CompressionResult &result)
{
    if (result.targetTokensIn > 0 && result.targetTokensOut >= 0)
        result.achievedRate = static_cast<double>(result.targetTokensOut) /
                              static_cast<double>(result.targetTokensIn);
    else if (result.targetTokensIn == 0)
        result.achievedRate = 1.0;
    else
        result.achievedRate = result.unitRate;
}

namespace {

// A line of at most 200 bytes that opens with an interrogative word and does not end as a
// statement ('.', '!', ':'): a question typed without its mark, as search queries are ("when did
// season 2 of handmaid's tale start").
bool asksWithoutMark(std::string_view line)
{
    static const char *const kAsking[] = {
        "who",    "whom",  "whose", "what", "when", "where", "which", "why", "how",
        "is",     "are",   "was",   "were", "do",   "does",  "did",   "can", "could",
        "should", "would", "will",  "has",  "have", "had",   "name"};
    if (line.size() > 200 || line.back() == '.' || line.back() == '!' || line.back() == ':')
        return false;
    std::size_t n = 0;
    while (n < line.size() && std::isalpha(static_cast<unsigned char>(line[n])))
        ++n;
    if (n == line.size() || line[n] != ' ')
        return false; // one word, or a word glued to punctuation ("Who's", "How-to")
    std::string first(line.substr(0, n));
    for (char &c : first)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return std::find(std::begin(kAsking), std::end(kAsking), first) != std::end(kAsking);
}

// Ends with a question mark: ASCII '?', the fullwidth '？' of Chinese and Japanese (U+FF1F) or
// the Arabic '؟' (U+061F).
bool endsWithQuestionMark(std::string_view line)
{
    return line.ends_with('?') || line.ends_with("\xEF\xBC\x9F") || line.ends_with("\xD8\x9F");
}

} // namespace

std::size_t trailingQuestionStart(std::string_view text)
{
    constexpr std::size_t kMaxQuestionBytes = 2000;
    std::size_t end = text.size();
    while (end > 0 && isAsciiSpace(text[end - 1]))
        --end;
    if (end == 0)
        return std::string_view::npos;
    // The last paragraph: after the last blank line (a "\n" and a "\n" with only spaces between)
    // before the end of the text.
    std::size_t para = 0;
    for (std::size_t i = end; i-- > 0;) {
        if (text[i] != '\n')
            continue;
        std::size_t j = i;
        while (j > 0 && (text[j - 1] == ' ' || text[j - 1] == '\t' || text[j - 1] == '\r'))
            --j;
        if (j > 0 && text[j - 1] == '\n') {
            para = i + 1;
            break;
        }
    }
    auto labelled = [&](std::size_t at) {
        while (at < end && (text[at] == ' ' || text[at] == '\t'))
            ++at;
        for (const char *label : {"question:", "query:", "q:"}) {
            const std::size_t n = std::char_traits<char>::length(label);
            if (end - at < n)
                continue;
            bool same = true;
            for (std::size_t k = 0; k < n && same; ++k)
                same = std::tolower(static_cast<unsigned char>(text[at + k])) == label[k];
            if (same)
                return true;
        }
        return false;
    };
    std::size_t start = std::string_view::npos;
    // The last labelled line of the last paragraph.
    for (std::size_t ls = para; ls < end;) {
        if (labelled(ls))
            start = ls;
        const std::size_t nl = text.find('\n', ls);
        if (nl == std::string_view::npos || nl >= end)
            break;
        ls = nl + 1;
    }
    if (start == std::string_view::npos && para > 0) {
        const std::string_view body = text.substr(para, end - para);
        if (body.find('\n') == std::string_view::npos &&
            (endsWithQuestionMark(body) || asksWithoutMark(body)))
            start = para;
    }
    // A question is short: a demonstration of a few-shot prompt ("Question: ...", its worked
    // answer over several lines) is not one.
    if (start == std::string_view::npos || end - start > kMaxQuestionBytes ||
        std::count(text.begin() + static_cast<long>(start), text.begin() + static_cast<long>(end),
                   '\n') > 2)
        return std::string_view::npos;
    for (std::size_t i = 0; i < start; ++i)
        if (!isAsciiSpace(text[i]))
            return start;
    return std::string_view::npos;
}

namespace {

// The first byte of each paragraph of text[0, end): the first non-space byte after a run of
// whitespace holding a blank line ("\n", spaces, "\n").
std::vector<std::size_t> paragraphStarts(std::string_view text, std::size_t end)
{
    std::vector<std::size_t> starts;
    std::size_t i = 0;
    while (i < end && isAsciiSpace(text[i]))
        ++i;
    if (i == end)
        return starts;
    starts.push_back(0);
    while (i < end) {
        if (!isAsciiSpace(text[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        int newlines = 0;
        while (j < end && isAsciiSpace(text[j]))
            newlines += text[j++] == '\n' ? 1 : 0;
        if (newlines >= 2 && j < end)
            starts.push_back(j);
        i = j;
    }
    return starts;
}

} // namespace

PromptParts plainPromptParts(std::string_view text, bool paragraphs)
{
    PromptParts parts;
    const std::size_t q = trailingQuestionStart(text);
    if (q == std::string_view::npos)
        return parts;
    std::vector<std::size_t> paras;
    if (paragraphs)
        paras = paragraphStarts(text, q);
    if (paras.size() < 3)
        paras = {0};
    parts.starts = paras;
    parts.roles.assign(paras.size(), SegmentRole::Context);
    parts.starts.push_back(q);
    parts.roles.push_back(SegmentRole::Question);
    for (std::size_t i = 0; i < parts.starts.size(); ++i) {
        std::size_t e = i + 1 < parts.starts.size() ? parts.starts[i + 1] : text.size();
        while (e > parts.starts[i] && isAsciiSpace(text[e - 1]))
            --e;
        parts.ends.push_back(e);
    }
    // A short first paragraph is the instruction, unless it starts as most of the others do (its
    // first word, such as "Document", "Passage 1:" or "Question:"): then it is the first of them.
    auto firstWord = [&](std::size_t i) {
        std::size_t e = parts.starts[i];
        while (e < parts.ends[i] && !isAsciiSpace(text[e]))
            ++e;
        return text.substr(parts.starts[i], e - parts.starts[i]);
    };
    std::size_t alike = 0;
    for (std::size_t i = 1; i < paras.size(); ++i)
        alike += firstWord(i) == firstWord(0) ? 1 : 0;
    if (paras.size() >= 4 && parts.ends[0] <= 500 &&
        std::count(text.begin(), text.begin() + static_cast<long>(parts.ends[0]), '\n') <= 2 &&
        2 * alike < paras.size() - 1)
        parts.roles[0] = SegmentRole::Instruction;
    return parts;
}

const char *modeName(CompressionMode mode)
{
    return mode == CompressionMode::Reference ? "reference" : "corrected";
}

Result<CompressionMode> parseMode(const std::string &name)
{
    if (name == "corrected")
        return CompressionMode::Corrected;
    if (name == "reference")
        return CompressionMode::Reference;
    return fail(ErrorCode::InvalidArgument,
                "unknown mode '" + name + "' (use reference or corrected)");
}

const char *roleName(SegmentRole r)
{
    switch (r) {
    case SegmentRole::Instruction:
        return "instruction";
    case SegmentRole::Context:
        return "context";
    case SegmentRole::Question:
        return "question";
    }
    return "context";
}

namespace {

nlohmann::json floats(const std::vector<float> &v)
{
    nlohmann::json a = nlohmann::json::array();
    for (float f : v)
        a.push_back(std::isfinite(f) ? nlohmann::json(f) : nlohmann::json(nullptr));
    return a;
}
} // namespace

bool isNote(const std::string &warningCode)
{
    static const char *const kNotes[] = {
        "chunked",                   // LLMLingua-2 classified the prompt in chunks
        "no_question",               // LongLLMLingua ranks without a question
        "consecutive_limit_relaxed", // DAC dropped adjacent tokens to meet the rate
        "reference_with_pins",       // pins override the reference selection
        "coarse_filter_undone",      // words of dropped contexts kept to meet the rate
        "context_filter_undone",
        "sentence_filter_undone",
        "question_found",       // a plain prompt's trailing question became its Question part
        "demonstration_format", // a few-shot prompt's format was kept first
    };
    for (const char *n : kNotes)
        if (warningCode == n)
            return true;
    return false;
}

std::string resultToJson(const CompressionResult &r, bool pretty)
{
    using nlohmann::json;
    json j;
    j["method"] = r.method;
    j["mode"] = modeName(r.mode);
    j["compressed_text"] = r.compressedText;
    j["unit"] = r.unitName;
    j["tokens_in"] = r.tokensIn;
    j["tokens_out"] = r.tokensOut;
    j["requested_rate"] = r.requestedRate;
    j["achieved_rate"] = r.achievedRate;
    j["unit_rate"] = r.unitRate;
    j["target_tokens_in"] = r.targetTokensIn >= 0 ? json(r.targetTokensIn) : json(nullptr);
    j["target_tokens_out"] = r.targetTokensOut >= 0 ? json(r.targetTokensOut) : json(nullptr);
    j["forward_ms"] = r.forwardMs;
    j["total_ms"] = r.totalMs;
    json segs = json::array();
    for (const auto &s : r.segments)
        segs.push_back({{"role", roleName(s.role)}, {"text", s.text}});
    j["segments"] = segs;
    // Only when they are exactly the pieces of compressed_text (a method that renders its text
    // otherwise after finalizeResult leaves stale ones behind).
    if (!r.segmentTexts.empty()) {
        std::string joined;
        for (const auto &t : r.segmentTexts)
            if (!t.empty())
                joined += (joined.empty() ? "" : "\n\n") + t;
        if (joined == r.compressedText)
            j["segment_texts"] = r.segmentTexts;
    }
    json units = json::array();
    for (const auto &u : r.units)
        units.push_back({{"segment", u.segment},
                         {"begin", u.span.begin},
                         {"end", u.span.end},
                         {"text", r.segments[u.segment].text.substr(u.span.begin, u.span.size())},
                         {"kept", u.kept},
                         {"forced", u.forced},
                         {"stage", u.stage}});
    j["units"] = units;
    json scores = json::object();
    for (const auto &s : r.scores)
        scores[s.name] = floats(s.values);
    j["scores"] = scores;
    auto thresholds = [](const std::vector<Threshold> &ts) {
        json th = json::array();
        for (const auto &t : ts)
            th.push_back({{"series", t.series},
                          {"value", std::isfinite(t.value) ? json(t.value) : json(nullptr)},
                          {"label", t.label}});
        return th;
    };
    j["thresholds"] = thresholds(r.thresholds);
    // Each stage with what its trace shows: the units it removed, and its own score series and
    // thresholds where it has them (a coarse ranking's per-context scores, a window's surprisal).
    json stages = json::array();
    for (const auto &st : r.stages) {
        json s = {{"name", st.name}, {"removed_units", st.removedUnits}};
        if (st.firstUnit >= 0)
            s["unit_range"] = {st.firstUnit, st.endUnit};
        if (!st.scores.empty()) {
            json ss = json::object();
            for (const auto &sc : st.scores)
                ss[sc.name] = floats(sc.values);
            s["scores"] = std::move(ss);
        }
        if (!st.thresholds.empty())
            s["thresholds"] = thresholds(st.thresholds);
        stages.push_back(std::move(s));
    }
    j["stages"] = stages;
    json warns = json::array();
    for (const auto &w : r.warnings)
        warns.push_back({{"code", w.code},
                         {"detail", w.detail},
                         {"kind", isNote(w.code) ? "note" : "warning"}});
    j["warnings"] = warns;
    // Invalid UTF-8 cannot reach here (validated on input), but never throw from a serialiser.
    return j.dump(pretty ? 2 : -1, ' ', false, json::error_handler_t::replace);
}

} // namespace terse
