// terse: the command-line front end of the Terse engine (thin: verbs live in *_command.cpp).
#include "cli.h"

#include "terse/runtime.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

void printHelp()
{
    std::printf(
        "terse %s: prompt compression from the command line\n"
        "\n"
        "usage: terse <command> [options]\n"
        "\n"
        "commands:\n"
        "  compress   compress a prompt (terse compress --help)\n"
        "  train      train the default models (terse train --help)\n"
        "  eval       measure a model: bits per byte of an LM (terse eval lm --help)\n"
        "  tokenize   print token ids, strings and byte offsets (terse tokenize --help)\n"
        "  sessions   list, show, export, import, delete or rename saved sessions\n"
        "  score      per-token surprisal, entropy and attention of a model (terse score --help)\n"
        "  models     list the default models and the models in the HuggingFace cache\n"
        "  bench      benchmark methods x rates on the shared datasets (terse bench --help)\n"
        "\n"
        "options:\n"
        "  --help     show this help\n"
        "  --version  show the version\n"
        "\n"
        "exit codes: 0 ok, 1 operation failed, 2 bad command line (unknown option or --param key,\n"
        "            value out of range), 3 unusable input (empty, binary, invalid UTF-8, bad "
        "JSONL line),\n"
        "            4 file/model/method/dataset not found, 5 batch or bench finished but skipped "
        "bad\n"
        "            lines (--skip-errors) or failed methods, 130 interrupted\n",
        terse::engineVersion());
}

} // namespace

int main(int argc, char **argv)
{
    using namespace terse::cli;
    if (argc < 2) {
        printHelp();
        return kExitUsage;
    }
    const std::string verb = argv[1];
    if (verb == "--help" || verb == "-h" || verb == "help") {
        printHelp();
        return kExitOk;
    }
    if (verb == "--version") {
        std::printf("terse %s\n", terse::engineVersion());
        return kExitOk;
    }
    // Verbs that run models re-execute once with passive OpenMP waiting (cheap next to a model
    // load); the quick verbs above and below (--version, tokenize, sessions, models) start only
    // once.
    if (verb == "compress" || verb == "train" || verb == "eval" || verb == "score" ||
        verb == "bench")
        terse::preferPassiveOpenMP(argv);
    if (verb == "compress")
        return runCompress(argc, argv);
    if (verb == "train")
        return runTrain(argc, argv);
    if (verb == "eval")
        return runEval(argc, argv);
    if (verb == "tokenize")
        return runTokenize(argc, argv);
    if (verb == "sessions")
        return runSessions(argc, argv);
    if (verb == "score")
        return runScore(argc, argv);
    if (verb == "models")
        return runModels(argc, argv);
    if (verb == "bench")
        return runBench(argc, argv);
    return reportError("unknown command '" + verb + "' (see terse --help)", kExitUsage);
}
