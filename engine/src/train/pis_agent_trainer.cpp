// The PIS ratio agent's Double-DQN training (algorithms.md 2.2 item 6): episodes from documents
// scored by the causal LM, rewards per keep fraction, the online and target networks, and the saved
// agent (issue 19: training lives in train/, the network in compressors/pis_agent).
#include "compressors/pis.h"
#include "compressors/pis_agent.h"
#include "compressors/pis_agent_impl.h"
#include "core/output_paths.h"
#include "models/model_context.h"
#include "terse/train.h"

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
                       (j.contains("answer") && j["answer"].is_string()
                            ? "\n" + j["answer"].get<std::string>()
                            : "");
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
    torch::Tensor states; // [S, D]
    std::vector<std::array<double, kPisActions>> rewards;
};

} // namespace

} // namespace terse::detail

namespace terse {

Result<PisAgentTrainReport> trainPisAgent(const PisAgentTrainOptions &o, const JobContext &job)
{
    using namespace detail;
    const auto t0 = std::chrono::steady_clock::now();
    auto loaded = loadModelWithTokenizer(o.model, DefaultModel::CausalLM);
    if (!loaded)
        return loaded.error();
    std::string outputPath = o.outputPath; // default: beside the model
    if (outputPath.empty()) {
        const std::filesystem::path mp((*loaded)->path);
        outputPath =
            ((std::filesystem::is_directory(mp) ? mp : mp.parent_path()) / "pis_agent.safetensors")
                .string();
    }
    if (auto ok = detail::checkOutputFile(outputPath); !ok)
        return ok.error();
    std::vector<std::string> docs;
    for (const auto &f : o.data) {
        if (!std::filesystem::exists(f))
            return fail(ErrorCode::NotFound, "training data not found: " + f);
        auto more =
            readDocuments(f, o.maxDocumentBytes, o.maxDocuments - static_cast<int>(docs.size()));
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
        (o.heldoutEvery > 1 && static_cast<int>(i % static_cast<std::size_t>(o.heldoutEvery)) ==
                                   o.heldoutEvery - 1
             ? heldout
             : train)
            .push_back(std::move(ep));
    }
    if (train.empty())
        return fail(ErrorCode::InvalidInput, "no training document with sentences in the data");

    PisAgent online = PisAgent::create(stateDim, o.seed);
    PisAgent target = PisAgent::create(stateDim, o.seed);
    copyWeights(*target.impl(), *online.impl());
    online.impl()->net->train();
    torch::optim::Adam opt(online.impl()->net->parameters(), torch::optim::AdamOptions(o.lr));
    // All states in one tensor; a transition is (state index, action, reward, done); next = index
    // + 1.
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
                const double frac = std::min(1.0, static_cast<double>(step) /
                                                      (0.7 * static_cast<double>(totalSteps)));
                const double eps = o.epsStart + (o.epsEnd - o.epsStart) * frac;
                int action;
                if (uni(rng) < eps) {
                    action = static_cast<int>(rng() % kPisActions);
                } else {
                    torch::NoGradGuard guard;
                    action = static_cast<int>(online.impl()
                                                  ->net->forward(ep.states[s].unsqueeze(0))
                                                  .argmax(1)
                                                  .item<int64_t>());
                }
                Transition t{
                    offset[d] + s, action,
                    static_cast<float>(
                        ep.rewards[static_cast<std::size_t>(s)][static_cast<std::size_t>(action)]),
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
                    auto I = torch::tensor(idx), N = torch::tensor(nextIdx),
                         A = torch::tensor(acts).unsqueeze(1);
                    auto R = torch::tensor(rew), D = torch::tensor(notDone);
                    torch::Tensor y;
                    {
                        // Double DQN: the online network picks the next action, the target network
                        // values it.
                        torch::NoGradGuard guard;
                        auto nextStates = allStates.index_select(0, N);
                        auto best = online.impl()->net->forward(nextStates).argmax(1, true);
                        auto qNext =
                            target.impl()->net->forward(nextStates).gather(1, best).squeeze(1);
                        y = R + o.discount * D * qNext;
                    }
                    auto q = online.impl()
                                 ->net->forward(allStates.index_select(0, I))
                                 .gather(1, A)
                                 .squeeze(1);
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
                    act = static_cast<int>(online.impl()
                                               ->net->forward(ep.states[s].unsqueeze(0))
                                               .argmax(1)
                                               .item<int64_t>());
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
    rep.outputPath = outputPath;
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

} // namespace terse
