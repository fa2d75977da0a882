#include "weights/safetensors_writer.h"

#include "weights/weight_store.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace terse::weights {

namespace {
const char *dtypeName(torch::ScalarType t)
{
    switch (t) {
    case torch::kFloat32:
        return "F32";
    case torch::kFloat16:
        return "F16";
    case torch::kBFloat16:
        return "BF16";
    case torch::kInt64:
        return "I64";
    default:
        return nullptr;
    }
}
} // namespace

Result<void> writeSafetensors(const std::string &path,
                              const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
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
            return fail(ErrorCode::Unsupported,
                        "tensor '" + name + "' has a dtype safetensors output does not support");
        const std::size_t bytes = static_cast<std::size_t>(t.numel()) * t.element_size();
        header[name] = {
            {"dtype", dt}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        data.push_back(t);
    }
    std::string h = header.dump();
    while ((8 + h.size()) % 8 !=
           0) // align the data section to 8 bytes, as the reference writer does
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
            f.write(static_cast<const char *>(t.data_ptr()),
                    static_cast<std::streamsize>(t.numel() * t.element_size()));
        f.flush();
        if (!f)
            return fail(ErrorCode::IoError, "write error on '" + tmp + "' (disk full?)");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        return fail(ErrorCode::IoError,
                    "cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
    return {};
}

Result<std::map<std::string, torch::Tensor>> readSafetensors(const std::string &path)
{
    // The engine's one safetensors reader (every dtype it knows, checked offsets; issue 19), copied
    // out of the mapped file so that a resumed run may update the tensors in place.
    try {
        const WeightStore store = loadSafetensors(path);
        std::map<std::string, torch::Tensor> out;
        for (const auto &name : store.names())
            out[name] = store.get(name).clone();
        return out;
    } catch (const WeightError &e) {
        return e.error();
    } catch (const std::exception &e) {
        return fail(ErrorCode::FormatError, "'" + path + "': " + e.what());
    }
}

} // namespace terse::weights
