#include "terse/resources.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace terse {

namespace fs = std::filesystem;

namespace {
std::string executableDir()
{
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : p.parent_path().string();
}
} // namespace

std::string resourcesDir()
{
    std::error_code ec;
    if (const char *env = std::getenv("TERSE_RESOURCES_DIR");
        env && *env && fs::is_directory(env, ec))
        return env;
    const std::string exe = executableDir();
    if (!exe.empty()) {
        // <prefix>/bin/.. or, for terse-engine, <prefix>/libexec/terse/../..
        for (const fs::path &installed : {fs::path(exe) / ".." / "share" / "terse",
                                          fs::path(exe) / ".." / ".." / "share" / "terse"})
            if (fs::is_directory(installed, ec))
                return fs::weakly_canonical(installed, ec).string();
    }
#if defined(TERSE_SOURCE_RESOURCES) && defined(TERSE_BUILD_DIR)
    // Only a binary of this build tree (the tests, build/app/cli/terse) uses the source tree's
    // resources; an installed or copied binary finds them relative to itself or not at all (issue
    // 19).
    if (!exe.empty()) {
        const fs::path build = fs::weakly_canonical(TERSE_BUILD_DIR, ec);
        const fs::path at = fs::weakly_canonical(exe, ec);
        const auto mismatch = std::mismatch(build.begin(), build.end(), at.begin(), at.end());
        if (!build.empty() && mismatch.first == build.end() &&
            fs::is_directory(TERSE_SOURCE_RESOURCES, ec))
            return TERSE_SOURCE_RESOURCES;
    }
#endif
    return {};
}

Result<std::string> defaultModelPath(DefaultModel which)
{
    const std::string name = which == DefaultModel::CausalLM ? "terse-lm" : "terse-tagger";
    const std::string dir = resourcesDir();
    if (dir.empty())
        return fail(ErrorCode::NotFound, "no resources folder found (set TERSE_RESOURCES_DIR)");
    const fs::path p = fs::path(dir) / "models" / name;
    std::error_code ec;
    if (!fs::exists(p / "config.json", ec))
        return fail(ErrorCode::NotFound,
                    "the default model '" + name + "' is not in " +
                        (fs::path(dir) / "models").string() +
                        "; pick a model folder or train one with `terse train`");
    return p.string();
}

Result<std::string> targetTokenizerPath(const std::string &name)
{
    const std::string dir = resourcesDir();
    const fs::path p = fs::path(dir) / "tokenizers" / (name + ".tiktoken");
    std::error_code ec;
    if (dir.empty() || !fs::exists(p, ec))
        return fail(ErrorCode::NotFound,
                    "target tokenizer '" + name + "' not found in " +
                        (dir.empty() ? std::string("(no resources folder)")
                                     : (fs::path(dir) / "tokenizers").string()));
    return p.string();
}

} // namespace terse
