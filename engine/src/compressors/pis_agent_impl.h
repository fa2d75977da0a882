#pragma once
// The PIS agent's torch network (private to compressors/pis_agent.cpp and
// train/pis_agent_trainer.cpp).
#include "compressors/pis_agent.h"

#include <torch/torch.h>

#include <vector>

namespace terse::detail {

struct PisAgent::Impl {
    torch::nn::Sequential net;
    std::vector<torch::nn::Linear> linears;
    int stateDim = 0;
};

// Copies `from`'s weights into `to` (same shapes): the Double-DQN target network update.
inline void copyWeights(PisAgent::Impl &to, const PisAgent::Impl &from)
{
    torch::NoGradGuard guard;
    for (std::size_t i = 0; i < to.linears.size(); ++i) {
        to.linears[i]->weight.copy_(from.linears[i]->weight);
        to.linears[i]->bias.copy_(from.linears[i]->bias);
    }
}

} // namespace terse::detail
