// Benchmark (not a test): DAC and PIS compression time on the GSM8K CoT prompt and a LEval meeting
// transcript, next to one model forward over the same prompt, in the same run.
// Usage: bench_dacpis [MODEL_DIR] [REPEATS]   (default: shared/parity/models/tiny-gpt2-pos2048, 3)
#include "terse/compressor.h"
#include "terse/model.h"
#include "terse/tokenizer.h"

#include "real_prompts.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

using namespace terse;

namespace {
double medianMs(int repeats, const std::function<bool()> &fn)
{
    std::vector<double> t;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        if (!fn())
            return -1;
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                        .count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}
} // namespace

int main(int argc, char **argv)
{
    const std::string model =
        argc > 1 ? argv[1] : testing::sharedDir() + "/parity/models/tiny-gpt2-pos2048";
    const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
    auto m = Model::load(model);
    auto tok = Tokenizer::load(model);
    if (!m || !tok) {
        std::fprintf(stderr, "cannot load %s\n", model.c_str());
        return 1;
    }
    const std::vector<std::pair<std::string, std::string>> prompts = {
        {"gsm8k-cot", testing::gsm8kCotPrompt()}, {"meeting#7", testing::meetingTranscript()}};
    struct Run {
        std::string label, method;
        std::map<std::string, std::string> params;
    };
    const std::vector<Run> runs = {
        {"DAC dynamic (T auto)", "dac", {{"variant", "dynamic_attn_ppl"}}},
        {"DAC single pass", "dac", {{"variant", "attn_ppl"}}},
        {"PIS (uniform)", "pis", {}},
    };
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // one line per measurement, also when redirected
    std::printf("model %s, median of %d, rate 0.5, Corrected mode\n", model.c_str(), repeats);
    std::printf("%-10s %7s %-22s %10s %12s %10s\n", "prompt", "tokens", "what", "ms", "x forward",
                "stages");
    for (const auto &[name, text] : prompts) {
        auto ids = tok->encodeIds(text);
        std::vector<int> seq(ids->begin(), ids->end());
        ScoreRequest attn;
        attn.wantCausalColumnMeans = true;
        const double fwd =
            medianMs(repeats, [&] { return static_cast<bool>(m->score({seq}, attn)); });
        std::printf("%-10s %7zu %-22s %10.1f %12s %10s\n", name.c_str(), seq.size(),
                    "one forward (+attention)", fwd, "1.0", "-");
        for (const auto &run : runs) {
            auto c = createCompressor(run.method);
            CompressOptions o;
            o.method = run.method;
            o.model = model;
            o.rate = 0.5;
            o.params = run.params;
            std::size_t stages = 0;
            const double ms = medianMs(repeats, [&] {
                auto r = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
                if (!r) {
                    std::fprintf(stderr, "%s: %s\n", run.label.c_str(), r.error().detail.c_str());
                    return false;
                }
                stages = r->stages.size();
                return true;
            });
            std::printf("%-10s %7zu %-22s %10.1f %12.1f %10zu\n", name.c_str(), seq.size(),
                        run.label.c_str(), ms, fwd > 0 ? ms / fwd : 0.0, stages);
        }
    }
    return 0;
}
