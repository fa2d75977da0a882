#pragma once
// One-time runtime initialisation and facts about the compute backend.

#include "terse/result.h"

#include <string>

namespace terse {

struct RuntimeInfo {
    int threads = 1;            // intra-op threads libtorch uses
    bool cudaAvailable = false; // a CUDA device is usable by this build
    std::string torchVersion;   // e.g. "1.13.1"
    std::string blas;           // the BLAS libtorch reports, as far as known
};

// Sets libtorch's thread count to the number of cores, or to OMP_NUM_THREADS when that is set
// (libtorch starts with 1 thread on Debian). `threads` > 0 overrides both. Idempotent; thread-safe.
RuntimeInfo initRuntime(int threads = 0);

// The compute device for a name: "" or "cpu" -> "cpu"; "auto" -> "cuda" when this build's libtorch sees a
// GPU, else "cpu"; "cuda" / "cuda:N" -> itself when a GPU is visible, else an Unsupported error saying why.
Result<std::string> resolveDevice(const std::string &name);

// The engine's version string, e.g. "0.1.0".
const char *engineVersion();

}  // namespace terse
