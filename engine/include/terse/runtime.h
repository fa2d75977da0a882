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

// libtorch's intra-op thread count as it stands (initRuntime sets it; this only reads it).
int runtimeThreads();

// The compute device for a name: "" or "cpu" -> "cpu"; "auto" -> "cuda" when this build's libtorch
// sees a GPU, else "cpu"; "cuda" / "cuda:N" -> itself when a GPU is visible, else an Unsupported
// error saying why.
Result<std::string> resolveDevice(const std::string &name);

// Makes OpenMP threads wait passively (sleep at barriers after a short spin instead of spinning):
// libgomp reads OMP_WAIT_POLICY once, before main, so when it is unset this sets it to PASSIVE and
// GOMP_SPINCOUNT to ~1 ms (terse/openmp_env.h) and re-executes the program (/proc/self/exe, same
// arguments) — call it first thing in main of programs that run models. Under load the default spin
// policy made 2 threads several times slower than 1. Returns only when no re-exec happened (the
// variable was set, by the user or by the re-exec, or exec failed). OMP_WAIT_POLICY=ACTIVE keeps
// spinning.
void preferPassiveOpenMP(char **argv);

// The memory allocator this process runs on: "tcmalloc" where the program links it (the programs
// that run models do, when the build found libtcmalloc-minimal4: a forward's large temporaries are
// reused instead of mapped and faulted in anew for every op; issue 16), else "glibc".
const char *allocatorName();

// Hands the memory the allocator holds free back to the system (tcmalloc's ReleaseFreeMemory,
// glibc's malloc_trim): after a model load, whose conversions leave large freed blocks behind, and
// when the desktop app's engine goes idle. Cheap; thread-safe.
void releaseFreeMemory();

// The engine's version string, e.g. "0.1.0".
const char *engineVersion();

} // namespace terse
