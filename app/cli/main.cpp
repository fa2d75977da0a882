// terse: the command-line front. It answers --help, --version, `tokenize` and `sessions` itself,
// linking only the torch-free engine core, so they start at once (issue 16: no libtorch to load);
// the verbs that run models (compress, score, train, eval, models, bench) replace this process
// with terse-engine, the same verbs linked with the model engine, found beside this binary or in
// ../libexec/terse. OpenMP's passive waiting is set on the way (libgomp reads OMP_WAIT_POLICY
// before main; a user's ACTIVE is kept), so the engine starts once.
#include "cli.h"
#include "exec_sibling.h"

#include <string>

namespace {

int execEngine(int, char **argv)
{
    std::string error;
    terse::launch::execSibling("terse-engine", argv, error);
    return terse::cli::reportError("the model engine cannot start: " + error,
                                   terse::cli::kExitFailure);
}

} // namespace

int main(int argc, char **argv)
{
    using namespace terse::cli;
    return runTopLevel(argc, argv, {{"tokenize", runTokenize}, {"sessions", runSessions}},
                       execEngine);
}
