// Raw matmul throughput, measured with the same libtorch (and BLAS / oneDNN) the models use.
#include "terse/model.h"

#include <torch/torch.h>

#include <chrono>
#include <new>

namespace terse {

namespace {

double measure(int m, int k, int n, ComputeDtype dtype, double seconds)
{
    torch::NoGradGuard noGrad;
    const auto type = dtype == ComputeDtype::BFloat16 ? torch::kBFloat16 : torch::kFloat32;
    torch::Tensor a = torch::randn({m, k}).to(type), b = torch::randn({k, n}).to(type);
    torch::Tensor c = torch::matmul(a, b); // warm-up: thread pool, oneDNN kernels
    const auto t0 = std::chrono::steady_clock::now();
    long reps = 0;
    double elapsed = 0.0;
    do {
        c = torch::matmul(a, b);
        ++reps;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (elapsed < seconds);
    return 2.0 * m * k * n * reps / elapsed / 1e9;
}

} // namespace

Result<double> measureMatmulGflops(int m, int k, int n, ComputeDtype dtype, double seconds)
{
    if (m <= 0 || k <= 0 || n <= 0)
        return fail(ErrorCode::InvalidArgument, "matmul sizes must be positive");
    try {
        return measure(m, k, n, dtype, seconds);
    } catch (const std::bad_alloc &) {
        return fail(ErrorCode::ModelError, "out of memory measuring matmul throughput");
    } catch (const std::exception &e) {
        return fail(ErrorCode::ModelError, std::string("measuring matmul throughput: ") + e.what());
    }
}

} // namespace terse
