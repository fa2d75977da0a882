#include "train/safetensors_writer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace terse::train {

namespace {
const char *dtypeName(torch::ScalarType t)
{
    switch (t) {
    case torch::kFloat32: return "F32";
    case torch::kFloat16: return "F16";
    case torch::kBFloat16: return "BF16";
    case torch::kInt64: return "I64";
    default: return nullptr;
    }
}
}  // namespace

Result<void> writeSafetensors(const std::string &path, const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
                              const std::map<std::string, std::string> &metadata)
{
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::vector<torch::Tensor> data;
    std::size_t offset = 0;
    for (const auto &[name, t0] : tensors) {
        torch::Tensor t = t0.detach().to(torch::kCPU).contiguous();
        const char *dt = dtypeName(t.scalar_type());
        if (!dt)
            return fail(ErrorCode::Unsupported, "tensor '" + name + "' has a dtype safetensors output does not support");
        const std::size_t bytes = static_cast<std::size_t>(t.numel()) * t.element_size();
        header[name] = {{"dtype", dt}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        data.push_back(t);
    }
    std::string h = header.dump();
    while ((8 + h.size()) % 8 != 0)  // align the data section to 8 bytes, as the reference writer does
        h += ' ';
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f)
            return fail(ErrorCode::IoError, "cannot write '" + tmp + "'");
        const std::uint64_t n = h.size();
        unsigned char len[8];
        for (int i = 0; i < 8; ++i)
            len[i] = static_cast<unsigned char>(n >> (8 * i));
        f.write(reinterpret_cast<const char *>(len), 8);
        f.write(h.data(), static_cast<std::streamsize>(h.size()));
        for (const auto &t : data)
            f.write(static_cast<const char *>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
        f.flush();
        if (!f)
            return fail(ErrorCode::IoError, "write error on '" + tmp + "' (disk full?)");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        return fail(ErrorCode::IoError, "cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
    return {};
}

Result<std::map<std::string, torch::Tensor>> readSafetensors(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return fail(ErrorCode::NotFound, "cannot open '" + path + "'");
    unsigned char len[8];
    if (!f.read(reinterpret_cast<char *>(len), 8))
        return fail(ErrorCode::FormatError, "'" + path + "' is truncated");
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | len[i];
    const auto fileSize = std::filesystem::file_size(path);
    if (n > fileSize - 8)
        return fail(ErrorCode::FormatError, "'" + path + "': header length exceeds the file");
    std::string h(n, '\0');
    f.read(h.data(), static_cast<std::streamsize>(n));
    nlohmann::json header = nlohmann::json::parse(h, nullptr, false);
    if (header.is_discarded() || !header.is_object())
        return fail(ErrorCode::FormatError, "'" + path + "': malformed header");
    std::map<std::string, torch::Tensor> out;
    const std::uint64_t base = 8 + n;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__")
            continue;
        const auto &e = it.value();
        const std::string dt = e.value("dtype", "");
        torch::ScalarType st = dt == "F32" ? torch::kFloat32 : dt == "F16" ? torch::kFloat16 : dt == "BF16" ? torch::kBFloat16 : torch::kInt64;
        std::vector<int64_t> shape = e.at("shape").get<std::vector<int64_t>>();
        const auto offs = e.at("data_offsets").get<std::vector<std::uint64_t>>();
        torch::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(st));
        const std::uint64_t bytes = static_cast<std::uint64_t>(t.numel()) * t.element_size();
        if (offs.size() != 2 || offs[1] - offs[0] != bytes || base + offs[1] > fileSize)
            return fail(ErrorCode::FormatError, "'" + path + "': tensor '" + it.key() + "' has bad offsets");
        f.seekg(static_cast<std::streamoff>(base + offs[0]));
        f.read(static_cast<char *>(t.data_ptr()), static_cast<std::streamsize>(bytes));
        out[it.key()] = t;
    }
    return out;
}

}  // namespace terse::train
