#pragma once
// Shared helpers of the libFuzzer targets (issue 17): a per-process scratch folder for loaders that
// only take paths, and the oracle for returned errors. A returned Error is the expected answer to
// hostile input; only ASan reports, uncaught exceptions and aborts are findings.
// ErrorCode::Internal
// ("an unexpected exception escaped a component") is printed the first times it is seen, and is a
// finding (abort) when TERSE_FUZZ_STRICT=1.
#include "terse/result.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <unistd.h>

namespace terse::fuzz {

// A scratch folder unique to this process (libFuzzer's -fork/-jobs run several), removed at exit.
// Under /dev/shm when it exists: the loaders write and mmap a file per input.
inline const std::filesystem::path &scratchDir()
{
    static const std::filesystem::path dir = [] {
        std::error_code ec;
        std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                         ? std::filesystem::path("/dev/shm")
                                         : std::filesystem::temp_directory_path();
        auto d = base / ("terse-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        std::atexit([] {
            std::error_code e;
            std::filesystem::remove_all(scratchDir(), e);
        });
        return d;
    }();
    return dir;
}

// Writes `bytes` to scratchDir()/name (replacing it) and returns the full path.
inline std::string writeScratch(const std::string &name, std::string_view bytes)
{
    const auto path = scratchDir() / name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path.string();
}

// The oracle for a returned error: fine, except an Internal error (see the file comment).
inline void checkError(const Error &e, const char *where)
{
    if (e.code != ErrorCode::Internal)
        return;
    static const bool strict = [] {
        const char *v = std::getenv("TERSE_FUZZ_STRICT");
        return v && *v == '1';
    }();
    static std::set<std::string> seen;
    const std::string key = e.detail.substr(0, 60);
    if (seen.size() < 20 && seen.insert(key).second)
        std::fprintf(stderr, "fuzz: %s: internal error: %s\n", where, e.detail.c_str());
    if (strict)
        std::abort();
}

template <typename T> bool ok(const Result<T> &r, const char *where)
{
    if (!r.ok())
        checkError(r.error(), where);
    return r.ok();
}

} // namespace terse::fuzz
