#include "compressors/question_split.h"
#include "models/model_context.h"

#include <algorithm>
#include <string>

namespace terse {

namespace {

// Where part i begins in the text, and where the next begins (the text's end for the last). Part
// i's own text ends at p.ends[i], before the whitespace up to the next part: the method sees the
// parts a user would type into the structured editor, and in the merged result that whitespace
// belongs to the part's last unit, as a word's trailing whitespace does.
std::size_t nextStart(const PromptParts &p, std::size_t i, std::size_t size)
{
    return i + 1 < p.starts.size() ? p.starts[i + 1] : size;
}

Prompt splitPrompt(const std::string &text, const PromptParts &p)
{
    Prompt out;
    for (std::size_t i = 0; i < p.starts.size(); ++i)
        out.segments.push_back({p.roles[i], text.substr(p.starts[i], p.ends[i] - p.starts[i])});
    return out;
}

// Pins of the one segment, in the parts that hold them (a pin across a cut is cut too).
CompressOptions splitOptions(const CompressOptions &options, const PromptParts &p)
{
    CompressOptions o = options;
    o.pinned.clear();
    for (const auto &pin : options.pinned) {
        for (std::size_t i = 0; i < p.starts.size(); ++i) {
            const std::size_t b = p.starts[i], e = p.ends[i];
            if (pin.span.begin == pin.span.end) { // an empty pin belongs where it points
                if (pin.span.begin >= b && pin.span.begin <= e)
                    o.pinned.push_back(
                        {static_cast<int>(i), {pin.span.begin - b, pin.span.end - b}, pin.keep});
                continue;
            }
            const std::size_t lo = std::max(pin.span.begin, b), hi = std::min(pin.span.end, e);
            if (lo < hi)
                o.pinned.push_back({static_cast<int>(i), {lo - b, hi - b}, pin.keep});
        }
    }
    return o;
}

// The whitespace the compressed text puts before part i (i > 0): one line break where the prompt
// had one, else a blank line (the join of parts).
std::string separatorBefore(const std::string &text, const PromptParts &p, std::size_t i)
{
    return std::count(text.begin() + static_cast<long>(p.ends[i - 1]),
                      text.begin() + static_cast<long>(p.starts[i]), '\n') >= 2
               ? "\n\n"
               : "\n";
}

std::string preview(const std::string &question)
{
    const std::size_t b = question.find_first_not_of(" \t\r\n");
    std::string q = b == std::string::npos ? std::string() : question.substr(b);
    q = q.substr(0, q.find('\n'));
    if (q.size() > 60) {
        std::size_t cut = 57;
        while (cut > 0 && (static_cast<unsigned char>(q[cut]) & 0xC0) == 0x80)
            --cut;
        q = q.substr(0, cut) + "...";
    }
    return q;
}

std::string note(const std::string &text, const PromptParts &p)
{
    const std::size_t q = p.starts.back();
    std::string what = "its last lines ('" + preview(text.substr(q)) + "', from byte " +
                       std::to_string(q) + ") as its question, kept whole";
    const std::size_t contexts =
        static_cast<std::size_t>(std::count(p.roles.begin(), p.roles.end(), SegmentRole::Context));
    if (contexts > 1)
        what = (p.roles[0] == SegmentRole::Instruction ? "its first paragraph as the instruction, "
                                                       : std::string()) +
               "its " + std::to_string(contexts) +
               " paragraphs as the contexts ranked against the question, and " + what;
    return "the prompt was read in parts: " + what +
           "; to compress it as one text, give it in parts (the structured editor, a JSONL line "
           "with contexts) or turn off finding the question (--no-find-question)";
}

// The result of the parts as a result of the one-segment prompt they came from.
CompressionResult mergeResult(CompressionResult r, const Prompt &original, const PromptParts &p,
                              const CompressOptions &options)
{
    const std::string &text = original.segments[0].text;
    std::vector<long> last(p.starts.size(), -1); // each part's last unit
    for (std::size_t k = 0; k < r.units.size(); ++k) {
        Unit &u = r.units[k];
        const auto i = static_cast<std::size_t>(u.segment);
        u.span.begin += p.starts[i];
        u.span.end += p.starts[i];
        u.segment = 0;
        last[i] = static_cast<long>(k);
    }
    for (std::size_t i = 0; i < p.starts.size(); ++i)
        if (last[i] >= 0)
            r.units[static_cast<std::size_t>(last[i])].span.end = nextStart(p, i, text.size());
    if (r.segmentTexts.size() == p.starts.size()) {
        std::string joined;
        for (std::size_t i = 0; i < p.starts.size(); ++i) {
            if (r.segmentTexts[i].empty())
                continue;
            if (!joined.empty())
                joined += separatorBefore(text, p, i);
            joined += r.segmentTexts[i];
        }
        r.compressedText = joined;
        r.segmentTexts = {r.compressedText};
    } else {
        r.segmentTexts.clear();
    }
    r.segments = original.segments;
    // The rate in the target tokenizer is of the text the caller gave (the method counted its
    // parts, joined by blank lines).
    if (r.targetTokensIn >= 0)
        detail::countTargetTokens(r, original, options.targetTokenizer);
    r.warnings.push_back({"question_found", note(text, p)});
    return r;
}

// The inverse of mergeResult, for the wrapped method's rethreshold.
CompressionResult splitResult(CompressionResult r, const PromptParts &p)
{
    const std::string text = r.segments[0].text;
    for (auto &u : r.units) {
        const auto it = std::upper_bound(p.starts.begin(), p.starts.end(), u.span.begin);
        const std::size_t i = static_cast<std::size_t>(it - p.starts.begin()) - 1;
        u.segment = static_cast<int>(i);
        u.span.end = std::min(u.span.end, p.ends[i]); // without the separator
        u.span.begin -= p.starts[i];
        u.span.end -= p.starts[i];
    }
    r.segments = splitPrompt(text, p).segments;
    r.warnings.erase(std::remove_if(r.warnings.begin(), r.warnings.end(),
                                    [](const Warning &w) { return w.code == "question_found"; }),
                     r.warnings.end());
    r.segmentTexts.clear();
    return r;
}

class QuestionSplit final : public Compressor {
public:
    QuestionSplit(std::unique_ptr<Compressor> inner, bool paragraphs)
        : m_inner(std::move(inner)), m_paragraphs(paragraphs)
    {
    }

    std::string name() const override { return m_inner->name(); }
    std::string displayName() const override { return m_inner->displayName(); }
    std::string description() const override { return m_inner->description(); }
    std::vector<OptionSpec> options() const override { return m_inner->options(); }

    Result<CompressionResult> compress(const Prompt &prompt, const CompressOptions &options,
                                       const JobContext &job) override
    {
        const PromptParts p = parts(prompt, options);
        if (p.starts.empty())
            return m_inner->compress(prompt, options, job);
        if (auto v = validateOptions(prompt, options); !v)
            return v.error();
        const std::string &text = prompt.segments[0].text;
        auto r = m_inner->compress(splitPrompt(text, p), splitOptions(options, p), job);
        if (!r)
            return r;
        return mergeResult(std::move(*r), prompt, p, options);
    }

    bool canRethreshold(const CompressionResult &previous, const CompressOptions &prevOptions,
                        const CompressOptions &next) const override
    {
        const Prompt prompt{previous.segments};
        // The same parts under both options; the methods then judge the method and the options,
        // which the split leaves as they are (no copy of the result to ask).
        if (parts(prompt, prevOptions).starts != parts(prompt, next).starts)
            return false;
        return m_inner->canRethreshold(previous, prevOptions, next);
    }

    Result<CompressionResult> rethreshold(const CompressionResult &previous,
                                          const CompressOptions &next) const override
    {
        const Prompt prompt{previous.segments};
        const PromptParts p = parts(prompt, next);
        if (p.starts.empty())
            return m_inner->rethreshold(previous, next);
        if (auto v = validateOptions(prompt, next); !v)
            return v.error();
        auto r = m_inner->rethreshold(splitResult(previous, p), splitOptions(next, p));
        if (!r)
            return r;
        return mergeResult(std::move(*r), prompt, p, next);
    }

private:
    PromptParts parts(const Prompt &prompt, const CompressOptions &options) const
    {
        if (options.mode != CompressionMode::Corrected || !options.findQuestion ||
            prompt.segments.size() != 1 || prompt.segments[0].role != SegmentRole::Context)
            return {};
        return plainPromptParts(prompt.segments[0].text, m_paragraphs);
    }

    std::unique_ptr<Compressor> m_inner;
    bool m_paragraphs;
};

} // namespace

std::unique_ptr<Compressor> withQuestionSplit(std::unique_ptr<Compressor> inner, bool paragraphs)
{
    return std::make_unique<QuestionSplit>(std::move(inner), paragraphs);
}

} // namespace terse
