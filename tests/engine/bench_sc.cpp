// Benchmark (not a test): Selective-Context and LLMLingua-2 compression time on the GSM8K CoT
// prompt and a meeting transcript, next to the model forward time alone in the same run (issue 9).
// Usage: bench_sc [REPEATS] [LM_PATH] [TAGGER_PATH]   (defaults: the parity tiny models in
// TERSE_SHARED_DIR)
#include "terse/compressor.h"
#include "terse/model.h"
#include "terse/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

using namespace terse;

namespace {

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The "input" field of the first JSON line (minimal unescaping: \n, \", \\, \t, \uXXXX as '?').
std::string meeting(const std::string &path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    const std::string key = "\"input\": \"";
    std::size_t p = line.find(key);
    if (p == std::string::npos)
        p = line.find("\"input\":\""), p = p == std::string::npos ? p : p - 1;
    if (p == std::string::npos)
        return {};
    std::string out;
    for (std::size_t i = p + key.size(); i < line.size(); ++i) {
        char c = line[i];
        if (c == '"')
            break;
        if (c == '\\' && i + 1 < line.size()) {
            const char e = line[++i];
            if (e == 'n')
                out += '\n';
            else if (e == 't')
                out += '\t';
            else if (e == 'u') {
                out += '?';
                i += 4;
            } else
                out += e;
            continue;
        }
        out += c;
    }
    return out;
}

double msSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The model forward alone on the text: windows of `window` tokens (plus one special token each
// side).
double forwardOnly(const std::string &modelPath, const std::string &text, int window,
                   bool classifier, int repeats)
{
    auto model = Model::load(modelPath);
    auto tok = Tokenizer::load(modelPath);
    if (!model || !tok)
        return -1;
    auto ids = tok->encodeIds(text);
    if (!ids)
        return -1;
    std::vector<std::vector<int>> batch;
    const SpecialIds s = tok->specialIds();
    for (std::size_t b = 0; b < ids->size(); b += window) {
        std::vector<int> w;
        w.push_back(classifier ? s.cls : (s.eos >= 0 ? s.eos : s.bos));
        for (std::size_t k = b; k < std::min(ids->size(), b + window); ++k)
            w.push_back((*ids)[k]);
        if (classifier)
            w.push_back(s.sep);
        batch.push_back(std::move(w));
    }
    ScoreRequest req;
    req.wantEntropy = false;
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        auto out = model->score(batch, req);
        if (!out)
            return -1;
        best = std::min(best, msSince(t0));
    }
    return best;
}

} // namespace

int main(int argc, char **argv)
{
    const std::string shared = TERSE_SHARED_DIR;
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    const std::string lm = argc > 2 ? argv[2] : shared + "/parity/models/tiny-gpt2";
    const std::string tagger = argc > 3 ? argv[3] : shared + "/parity/models/tinybert-llmlingua2";
    const std::string gsm = readFile(shared + "/data/gsm8k_cot_prompts/prompt_original.txt");
    std::string meet = meeting(shared + "/data/leval/meeting_summ.jsonl");
    if (gsm.empty() || meet.empty()) {
        std::fprintf(stderr, "bench_sc: shared data missing under %s\n", shared.c_str());
        return 1;
    }
    if (!isValidUtf8(meet))
        meet = meet.substr(0, 0);
    struct Input {
        const char *name;
        const std::string *text;
    } inputs[] = {{"gsm8k_cot", &gsm}, {"meeting", &meet}};
    std::printf("%-18s %-10s %-10s %8s %10s %10s %12s %8s\n", "method", "mode", "input", "chars",
                "total_ms", "fwd_in_ms", "fwd_alone_ms", "non_fwd");
    for (const char *method : {"llmlingua2", "selective_context"}) {
        const bool tag = std::string(method) == "llmlingua2";
        for (auto mode : {CompressionMode::Reference, CompressionMode::Corrected}) {
            for (const auto &in : inputs) {
                auto c = createCompressor(method);
                CompressOptions o;
                o.method = method;
                o.rate = 0.33;
                o.mode = mode;
                o.model = tag ? tagger : lm;
                if (tag)
                    o.params["force_tokens"] = "\\n . ? !";
                double total = 1e300, fwd = 0;
                for (int r = 0; r < repeats + 1; ++r) { // first run warms the model cache
                    auto res = (*c)->compress(Prompt::fromText(*in.text), o, JobContext::none());
                    if (!res) {
                        std::fprintf(stderr, "%s: %s\n", method, res.error().detail.c_str());
                        return 1;
                    }
                    if (r > 0 && res->totalMs < total) {
                        total = res->totalMs;
                        fwd = res->forwardMs;
                    }
                }
                const double alone = forwardOnly(o.model, *in.text, tag ? 510 : 500, tag, repeats);
                std::printf("%-18s %-10s %-10s %8zu %10.2f %10.2f %12.2f %7.1f%%\n", method,
                            modeName(mode), in.name, in.text->size(), total, fwd, alone,
                            100.0 * (total - fwd) / total);
            }
        }
    }
    return 0;
}
