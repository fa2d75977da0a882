// `terse eval lm`: held-out bits per byte of a causal LM next to zstd -19 on the same text.
#include "cli.h"

#include "terse/resources.h"
#include "terse/runtime.h"
#include "terse/train.h"

#include <cstdio>

namespace terse::cli {

namespace {
int evalLm(int argc, char **argv)
{
    auto args = parseArgs(argc, argv, 3, {"--model", "--data", "--max-mb", "--threads"},
                          {"--help", "--json"});
    if (!args)
        return reportError(args.error().detail + " (see terse eval lm --help)", kExitUsage);
    if (args->has("--help") || !args->has("--data")) {
        std::printf("usage: terse eval lm [--model PATH] --data FILE[.zst] [--max-mb M] [--threads "
                    "N] [--json]\n"
                    "Bits per byte of a causal LM (default: Terse's bundled LM) on the first M MB "
                    "(default 1)\n"
                    "of a text file, next to zstd -19 on the same text.\n");
        return args->has("--help") ? kExitOk : kExitUsage;
    }
    double mb = 1;
    if (args->has("--max-mb")) {
        auto v = parseDouble("--max-mb", args->get("--max-mb"), 0, 1e6, true);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        mb = *v;
    }
    const auto threadsArg = parseThreads(*args);
    if (!threadsArg)
        return reportError(threadsArg.error().detail, kExitUsage);
    const int threads = *threadsArg;
    initRuntime(threads);
    auto r = evalLanguageModel(args->get("--model"), args->get("--data"),
                               static_cast<std::uint64_t>(mb * (1 << 20)), JobContext::none());
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    if (args->has("--json"))
        std::printf(
            "{\"bits_per_byte\": %.6f, \"zstd19_bits_per_byte\": %.6f, \"nll_per_token\": %.6f, "
            "\"bytes\": %llu, \"tokens\": %llu, \"documents\": %llu, \"seconds\": %.2f}\n",
            r->bitsPerByte, r->zstdBitsPerByte, r->nllPerToken,
            static_cast<unsigned long long>(r->bytes), static_cast<unsigned long long>(r->tokens),
            static_cast<unsigned long long>(r->documents), r->seconds);
    else
        std::printf("%.4f bits/byte (zstd -19: %.4f bits/byte) over %llu bytes, %llu tokens, %llu "
                    "documents; "
                    "%.4f nats/token; %.1f s\n",
                    r->bitsPerByte, r->zstdBitsPerByte, static_cast<unsigned long long>(r->bytes),
                    static_cast<unsigned long long>(r->tokens),
                    static_cast<unsigned long long>(r->documents), r->nllPerToken, r->seconds);
    return kExitOk;
}

int evalTaggerVerb(int argc, char **argv)
{
    auto args =
        parseArgs(argc, argv, 3, {"--model", "--data", "--lm", "--heldout-every", "--threads"},
                  {"--help", "--json"});
    if (!args)
        return reportError(args.error().detail + " (see terse eval tagger --help)", kExitUsage);
    if (args->has("--help") || !args->has("--data")) {
        std::printf(
            "usage: terse eval tagger [--model PATH] --data DIR|FILE[,FILE...] [--lm PATH]\n"
            "                         [--heldout-every 5] [--threads N] [--json]\n"
            "Word-level keep precision/recall/F1 of a keep/drop tagger (default: Terse's bundled "
            "tagger)\n"
            "on the held-out human compressions of --data, next to keep-by-LM-surprisal at the "
            "tagger's\n"
            "rate (--lm, default: the bundled LM) and keep-all-but-stopwords.\n");
        return args->has("--help") ? kExitOk : kExitUsage;
    }
    std::string model = args->get("--model");
    if (model.empty()) {
        auto d = defaultModelPath(DefaultModel::Tagger);
        if (!d)
            return reportError(d.error().detail, exitCodeFor(d.error()));
        model = *d;
    }
    int every = 5, threads = 0;
    if (args->has("--heldout-every")) {
        auto v = parseLong("--heldout-every", args->get("--heldout-every"), 1, 1000000);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        every = static_cast<int>(*v);
    }
    if (auto t = parseThreads(*args); !t)
        return reportError(t.error().detail, kExitUsage);
    else
        threads = *t;
    const auto files = dataFiles(args->get("--data"));
    if (files.empty())
        return reportError("no .jsonl files in '" + args->get("--data") + "'", kExitUsage);
    initRuntime(threads);
    auto r = evalTagger(model, files, args->get("--lm"), every, JobContext::none());
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    auto row = [](const char *name, const TaggerMetrics &m) {
        std::printf("%-34s %9.4f %9.4f %9.4f %9.3f\n", name, m.precision, m.recall, m.f1, m.rate);
    };
    auto js = [](const TaggerMetrics &m) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "{\"precision\": %.6f, \"recall\": %.6f, \"f1\": %.6f, \"rate\": %.6f}",
                      m.precision, m.recall, m.f1, m.rate);
        return std::string(buf);
    };
    if (args->has("--json")) {
        std::printf("{\"sentences\": %d, \"words\": %lld, \"human_rate\": %.6f, \"tagger\": %s, "
                    "\"tagger_at_human_rate\": %s, \"stopwords\": %s, \"keep_all\": %s",
                    r->sentences, r->tagger.words, r->humanRate, js(r->tagger).c_str(),
                    js(r->taggerAtHumanRate).c_str(), js(r->stopwords).c_str(),
                    js(r->keepAll).c_str());
        if (!r->lm.empty())
            std::printf(", \"surprisal\": %s, \"lm\": \"%s\"", js(r->surprisal).c_str(),
                        r->lm.c_str());
        std::printf(", \"seconds\": %.2f}\n", r->seconds);
        return kExitOk;
    }
    std::printf("%d held-out sentences, %lld words, human keep rate %.3f\n", r->sentences,
                r->tagger.words, r->humanRate);
    std::printf("%-34s %9s %9s %9s %9s\n", "", "precision", "recall", "F1", "rate");
    row("tagger (p >= 0.5)", r->tagger);
    row("tagger at the human rate", r->taggerAtHumanRate);
    if (!r->lm.empty())
        row("LM surprisal at the tagger rate", r->surprisal);
    else
        std::printf("%-34s (no LM: pass --lm)\n", "LM surprisal at the tagger rate");
    row("all but stopwords", r->stopwords);
    row("keep everything", r->keepAll);
    std::printf("%.1f s\n", r->seconds);
    return kExitOk;
}
} // namespace

int runEval(int argc, char **argv)
{
    const std::string what = argc > 2 ? argv[2] : "";
    if (what == "lm")
        return evalLm(argc, argv);
    if (what == "tagger")
        return evalTaggerVerb(argc, argv);
    if (what.empty() || what == "--help") {
        std::printf("usage: terse eval lm|tagger ...   (see terse eval WHAT --help)\n");
        return what.empty() ? kExitUsage : kExitOk;
    }
    return reportError("unknown evaluation target '" + what + "' (known: lm, tagger)", kExitUsage);
}

} // namespace terse::cli
