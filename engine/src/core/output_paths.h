#pragma once
// Where a long job writes (a trainer's --out, an export), checked before any work: a bad --out
// found after hours of training would lose them.

#include "terse/result.h"

#include <filesystem>
#include <string>
#include <system_error>

namespace terse::detail {

// Makes `dir` (and its parents) for a trainer's output folder; errors name it and say what is
// wrong.
inline Result<void> makeOutputFolder(const std::string &dir)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        return fail(ErrorCode::InvalidArgument,
                    "output '" + dir + "' is a file; expected the folder to write in");
    fs::create_directories(dir, ec);
    if (ec)
        return fail(ErrorCode::IoError,
                    "cannot create the output folder '" + dir + "': " + ec.message());
    return {};
}

// Checks that the output file `file` can be made: not a folder, and its folder exists.
inline Result<void> checkOutputFile(const std::string &file)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(file, ec))
        return fail(ErrorCode::InvalidArgument,
                    "output '" + file + "' is a folder; expected the file to write");
    const fs::path parent = fs::path(file).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec))
        return fail(ErrorCode::NotFound, "output folder '" + parent.string() + "' does not exist");
    return {};
}

} // namespace terse::detail
