// The engine's version (terse/runtime.h), in the torch-free core so `terse --version` needs no
// libtorch.
#include "terse/runtime.h"

namespace terse {

const char *engineVersion()
{
    return TERSE_VERSION;
}

} // namespace terse
