#pragma once
// A read-only memory-mapped file shared by the tensors that view it (no torch here).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace terse {

// Maps a whole file copy-on-write (writes never reach the file). Throws WeightError
// (NotFound / IoError) naming the path.
class MappedFile {
public:
    static std::shared_ptr<MappedFile> open(const std::string &path);
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const std::uint8_t *data() const { return m_data; }
    std::size_t size() const { return m_size; }
    const std::string &path() const { return m_path; }

private:
    MappedFile() = default;
    std::uint8_t *m_data = nullptr;
    std::size_t m_size = 0;
    std::string m_path;
};

} // namespace terse
