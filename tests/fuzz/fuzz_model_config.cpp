// libFuzzer target: a model folder's config.json (Model::load). The input is config.json; the
// folder's other files are fixed: the bundled terse-tagger's weights and tokenizer (linked, never
// copied), so config fields that disagree with the weights must be refused by name and any config
// that loads must score four tokens.
#include "fuzz_util.h"
#include "terse/model.h"

#include <filesystem>

using namespace terse;
namespace fs = std::filesystem;

namespace {

const fs::path &modelDir()
{
    static const fs::path dir = [] {
        const fs::path source =
            fs::path(TERSE_SOURCE_DIR) / "resources" / "models" / "terse-tagger";
        const fs::path d = fuzz::scratchDir() / "model";
        fs::create_directories(d);
        for (const char *f : {"model.safetensors", "tokenizer.json", "tokenizer_config.json"}) {
            if (!fs::exists(source / f)) {
                std::fprintf(stderr, "fuzz_model_config: %s is missing\n", (source / f).c_str());
                std::abort();
            }
            fs::create_symlink(source / f, d / f);
        }
        return d;
    }();
    return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const fs::path &dir = modelDir();
    fuzz::writeScratch("model/config.json", {reinterpret_cast<const char *>(data), size});
    ModelLoadOptions options;
    options.threads = 1;
    auto model = Model::load(dir.string(), options);
    if (fuzz::ok(model, "Model::load"))
        (void)fuzz::ok(model->score({{1, 2, 3, 4}}), "Model::score");
    return 0;
}
