// `terse models`: the bundled default models and the models in the HuggingFace cache, with their
// architecture, parameter count, size on disk and tokenizer.
#include "cli.h"
#include "command_line.h"

#include "terse/resources.h"
#include "terse/tokenizer.h"
#include "terse/weights.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace terse::cli {

namespace {

namespace fs = std::filesystem;

struct ModelEntry {
    std::string name; // folder/file name or HF repo id
    std::string path;
    std::string architecture;  // config.json model_type or GGUF general.architecture
    std::string format;        // "safetensors", "gguf", "llama2c" ("" when unreadable)
    long long parameters = -1; // weights in the file(s); -1 unknown
    long long sizeBytes = 0;   // on disk, symlinks followed (the HF cache links into blobs/)
    std::string tokenizer;     // the tokenizer file(s) found, "" when none
    std::string note;          // why it cannot be used, or other remarks
};

long long diskSize(const fs::path &p)
{
    std::error_code ec;
    if (fs::is_regular_file(p, ec))
        return static_cast<long long>(fs::file_size(p, ec));
    long long total = 0;
    for (auto it = fs::recursive_directory_iterator(
             p, fs::directory_options::follow_directory_symlink, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code e2;
        if (fs::is_regular_file(it->path(), e2))
            total += static_cast<long long>(fs::file_size(it->path(), e2));
    }
    return total;
}

std::string tokenizerFiles(const fs::path &path, const std::string &format)
{
    std::error_code ec;
    if (format == "gguf" && Tokenizer::pathForModel(path.string()) == path.string()) {
        // The file's own tokenizer (tokenizer.ggml.*), which wins over files beside it.
        auto tok = Tokenizer::load(path.string());
        return tok ? "inside the GGUF (" + tok->kind() + ")"
                   : "inside the GGUF, unusable: " + tok.error().detail;
    }
    const fs::path dir = fs::is_directory(path, ec) ? path : path.parent_path();
    auto has = [&](const char *f) { return fs::exists(dir / f, ec); };
    if (has("tokenizer.json"))
        return "tokenizer.json";
    if (has("vocab.json") && has("merges.txt"))
        return "vocab.json + merges.txt";
    if (has("tokenizer.model"))
        return "tokenizer.model (SentencePiece)";
    if (has("vocab.txt"))
        return "vocab.txt (WordPiece)";
    if (has("tokenizer.bin"))
        return "tokenizer.bin (llama2.c)";
    return {};
}

std::string configModelType(const fs::path &dir)
{
    std::ifstream in(dir / "config.json");
    if (!in)
        return {};
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object() && j.contains("model_type") && j["model_type"].is_string())
        return j["model_type"].get<std::string>();
    return {};
}

// Fills format, parameters and (for GGUF) the architecture from the weight file headers.
void inspect(ModelEntry &m)
{
    auto info = inspectWeights(m.path, false);
    if (!info) {
        if (m.note.empty())
            m.note = info.error().detail;
        return;
    }
    m.format = info->format;
    long long n = 0;
    for (const auto &t : info->tensors) {
        long long c = 1;
        for (auto d : t.shape)
            c *= d;
        n += c;
    }
    m.parameters = n;
    if (m.architecture.empty())
        if (auto a = info->metadata.find("general.architecture"); a != info->metadata.end())
            m.architecture = a->second.text;
}

ModelEntry describe(const std::string &name, const fs::path &path)
{
    ModelEntry m;
    m.name = name;
    m.path = path.string();
    std::error_code ec;
    if (fs::is_directory(path, ec))
        m.architecture = configModelType(path);
    inspect(m);
    m.sizeBytes = diskSize(path);
    m.tokenizer = tokenizerFiles(path, m.format);
    return m;
}

std::string human(long long v, const char *const *units, double step)
{
    if (v < 0)
        return "?";
    double x = static_cast<double>(v);
    int u = 0;
    while (x >= step && units[u + 1] != nullptr) {
        x /= step;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.1f%s", x, units[u]);
    return buf;
}

std::string humanCount(long long v)
{
    static const char *const units[] = {"", "K", "M", "B", "T", nullptr};
    return human(v, units, 1000.0);
}

std::string humanBytes(long long v)
{
    static const char *const units[] = {" B", " KiB", " MiB", " GiB", " TiB", nullptr};
    return human(v, units, 1024.0);
}

nlohmann::ordered_json toJson(const ModelEntry &m)
{
    nlohmann::ordered_json o;
    o["name"] = m.name;
    o["path"] = m.path;
    o["architecture"] = m.architecture;
    o["format"] = m.format;
    o["parameters"] =
        m.parameters >= 0 ? nlohmann::ordered_json(m.parameters) : nlohmann::ordered_json(nullptr);
    o["size_bytes"] = m.sizeBytes;
    o["tokenizer"] = m.tokenizer;
    if (!m.note.empty())
        o["note"] = m.note;
    return o;
}

void printGroup(const std::string &title, const std::vector<ModelEntry> &models,
                const std::string &empty)
{
    std::printf("%s\n", title.c_str());
    if (models.empty()) {
        std::printf("  %s\n", empty.c_str());
        return;
    }
    std::size_t w = 4;
    for (const auto &m : models)
        w = std::max(w, m.name.size());
    std::printf("  %-*s  %-12s  %-11s  %8s  %10s  %s\n", static_cast<int>(w), "name",
                "architecture", "format", "params", "size", "tokenizer");
    for (const auto &m : models) {
        std::printf("  %-*s  %-12s  %-11s  %8s  %10s  %s\n", static_cast<int>(w), m.name.c_str(),
                    m.architecture.empty() ? "?" : m.architecture.c_str(),
                    m.format.empty() ? "?" : m.format.c_str(), humanCount(m.parameters).c_str(),
                    humanBytes(m.sizeBytes).c_str(),
                    m.tokenizer.empty() ? "none" : m.tokenizer.c_str());
        std::printf("  %-*s  %s\n", static_cast<int>(w), "", m.path.c_str());
        if (!m.note.empty())
            std::printf("  %-*s  note: %s\n", static_cast<int>(w), "", m.note.c_str());
    }
}

} // namespace

int runModels(int argc, char **argv)
{
    CLI::App app(
        "Lists the bundled default models (resources/models, $TERSE_RESOURCES_DIR) and the "
        "models\nin the HuggingFace cache ($HF_HUB_CACHE, $HF_HOME/hub or "
        "~/.cache/huggingface/hub), with\narchitecture, parameter count, size on disk and "
        "tokenizer. Any of them can be passed to\n--model. (Models added in Terse Studio "
        "are kept in its settings and not listed here.)",
        "terse models");
    configureApp(app);
    std::string hfRoot;
    bool json = false;
    app.add_option("--hf-cache", hfRoot, "scan this hub cache folder instead")->type_name("DIR");
    app.add_flag("--json", json, "machine-readable output");
    if (auto rc = parseCommandLine(app, argc, argv, 2))
        return *rc;

    std::vector<ModelEntry> defaults;
    const std::string resources = resourcesDir();
    const fs::path modelsDir = resources.empty() ? fs::path() : fs::path(resources) / "models";
    std::error_code ec;
    if (!modelsDir.empty() && fs::is_directory(modelsDir, ec)) {
        std::vector<fs::path> entries;
        for (const auto &e : fs::directory_iterator(modelsDir, ec))
            entries.push_back(e.path());
        std::sort(entries.begin(), entries.end());
        for (const auto &p : entries) {
            const bool folder = fs::is_directory(p, ec) && fs::exists(p / "config.json", ec);
            const bool gguf = p.extension() == ".gguf";
            if (folder || gguf)
                defaults.push_back(describe(p.filename().string(), p));
            else if (fs::exists(p / "word_vectors.safetensors", ec)) { // terse-words
                ModelEntry m = describe(p.filename().string(), p / "word_vectors.safetensors");
                m.architecture = "word vectors";
                m.note = "ranks with BM25 in corrected mode (--word-vectors), not a --model";
                defaults.push_back(std::move(m));
            }
        }
    }

    std::vector<ModelEntry> cached;
    if (!hfRoot.empty() && !fs::is_directory(hfRoot, ec))
        return reportError("--hf-cache '" + hfRoot + "' is not a folder", kExitNotFound);
    auto scan = scanHuggingFaceCache(hfRoot);
    if (!scan)
        return reportError(scan.error().detail, exitCodeFor(scan.error()));
    for (const auto &c : *scan) {
        ModelEntry m;
        if (c.hasPickleOnly && !c.hasSafetensors) {
            m.name = c.repoId;
            m.path = c.path;
            m.architecture = c.modelType;
            m.sizeBytes = diskSize(c.path);
            m.tokenizer = tokenizerFiles(c.path, "");
            m.note = "only pickle weights (pytorch_model.bin): convert them to safetensors to use "
                     "this model";
        } else {
            m = describe(c.gguf ? c.repoId + " (" + fs::path(c.path).filename().string() + ")"
                                : c.repoId,
                         c.path);
            if (m.architecture.empty())
                m.architecture = c.modelType;
        }
        cached.push_back(std::move(m));
    }

    if (json) {
        nlohmann::ordered_json out;
        out["resources_dir"] = resources;
        out["default"] = nlohmann::ordered_json::array();
        for (const auto &m : defaults)
            out["default"].push_back(toJson(m));
        out["huggingface_cache"] = nlohmann::ordered_json::array();
        for (const auto &m : cached)
            out["huggingface_cache"].push_back(toJson(m));
        std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return kExitOk;
    }
    const std::string where =
        modelsDir.empty()
            ? "no resources folder found (set TERSE_RESOURCES_DIR)"
            : "none installed in " + modelsDir.string() + " (train them with `terse train`)";
    printGroup("default models:", defaults, where);
    printGroup("HuggingFace cache:", cached, "no models found");
    return kExitOk;
}

} // namespace terse::cli
