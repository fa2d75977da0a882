// loadEngine: see terse/engine_api.h.
#include "terse/engine_api.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <system_error>

namespace terse {

namespace fs = std::filesystem;

namespace {

std::atomic<const EngineApi *> g_loaded{nullptr};

// True when `path` lies inside `dir` (both made canonical as far as they exist).
bool isInside(const fs::path &path, const fs::path &dir)
{
    std::error_code ec;
    const fs::path d = fs::weakly_canonical(dir, ec);
    const fs::path p = fs::weakly_canonical(path, ec);
    if (d.empty())
        return false;
    const auto mismatch = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
    return mismatch.first == d.end();
}

Result<const EngineApi *> open(const std::string &path)
{
    ::dlerror();
    void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = ::dlerror();
        return fail(ErrorCode::Unsupported, "cannot load the model engine '" + path +
                                                "': " + (why ? why : "unknown reason"));
    }
    // Never dlclose: the engine's objects (compressors, cached models) live as long as the process.
    using Entry = const EngineApi *(*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(handle, "terse_engine_api"));
    if (!entry)
        return fail(ErrorCode::Unsupported,
                    "'" + path + "' is not a Terse engine module (no terse_engine_api)");
    const EngineApi *api = entry();
    if (!api || api->apiVersion != kEngineApiVersion || api->size != sizeof(EngineApi) ||
        !api->engineVersion || std::strcmp(api->engineVersion, engineVersion()) != 0)
        return fail(ErrorCode::Unsupported,
                    "the model engine '" + path + "' does not match this program (engine " +
                        (api && api->engineVersion ? api->engineVersion : "?") + ", interface " +
                        std::to_string(api ? api->apiVersion : 0) + "; this program " +
                        engineVersion() + ", interface " + std::to_string(kEngineApiVersion) +
                        "): reinstall Terse");
    return api;
}

Result<const EngineApi *> find()
{
    const std::vector<std::string> candidates = engineModuleCandidates();
    std::error_code ec;
    for (const std::string &c : candidates)
        if (fs::is_regular_file(c, ec))
            return open(c);
    std::string where;
    for (const std::string &c : candidates)
        where += (where.empty() ? "" : ", ") + ("'" + c + "'");
    return fail(ErrorCode::NotFound, std::string("the model engine is missing: no ") +
                                         kEngineModuleName + " at " + where + " (reinstall Terse)");
}

} // namespace

std::vector<std::string> engineModuleCandidates()
{
    if (const char *env = std::getenv("TERSE_ENGINE_MODULE"); env && *env)
        return {env};
    std::vector<std::string> out;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path dir = exe.parent_path();
        for (const fs::path &d :
             {dir, dir / ".." / "lib" / "terse", dir / ".." / "libexec" / "terse"})
            out.push_back((d / kEngineModuleName).lexically_normal().string());
#ifdef TERSE_BUILD_DIR
        // Only a binary of this build tree (the app, the tests) uses the build tree's module; an
        // installed or copied one finds it relative to itself or not at all.
        if (isInside(exe, TERSE_BUILD_DIR))
            out.push_back((fs::path(TERSE_BUILD_DIR) / "engine" / kEngineModuleName).string());
#endif
    }
    return out;
}

Result<const EngineApi *> loadEngine()
{
    static std::mutex mutex;
    static std::optional<Result<const EngineApi *>> answer;
    std::lock_guard lock(mutex);
    if (!answer) {
        try {
            answer.emplace(find());
        } catch (const std::exception &e) { // containment (filesystem, allocation)
            answer.emplace(
                fail(ErrorCode::Internal, std::string("loading the model engine: ") + e.what()));
        }
        if (answer->ok())
            g_loaded = answer->value();
    }
    return *answer;
}

const EngineApi *loadedEngine()
{
    return g_loaded.load();
}

} // namespace terse
