// terse: the command-line front. It answers --help, --version, `tokenize` and `sessions` itself,
// linking only the torch-free engine core, so they start at once (issue 16: no libtorch to load);
// the verbs that run models (compress, score, train, eval, models, bench) replace this process
// with terse-engine, the same verbs linked with the model engine, found beside this binary or in
// ../libexec/terse. OpenMP's passive waiting is set on the way (libgomp reads OMP_WAIT_POLICY
// before main; a user's ACTIVE is kept), so the engine starts once.
#include "cli.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

int execEngine(int, char **argv)
{
    using namespace terse::cli;
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        return reportError("cannot find this program's folder (/proc/self/exe: " + ec.message() +
                               ")",
                           kExitFailure);
    const fs::path dir = self.parent_path();
    fs::path engine;
    for (const fs::path &candidate :
         {dir / "terse-engine", dir / ".." / "libexec" / "terse" / "terse-engine"})
        if (::access(candidate.c_str(), X_OK) == 0) {
            engine = candidate;
            break;
        }
    if (engine.empty())
        return reportError("the model engine is missing: no executable terse-engine in '" +
                               dir.string() + "' or '" +
                               (dir / ".." / "libexec" / "terse").lexically_normal().string() +
                               "' (reinstall Terse)",
                           kExitFailure);
    if (!std::getenv("OMP_WAIT_POLICY"))
        ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::execv(engine.c_str(), argv);
    return reportError("cannot start the model engine '" + engine.string() +
                           "': " + std::strerror(errno),
                       kExitFailure);
}

} // namespace

int main(int argc, char **argv)
{
    using namespace terse::cli;
    return runTopLevel(argc, argv, {{"tokenize", runTokenize}, {"sessions", runSessions}},
                       execEngine);
}
