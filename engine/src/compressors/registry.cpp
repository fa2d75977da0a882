// The method registry: every compressor is registered explicitly here (design.md rule 3).
#include "terse/compressor.h"

#include "compressors/baselines.h"
#include "compressors/llmlingua2.h"
#include "compressors/selective_context.h"
#include "compressors/llmlingua.h"
#include "compressors/longllmlingua.h"
#include "compressors/dac.h"
#include "compressors/model_baselines.h"
#include "compressors/pis.h"
#include "compressors/question_split.h"

#include <functional>

namespace terse {
namespace {

struct Entry {
    std::string name;
    std::function<std::unique_ptr<Compressor>()> make;
};

const std::vector<Entry> &entries()
{
    static const std::vector<Entry> kEntries = {
        {"random",
         [] { return std::make_unique<BaselineCompressor>(BaselineCompressor::Kind::Random); }},
        {"head",
         [] { return std::make_unique<BaselineCompressor>(BaselineCompressor::Kind::Head); }},
        {"tail",
         [] { return std::make_unique<BaselineCompressor>(BaselineCompressor::Kind::Tail); }},
        {"head_tail",
         [] { return std::make_unique<BaselineCompressor>(BaselineCompressor::Kind::HeadTail); }},
        {"selective_context", [] { return std::make_unique<SelectiveContextCompressor>(); }},
        {"llmlingua2", [] { return std::make_unique<LlmLingua2Compressor>(); }},
        {"llmlingua", [] { return std::make_unique<LLMLinguaCompressor>(); }},
        {"longllmlingua", [] { return std::make_unique<LongLLMLinguaCompressor>(); }},
        {"dac", [] { return std::make_unique<DacCompressor>(); }},
        {"pis", [] { return std::make_unique<PisCompressor>(); }},
        {"entropy_only",
         [] {
             return std::make_unique<ModelSignalCompressor>(ModelSignalCompressor::Signal::Entropy);
         }},
        {"attention_only",
         [] {
             return std::make_unique<ModelSignalCompressor>(
                 ModelSignalCompressor::Signal::Attention);
         }},
    };
    return kEntries;
}

} // namespace

std::vector<MethodInfo> availableMethods()
{
    std::vector<MethodInfo> out;
    for (const auto &e : entries()) {
        auto c = e.make();
        out.push_back({c->name(), c->displayName(), c->description(), c->options()});
    }
    return out;
}

Result<std::unique_ptr<Compressor>> createCompressor(const std::string &name)
{
    std::string known;
    for (const auto &e : entries()) {
        if (e.name == name)
            // The methods that rank contexts against the question read a plain prompt's
            // paragraphs as its contexts (question_split.h).
            return withQuestionSplit(e.make(), e.name == "llmlingua" || e.name == "longllmlingua" ||
                                                   e.name == "llmlingua2");
        known += (known.empty() ? "" : ", ") + e.name;
    }
    return fail(ErrorCode::NotFound, "unknown method '" + name + "' (known: " + known + ")");
}

} // namespace terse
