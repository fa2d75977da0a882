#pragma once
// The body shared by the weight-file targets: the input is written as one weight file, inspected
// (header only, then every tensor decoded), a few tensors read as floats, and, when `asModel`,
// loaded as a model that must score four tokens if it loads.
#include "fuzz_util.h"
#include "terse/model.h"
#include "terse/weights.h"

#include <filesystem>

namespace terse::fuzz {

inline void fuzzWeightFile(const std::string &name, const std::uint8_t *data, std::size_t size,
                           bool asModel)
{
    const std::string path = writeScratch(name, {reinterpret_cast<const char *>(data), size});
    auto shapes = inspectWeights(path, false);
    if (ok(shapes, "inspectWeights(header)")) {
        auto info = inspectWeights(path, true);
        if (ok(info, "inspectWeights")) {
            for (std::size_t i = 0; i < info->tensors.size() && i < 4; ++i)
                (void)ok(readTensorAsFloat(path, info->tensors[i].name), "readTensorAsFloat");
            if (asModel) {
                ModelLoadOptions options;
                options.threads = 1;
                auto model = Model::load(path, options);
                if (ok(model, "Model::load"))
                    (void)ok(model->score({{1, 2, 3, 4}}), "Model::score");
            }
        }
    }
    std::error_code ec;
    std::filesystem::remove(path, ec);
}

} // namespace terse::fuzz
