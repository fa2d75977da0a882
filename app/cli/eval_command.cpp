// `terse eval lm`: held-out bits per byte of a causal LM next to zstd -19 on the same text.
#include "cli.h"

#include "terse/runtime.h"
#include "terse/train.h"

#include <cstdio>

namespace terse::cli {

namespace {
int evalLm(int argc, char **argv)
{
    auto args = parseArgs(argc, argv, 3, {"--model", "--data", "--max-mb", "--threads"}, {"--help", "--json"});
    if (!args)
        return reportError(args.error().detail + " (see terse eval lm --help)", kExitUsage);
    if (args->has("--help") || !args->has("--data")) {
        std::printf("usage: terse eval lm [--model PATH] --data FILE[.zst] [--max-mb M] [--threads N] [--json]\n"
                    "Bits per byte of a causal LM (default: Terse's bundled LM) on the first M MB (default 1)\n"
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
    int threads = 0;
    if (args->has("--threads")) {
        auto v = parseLong("--threads", args->get("--threads"), 1, 1024);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        threads = static_cast<int>(*v);
    }
    initRuntime(threads);
    auto r = evalLanguageModel(args->get("--model"), args->get("--data"), static_cast<std::uint64_t>(mb * (1 << 20)),
                               JobContext::none());
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    if (args->has("--json"))
        std::printf("{\"bits_per_byte\": %.6f, \"zstd19_bits_per_byte\": %.6f, \"nll_per_token\": %.6f, "
                    "\"bytes\": %llu, \"tokens\": %llu, \"documents\": %llu, \"seconds\": %.2f}\n",
                    r->bitsPerByte, r->zstdBitsPerByte, r->nllPerToken, static_cast<unsigned long long>(r->bytes),
                    static_cast<unsigned long long>(r->tokens), static_cast<unsigned long long>(r->documents),
                    r->seconds);
    else
        std::printf("%.4f bits/byte (zstd -19: %.4f bits/byte) over %llu bytes, %llu tokens, %llu documents; "
                    "%.4f nats/token; %.1f s\n",
                    r->bitsPerByte, r->zstdBitsPerByte, static_cast<unsigned long long>(r->bytes),
                    static_cast<unsigned long long>(r->tokens), static_cast<unsigned long long>(r->documents),
                    r->nllPerToken, r->seconds);
    return kExitOk;
}
}  // namespace

int runEval(int argc, char **argv)
{
    const std::string what = argc > 2 ? argv[2] : "";
    if (what == "lm")
        return evalLm(argc, argv);
    if (what.empty() || what == "--help") {
        std::printf("usage: terse eval lm ...   (see terse eval lm --help)\n");
        return what.empty() ? kExitUsage : kExitOk;
    }
    return reportError("unknown evaluation target '" + what + "' (known: lm)", kExitUsage);
}

}  // namespace terse::cli
