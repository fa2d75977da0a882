// Compressor benchmark (not a test): wall time of compress() per method on real prompts, next to
// the time spent in model forward passes inside it and to one plain scoring pass of the same text,
// in the same run.
//   bench_compressors [--model PATH] [--mode corrected|reference] [--repeats N] [--input
//   gsm8k_cot|leval_meeting0]
//                     [METHOD...]
// Methods default to every model-based method; --model (default: each method's bundled model)
// applies to all of them. Inputs are the GSM8K CoT prompt and the first L-Eval meeting transcript
// (TERSE_SHARED_DIR).
#include "terse/compressor.h"
#include "terse/model.h"
#include "terse/resources.h"
#include "terse/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace terse;

namespace {

const std::vector<std::string> kDefaultMethods = {"selective_context", "llmlingua", "longllmlingua",
                                                  "llmlingua2",        "dac",       "pis"};

std::string readFile(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

struct Input {
    std::string name;
    Prompt prompt;
};

} // namespace

int main(int argc, char **argv)
{
    const std::string shared = TERSE_SHARED_DIR;
    std::string model; // empty: each method's bundled default
    CompressionMode mode = CompressionMode::Corrected;
    int repeats = 3;
    std::string only; // one input by name, else all
    std::vector<std::string> methods;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--model" && i + 1 < argc)
            model = argv[++i];
        else if (a == "--mode" && i + 1 < argc) {
            auto m = parseMode(argv[++i]);
            if (!m) {
                std::fprintf(stderr, "%s\n", m.error().detail.c_str());
                return 2;
            }
            mode = *m;
        } else if (a == "--input" && i + 1 < argc)
            only = argv[++i];
        else if (a == "--repeats" && i + 1 < argc)
            repeats = std::max(1, std::atoi(argv[++i]));
        else
            methods.push_back(a);
    }
    if (methods.empty())
        methods = kDefaultMethods;

    std::vector<Input> inputs;
    {
        const std::string gsm = readFile(shared + "/data/gsm8k_cot_prompts/prompt_original.txt");
        if (gsm.empty()) {
            std::fprintf(stderr, "cannot read the shared data under %s\n", shared.c_str());
            return 1;
        }
        Input in{"gsm8k_cot", {}};
        in.prompt.segments.push_back({SegmentRole::Context, gsm});
        in.prompt.segments.push_back({SegmentRole::Question, "What is the answer?"});
        inputs.push_back(in);
        std::ifstream f(shared + "/data/leval/meeting_summ.jsonl");
        std::string line;
        std::getline(f, line);
        const auto j = nlohmann::json::parse(line);
        Input m{"leval_meeting0", {}};
        m.prompt.segments.push_back({SegmentRole::Context, j["input"].get<std::string>()});
        m.prompt.segments.push_back(
            {SegmentRole::Question, j["instructions"][0].get<std::string>()});
        inputs.push_back(m);
    }

    std::string lmPath = model;
    if (lmPath.empty())
        if (auto p = defaultModelPath(DefaultModel::CausalLM))
            lmPath = *p;
    auto tok = Tokenizer::load(lmPath);
    auto lm = Model::load(lmPath);
    if (!tok || !lm) {
        std::fprintf(stderr, "cannot load %s\n", lmPath.c_str());
        return 1;
    }
    std::printf("model %s, mode %s, best of %d\n",
                model.empty() ? "(bundled defaults)" : model.c_str(), modeName(mode), repeats);
    std::printf("%-16s %-14s %8s %10s %10s %10s %9s %12s\n", "input", "method", "tokens",
                "total_ms", "fwd_ms", "other_ms", "other_%", "score_ms");
    for (const auto &in : inputs) {
        if (!only.empty() && in.name != only)
            continue;
        // One plain scoring pass of the whole text (Model::score, windowed with half-window
        // stride), for scale.
        const auto ids32 = tok->encodeIds(in.prompt.joined()).value();
        const std::vector<int> ids(ids32.begin(), ids32.end());
        double scoreMs = 1e300;
        for (int r = 0; r < 1; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            ScoreRequest req;
            req.wantEntropy = false;
            auto s = lm->score({ids}, req);
            if (!s) {
                std::fprintf(stderr, "score: %s\n", s.error().detail.c_str());
                return 1;
            }
            scoreMs = std::min(scoreMs, std::chrono::duration<double, std::milli>(
                                            std::chrono::steady_clock::now() - t0)
                                            .count());
        }
        for (const auto &method : methods) {
            auto c = createCompressor(method);
            if (!c) {
                std::fprintf(stderr, "%s\n", c.error().detail.c_str());
                return 1;
            }
            CompressOptions o;
            o.method = method;
            o.mode = mode;
            o.model = model;
            o.rate = 0.5;
            double best = 1e300, fwd = 0;
            long tokensIn = 0;
            for (int r = 0; r < repeats; ++r) {
                auto res = (*c)->compress(in.prompt, o, JobContext::none());
                if (!res) {
                    std::fprintf(stderr, "%s: %s\n", method.c_str(), res.error().detail.c_str());
                    return 1;
                }
                if (res->totalMs < best) {
                    best = res->totalMs;
                    fwd = res->forwardMs;
                    tokensIn = res->tokensIn;
                }
            }
            std::printf("%-16s %-14s %8ld %10.1f %10.1f %10.1f %8.1f%% %12.1f\n", in.name.c_str(),
                        method.c_str(), tokensIn, best, fwd, best - fwd,
                        best > 0 ? 100.0 * (best - fwd) / best : 0.0, scoreMs);
        }
    }
    return 0;
}
