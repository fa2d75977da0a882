#pragma once
// The trainers' models (issue 19: one transformer definition): fp32 parameters under their HF
// names, and the inference Transformer (models/transformer.cpp) built over those very tensors, so
// what is trained is what terse::Model later loads and runs. The optimizer updates the tensors in
// place. Internal: torch types.

#include "models/transformer.h"

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace terse::train {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

struct TrainableTransformer {
    NamedTensors named;    // leaf tensors that require grad, in the order they were given
    nlohmann::json config; // the HF config.json the folder is saved with
    std::shared_ptr<Transformer> net;

    // Builds the network that `config` (an HF config.json) describes over `named`. Throws
    // WeightError when a tensor is missing or misshaped, as loading the saved folder would.
    // `dtype` is fp32 for training (fp64 lets tests compare gradients with finite differences).
    static TrainableTransformer build(NamedTensors named, nlohmann::json config,
                                      torch::Device device, double dropout = 0.0,
                                      torch::ScalarType dtype = torch::kFloat32);

    // Logits [B, T, labels or vocab] in fp32 for ids [B, T]; `mask` [B, T] (1 real, 0 pad) may be
    // undefined. Gradients are recorded unless the caller holds a NoGradGuard.
    torch::Tensor logits(const torch::Tensor &ids, const torch::Tensor &mask = {}) const;
    // Dropout on (training) or off (evaluation), as nn.Module.train() / eval().
    void setTraining(bool on) const { net->dropout = on ? m_dropout : 0.0; }
    long long parameters() const;

private:
    double m_dropout = 0.0;
};

// Mixed precision for a training step (fp32 master weights, bf16 matmuls): libtorch's autocast on
// the device's type while the object lives, as Python's torch.autocast(dtype=torch.bfloat16).
class Bf16Autocast {
public:
    Bf16Autocast(torch::Device device, bool enabled);
    ~Bf16Autocast();
    Bf16Autocast(const Bf16Autocast &) = delete;
    Bf16Autocast &operator=(const Bf16Autocast &) = delete;

private:
    bool m_on = false, m_cuda = false;
};

} // namespace terse::train
