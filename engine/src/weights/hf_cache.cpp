// Lists models in a HuggingFace hub cache: <root>/models--org--name/snapshots/<rev>/config.json, or
// the .gguf files of a snapshot without one.
#include "terse/weights.h"

#include "core/engine_error.h"
#include "core/gguf_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace terse {

namespace {

std::string defaultHubRoot()
{
    if (const char *hub = std::getenv("HF_HUB_CACHE"); hub && *hub)
        return hub;
    if (const char *home = std::getenv("HF_HOME"); home && *home)
        return (fs::path(home) / "hub").string();
    if (const char *home = std::getenv("HOME"); home && *home)
        return (fs::path(home) / ".cache" / "huggingface" / "hub").string();
    return {};
}

// "models--org--name" -> "org/name" (the hub's folder naming).
std::string repoIdFromFolder(const std::string &folder)
{
    std::string rest = folder.substr(std::string("models--").size());
    std::string out;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest.compare(i, 2, "--") == 0) {
            out += '/';
            ++i;
        } else {
            out += rest[i];
        }
    }
    return out;
}

} // namespace

Result<std::vector<CachedModel>> scanHuggingFaceCache(const std::string &rootIn)
{
    const std::string root = rootIn.empty() ? defaultHubRoot() : rootIn;
    std::vector<CachedModel> out;
    std::error_code ec;
    if (root.empty() || !fs::is_directory(root, ec))
        return out;
    try {
        for (const auto &repo : fs::directory_iterator(root, ec)) {
            const std::string folder = repo.path().filename().string();
            if (!repo.is_directory() || folder.rfind("models--", 0) != 0)
                continue;
            const fs::path snapshots = repo.path() / "snapshots";
            if (!fs::is_directory(snapshots, ec))
                continue;
            for (const auto &snap : fs::directory_iterator(snapshots, ec)) {
                const fs::path config = snap.path() / "config.json";
                if (!fs::exists(config, ec)) {
                    // A GGUF repository (one file per quantisation, no config.json): each file is
                    // a model, its architecture read from the file's header.
                    for (const auto &f : fs::directory_iterator(snap.path(), ec)) {
                        if (f.path().extension() != ".gguf" || !fs::is_regular_file(f.path(), ec))
                            continue;
                        CachedModel m;
                        m.repoId = repoIdFromFolder(folder);
                        m.revision = snap.path().filename().string();
                        m.path = f.path().string();
                        m.gguf = true;
                        m.hasSafetensors = true;
                        try {
                            const GgufFile g = readGgufFile(m.path);
                            if (const MetaValue *a = meta(g.metadata, "general.architecture");
                                a && a->kind == MetaValue::Kind::String)
                                m.modelType = a->text;
                        } catch (const detail::EngineError &) {
                            // listed all the same: loading it names what is wrong with the file
                        }
                        out.push_back(std::move(m));
                    }
                    continue;
                }
                CachedModel m;
                m.repoId = repoIdFromFolder(folder);
                m.revision = snap.path().filename().string();
                m.path = snap.path().string();
                std::ifstream in(config);
                const auto json = nlohmann::json::parse(in, nullptr, false);
                if (json.is_object() && json.contains("model_type") &&
                    json["model_type"].is_string())
                    m.modelType = json["model_type"].get<std::string>();
                bool pickle = false;
                for (const auto &f : fs::directory_iterator(snap.path(), ec)) {
                    const auto name = f.path().filename().string();
                    const auto ext = f.path().extension().string();
                    if (ext == ".safetensors" || name == "model.safetensors.index.json" ||
                        ext == ".gguf")
                        m.hasSafetensors = true;
                    if (name == "pytorch_model.bin" || name == "pytorch_model.bin.index.json" ||
                        ext == ".pt" || ext == ".pth")
                        pickle = true;
                }
                m.hasPickleOnly = pickle && !m.hasSafetensors;
                out.push_back(std::move(m));
            }
        }
    } catch (const std::exception &e) {
        return fail(ErrorCode::IoError, "scanning '" + root + "': " + e.what());
    }
    std::sort(out.begin(), out.end(), [](const CachedModel &a, const CachedModel &b) {
        return a.repoId != b.repoId       ? a.repoId < b.repoId
               : a.revision != b.revision ? a.revision < b.revision
                                          : a.path < b.path;
    });
    return out;
}

} // namespace terse
