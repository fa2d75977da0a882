#include "models/model_context.h"

#include "terse/runtime.h"

#include <cstdlib>
#include <filesystem>
#include <future>
#include <list>
#include <map>
#include <mutex>

namespace terse::detail {

namespace fs = std::filesystem;

namespace {
// Loaded models: the last kModelCacheSize used stay loaded (an LRU of strong references), so a
// second compression with the same model pays no load; any model still held by a caller is shared
// too (weak entries). A model loads outside the global lock (other models stay available
// meanwhile); callers asking for a model that is loading wait for that one load. A file changed on
// disk (size or time) loads anew.
std::mutex g_mutex;
struct ModelSlot {
    std::string stamp; // size and mtime of the files
    std::weak_ptr<const LoadedModel> weak;
    std::shared_future<Result<std::shared_ptr<const LoadedModel>>>
        loading; // valid while a load runs
};
std::map<std::string, ModelSlot> g_models;
std::list<std::pair<std::string, std::shared_ptr<const LoadedModel>>>
    g_recent;                                                      // front = most recent
std::map<std::string, std::shared_ptr<const Tokenizer>> g_targets; // small; kept for the process

std::size_t cacheCapacity()
{
    if (const char *env = std::getenv("TERSE_MODEL_CACHE"); env && *env) {
        char *end = nullptr;
        const long n = std::strtol(env, &end, 10);
        if (end && *end == '\0' && n >= 0 && n <= 64)
            return static_cast<std::size_t>(n);
    }
    return kModelCacheSize;
}

// Called with g_mutex held: `model` becomes the most recent; the least recent beyond capacity is
// released.
void touch(const std::string &key, const std::shared_ptr<const LoadedModel> &model)
{
    g_recent.remove_if([&](const auto &e) { return e.first == key; });
    g_recent.emplace_front(key, model);
    while (g_recent.size() > cacheCapacity())
        g_recent.pop_back();
}

} // namespace

std::string fileStamp(const std::string &path)
{
    std::error_code ec;
    std::string stamp;
    auto add = [&](const fs::path &p) {
        const auto size = fs::file_size(p, ec);
        if (ec)
            return;
        const auto time = fs::last_write_time(p, ec);
        if (ec)
            return;
        stamp += p.filename().string() + ":" + std::to_string(size) + ":" +
                 std::to_string(time.time_since_epoch().count()) + ";";
    };
    if (fs::is_directory(path, ec)) {
        for (const auto &e : fs::directory_iterator(path, ec))
            if (e.is_regular_file(ec))
                add(e.path());
    } else {
        add(path);
    }
    return stamp;
}

Result<std::shared_ptr<const LoadedModel>> loadModelWithTokenizer(const std::string &path,
                                                                  DefaultModel fallback,
                                                                  ComputeDtype dtype,
                                                                  const std::string &deviceName)
{
    auto device = resolveDevice(deviceName);
    if (!device)
        return device.error();
    std::string resolved = path;
    if (resolved.empty()) {
        auto d = defaultModelPath(fallback);
        if (!d)
            return d.error();
        resolved = *d;
    }
    dtype = resolveDtype(dtype, *device);
    const std::string key = resolved + "#" + dtypeName(dtype) + "@" + *device;
    const std::string stamp = fileStamp(resolved);
    std::promise<Result<std::shared_ptr<const LoadedModel>>> promise;
    {
        std::unique_lock lock(g_mutex);
        ModelSlot &slot = g_models[key];
        if (slot.stamp == stamp) {
            if (auto live = slot.weak.lock()) {
                touch(key, live);
                return live;
            }
            if (slot.loading.valid()) {
                auto pending = slot.loading;
                lock.unlock();
                return pending.get(); // the load another caller started
            }
        }
        slot = ModelSlot{stamp, {}, promise.get_future().share()};
        g_recent.remove_if([&](const auto &e) { return e.first == key; }); // a stale copy goes
    }
    auto load = [&]() -> Result<std::shared_ptr<const LoadedModel>> {
        ModelLoadOptions mo;
        mo.dtype = dtype;
        mo.device = *device;
        auto model = Model::load(resolved, mo);
        if (!model)
            return model.error();
        auto tok = Tokenizer::load(Tokenizer::pathForModel(resolved));
        if (!tok)
            return fail(tok.error().code, "the model '" + resolved +
                                              "' has no usable tokenizer: " + tok.error().detail);
        return std::make_shared<const LoadedModel>(
            LoadedModel{std::move(model.value()), std::move(tok.value()), resolved});
    };
    Result<std::shared_ptr<const LoadedModel>> result =
        fail(ErrorCode::Internal, "model load did not run");
    try {
        result = load();
    } catch (const std::exception &e) { // keep waiting callers from hanging on a broken promise
        result = fail(ErrorCode::Internal, "loading '" + resolved + "': " + e.what());
    }
    {
        std::lock_guard lock(g_mutex);
        ModelSlot &slot = g_models[key];
        if (slot.stamp == stamp) {
            slot.loading = {};
            if (result)
                slot.weak = *result;
        }
        if (result)
            touch(key, *result);
    }
    promise.set_value(result);
    return result;
}

void releaseCachedModels()
{
    std::lock_guard lock(g_mutex);
    g_recent.clear();
}

Result<std::shared_ptr<const Tokenizer>> targetTokenizer(const std::string &nameOrPath)
{
    std::lock_guard lock(g_mutex);
    if (auto it = g_targets.find(nameOrPath); it != g_targets.end())
        return it->second;
    auto tok = Tokenizer::loadPathOrName(nameOrPath);
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

void countTargetTokens(CompressionResult &result, const Prompt &prompt,
                       const std::string &nameOrPath)
{
    if (nameOrPath.empty())
        return;
    result.targetTokensIn = countTargetTokens(nameOrPath, prompt.joined());
    result.targetTokensOut =
        result.targetTokensIn < 0 ? -1 : countTargetTokens(nameOrPath, result.compressedText);
    updateAchievedRate(result);
}

} // namespace terse::detail
