// Held-out evaluation of a causal LM in bits per byte, next to zstd -19 on the same text.
#include "terse/train.h"

#include "models/model_context.h"

#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace terse {

Result<LmEvalReport> evalLanguageModel(const std::string &modelPath, const std::string &textFile,
                                       std::uint64_t maxBytes, const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto lm = detail::loadModelWithTokenizer(modelPath, DefaultModel::CausalLM);
    if (!lm)
        return lm.error();
    const Model &model = (*lm)->model;
    const Tokenizer &tok = (*lm)->tokenizer;
    if (model.info().kind != ModelKind::CausalLM)
        return fail(ErrorCode::InvalidArgument, "'" + (*lm)->path + "' is not a causal LM");
    int bos = model.info().bosId;
    if (bos < 0)
        bos = tok.specialIds().bos >= 0 ? tok.specialIds().bos : tok.specialIds().eos;
    LmEvalReport rep;
    double nll = 0;
    std::string joined;
    Error failure{ErrorCode::Internal, ""};
    bool failed = false;
    // The progress total: the text's size where the file tells it, at most the byte limit.
    const std::uint64_t textBytes = corpusTextBytes(textFile);
    const auto total =
        static_cast<long long>(textBytes > 0 ? std::min(textBytes, maxBytes) : maxBytes);
    ScoreRequest req;
    req.wantEntropy = false;
    auto read = readCorpus(textFile, maxBytes, [&](std::string_view doc) {
        if (rep.bytes >= maxBytes)
            return false;
        doc = doc.substr(
            0, static_cast<std::size_t>(std::min<std::uint64_t>(doc.size(), maxBytes - rep.bytes)));
        auto ids = tok.encodeIds(doc);
        if (!ids) { // invalid UTF-8 in the file: skip the document, it is not counted
            ++rep.skippedDocuments;
            return true;
        }
        std::vector<int> seq;
        seq.reserve(ids->size() + 1);
        if (bos >= 0)
            seq.push_back(bos);
        seq.insert(seq.end(), ids->begin(), ids->end());
        if (seq.size() < 2)
            return true;
        // The document's windows advance this job's byte count (one steady progress line).
        auto scored = model.score({seq}, req,
                                  job.scaled(static_cast<long long>(rep.bytes),
                                             static_cast<long long>(doc.size()), total, "scoring"));
        if (!scored) {
            failure = scored.error();
            failed = true;
            return false;
        }
        const auto &s =
            scored->sequences[0].surprisal; // s[t] = -log p(seq[t] | seq[<t]); s[0] undefined
        for (std::size_t t = 1; t < s.size(); ++t)
            nll += s[t];
        rep.tokens += seq.size() - 1;
        rep.bytes += doc.size();
        ++rep.documents;
        if (!joined.empty())
            joined += '\n';
        joined.append(doc);
        job.report(std::min(static_cast<long long>(rep.bytes), total), total, "scoring");
        return !job.isCancelled();
    });
    if (job.isCancelled())
        return fail(ErrorCode::Cancelled, "evaluation cancelled");
    if (failed)
        return failure;
    if (!read)
        return read.error();
    job.report(total, total, "scoring"); // separators and skipped documents are not counted
    if (rep.bytes == 0)
        return fail(ErrorCode::InvalidInput,
                    "'" + textFile + "' has no text to evaluate" +
                        (rep.skippedDocuments ? " (" + std::to_string(rep.skippedDocuments) +
                                                    " document(s) skipped: not valid UTF-8)"
                                              : std::string()));
    rep.bitsPerByte = nll / std::log(2.0) / static_cast<double>(rep.bytes);
    rep.nllPerToken = rep.tokens ? nll / static_cast<double>(rep.tokens) : 0;
    std::string out(ZSTD_compressBound(joined.size()), '\0');
    const std::size_t z = ZSTD_compress(out.data(), out.size(), joined.data(), joined.size(), 19);
    if (!ZSTD_isError(z))
        rep.zstdBitsPerByte = 8.0 * static_cast<double>(z) / static_cast<double>(joined.size());
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

} // namespace terse
