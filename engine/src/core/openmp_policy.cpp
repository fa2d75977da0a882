// preferPassiveOpenMP (terse/runtime.h), in the torch-free core: programs call it first thing in
// main, before they load libtorch (the desktop app loads it later, as a module; issue 16).
#include "terse/openmp_env.h"
#include "terse/runtime.h"

#include <unistd.h>

#include <cstdlib>

namespace terse {

void preferPassiveOpenMP(char **argv)
{
    if (argv == nullptr || argv[0] == nullptr || !setOpenMPWaitDefaults())
        return;
    ::execv("/proc/self/exe", argv);
    // exec failed (no /proc): run on with libgomp's default policy; the variable stays set for
    // children.
}

} // namespace terse
