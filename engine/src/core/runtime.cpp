#include "terse/runtime.h"

#include <torch/torch.h>

#include <cstdlib>
#include <mutex>
#include <thread>

namespace terse {

const char *engineVersion() { return TERSE_VERSION; }

RuntimeInfo initRuntime(int threads)
{
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    // libtorch starts with one intra-op thread on Debian (design.md section 3).
    int n = threads;
    if (n <= 0) {
        if (const char *env = std::getenv("OMP_NUM_THREADS"); env && std::atoi(env) > 0)
            n = std::atoi(env);
        else
            n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    if (torch::get_num_threads() != n)
        torch::set_num_threads(n);
    RuntimeInfo info;
    info.threads = torch::get_num_threads();
    info.cudaAvailable = torch::cuda::is_available();
    info.torchVersion = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                        std::to_string(TORCH_VERSION_PATCH);
    info.blas = at::hasMKL() ? "MKL" : "system BLAS";
    return info;
}

}  // namespace terse
