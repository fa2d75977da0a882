#pragma once
// The PIS ratio agent: a 9-layer MLP (hidden width 256, ReLU) giving one Q-value per keep fraction,
// saved and loaded as safetensors (no pickle). Torch stays inside pis_agent.cpp.
#include "terse/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace terse::detail {

class PisAgent {
public:
    // A freshly initialised network for states of `stateDim` floats (deterministic in `seed`).
    static PisAgent create(int stateDim, std::uint64_t seed, int hidden = 256, int layers = 9);
    // Loads a network written by save(). Errors: NotFound, FormatError naming the file and tensor.
    static Result<PisAgent> load(const std::string &path);
    // load() once per file for inference: later calls with the same path, size and modification
    // time share that network (never train it). The last 4 files stay loaded.
    static Result<PisAgent> loadShared(const std::string &path);
    // Writes the online network as safetensors (layers.<i>.weight / .bias, F32). Atomic.
    Result<void> save(const std::string &path) const;
    int stateDim() const;
    // Q-values of one state (kPisActions floats); the greedy action is their argmax (first on
    // ties).
    std::vector<float> qValues(const std::vector<float> &state) const;
    int greedyAction(const std::vector<float> &state) const;
    // greedyAction of each state (stateDim() floats each), in one forward.
    std::vector<int> greedyActions(const std::vector<std::vector<float>> &states) const;

    struct Impl;
    explicit PisAgent(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}
    const std::shared_ptr<Impl> &impl() const { return m_impl; }

private:
    std::shared_ptr<Impl> m_impl;
};

} // namespace terse::detail
