// Tokenizer throughput on shared/tokvec/bench_en_1mb.txt, following tokvec/README.md's protocol:
// warm-up, then the median of 5 timed passes, "paragraphs" (one encode per "\n\n" paragraph) and
// "whole" (one encode of the whole text). Prints tokens/s next to the fastest JS peer.
// usage: bench_tokenizer [SHARED_DIR] [--spans]
#include "terse/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

struct Case {
    const char *name;
    const char *path; // relative to the shared folder
    double jsFastest; // paragraphs tokens/s of the fastest JS implementation (tokvec/README.md)
    const char *jsName;
};

double seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

} // namespace

int main(int argc, char **argv)
{
    std::string shared = TERSE_SHARED_DIR;
    bool spans = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--spans") == 0)
            spans = true;
        else
            shared = argv[i];
    }
    std::ifstream f(shared + "/tokvec/bench_en_1mb.txt", std::ios::binary);
    if (!f) {
        std::fprintf(stderr, "bench_tokenizer: %s/tokvec/bench_en_1mb.txt not found\n",
                     shared.c_str());
        return 1;
    }
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::vector<std::string_view> paragraphs;
    for (std::size_t p = 0; p < text.size();) {
        std::size_t e = text.find("\n\n", p);
        if (e == std::string::npos)
            e = text.size();
        paragraphs.push_back(std::string_view(text).substr(p, e - p));
        p = e + 2;
    }
    const Case cases[] = {
        {"gpt2", "tokvec/gpt2.tokenizer.json", 466185, "js-tiktoken/gpt2"},
        {"smollm2", "models/tokenizers/smollm2-135m-instruct", 241106, "transformers.js/smollm2"},
        {"minilm-wordpiece", "models/tokenizers/all-MiniLM-L6-v2", 919246,
         "transformers.js/minilm"},
        {"cl100k_base", "models/tokenizers/tiktoken/cl100k_base.tiktoken", 464189,
         "js-tiktoken/cl100k_base"},
        {"o200k_base", "models/tokenizers/tiktoken/o200k_base.tiktoken", 436541,
         "js-tiktoken/o200k_base"},
    };
    std::printf("%zu bytes, %zu paragraphs, mode %s\n", text.size(), paragraphs.size(),
                spans ? "encode (ids + strings + spans)" : "encodeIds");
    std::printf("%-18s %9s %14s %14s %12s %14s %8s\n", "tokenizer", "tokens", "paragraphs t/s",
                "whole t/s", "load ms", "fastest JS t/s", "x JS");
    for (const Case &c : cases) {
        const auto t0 = std::chrono::steady_clock::now();
        auto tok = terse::Tokenizer::load(shared + "/" + c.path);
        const auto t1 = std::chrono::steady_clock::now();
        if (!tok) {
            std::fprintf(stderr, "%s: %s\n", c.name, tok.error().toString().c_str());
            return 1;
        }
        auto run = [&](std::string_view t) -> std::size_t {
            if (spans) {
                auto e = tok->encode(t);
                return e ? e->size() : 0;
            }
            auto ids = tok->encodeIds(t);
            return ids ? ids->size() : 0;
        };
        std::size_t tokens = 0;
        for (int w = 0; w < 2; ++w)
            for (auto p : paragraphs)
                run(p);
        std::vector<double> para, whole;
        for (int pass = 0; pass < 5; ++pass) {
            auto a = std::chrono::steady_clock::now();
            std::size_t n = 0;
            for (auto p : paragraphs)
                n += run(p);
            auto b = std::chrono::steady_clock::now();
            tokens = n;
            para.push_back(seconds(a, b));
            a = std::chrono::steady_clock::now();
            run(text);
            b = std::chrono::steady_clock::now();
            whole.push_back(seconds(a, b));
        }
        std::sort(para.begin(), para.end());
        std::sort(whole.begin(), whole.end());
        const double pt = tokens / para[2], wt = tokens / whole[2];
        std::printf("%-18s %9zu %14.0f %14.0f %12.1f %14.0f %8.1f\n", c.name, tokens, pt, wt,
                    seconds(t0, t1) * 1e3, c.jsFastest, pt / c.jsFastest);
    }
    return 0;
}
