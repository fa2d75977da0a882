// The PIS agent's network: create, load, save, Q-values (its Double-DQN training is
// train/pis_agent_trainer.cpp).
#include "compressors/pis_agent.h"

#include "compressors/pis.h"
#include "compressors/pis_agent_impl.h"
#include "models/model_context.h"
#include "weights/safetensors_writer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <random>

namespace terse::detail {

namespace {

std::shared_ptr<PisAgent::Impl> buildNet(const std::vector<std::pair<int, int>> &shapes)
{
    auto impl = std::make_shared<PisAgent::Impl>();
    impl->stateDim = shapes.front().first;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        auto lin = torch::nn::Linear(shapes[i].first, shapes[i].second);
        impl->net->push_back(lin);
        impl->linears.push_back(lin);
        if (i + 1 < shapes.size())
            impl->net->push_back(torch::nn::ReLU());
    }
    impl->net->eval();
    return impl;
}

std::vector<std::pair<int, int>> layerShapes(int stateDim, int hidden, int layers)
{
    // algorithms.md 2.2 item 6: 9 linear layers of width 256, one Q-value per keep fraction.
    std::vector<std::pair<int, int>> s;
    for (int i = 0; i < layers; ++i)
        s.push_back({i == 0 ? stateDim : hidden, i + 1 == layers ? kPisActions : hidden});
    return s;
}

} // namespace

PisAgent PisAgent::create(int stateDim, std::uint64_t seed, int hidden, int layers)
{
    torch::manual_seed(seed);
    return PisAgent(buildNet(layerShapes(stateDim, hidden, layers)));
}

Result<PisAgent> PisAgent::load(const std::string &path)
{
    if (!std::filesystem::exists(path))
        return fail(ErrorCode::NotFound, "PIS agent file not found: " + path);
    auto tensors = weights::readSafetensors(path);
    if (!tensors)
        return fail(tensors.error().code, "PIS agent '" + path + "': " + tensors.error().detail);
    std::vector<std::pair<int, int>> shapes;
    for (int i = 0;; ++i) {
        auto w = tensors->find("layers." + std::to_string(i) + ".weight");
        auto b = tensors->find("layers." + std::to_string(i) + ".bias");
        if (w == tensors->end())
            break;
        if (b == tensors->end() || w->second.dim() != 2 || b->second.dim() != 1 ||
            b->second.size(0) != w->second.size(0) ||
            (!shapes.empty() && shapes.back().second != w->second.size(1)))
            return fail(ErrorCode::FormatError, "PIS agent '" + path + "': tensor layers." +
                                                    std::to_string(i) +
                                                    " has a wrong shape or no bias");
        shapes.push_back(
            {static_cast<int>(w->second.size(1)), static_cast<int>(w->second.size(0))});
    }
    if (shapes.empty() || shapes.back().second != kPisActions)
        return fail(ErrorCode::FormatError, "PIS agent '" + path +
                                                "' has no layers.N.weight tensors ending in " +
                                                std::to_string(kPisActions) + " actions");
    auto impl = buildNet(shapes);
    torch::NoGradGuard guard;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        impl->linears[i]->weight.copy_(
            tensors->at("layers." + std::to_string(i) + ".weight").to(torch::kFloat32));
        impl->linears[i]->bias.copy_(
            tensors->at("layers." + std::to_string(i) + ".bias").to(torch::kFloat32));
    }
    return PisAgent(impl);
}

Result<PisAgent> PisAgent::loadShared(const std::string &path)
{
    const std::string stamp = fileStamp(path); // the model cache's key: size and time
    if (stamp.empty())
        return load(path); // its message names what is wrong with the path
    struct Entry {
        std::string path, stamp;
        PisAgent agent;
    };
    static std::mutex mutex;
    static std::deque<Entry> cache; // most recent first
    {
        const std::lock_guard<std::mutex> lock(mutex);
        for (const Entry &e : cache)
            if (e.path == path && e.stamp == stamp)
                return e.agent;
    }
    auto loaded = load(path);
    if (!loaded)
        return loaded;
    const std::lock_guard<std::mutex> lock(mutex);
    std::erase_if(cache, [&](const Entry &e) { return e.path == path; });
    cache.push_front({path, stamp, *loaded});
    if (cache.size() > 4)
        cache.pop_back();
    return loaded;
}

Result<void> PisAgent::save(const std::string &path) const
{
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (std::size_t i = 0; i < m_impl->linears.size(); ++i) {
        tensors.push_back({"layers." + std::to_string(i) + ".weight",
                           m_impl->linears[i]->weight.detach().contiguous()});
        tensors.push_back({"layers." + std::to_string(i) + ".bias",
                           m_impl->linears[i]->bias.detach().contiguous()});
    }
    return weights::writeSafetensors(
        path, tensors, {{"format", "terse-pis-agent"}, {"actions", std::to_string(kPisActions)}});
}

int PisAgent::stateDim() const
{
    return m_impl->stateDim;
}

std::vector<float> PisAgent::qValues(const std::vector<float> &state) const
{
    torch::NoGradGuard guard;
    auto x = torch::from_blob(const_cast<float *>(state.data()),
                              {1, static_cast<int64_t>(state.size())}, torch::kFloat32);
    auto q = m_impl->net->forward(x).contiguous();
    return std::vector<float>(q.data_ptr<float>(), q.data_ptr<float>() + q.numel());
}

int PisAgent::greedyAction(const std::vector<float> &state) const
{
    const auto q = qValues(state);
    return static_cast<int>(std::max_element(q.begin(), q.end()) - q.begin());
}

std::vector<int> PisAgent::greedyActions(const std::vector<std::vector<float>> &states) const
{
    std::vector<int> out;
    if (states.empty())
        return out;
    torch::NoGradGuard guard;
    const int64_t dim = m_impl->stateDim;
    torch::Tensor x = torch::zeros({static_cast<int64_t>(states.size()), dim}, torch::kFloat32);
    float *p = x.data_ptr<float>();
    for (std::size_t i = 0; i < states.size(); ++i)
        std::copy_n(states[i].begin(), std::min<int64_t>(dim, states[i].size()), p + i * dim);
    const torch::Tensor q = m_impl->net->forward(x).contiguous();
    const int64_t actions = q.size(1);
    const float *qp = q.data_ptr<float>();
    for (std::size_t i = 0; i < states.size(); ++i) {
        const float *row = qp + static_cast<int64_t>(i) * actions;
        out.push_back(static_cast<int>(std::max_element(row, row + actions) - row));
    }
    return out;
}

} // namespace terse::detail
