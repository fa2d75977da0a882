// terse-studio: the launcher of the desktop workbench. Plain C++ (no Qt, no torch): it sets passive
// OpenMP waiting and replaces itself with the app (terse-studio-app, beside it or in
// ../libexec/terse), so the app loads its libraries once instead of restarting itself to set the
// variable (issue 16: the first window comes sooner).
#include "exec_sibling.h"

#include <cstdio>
#include <string>

int main(int, char **argv)
{
    std::string error;
    terse::launch::execSibling("terse-studio-app", argv, error);
    std::fprintf(stderr, "terse-studio: %s\n", error.c_str());
    return 1;
}
