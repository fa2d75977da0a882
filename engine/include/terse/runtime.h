#pragma once
// One-time runtime initialisation and facts about the compute backend.

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

// The engine's version string, e.g. "0.1.0".
const char *engineVersion();

}  // namespace terse
