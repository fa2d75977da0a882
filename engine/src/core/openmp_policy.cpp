// preferPassiveOpenMP (terse/runtime.h), in the torch-free core: programs call it first thing in
// main, before they load libtorch (the desktop app loads it later, as a module; issue 16).
#include "terse/runtime.h"

#include <unistd.h>

#include <cstdlib>

namespace terse {

void preferPassiveOpenMP(char **argv)
{
    if (std::getenv("OMP_WAIT_POLICY") != nullptr || argv == nullptr || argv[0] == nullptr)
        return;
    if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0)
        return;
    ::execv("/proc/self/exe", argv);
    // exec failed (no /proc): run on with libgomp's default policy; the variable stays set for
    // children.
}

} // namespace terse
