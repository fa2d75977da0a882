#include "compressors/model_context.h"

#include <filesystem>
#include <map>
#include <mutex>

namespace terse::detail {

namespace fs = std::filesystem;

namespace {
std::mutex g_mutex;
std::map<std::string, std::weak_ptr<const LoadedModel>> g_models;
std::map<std::string, std::shared_ptr<const Tokenizer>> g_targets;  // small; kept for the process

// Where the tokenizer of a model lives: the folder itself, or files beside a single model file.
std::string tokenizerPathFor(const std::string &modelPath)
{
    std::error_code ec;
    if (fs::is_directory(modelPath, ec))
        return modelPath;
    const fs::path dir = fs::path(modelPath).parent_path();
    for (const char *name : {"tokenizer.json", "tokenizer.model", "tokenizer.bin"})
        if (fs::exists(dir / name, ec))
            return (dir / name).string();
    for (const auto &e : fs::directory_iterator(dir, ec)) {
        const std::string n = e.path().filename().string();
        if (n.rfind("tok", 0) == 0 && e.path().extension() == ".bin")
            return e.path().string();
    }
    return dir.string();
}
}  // namespace

Result<std::shared_ptr<const LoadedModel>> loadModelWithTokenizer(const std::string &path, DefaultModel fallback,
                                                                  ComputeDtype dtype)
{
    std::string resolved = path;
    if (resolved.empty()) {
        auto d = defaultModelPath(fallback);
        if (!d)
            return d.error();
        resolved = *d;
    }
    const std::string key = resolved + (dtype == ComputeDtype::BFloat16 ? "#bf16" : "#fp32");
    std::lock_guard lock(g_mutex);
    if (auto it = g_models.find(key); it != g_models.end())
        if (auto live = it->second.lock())
            return live;
    ModelLoadOptions mo;
    mo.dtype = dtype;
    auto model = Model::load(resolved, mo);
    if (!model)
        return model.error();
    auto tok = Tokenizer::load(tokenizerPathFor(resolved));
    if (!tok)
        return fail(tok.error().code, "the model '" + resolved + "' has no usable tokenizer: " + tok.error().detail);
    auto loaded = std::make_shared<const LoadedModel>(LoadedModel{std::move(model.value()), std::move(tok.value()), resolved});
    g_models[key] = loaded;
    return loaded;
}

Result<std::shared_ptr<const Tokenizer>> targetTokenizer(const std::string &nameOrPath)
{
    std::lock_guard lock(g_mutex);
    if (auto it = g_targets.find(nameOrPath); it != g_targets.end())
        return it->second;
    std::error_code ec;
    Result<Tokenizer> tok = fail(ErrorCode::NotFound, "");
    if (fs::exists(nameOrPath, ec)) {
        tok = Tokenizer::load(nameOrPath);
    } else {
        auto p = targetTokenizerPath(nameOrPath);
        if (!p)
            return p.error();
        tok = Tokenizer::load(*p);
    }
    if (!tok)
        return tok.error();
    auto shared = std::make_shared<const Tokenizer>(std::move(tok.value()));
    g_targets[nameOrPath] = shared;
    return shared;
}

long countTargetTokens(const std::string &nameOrPath, std::string_view text)
{
    auto tok = targetTokenizer(nameOrPath);
    if (!tok)
        return -1;
    EncodeOptions eo;
    eo.specialText = SpecialText::AsText;
    auto n = (*tok)->countTokens(text, eo);
    return n ? static_cast<long>(*n) : -1;
}

void countTargetTokens(CompressionResult &result, const Prompt &prompt, const std::string &nameOrPath)
{
    if (nameOrPath.empty())
        return;
    result.targetTokensIn = countTargetTokens(nameOrPath, prompt.joined());
    result.targetTokensOut = result.targetTokensIn < 0 ? -1 : countTargetTokens(nameOrPath, result.compressedText);
    updateAchievedRate(result);
}

}  // namespace terse::detail
