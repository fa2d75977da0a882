#pragma once
// Load-aware intra-op threads (issue 16): every model forward asks for the threads that will not
// hurt it. Internal to the engine.

#include <chrono>

namespace terse::detail {

// The thread count for work of `flops` floating-point operations, given the most threads allowed,
// the cores of the machine and how many cores other processes keep busy (a core at least half busy
// counts): one thread for small work (waking a sleeping thread for each of a forward's ~1000 ops
// costs more than it saves), else the cores others leave free, within [1, maxThreads]. Pure: tested
// with hand values.
int chooseThreads(int maxThreads, int cores, double othersBusyCores, double flops);

// Work below this many FLOPs runs on one thread (~2.5 ms of one core's matmul).
inline constexpr double kSmallWorkFlops = 5e8;

// Sets the calling thread's libtorch intra-op thread count for work of `flops` FLOPs: chooseThreads
// with initRuntime's count as the most and the busy cores of other processes measured from
// /proc/stat (CPU time of the machine minus this process's, over the time since the last
// measurement, at most every 200 ms; the first time and after 2 s without work: the processes
// running now besides this process's own threads). Returns the count.
int useThreadsFor(double flops);

// For the engine's own long jobs (the trainers): initRuntime() the first time, else keeps the
// count the caller set (`terse train lm --threads 1` had its count reset to every core by the
// trainer's own initRuntime()).
void ensureRuntime();

// What useThreadsFor last measured: cores kept busy by other processes (-1 before any measurement).
double othersBusyCores();

// The cores other processes left free over a span of work (a training step): the machine's cores
// minus the CPU time that was not idle and not this process's, per second of the span, measured
// from /proc/stat between two calls on the same mark. -1 the first time and without /proc/stat.
struct CpuMark {
    double nonIdleSeconds = 0;
    double selfSeconds = 0;
    std::chrono::steady_clock::time_point at;
    bool ok = false;
};
double freeCoresSince(CpuMark &mark);

// How many threads run the pieces of an at::parallel_for over n items from the files that hold the
// engine's own CPU kernels (models/transformer.cpp), at libtorch's current thread count. ATen's
// parallel_for is a header template that runs the whole range on the caller's thread unless the
// calling file is compiled with OpenMP: then this is 1 whatever the thread count (the fused
// attention and pointwise kernels ran that way until the build gave those files -fopenmp).
int engineParallelThreads(long long n);

} // namespace terse::detail
