#include "terse/runtime.h"

#include "core/threads.h"

#include <torch/torch.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#ifdef TERSE_WITH_CUDA
#define TERSE_HAS_CUDA_BUILD true
#else
#define TERSE_HAS_CUDA_BUILD false
#endif

namespace terse {

namespace {

std::atomic<int> g_maxThreads{0}; // initRuntime's count: the most useThreadsFor gives

int hardwareCores()
{
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

} // namespace

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
    g_maxThreads = n;
    if (torch::get_num_threads() != n)
        torch::set_num_threads(n);
    RuntimeInfo info;
    info.threads = torch::get_num_threads();
    info.cudaAvailable = torch::cuda::is_available();
    info.torchVersion = std::to_string(TORCH_VERSION_MAJOR) + "." +
                        std::to_string(TORCH_VERSION_MINOR) + "." +
                        std::to_string(TORCH_VERSION_PATCH);
    info.blas = at::hasMKL() ? "MKL" : "system BLAS";
    return info;
}

int runtimeThreads()
{
    return torch::get_num_threads();
}

namespace detail {

int chooseThreads(int maxThreads, int cores, double othersBusyCores, double flops)
{
    if (maxThreads <= 1 || flops < kSmallWorkFlops)
        return 1;
    const int busy = othersBusyCores > 0 ? static_cast<int>(std::floor(othersBusyCores + 0.5)) : 0;
    return std::clamp(std::min(maxThreads, std::max(1, cores) - busy), 1, maxThreads);
}

namespace {

struct CpuSample {
    double nonIdleSeconds =
        0; // CPU time of the whole machine, not idle (incl. steal: time not ours to use)
    double selfSeconds = 0; // this process's user + system time
    int running = 0;        // procs_running now (this thread included)
    std::chrono::steady_clock::time_point at;
    bool ok = false;
};

CpuSample sampleCpu()
{
    CpuSample s;
    s.at = std::chrono::steady_clock::now();
    std::ifstream in("/proc/stat");
    std::string line;
    const double hz =
        static_cast<double>(::sysconf(_SC_CLK_TCK) > 0 ? ::sysconf(_SC_CLK_TCK) : 100);
    while (std::getline(in, line)) {
        if (line.rfind("cpu ", 0) == 0) {
            std::istringstream f(line.substr(4));
            long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                      steal = 0;
            f >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
            s.nonIdleSeconds =
                static_cast<double>(user + nice + system + irq + softirq + steal) / hz;
            s.ok = static_cast<bool>(f) || f.eof();
        } else if (line.rfind("procs_running ", 0) == 0) {
            s.running = std::atoi(line.c_str() + 14);
        }
    }
    rusage ru{};
    if (::getrusage(RUSAGE_SELF, &ru) == 0)
        s.selfSeconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                        static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    return s;
}

// This process's runnable threads (at least the caller). An OpenMP worker spins ~1 ms after each
// op (terse/openmp_env.h); counted as another process's, it made every forward that started more
// than 2 s after the last one take one thread. Read only for a first look: the averaged measure
// subtracts this process's CPU time instead.
int ownRunningThreads()
{
    int running = 0;
    std::error_code ec;
    for (const auto &task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
        std::ifstream stat(task.path() / "stat");
        std::string text;
        std::getline(stat, text);
        const auto close = text.rfind(')'); // "tid (comm) S ...": comm may hold spaces
        if (close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'R')
            ++running;
    }
    return std::max(1, running);
}

// Cores other processes kept busy between two samples: CPU time that was not idle and not this
// process's, per second of wall time.
double othersBusyBetween(const CpuSample &from, const CpuSample &to)
{
    const double wall = std::chrono::duration<double>(to.at - from.at).count();
    if (!(wall > 0))
        return 0;
    return std::max(
        0.0,
        (to.nonIdleSeconds - from.nonIdleSeconds - (to.selfSeconds - from.selfSeconds)) / wall);
}

std::mutex g_loadMutex;
CpuSample g_last;
double g_others = -1;

} // namespace

double othersBusyCores()
{
    std::lock_guard lock(g_loadMutex);
    return g_others;
}

double freeCoresSince(CpuMark &mark)
{
    const CpuSample s = sampleCpu();
    CpuSample from;
    from.nonIdleSeconds = mark.nonIdleSeconds;
    from.selfSeconds = mark.selfSeconds;
    from.at = mark.at;
    const double free = s.ok && mark.ok && s.at > mark.at
                            ? std::max(0.0, hardwareCores() - othersBusyBetween(from, s))
                            : -1;
    mark = {s.nonIdleSeconds, s.selfSeconds, s.at, s.ok};
    return free;
}

void ensureRuntime()
{
    if (g_maxThreads <= 0)
        initRuntime();
}

int useThreadsFor(double flops)
{
    const int maxThreads = g_maxThreads > 0 ? g_maxThreads.load() : hardwareCores();
    double others = 0;
    if (flops >=
        kSmallWorkFlops) { // measured at one thread too, so the estimate is fresh when it matters
        std::lock_guard lock(g_loadMutex);
        const auto now = std::chrono::steady_clock::now();
        const double since = std::chrono::duration<double>(now - g_last.at).count();
        if (!g_last.ok || since >= 0.2) {
            const CpuSample s = sampleCpu();
            if (s.ok && g_last.ok && since <= 2.0) {
                g_others = othersBusyBetween(g_last, s);
            } else if (s.ok) {
                // First look, or the last was long ago (its average would lag): what runs now
                // besides us.
                g_others = std::max(0, s.running - ownRunningThreads());
            }
            if (s.ok)
                g_last = s;
        }
        others = std::max(0.0, g_others);
    }
    const int n = chooseThreads(maxThreads, hardwareCores(), others, flops);
    if (torch::get_num_threads() != n)
        torch::set_num_threads(n);
    return n;
}

} // namespace detail

Result<std::string> resolveDevice(const std::string &name)
{
    if (name.empty() || name == "cpu")
        return std::string("cpu");
    const bool cuda =
        name == "cuda" || (name.rfind("cuda:", 0) == 0 && name.size() > 5 &&
                           name.find_first_not_of("0123456789", 5) == std::string::npos);
    if (name != "auto" && !cuda)
        return fail(ErrorCode::InvalidArgument,
                    "unknown device '" + name + "' (use cpu, cuda, cuda:N or auto)");
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
        return fail(ErrorCode::Unsupported,
                    "device '" + name + "': this build's libtorch " +
                        (TERSE_HAS_CUDA_BUILD ? "sees no GPU" : "has no CUDA (a CPU-only build)") +
                        "; use --device cpu or auto");
    if (name.size() > 5 && std::stoi(name.substr(5)) >= count)
        return fail(ErrorCode::InvalidArgument,
                    "device '" + name + "': only " + std::to_string(count) + " GPU(s) visible");
    return name;
}

} // namespace terse
