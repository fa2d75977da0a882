#pragma once
// Whole-file reads and writes for the engine tests (bytes, no text conversion).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace terse::testing {

inline std::string readFileBytes(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void writeFileBytes(const std::filesystem::path &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

} // namespace terse::testing
