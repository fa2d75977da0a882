// execSibling: see exec_sibling.h.
#include "exec_sibling.h"

#include "terse/openmp_env.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace terse::launch {

namespace fs = std::filesystem;

void execSibling(const std::string &name, char **argv, std::string &error)
{
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) {
        error = "cannot find this program's folder (/proc/self/exe: " + ec.message() + ")";
        return;
    }
    const fs::path dir = self.parent_path();
    const fs::path libexec = (dir / ".." / "libexec" / "terse").lexically_normal();
    fs::path target;
    for (const fs::path &candidate : {dir / name, libexec / name})
        if (::access(candidate.c_str(), X_OK) == 0) {
            target = candidate;
            break;
        }
    if (target.empty()) {
        error = "'" + name + "' is missing: not in '" + dir.string() + "' nor in '" +
                libexec.string() + "' (reinstall Terse)";
        return;
    }
    setOpenMPWaitDefaults();
    ::execv(target.c_str(), argv);
    error = "cannot start '" + target.string() + "': " + std::strerror(errno);
}

} // namespace terse::launch
