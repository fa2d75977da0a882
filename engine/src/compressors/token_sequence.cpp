#include "compressors/token_sequence.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace terse::detail {

Result<TokenSequence> buildTokenSequence(const Prompt &prompt, const Tokenizer &tokenizer,
                                         std::vector<Unit> &units)
{
    TokenSequence seq;
    auto sep = tokenizer.encodeIds("\n\n");
    if (!sep)
        return sep.error();
    bool first = true;
    for (int s = 0; s < static_cast<int>(prompt.segments.size()); ++s) {
        const auto &segment = prompt.segments[static_cast<std::size_t>(s)];
        if (segment.text.empty())
            continue;
        auto enc = tokenizer.encode(segment.text, false);
        if (!enc)
            return fail(enc.error().code,
                        "segment " + std::to_string(s + 1) + ": " + enc.error().detail);
        if (!first)
            for (int id : *sep) {
                seq.ids.push_back(id);
                seq.unitOf.push_back(-1);
            }
        first = false;
        const std::vector<Span> spans = tileSpans(*enc, segment.text.size());
        for (std::size_t t = 0; t < enc->size(); ++t) {
            Unit u;
            u.segment = s;
            u.span = spans[t];
            u.forced = segment.role != SegmentRole::Context;
            seq.positionOf.push_back(static_cast<int>(seq.ids.size()));
            seq.unitOf.push_back(static_cast<int>(units.size()));
            seq.ids.push_back(enc->ids[t]);
            units.push_back(u);
        }
    }
    if (seq.ids.empty())
        return fail(ErrorCode::InvalidInput, "the prompt has no tokens");
    return seq;
}

std::vector<float> minMaxNormalise(const std::vector<float> &values)
{
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (float v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    std::vector<float> out(values.size(), 0.0f);
    // The reference compares max - min > 1e-8 in float32 and divides in float32.
    if (!(hi - lo > 1e-8f))
        return out;
    for (std::size_t i = 0; i < values.size(); ++i)
        out[i] = std::isfinite(values[i]) ? (values[i] - lo) / (hi - lo) : 0.0f;
    return out;
}

std::string keptTokenText(const CompressionResult &result)
{
    std::vector<std::string> parts(result.segments.size());
    for (const auto &u : result.units)
        if (u.kept)
            parts[static_cast<std::size_t>(u.segment)].append(
                result.segments[static_cast<std::size_t>(u.segment)].text, u.span.begin,
                u.span.size());
    std::string text;
    bool any = false;
    for (const auto &p : parts) {
        if (p.empty())
            continue;
        if (any)
            text += "\n\n";
        text += p;
        any = true;
    }
    return text;
}

} // namespace terse::detail
