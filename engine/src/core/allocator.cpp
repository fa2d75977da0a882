// allocatorName and releaseFreeMemory (terse/runtime.h), torch-free. tcmalloc is found by its C
// entry point in the process's global scope, so nothing here links it: the programs that want it
// link it (CMake terse_use_fast_allocator), and the same code runs on glibc's malloc elsewhere.
#include "terse/runtime.h"

#include <dlfcn.h>
#include <malloc.h>

namespace terse {

namespace {

using ReleaseFn = void (*)();

ReleaseFn tcmallocRelease()
{
    static const ReleaseFn fn =
        reinterpret_cast<ReleaseFn>(::dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"));
    return fn;
}

} // namespace

const char *allocatorName()
{
    return tcmallocRelease() != nullptr ? "tcmalloc" : "glibc";
}

void releaseFreeMemory()
{
    if (const ReleaseFn release = tcmallocRelease())
        release();
    else
        ::malloc_trim(0);
}

} // namespace terse
