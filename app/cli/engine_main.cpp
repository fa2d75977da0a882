// terse-engine: every verb of `terse`, linked with the model engine (libtorch). The `terse` front
// (main.cpp) runs the quick verbs itself and replaces itself with this program for the rest; run
// directly, it behaves as `terse`.
#include "cli.h"

#include "terse/runtime.h"

namespace {

// Verbs that run models wait passively in OpenMP: when the front did not set it (run directly),
// this re-executes once with OMP_WAIT_POLICY=PASSIVE before the verb starts.
template <terse::cli::VerbFn Run> int passive(int argc, char **argv)
{
    terse::preferPassiveOpenMP(argv);
    return Run(argc, argv);
}

} // namespace

int main(int argc, char **argv)
{
    using namespace terse::cli;
    return runTopLevel(argc, argv,
                       {{"compress", passive<runCompress>},
                        {"train", passive<runTrain>},
                        {"eval", passive<runEval>},
                        {"score", passive<runScore>},
                        {"bench", passive<runBench>},
                        {"tokenize", runTokenize},
                        {"sessions", runSessions},
                        {"models", runModels},
                        {"export", runExport}},
                       nullptr);
}
