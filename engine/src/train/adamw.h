#pragma once
// AdamW (Loshchilov & Hutter 2019) with decoupled weight decay on matrices only, used by the LM and
// tagger trainers. State is kept as plain tensors so checkpoints are safetensors (no pickle).

#include <torch/torch.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace terse::train {

struct AdamWHyper {
    double beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
    double weightDecay = 0.1;
};

struct AdamW {
    std::vector<torch::Tensor> params, m, v;
    std::vector<bool> decay;
    long long t = 0;

    // Decay applies to parameters with 2+ dimensions whose name contains none of `noDecay`.
    explicit AdamW(const std::vector<std::pair<std::string, torch::Tensor>> &named,
                   const std::vector<std::string> &noDecay = {"embed"})
    {
        for (const auto &[n, p] : named) {
            params.push_back(p);
            m.push_back(torch::zeros_like(p));
            v.push_back(torch::zeros_like(p));
            bool d = p.dim() >= 2;
            for (const auto &s : noDecay)
                d = d && n.find(s) == std::string::npos;
            decay.push_back(d);
        }
    }

    void step(double lr, const AdamWHyper &h)
    {
        torch::NoGradGuard ng;
        ++t;
        const double bc1 = 1 - std::pow(h.beta1, static_cast<double>(t));
        const double bc2 = 1 - std::pow(h.beta2, static_cast<double>(t));
        for (std::size_t i = 0; i < params.size(); ++i) {
            auto &p = params[i];
            if (!p.grad().defined())
                continue;
            const auto &g = p.grad();
            if (decay[i])
                p.mul_(1 - lr * h.weightDecay);
            m[i].mul_(h.beta1).add_(g, 1 - h.beta1);
            v[i].mul_(h.beta2).addcmul_(g, g, 1 - h.beta2);
            auto denom = (v[i] / bc2).sqrt_().add_(h.eps);
            p.addcdiv_(m[i], denom, -lr / bc1);
            p.mutable_grad().zero_();
        }
    }
};

} // namespace terse::train
