// `terse compress`: compress one prompt from a file or standard input.
#include "cli.h"

#include "terse/compressor.h"
#include "terse/runtime.h"

#include <cstdio>
#include <iostream>

namespace terse::cli {

int runCompress(int argc, char **argv)
{
    auto args = parseArgs(argc, argv, 2, {"--method", "--rate", "--target-tokens", "--mode", "--seed", "--threads",
                                              "--db", "--session"},
                          {"--json", "--help", "--save"});
    if (!args)
        return reportError(args.error().detail + " (see terse compress --help)", kExitUsage);
    if (args->has("--help")) {
        std::printf("usage: terse compress --method NAME [--rate R | --target-tokens N] [--mode reference|corrected]\n"
                    "                      [--seed S] [--threads N] [--json] [--save [--db PATH] [--session NAME]]\n"
                    "                      [FILE|-]\n"
                    "Compresses the prompt in FILE (or standard input) and prints the compressed text,\n"
                    "or with --json the whole result (units, scores, thresholds, stages).\n"
                    "  --rate R           kept fraction in (0, 1], default 0.5\n"
                    "  --target-tokens N  token budget of the output; overrides --rate\n"
                    "  --save             store the run in the session database (--db PATH, default\n"
                    "                     $XDG_DATA_HOME/terse/sessions.sqlite3) in session NAME\n"
                    "methods:");
        for (const auto &m : availableMethods())
            std::printf(" %s", m.name.c_str());
        std::printf("\n");
        return kExitOk;
    }
    if (args->positionals.size() > 1)
        return reportError("compress takes one input file (got " + std::to_string(args->positionals.size()) + ")",
                           kExitUsage);
    CompressOptions opts;
    opts.method = args->get("--method", "random");
    if (args->has("--rate")) {
        auto r = parseDouble("--rate", args->get("--rate"), 0.0, 1.0, true);
        if (!r)
            return reportError(r.error().detail, kExitUsage);
        opts.rate = *r;
    }
    if (args->has("--target-tokens")) {
        auto t = parseLong("--target-tokens", args->get("--target-tokens"), 0, 1L << 40);
        if (!t)
            return reportError(t.error().detail, kExitUsage);
        opts.targetTokens = *t;
    }
    if (args->has("--mode")) {
        auto m = parseMode(args->get("--mode"));
        if (!m)
            return reportError(m.error().detail, kExitUsage);
        opts.mode = *m;
    }
    if (args->has("--seed")) {
        auto s = parseLong("--seed", args->get("--seed"), 0, (1L << 62));
        if (!s)
            return reportError(s.error().detail, kExitUsage);
        opts.seed = static_cast<std::uint64_t>(*s);
    }
    int threads = 0;
    if (args->has("--threads")) {
        auto t = parseLong("--threads", args->get("--threads"), 1, 1024);
        if (!t)
            return reportError(t.error().detail, kExitUsage);
        threads = static_cast<int>(*t);
    }
    if ((args->has("--db") || args->has("--session")) && !args->has("--save"))
        return reportError("--db and --session need --save", kExitUsage);
    auto compressor = createCompressor(opts.method);
    if (!compressor)
        return reportError(compressor.error().detail, kExitNotFound);

    const std::string path = args->positionals.empty() ? "-" : args->positionals[0];
    auto text = readInput(path);
    if (!text)
        return reportError(text.error().detail, exitCodeFor(text.error()));
    const std::string where = path == "-" ? "standard input" : "'" + path + "'";
    if (auto v = validatePromptText(*text); !v)
        return reportError(where + ": " + v.error().detail, kExitInput);

    initRuntime(threads);
    const Prompt prompt = Prompt::fromText(std::move(*text));
    auto result = (*compressor)->compress(prompt, opts, JobContext::none());
    if (!result)
        return reportError(result.error().detail, exitCodeFor(result.error()));
    for (const auto &w : result->warnings)
        std::fprintf(stderr, "terse: warning: %s\n", w.detail.c_str());
    if (args->has("--json"))
        std::cout << resultToJson(*result) << "\n";
    else
        std::cout << result->compressedText << "\n";
    if (args->has("--save"))
        return saveCompressedRun(*args, prompt, opts, *result);
    return kExitOk;
}

}  // namespace terse::cli
