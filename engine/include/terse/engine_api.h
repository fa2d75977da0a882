#pragma once
// EngineApi: the model engine (libtorch and everything built on it) as a table of functions, for
// programs that load it at run time instead of linking it (issue 16: the desktop app maps its first
// window without loading libtorch, then loads the engine module in the background). Torch-free.
//
// The module (libterse-engine-module.so, target terse_engine_module) exports one C function,
// terse_engine_api(), that returns the table. loadEngine() (terse_engine_core) finds and opens the
// module once and checks that it was built from the same sources as the program.

#include "terse/attention.h"
#include "terse/compressor.h"
#include "terse/job.h"
#include "terse/model.h"
#include "terse/result.h"
#include "terse/runtime.h"
#include "terse/weights.h"

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace terse {

// Bumped on every change to EngineApi (with the version string and the size, loadEngine refuses a
// module built from other sources).
inline constexpr int kEngineApiVersion = 1;

// The engine's functions as the module provides them; each means what the function of the same
// name in the engine's headers means. Never exceptions: an unexpected one becomes an Internal
// error.
struct EngineApi {
    int apiVersion = kEngineApiVersion;   // the module's kEngineApiVersion
    std::size_t size = sizeof(EngineApi); // the module's sizeof(EngineApi)
    const char *engineVersion = nullptr;  // the module's engineVersion()

    std::vector<MethodInfo> (*availableMethods)() = nullptr;
    Result<std::unique_ptr<Compressor>> (*createCompressor)(const std::string &name) = nullptr;
    Result<void> (*validateMethodParams)(const MethodInfo &method,
                                         const std::map<std::string, std::string> &params,
                                         const std::string &what) = nullptr;
    // Model::load(path, options) and its info().
    Result<ModelInfo> (*describeModel)(const std::string &path,
                                       const ModelLoadOptions &options) = nullptr;
    Result<TextAttention> (*textAttentionRow)(const std::string &modelPath, const std::string &text,
                                              std::size_t queryByte, int layer, int head,
                                              const JobContext &job) = nullptr;
    RuntimeInfo (*initRuntime)(int threads) = nullptr;
    Result<std::string> (*resolveDevice)(const std::string &name) = nullptr;
    Result<WeightFileInfo> (*inspectWeights)(const std::string &path, bool decodeTensors) = nullptr;
};

// The file name of the engine module.
inline constexpr const char *kEngineModuleName = "libterse-engine-module.so";

// Where loadEngine() looks for the module, in order: $TERSE_ENGINE_MODULE alone when set; else
// beside the executable, in ../lib/terse and ../libexec/terse relative to it, and (for binaries of
// the build tree only) the build tree's engine folder.
std::vector<std::string> engineModuleCandidates();

// Opens the engine module (the first candidate that exists), once per process: later calls return
// the first call's answer, concurrent calls wait for it. Thread-safe; the module stays loaded.
// Errors: NotFound (naming the places looked at), Unsupported (the module cannot be opened, with
// the loader's reason, or it was built from other sources).
Result<const EngineApi *> loadEngine();

// The engine when loadEngine() has succeeded, else nullptr. Never blocks.
const EngineApi *loadedEngine();

} // namespace terse
