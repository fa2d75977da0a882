#pragma once
// This process's resident memory, for the tests and benchmarks that measure it.

#include <cstdlib>
#include <fstream>
#include <string>

namespace terse::testing {

// VmRSS of /proc/self/status in kB, or -1 where it cannot be read.
inline long residentKb()
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atol(line.c_str() + 6);
    return -1;
}

} // namespace terse::testing
