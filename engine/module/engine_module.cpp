// libterse-engine-module.so: the model engine as a module loaded at run time (terse/engine_api.h).
// Built with hidden symbols and the static libraries' symbols kept local, so its own copy of the
// engine never mixes with the program's; terse_engine_api() is the one exported name.
#include "terse/engine_api.h"

#include <exception>
#include <string>
#include <utility>

namespace terse {
namespace {

// Containment: nothing escapes into the program (design.md: errors are Results).
template <typename T, typename F> Result<T> guarded(const char *what, F &&f)
{
    try {
        return std::forward<F>(f)();
    } catch (const std::exception &e) {
        return fail(ErrorCode::Internal, std::string(what) + ": unexpected error: " + e.what());
    } catch (...) {
        return fail(ErrorCode::Internal, std::string(what) + ": unexpected error");
    }
}

std::vector<MethodInfo> listMethods()
{
    try {
        return availableMethods();
    } catch (...) {
        return {};
    }
}

Result<std::unique_ptr<Compressor>> makeCompressor(const std::string &name)
{
    return guarded<std::unique_ptr<Compressor>>("createCompressor",
                                                [&] { return createCompressor(name); });
}

Result<void> validateParams(const MethodInfo &method,
                            const std::map<std::string, std::string> &params,
                            const std::string &what)
{
    return guarded<void>("validateMethodParams",
                         [&] { return validateMethodParams(method, params, what); });
}

Result<ModelInfo> describeModel(const std::string &path, const ModelLoadOptions &options)
{
    return guarded<ModelInfo>("loading the model", [&]() -> Result<ModelInfo> {
        auto model = Model::load(path, options);
        if (!model)
            return model.error();
        return model->info();
    });
}

Result<TextAttention> attentionRow(const std::string &modelPath, const std::string &text,
                                   std::size_t queryByte, int layer, int head,
                                   const JobContext &job)
{
    return guarded<TextAttention>("textAttentionRow", [&] {
        return textAttentionRow(modelPath, text, queryByte, layer, head, job);
    });
}

RuntimeInfo startRuntime(int threads)
{
    try {
        return initRuntime(threads);
    } catch (...) {
        return {};
    }
}

Result<std::string> findDevice(const std::string &name)
{
    return guarded<std::string>("resolveDevice", [&] { return resolveDevice(name); });
}

Result<WeightFileInfo> inspect(const std::string &path, bool decodeTensors)
{
    return guarded<WeightFileInfo>("inspectWeights",
                                   [&] { return inspectWeights(path, decodeTensors); });
}

EngineApi makeApi()
{
    EngineApi api;
    api.engineVersion = engineVersion();
    api.availableMethods = &listMethods;
    api.createCompressor = &makeCompressor;
    api.validateMethodParams = &validateParams;
    api.describeModel = &describeModel;
    api.textAttentionRow = &attentionRow;
    api.initRuntime = &startRuntime;
    api.resolveDevice = &findDevice;
    api.inspectWeights = &inspect;
    return api;
}

} // namespace
} // namespace terse

extern "C" __attribute__((visibility("default"))) const terse::EngineApi *terse_engine_api()
{
    static const terse::EngineApi api = terse::makeApi();
    return &api;
}
