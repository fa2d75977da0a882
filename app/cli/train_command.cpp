// `terse train ...`: trains Terse's default models. `terse train tokenizer` trains the byte-level BPE.
#include "cli.h"

#include "terse/train.h"

#include <chrono>
#include <cstdio>

namespace terse::cli {

namespace {

// Progress line on stderr with rate and ETA, redrawn in place at most ~4 times a second.
JobContext progressJob()
{
    auto start = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    auto lastStage = std::make_shared<std::string>();
    return JobContext([=](long long done, long long total, const std::string &stage) {
        const auto now = std::chrono::steady_clock::now();
        if (stage != *lastStage) {
            *start = now;
            if (!lastStage->empty())
                std::fprintf(stderr, "\n");
            *lastStage = stage;
        } else if (now - *last < std::chrono::milliseconds(250) || done == total) {
            return;  // throttled; the final 100% line is printed once, by the stage change or the caller
        }
        *last = now;
        const double secs = std::chrono::duration<double>(now - *start).count();
        const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0;
        const double eta = frac > 0 ? secs * (1 - frac) / frac : 0;
        std::fprintf(stderr, "\r%-16s %6.1f%%  %7.0fs elapsed  ETA %6.0fs", stage.c_str(), 100 * frac, secs, eta);
        std::fflush(stderr);
    });
}

int trainTokenizerVerb(int argc, char **argv)
{
    auto args = parseArgs(argc, argv, 3, {"--corpus", "--out", "--vocab", "--max-mb", "--min-frequency"}, {"--help"});
    if (!args)
        return reportError(args.error().detail + " (see terse train tokenizer --help)", kExitUsage);
    if (args->has("--help") || !args->has("--corpus") || !args->has("--out")) {
        std::printf("usage: terse train tokenizer --corpus FILE[.zst] --out DIR [--vocab N] [--max-mb M]\n"
                    "                             [--min-frequency F]\n"
                    "Trains a byte-level BPE tokenizer and writes DIR/tokenizer.json (HuggingFace format).\n"
                    "  --vocab N          vocabulary size incl. bytes and special tokens (default 8192)\n"
                    "  --max-mb M         read at most M MB of the corpus (default 64)\n"
                    "  --min-frequency F  minimum pair count to merge (default 2)\n");
        return args->has("--help") ? kExitOk : kExitUsage;
    }
    TokenizerTrainOptions o;
    o.corpus = args->get("--corpus");
    o.outputDir = args->get("--out");
    if (args->has("--vocab")) {
        auto v = parseLong("--vocab", args->get("--vocab"), 259, 1 << 20);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.vocabSize = static_cast<int>(*v);
    }
    if (args->has("--max-mb")) {
        auto v = parseDouble("--max-mb", args->get("--max-mb"), 0, 1e6, true);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.maxBytes = static_cast<std::uint64_t>(*v * (1 << 20));
    }
    if (args->has("--min-frequency")) {
        auto v = parseLong("--min-frequency", args->get("--min-frequency"), 1, 1L << 40);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.minFrequency = static_cast<int>(*v);
    }
    auto r = trainTokenizer(o, progressJob());
    std::fprintf(stderr, "\n");
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    std::printf("wrote %s: vocab %d (%d merges) from %.1f MB, %llu words (%llu unique) in %.1f s\n",
                r->tokenizerPath.c_str(), r->vocabSize, r->merges, static_cast<double>(r->bytesRead) / (1 << 20),
                static_cast<unsigned long long>(r->words), static_cast<unsigned long long>(r->uniqueWords),
                r->seconds);
    return kExitOk;
}

}  // namespace

int runTrain(int argc, char **argv)
{
    const std::string what = argc > 2 ? argv[2] : "";
    if (what == "tokenizer")
        return trainTokenizerVerb(argc, argv);
    if (what == "--help" || what.empty()) {
        std::printf("usage: terse train tokenizer ...   (see terse train tokenizer --help)\n");
        return what.empty() ? kExitUsage : kExitOk;
    }
    return reportError("unknown training target '" + what + "' (known: tokenizer)", kExitUsage);
}

}  // namespace terse::cli
