#include "terse/runtime.h"

#include <torch/torch.h>

#include <cstdlib>
#include <unistd.h>
#include <mutex>
#include <thread>

#ifdef TERSE_WITH_CUDA
#define TERSE_HAS_CUDA_BUILD true
#else
#define TERSE_HAS_CUDA_BUILD false
#endif

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

int runtimeThreads() { return torch::get_num_threads(); }

void preferPassiveOpenMP(char **argv)
{
    if (std::getenv("OMP_WAIT_POLICY") != nullptr || argv == nullptr || argv[0] == nullptr)
        return;
    if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0)
        return;
    ::execv("/proc/self/exe", argv);
    // exec failed (no /proc): run on with libgomp's default policy; the variable stays set for children.
}

Result<std::string> resolveDevice(const std::string &name)
{
    if (name.empty() || name == "cpu")
        return std::string("cpu");
    const bool cuda = name == "cuda" || (name.rfind("cuda:", 0) == 0 && name.size() > 5 &&
                                         name.find_first_not_of("0123456789", 5) == std::string::npos);
    if (name != "auto" && !cuda)
        return fail(ErrorCode::InvalidArgument, "unknown device '" + name + "' (use cpu, cuda, cuda:N or auto)");
    bool available = false;
    int count = 0;
    try {
        available = torch::cuda::is_available();
        count = available ? static_cast<int>(torch::cuda::device_count()) : 0;
    } catch (const c10::Error &) {
        available = false;
    }
    if (name == "auto")
        return std::string(available ? "cuda" : "cpu");
    if (!available)
        return fail(ErrorCode::Unsupported, "device '" + name + "': this build's libtorch " +
                                                (TERSE_HAS_CUDA_BUILD ? "sees no GPU" : "has no CUDA (a CPU-only build)") +
                                                "; use --device cpu or auto");
    if (name.size() > 5 && std::stoi(name.substr(5)) >= count)
        return fail(ErrorCode::InvalidArgument, "device '" + name + "': only " + std::to_string(count) + " GPU(s) visible");
    return name;
}

}  // namespace terse
