#include "terse/attention.h"
#include "terse/model.h"

#include "models/model_context.h"

#include <algorithm>

namespace terse {

Result<std::vector<float>> Model::attentionRow(const std::vector<int> &ids, int layer, int head,
                                               int query, const JobContext &job) const
{
    const ModelInfo &mi = info();
    const int n = static_cast<int>(ids.size());
    if (n == 0)
        return fail(ErrorCode::InvalidArgument, "attention row: no tokens");
    if (layer < 0 || layer >= mi.layers)
        return fail(ErrorCode::InvalidArgument, "attention row: layer " + std::to_string(layer) +
                                                    " is outside [0, " + std::to_string(mi.layers) +
                                                    ")");
    if (head < -1 || head >= mi.heads)
        return fail(ErrorCode::InvalidArgument, "attention row: head " + std::to_string(head) +
                                                    " is outside [-1, " + std::to_string(mi.heads) +
                                                    ")");
    if (query < 0 || query >= n)
        return fail(ErrorCode::InvalidArgument, "attention row: query " + std::to_string(query) +
                                                    " is outside [0, " + std::to_string(n) + ")");
    if (mi.maxPositions > 0 && n > mi.maxPositions)
        return fail(ErrorCode::InvalidArgument, "attention row: " + std::to_string(n) +
                                                    " tokens exceed the model's window of " +
                                                    std::to_string(mi.maxPositions));
    ScoreRequest req;
    req.wantEntropy = false;
    req.displayLayer = layer;
    req.displayHead = head;
    auto r = score({ids}, req, job);
    if (!r)
        return r.error();
    const auto &m = r->sequences.front().displayMatrix;
    if (m.size() != static_cast<std::size_t>(n) * static_cast<std::size_t>(n))
        return fail(ErrorCode::Internal, "attention row: the model returned no attention matrix");
    const auto row = m.begin() + static_cast<std::ptrdiff_t>(query) * n;
    return std::vector<float>(row, row + n);
}

Result<TextAttention> textAttentionRow(const std::string &modelPath, const std::string &text,
                                       std::size_t queryByte, int layer, int head,
                                       const JobContext &job)
{
    if (text.empty())
        return fail(ErrorCode::InvalidArgument, "attention row: the text is empty");
    if (queryByte >= text.size())
        return fail(ErrorCode::InvalidArgument, "attention row: byte " + std::to_string(queryByte) +
                                                    " is past the end of the text (" +
                                                    std::to_string(text.size()) + " bytes)");
    auto loaded = detail::loadModelWithTokenizer(modelPath, DefaultModel::CausalLM);
    if (!loaded)
        return loaded.error();
    const Model &model = (*loaded)->model;
    auto enc = (*loaded)->tokenizer.encode(text, false);
    if (!enc)
        return enc.error();
    TextAttention out;
    out.model = (*loaded)->path;
    out.spans = tileSpans(*enc, text.size());
    // The query is the token whose (tiled) span holds the byte.
    for (std::size_t i = 0; i < out.spans.size(); ++i)
        if (out.spans[i].begin <= queryByte && queryByte < out.spans[i].end) {
            out.query = static_cast<int>(i);
            break;
        }
    if (out.query < 0)
        return fail(ErrorCode::InvalidArgument,
                    "attention row: no token covers byte " + std::to_string(queryByte));
    std::vector<int> ids(enc->ids.begin(), enc->ids.end());
    // A text longer than the model's window: the row comes from the window of tokens that ends at
    // the query, i.e. what the model sees when it reads that token (issue 20: the row was refused
    // for long prompts). Keys before the window get weight 0; the row still sums to 1 per head.
    const int window = model.info().maxPositions;
    if (window > 0 && static_cast<int>(ids.size()) > window) {
        out.windowStart = std::max(0, out.query - window + 1);
        const int end = std::min(static_cast<int>(ids.size()), out.windowStart + window);
        ids = std::vector<int>(ids.begin() + out.windowStart, ids.begin() + end);
    }
    auto row = model.attentionRow(ids, layer, head, out.query - out.windowStart, job);
    if (!row)
        return row.error();
    out.weights.assign(out.spans.size(), 0.0f);
    std::copy(row->begin(), row->end(), out.weights.begin() + out.windowStart);
    out.layer = layer;
    out.head = head;
    out.layers = model.info().layers;
    out.heads = model.info().heads;
    return out;
}

} // namespace terse
