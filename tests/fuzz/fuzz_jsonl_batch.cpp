// libFuzzer target: a JSONL batch as `terse compress/score --jsonl` and the Python module parse it
// (terse/batch.h), then the engine-side prompt handling each usable line
// gets: the text checks and the word, atomic-word and sentence splitters, whose spans must tile the
// segment exactly.
#include "fuzz_util.h"
#include "terse/batch.h"
#include "terse/text_units.h"

using namespace terse;

namespace {

void checkTiling(const std::vector<Span> &spans, const std::string &text, const char *what)
{
    std::size_t at = 0;
    for (const Span &s : spans) {
        if (s.begin != at || s.end < s.begin || s.end > text.size()) {
            std::fprintf(
                stderr,
                "fuzz_jsonl_batch: %s spans do not tile the text (span %zu-%zu at %zu of %zu)\n",
                what, s.begin, s.end, at, text.size());
            std::abort();
        }
        at = s.end;
    }
    if (!spans.empty() && at != text.size()) {
        std::fprintf(stderr, "fuzz_jsonl_batch: %s spans end at %zu of %zu\n", what, at,
                     text.size());
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    for (bool allowIds : {false, true}) {
        auto lines = parseJsonlBatch(text, "fuzz.jsonl", allowIds);
        if (!fuzz::ok(lines, "parseJsonlBatch"))
            continue;
        for (const BatchLine &line : *lines) {
            (void)lineMessage(line.line, line.error);
            if (!line.error.empty() || allowIds)
                continue;
            (void)line.prompt.joined();
            for (const PromptSegment &seg : line.prompt.segments) {
                (void)fuzz::ok(validatePromptText(seg.text), "validatePromptText");
                checkTiling(splitWords(seg.text), seg.text, "splitWords");
                checkTiling(splitAtomicWords(seg.text), seg.text, "splitAtomicWords");
                checkTiling(splitSentences(seg.text), seg.text, "splitSentences");
            }
        }
    }
    return 0;
}
