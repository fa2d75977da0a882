// The trainers' models over the inference Transformer, and bf16 autocast (train/trainable.h).
#include "train/trainable.h"

#include "weights/weight_store.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

namespace terse::train {

TrainableTransformer TrainableTransformer::build(NamedTensors named, nlohmann::json config,
                                                 torch::Device device, double dropout,
                                                 torch::ScalarType dtype)
{
    TrainableTransformer t;
    WeightStore store;
    store.source = "the model in training";
    store.format = "safetensors";
    store.configJson = config.dump();
    for (auto &[name, tensor] : named) {
        tensor = tensor.to(device, dtype).detach().requires_grad_(true);
        store.add(name, tensor, "F32");
    }
    // In the tensors' dtype and device the builder takes them as they are (no copies), so the
    // network's weights are the leaves the optimizer steps.
    t.net = Transformer::build(store, dtype, device);
    t.net->training = true;
    t.net->dropout = dropout;
    t.m_dropout = dropout;
    t.named = std::move(named);
    t.config = std::move(config);
    return t;
}

torch::Tensor TrainableTransformer::logits(const torch::Tensor &ids,
                                           const torch::Tensor &mask) const
{
    return net->logits(net->forward(ids, mask, nullptr, {}, nullptr, JobContext{}));
}

long long TrainableTransformer::parameters() const
{
    long long n = 0;
    for (const auto &[name, p] : named)
        n += p.numel();
    return n;
}

namespace {

// libtorch 2.4 named autocast per device type; Debian's 1.13 has one call per device.
void setAutocast(bool cuda, bool on)
{
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    const auto type = cuda ? at::kCUDA : at::kCPU;
    at::autocast::set_autocast_dtype(type, at::kBFloat16);
    at::autocast::set_autocast_enabled(type, on);
#else
    if (cuda) {
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(on);
    } else {
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(on);
    }
#endif
}

} // namespace

Bf16Autocast::Bf16Autocast(torch::Device device, bool enabled)
    : m_on(enabled), m_cuda(device.is_cuda())
{
    if (m_on)
        setAutocast(m_cuda, true);
}

Bf16Autocast::~Bf16Autocast()
{
    if (!m_on)
        return;
    setAutocast(m_cuda, false);
    at::autocast::clear_cache(); // the step's bf16 copies of the weights
}

} // namespace terse::train
