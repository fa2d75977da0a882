// terse: the command-line front. It answers --help, --version, `tokenize` and `sessions` itself,
// linking only the torch-free engine core, so they start at once (issue 16: no libtorch to load),
// and prints the model verbs' help pages as terse-engine recorded them at build time
// (help_pages.h); the verbs that run models (compress, score, train, eval, models, bench, export)
// replace this process with terse-engine, the same verbs linked with the model engine, found beside
// this binary or in ../libexec/terse. OpenMP's passive waiting is set on the way (libgomp reads
// OMP_WAIT_POLICY before main; a user's ACTIVE is kept), so the engine starts once.
#include "cli.h"
#include "exec_sibling.h"
#include "help_pages.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

int execEngine(int, char **argv)
{
    std::string error;
    terse::launch::execSibling("terse-engine", argv, error);
    return terse::cli::reportError("the model engine cannot start: " + error,
                                   terse::cli::kExitFailure);
}

// The recorded page of `terse VERB [SUBCOMMAND | --method NAME | --method=NAME] --help` (or -h
// last), or nullptr: any other command line goes to terse-engine, which parses it.
const char *recordedHelp(int argc, char **argv)
{
    if (argc < 3 ||
        (std::strcmp(argv[argc - 1], "--help") != 0 && std::strcmp(argv[argc - 1], "-h") != 0))
        return nullptr;
    std::string request = argv[1];
    for (int i = 2; i < argc - 1; ++i) {
        const std::string arg = argv[i];
        request += arg.rfind("--method=", 0) == 0 ? " --method " + arg.substr(9) : " " + arg;
    }
    for (std::size_t i = 0; i < terse::cli::kHelpPageCount; ++i)
        if (request == terse::cli::kHelpPages[i].request)
            return terse::cli::kHelpPages[i].text;
    return nullptr;
}

} // namespace

int main(int argc, char **argv)
{
    using namespace terse::cli;
    if (const char *page = recordedHelp(argc, argv)) {
        std::fputs(page, stdout);
        return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
    }
    return runTopLevel(argc, argv, {{"tokenize", runTokenize}, {"sessions", runSessions}},
                       execEngine);
}
