// The PIS agent's network and its Double-DQN training: the only PIS code that includes torch.
#include "compressors/pis_agent.h"

#include "compressors/model_context.h"
#include "compressors/pis.h"
#include "terse/train.h"
#include "train/safetensors_writer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

namespace terse::detail {

struct PisAgent::Impl {
    torch::nn::Sequential net;
    std::vector<torch::nn::Linear> linears;
    int stateDim = 0;
};

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

void copyWeights(PisAgent::Impl &to, const PisAgent::Impl &from)
{
    torch::NoGradGuard guard;
    for (std::size_t i = 0; i < to.linears.size(); ++i) {
        to.linears[i]->weight.copy_(from.linears[i]->weight);
        to.linears[i]->bias.copy_(from.linears[i]->bias);
    }
}

}  // namespace

PisAgent PisAgent::create(int stateDim, std::uint64_t seed, int hidden, int layers)
{
    torch::manual_seed(seed);
    return PisAgent(buildNet(layerShapes(stateDim, hidden, layers)));
}

Result<PisAgent> PisAgent::load(const std::string &path)
{
    if (!std::filesystem::exists(path))
        return fail(ErrorCode::NotFound, "PIS agent file not found: " + path);
    auto tensors = train::readSafetensors(path);
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
            return fail(ErrorCode::FormatError, "PIS agent '" + path + "': tensor layers." + std::to_string(i) +
                                                    " has a wrong shape or no bias");
        shapes.push_back({static_cast<int>(w->second.size(1)), static_cast<int>(w->second.size(0))});
    }
    if (shapes.empty() || shapes.back().second != kPisActions)
        return fail(ErrorCode::FormatError, "PIS agent '" + path + "' has no layers.N.weight tensors ending in " +
                                                std::to_string(kPisActions) + " actions");
    auto impl = buildNet(shapes);
    torch::NoGradGuard guard;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        impl->linears[i]->weight.copy_(tensors->at("layers." + std::to_string(i) + ".weight").to(torch::kFloat32));
        impl->linears[i]->bias.copy_(tensors->at("layers." + std::to_string(i) + ".bias").to(torch::kFloat32));
    }
    return PisAgent(impl);
}

Result<void> PisAgent::save(const std::string &path) const
{
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (std::size_t i = 0; i < m_impl->linears.size(); ++i) {
        tensors.push_back({"layers." + std::to_string(i) + ".weight", m_impl->linears[i]->weight.detach().contiguous()});
        tensors.push_back({"layers." + std::to_string(i) + ".bias", m_impl->linears[i]->bias.detach().contiguous()});
    }
    return train::writeSafetensors(path, tensors, {{"format", "terse-pis-agent"}, {"actions", std::to_string(kPisActions)}});
}

int PisAgent::stateDim() const { return m_impl->stateDim; }

std::vector<float> PisAgent::qValues(const std::vector<float> &state) const
{
    torch::NoGradGuard guard;
    auto x = torch::from_blob(const_cast<float *>(state.data()), {1, static_cast<int64_t>(state.size())}, torch::kFloat32);
    auto q = m_impl->net->forward(x).contiguous();
    return std::vector<float>(q.data_ptr<float>(), q.data_ptr<float>() + q.numel());
}

int PisAgent::greedyAction(const std::vector<float> &state) const
{
    const auto q = qValues(state);
    return static_cast<int>(std::max_element(q.begin(), q.end()) - q.begin());
}

namespace {

// Documents of a data file: JSON lines (input, context, or question + answer) or plain text blocks.
std::vector<std::string> readDocuments(const std::string &path, std::size_t maxBytes, int limit)
{
    std::vector<std::string> docs;
    std::ifstream in(path);
    std::string line;
    auto cut = [&](std::string t) {
        if (t.size() > maxBytes) {
            std::size_t e = maxBytes;
            while (e > 0 && (static_cast<unsigned char>(t[e]) & 0xC0) == 0x80)
                --e;
            t.resize(e);
        }
        return t;
    };
    const bool jsonl = path.size() > 6 && path.substr(path.size() - 6) == ".jsonl";
    if (jsonl) {
        while (static_cast<int>(docs.size()) < limit && std::getline(in, line)) {
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_discarded() || !j.is_object())
                continue;
            std::string text;
            if (j.contains("input") && j["input"].is_string())
                text = j["input"].get<std::string>();
            else if (j.contains("context") && j["context"].is_string())
                text = j["context"].get<std::string>();
            else if (j.contains("question") && j["question"].is_string())
                text = j["question"].get<std::string>() +
                       (j.contains("answer") && j["answer"].is_string() ? "\n" + j["answer"].get<std::string>() : "");
            if (!text.empty())
                docs.push_back(cut(text));
        }
    } else {
        std::string block;
        while (static_cast<int>(docs.size()) < limit && std::getline(in, line)) {
            if (line.empty()) {
                if (!block.empty())
                    docs.push_back(cut(block));
                block.clear();
            } else {
                block += (block.empty() ? "" : "\n") + line;
            }
        }
        if (!block.empty() && static_cast<int>(docs.size()) < limit)
            docs.push_back(cut(block));
    }
    return docs;
}

struct Episode {
    torch::Tensor states;              // [S, D]
    std::vector<std::array<double, kPisActions>> rewards;
};

}  // namespace

}  // namespace terse::detail

namespace terse {

Result<PisAgentTrainReport> trainPisAgent(const PisAgentTrainOptions &o, const JobContext &job)
{
    using namespace detail;
    const auto t0 = std::chrono::steady_clock::now();
    auto loaded = loadModelWithTokenizer(o.model, DefaultModel::CausalLM);
    if (!loaded)
        return loaded.error();
    std::vector<std::string> docs;
    for (const auto &f : o.data) {
        if (!std::filesystem::exists(f))
            return fail(ErrorCode::NotFound, "training data not found: " + f);
        auto more = readDocuments(f, o.maxDocumentBytes, o.maxDocuments - static_cast<int>(docs.size()));
        docs.insert(docs.end(), more.begin(), more.end());
    }
    std::vector<Episode> train, heldout;
    int stateDim = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        if (job.isCancelled())
            return fail(ErrorCode::Cancelled, "training cancelled");
        job.report(static_cast<long long>(i), static_cast<long long>(docs.size()), "documents");
        if (auto v = validatePromptText(docs[i]); !v)
            continue;
        auto a = analysePisText((*loaded)->model, (*loaded)->tokenizer, docs[i], o.gamma, job);
        if (!a)
            return a.error();
        const int S = static_cast<int>(a->sentences.size());
        if (S == 0)
            continue;
        Episode ep;
        std::vector<float> flat;
        for (int s = 0; s < S; ++s) {
            auto st = pisState(*a, s);
            stateDim = static_cast<int>(st.size());
            flat.insert(flat.end(), st.begin(), st.end());
            std::array<double, kPisActions> r{};
            for (int act = 0; act < kPisActions; ++act)
                r[static_cast<std::size_t>(act)] = pisReward(*a, s, pisKeepFraction(act));
            ep.rewards.push_back(r);
        }
        ep.states = torch::from_blob(flat.data(), {S, stateDim}, torch::kFloat32).clone();
        (o.heldoutEvery > 1 && static_cast<int>(i % static_cast<std::size_t>(o.heldoutEvery)) == o.heldoutEvery - 1
             ? heldout : train).push_back(std::move(ep));
    }
    if (train.empty())
        return fail(ErrorCode::InvalidInput, "no training document with sentences in the data");

    PisAgent online = PisAgent::create(stateDim, o.seed);
    PisAgent target = PisAgent::create(stateDim, o.seed);
    copyWeights(*target.impl(), *online.impl());
    online.impl()->net->train();
    torch::optim::Adam opt(online.impl()->net->parameters(), torch::optim::AdamOptions(o.lr));
    // All states in one tensor; a transition is (state index, action, reward, done); next = index + 1.
    std::vector<torch::Tensor> parts;
    std::vector<long> offset;
    long total = 0;
    for (const auto &ep : train) {
        offset.push_back(total);
        parts.push_back(ep.states);
        total += ep.states.size(0);
    }
    parts.push_back(torch::zeros({1, stateDim}));
    const torch::Tensor allStates = torch::cat(parts);
    struct Transition {
        long index;
        int action;
        float reward;
        bool done;
    };
    std::vector<Transition> replay;
    replay.reserve(static_cast<std::size_t>(std::min<long>(o.replayCapacity, total * o.episodes)));
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    const long long totalSteps = static_cast<long long>(total) * o.episodes;
    long long step = 0;
    std::size_t replayNext = 0;
    for (int e = 0; e < o.episodes; ++e) {
        std::vector<std::size_t> order(train.size());
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        for (std::size_t d : order) {
            if (job.isCancelled())
                return fail(ErrorCode::Cancelled, "training cancelled");
            const Episode &ep = train[d];
            const long S = ep.states.size(0);
            for (long s = 0; s < S; ++s, ++step) {
                const double frac = std::min(1.0, static_cast<double>(step) / (0.7 * static_cast<double>(totalSteps)));
                const double eps = o.epsStart + (o.epsEnd - o.epsStart) * frac;
                int action;
                if (uni(rng) < eps) {
                    action = static_cast<int>(rng() % kPisActions);
                } else {
                    torch::NoGradGuard guard;
                    action = static_cast<int>(online.impl()->net->forward(ep.states[s].unsqueeze(0)).argmax(1).item<int64_t>());
                }
                Transition t{offset[d] + s, action, static_cast<float>(ep.rewards[static_cast<std::size_t>(s)][static_cast<std::size_t>(action)]),
                             s + 1 == S};
                if (static_cast<int>(replay.size()) < o.replayCapacity)
                    replay.push_back(t);
                else
                    replay[replayNext++ % replay.size()] = t;
                if (static_cast<int>(replay.size()) >= o.batchSize) {
                    std::vector<int64_t> idx, nextIdx, acts;
                    std::vector<float> rew, notDone;
                    for (int b = 0; b < o.batchSize; ++b) {
                        const Transition &x = replay[rng() % replay.size()];
                        idx.push_back(x.index);
                        nextIdx.push_back(x.done ? total : x.index + 1);
                        acts.push_back(x.action);
                        rew.push_back(x.reward);
                        notDone.push_back(x.done ? 0.0f : 1.0f);
                    }
                    auto I = torch::tensor(idx), N = torch::tensor(nextIdx), A = torch::tensor(acts).unsqueeze(1);
                    auto R = torch::tensor(rew), D = torch::tensor(notDone);
                    torch::Tensor y;
                    {
                        // Double DQN: the online network picks the next action, the target network values it.
                        torch::NoGradGuard guard;
                        auto nextStates = allStates.index_select(0, N);
                        auto best = online.impl()->net->forward(nextStates).argmax(1, true);
                        auto qNext = target.impl()->net->forward(nextStates).gather(1, best).squeeze(1);
                        y = R + o.discount * D * qNext;
                    }
                    auto q = online.impl()->net->forward(allStates.index_select(0, I)).gather(1, A).squeeze(1);
                    auto loss = torch::smooth_l1_loss(q, y);
                    opt.zero_grad();
                    loss.backward();
                    opt.step();
                }
                if (step % o.targetSync == 0)
                    copyWeights(*target.impl(), *online.impl());
            }
            job.report(step, totalSteps, "steps");
        }
    }
    online.impl()->net->eval();
    auto meanReward = [&](const std::vector<Episode> &eps, bool uniform) {
        double sum = 0;
        for (const auto &ep : eps) {
            double r = 0;
            const long S = ep.states.size(0);
            int uniformAction = static_cast<int>(std::lround(o.uniformFraction * 10.0)) - 1;
            uniformAction = std::clamp(uniformAction, 0, kPisActions - 1);
            for (long s = 0; s < S; ++s) {
                int act = uniformAction;
                if (!uniform) {
                    torch::NoGradGuard guard;
                    act = static_cast<int>(online.impl()->net->forward(ep.states[s].unsqueeze(0)).argmax(1).item<int64_t>());
                }
                r += ep.rewards[static_cast<std::size_t>(s)][static_cast<std::size_t>(act)];
            }
            sum += r / static_cast<double>(S);
        }
        return eps.empty() ? 0.0 : sum / static_cast<double>(eps.size());
    };
    PisAgentTrainReport rep;
    rep.trainDocuments = static_cast<int>(train.size());
    rep.heldoutDocuments = static_cast<int>(heldout.size());
    rep.steps = step;
    rep.trainAgentReward = meanReward(train, false);
    rep.heldoutAgentReward = meanReward(heldout, false);
    rep.heldoutUniformReward = meanReward(heldout, true);
    rep.outputPath = o.outputPath;
    if (rep.outputPath.empty()) {
        const std::filesystem::path mp((*loaded)->path);
        rep.outputPath = ((std::filesystem::is_directory(mp) ? mp : mp.parent_path()) / "pis_agent.safetensors").string();
    }
    if (auto w = online.save(rep.outputPath); !w)
        return w.error();
    auto reloaded = PisAgent::load(rep.outputPath);
    if (!reloaded)
        return reloaded.error();
    rep.reloadedIdentical = true;
    for (const auto *eps : {&train, &heldout})
        for (const auto &ep : *eps) {
            torch::NoGradGuard guard;
            const auto x = ep.states.contiguous();
            const auto a = online.impl()->net->forward(x), b = reloaded->impl()->net->forward(x);
            rep.reloadedIdentical = rep.reloadedIdentical && torch::equal(a, b);
        }
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

}  // namespace terse
