// WeightStore, the safetensors loader, format detection and the torch-free inspection API.
#include "weights/weight_store.h"

#include "core/mapped_file.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <c10/util/Exception.h>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace terse {

void WeightStore::add(const std::string &name, torch::Tensor tensor, const std::string &storedDtype)
{
    m_tensors[name] = std::move(tensor);
    storedDtypes[name] = storedDtype;
}

const torch::Tensor &WeightStore::get(const std::string &name) const
{
    auto it = m_tensors.find(name);
    if (it == m_tensors.end())
        throwWeightError(ErrorCode::FormatError,
                         "tensor '" + name + "' is missing from '" + source + "'");
    return it->second;
}

torch::Tensor WeightStore::find(const std::string &name) const
{
    auto it = m_tensors.find(name);
    return it == m_tensors.end() ? torch::Tensor() : it->second;
}

torch::Tensor WeightStore::take(const std::string &name)
{
    auto it = m_tensors.find(name);
    if (it == m_tensors.end())
        return {};
    torch::Tensor t = std::move(it->second);
    m_tensors.erase(it);
    storedDtypes.erase(name);
    return t;
}

std::vector<std::string> WeightStore::names() const
{
    std::vector<std::string> out;
    out.reserve(m_tensors.size());
    for (const auto &[k, v] : m_tensors)
        out.push_back(k);
    return out;
}

torch::Tensor unpermuteRope(const torch::Tensor &w, int64_t heads)
{
    // Meta / llama.cpp keep rotary pairs interleaved (2i, 2i+1); HF rotates halves (i, i+hd/2).
    // Inverse of llama.cpp's permute: view [heads, hd/2, 2, ...] and swap the two middle axes.
    const int64_t out = w.size(0);
    std::vector<int64_t> shape{heads, out / heads / 2, 2};
    for (int64_t d = 1; d < w.dim(); ++d)
        shape.push_back(w.size(d));
    return w.reshape(shape).transpose(1, 2).reshape(w.sizes()).contiguous();
}

torch::Tensor permuteRope(const torch::Tensor &w, int64_t heads)
{
    const int64_t out = w.size(0);
    std::vector<int64_t> shape{heads, 2, out / heads / 2};
    for (int64_t d = 1; d < w.dim(); ++d)
        shape.push_back(w.size(d));
    return w.reshape(shape).transpose(1, 2).reshape(w.sizes()).contiguous();
}

namespace {

struct DtypeSpec {
    const char *name;
    torch::ScalarType type;
    std::size_t size;
};

constexpr DtypeSpec kSafetensorsDtypes[] = {
    {"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2}, {"BF16", torch::kBFloat16, 2},
    {"F64", torch::kFloat64, 8}, {"I64", torch::kInt64, 8},   {"I32", torch::kInt32, 4},
    {"I16", torch::kInt16, 2},   {"I8", torch::kInt8, 1},     {"U8", torch::kUInt8, 1},
    {"BOOL", torch::kBool, 1},
};

// Views `bytes` of a mapping as a tensor that keeps the mapping alive; copies when misaligned.
torch::Tensor viewMapped(const std::shared_ptr<MappedFile> &file, std::size_t offset,
                         const std::vector<int64_t> &shape, torch::ScalarType type,
                         std::size_t elemSize)
{
    void *ptr = const_cast<std::uint8_t *>(file->data()) + offset;
    auto keep = file;
    auto t = torch::from_blob(
        ptr, shape, [keep](void *) mutable { keep.reset(); }, torch::TensorOptions().dtype(type));
    if (reinterpret_cast<std::uintptr_t>(ptr) % elemSize != 0)
        return t.clone();
    return t;
}

// A safetensors header nests three levels (header, tensor entry, shape) and holds short arrays;
// bounding both while parsing keeps a hostile header from costing many times its own size in
// memory.
constexpr int kMaxHeaderDepth = 8;
constexpr std::size_t kMaxHeaderArray = 64;

nlohmann::json parseSafetensorsHeader(const std::string &path, const std::uint8_t *begin,
                                      const std::uint8_t *end)
{
    using Event = nlohmann::json::parse_event_t;
    std::vector<std::pair<bool, std::size_t>>
        open;                      // per open container: is it an array, elements so far
    std::vector<std::string> keys; // the key path to the value being parsed
    const auto check = [&](int depth, Event event, nlohmann::json &parsed) {
        const bool starts = event == Event::object_start || event == Event::array_start;
        if (depth == 0 && event != Event::object_start && event != Event::object_end)
            throwWeightError(ErrorCode::FormatError,
                             "'" + path + "': safetensors header is not a JSON object");
        if (event == Event::key && depth > 0) {
            keys.resize(static_cast<std::size_t>(depth));
            keys.back() = parsed.is_string() ? parsed.get<std::string>() : std::string();
        }
        const auto at = [&] {
            std::string out;
            for (std::size_t i = 0; i < keys.size() && i < open.size(); ++i)
                out += (i ? "', '" : " at '") + keys[i];
            return out.empty() ? out : out + "'";
        };
        if ((starts || event == Event::value) && !open.empty() && open.back().first &&
            ++open.back().second > kMaxHeaderArray)
            throwWeightError(ErrorCode::FormatError, "'" + path + "': safetensors header" + at() +
                                                         " holds an array of more than " +
                                                         std::to_string(kMaxHeaderArray) +
                                                         " elements");
        if (starts && depth >= kMaxHeaderDepth)
            throwWeightError(ErrorCode::FormatError,
                             "'" + path + "': safetensors header" + at() + " nests deeper than " +
                                 std::to_string(kMaxHeaderDepth) + " levels");
        if (starts)
            open.emplace_back(event == Event::array_start, 0);
        else if ((event == Event::object_end || event == Event::array_end) && !open.empty())
            open.pop_back();
        return true;
    };
    try {
        return nlohmann::json::parse(begin, end, check);
    } catch (const nlohmann::json::exception &e) {
        throwWeightError(ErrorCode::FormatError,
                         "'" + path + "': safetensors header is not valid JSON: " + e.what());
    }
}

void loadOneSafetensors(const std::string &path, WeightStore &store,
                        const std::set<std::string> *only)
{
    auto file = MappedFile::open(path);
    const std::size_t size = file->size();
    if (size < 8)
        throwWeightError(ErrorCode::FormatError, "'" + path +
                                                     "' is truncated: " + std::to_string(size) +
                                                     " bytes, no safetensors header");
    std::uint64_t headerLen = 0;
    std::memcpy(&headerLen, file->data(), 8);
    if (headerLen > size - 8)
        throwWeightError(ErrorCode::FormatError,
                         "'" + path + "': safetensors header length " + std::to_string(headerLen) +
                             " exceeds the file size " + std::to_string(size));
    if (headerLen > (100u << 20))
        throwWeightError(ErrorCode::FormatError, "'" + path + "': safetensors header of " +
                                                     std::to_string(headerLen) +
                                                     " bytes is implausibly large");
    const nlohmann::json header =
        parseSafetensorsHeader(path, file->data() + 8, file->data() + 8 + headerLen);
    if (!header.is_object())
        throwWeightError(ErrorCode::FormatError,
                         "'" + path + "': safetensors header is not a JSON object");
    const std::size_t dataStart = 8 + headerLen;
    const std::size_t dataSize = size - dataStart;

    struct Range {
        std::uint64_t begin, end;
        std::string name;
        const DtypeSpec *spec;
        std::vector<int64_t> shape;
    };
    std::vector<Range> ranges;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string &name = it.key();
        const auto &entry = it.value();
        const std::string where = "'" + path + "', tensor '" + name + "'";
        if (name == "__metadata__") {
            if (entry.is_object())
                for (auto m = entry.begin(); m != entry.end(); ++m)
                    if (m.value().is_string()) {
                        MetaValue v;
                        v.kind = MetaValue::Kind::String;
                        v.text = m.value().get<std::string>();
                        store.metadata[m.key()] = v;
                    }
            continue;
        }
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
            !entry.contains("data_offsets") || !entry["dtype"].is_string() ||
            !entry["shape"].is_array() || !entry["data_offsets"].is_array() ||
            entry["data_offsets"].size() != 2)
            throwWeightError(ErrorCode::FormatError,
                             where + ": entry needs dtype, shape and data_offsets [begin, end]");
        const std::string dtype = entry["dtype"].get<std::string>();
        const DtypeSpec *spec = nullptr;
        for (const auto &d : kSafetensorsDtypes)
            if (dtype == d.name)
                spec = &d;
        if (!spec)
            throwWeightError(ErrorCode::Unsupported,
                             where + ": unknown or unsupported dtype '" + dtype + "'");
        std::vector<int64_t> shape;
        // Products are checked against overflow so absurd shapes fail here, before any allocation.
        unsigned __int128 count = 1;
        for (const auto &d : entry["shape"]) {
            if (!d.is_number_integer() || d.get<long long>() < 0)
                throwWeightError(ErrorCode::FormatError,
                                 where + ": shape " + entry["shape"].dump() + " has dimension " +
                                     std::to_string(shape.size()) + " = " + d.dump() +
                                     ", expected a non-negative integer");
            const auto v = d.get<long long>();
            shape.push_back(v);
            count *= static_cast<unsigned __int128>(v);
            if (count > (static_cast<unsigned __int128>(1) << 62))
                throwWeightError(ErrorCode::FormatError,
                                 where + ": shape " + entry["shape"].dump() + " is absurdly large");
        }
        const auto &offs = entry["data_offsets"];
        if (!offs[0].is_number_unsigned() || !offs[1].is_number_unsigned())
            throwWeightError(ErrorCode::FormatError,
                             where + ": data_offsets must be non-negative integers");
        const std::uint64_t begin = offs[0].get<std::uint64_t>(),
                            end = offs[1].get<std::uint64_t>();
        if (begin > end || end > dataSize)
            throwWeightError(ErrorCode::FormatError,
                             where + ": data_offsets [" + std::to_string(begin) + ", " +
                                 std::to_string(end) + "] outside the data section of " +
                                 std::to_string(dataSize) + " bytes");
        const unsigned __int128 bytes = count * spec->size;
        if (bytes != end - begin)
            throwWeightError(ErrorCode::FormatError,
                             where + ": shape " + entry["shape"].dump() + " of " + dtype +
                                 " needs " + toDecimal(bytes) + " bytes but data_offsets span " +
                                 std::to_string(end - begin));
        ranges.push_back({begin, end, name, spec, std::move(shape)});
    }
    // Byte ranges may come in any order but never share a byte; empty tensors hold no bytes to
    // share.
    std::stable_sort(ranges.begin(), ranges.end(),
                     [](const Range &a, const Range &b) { return a.begin < b.begin; });
    const Range *previous = nullptr;
    for (const Range &r : ranges) {
        if (r.begin == r.end)
            continue;
        if (previous && r.begin < previous->end)
            throwWeightError(ErrorCode::FormatError,
                             "'" + path + "': tensors '" + previous->name + "' and '" + r.name +
                                 "' overlap (bytes [" + std::to_string(previous->begin) + ", " +
                                 std::to_string(previous->end) + ") and [" +
                                 std::to_string(r.begin) + ", " + std::to_string(r.end) + "))");
        previous = &r;
    }
    // Only now are tensors made (a misaligned one is copied): a refused file allocates nothing.
    for (const Range &r : ranges)
        if (!only || only->count(r.name))
            store.add(r.name,
                      viewMapped(file, dataStart + r.begin, r.shape, r.spec->type, r.spec->size),
                      r.spec->name);
}

std::string readText(const std::string &path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throwWeightError(ErrorCode::FormatError, "'" + path + "' is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throwWeightError(ErrorCode::NotFound, "cannot read '" + path + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

[[noreturn]] void refusePickle(const std::string &path)
{
    throwWeightError(
        ErrorCode::Unsupported,
        "'" + path +
            "' is a pickle-based PyTorch checkpoint; loading it can execute arbitrary code, so "
            "Terse refuses it. Convert it to safetensors (e.g. "
            "save_pretrained(safe_serialization=True)).");
}

// pytorch_model.bin / .pt / .pth are zip archives ("PK") or raw pickles (0x80 protocol byte).
bool looksLikePickle(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    unsigned char magic[2] = {0, 0};
    in.read(reinterpret_cast<char *>(magic), 2);
    return (magic[0] == 'P' && magic[1] == 'K') || magic[0] == 0x80;
}

} // namespace

WeightStore loadSafetensors(const std::string &path)
{
    WeightStore store;
    store.source = path;
    store.format = "safetensors";
    if (endsWith(path, ".json")) {
        nlohmann::json index;
        try {
            index = nlohmann::json::parse(readText(path));
        } catch (const nlohmann::json::exception &e) {
            throwWeightError(ErrorCode::FormatError,
                             "'" + path + "' is not valid JSON: " + e.what());
        }
        if (!index.contains("weight_map") || !index["weight_map"].is_object())
            throwWeightError(ErrorCode::FormatError, "'" + path + "' has no weight_map object");
        std::map<std::string, std::set<std::string>> byFile;
        for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) {
            if (!it.value().is_string())
                throwWeightError(ErrorCode::FormatError, "'" + path + "': weight_map entry '" +
                                                             it.key() + "' is not a file name");
            const std::string shard = it.value().get<std::string>();
            if (shard.find('/') != std::string::npos || shard.find("..") != std::string::npos)
                throwWeightError(ErrorCode::FormatError,
                                 "'" + path + "': shard name '" + shard + "' leaves the folder");
            byFile[shard].insert(it.key());
        }
        const fs::path dir = fs::path(path).parent_path();
        for (const auto &[shard, names] : byFile)
            loadOneSafetensors((dir / shard).string(), store, &names);
        for (const auto &[shard, names] : byFile)
            for (const auto &n : names)
                if (!store.has(n))
                    throwWeightError(ErrorCode::FormatError,
                                     "'" + path + "' lists tensor '" + n + "' in '" + shard +
                                         "' but that shard does not hold it");
        return store;
    }
    loadOneSafetensors(path, store, nullptr);
    return store;
}

// config.json beside the weights: present but empty (or only whitespace) is a damaged file, not a
// missing one.
static std::string readConfigText(const std::string &path)
{
    std::string text = readText(path);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throwWeightError(
            ErrorCode::FormatError,
            "'" + path + "' is empty (expected a JSON object describing the model's architecture)");
    return text;
}

WeightStore loadWeights(const std::string &path, bool decode)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throwWeightError(ErrorCode::NotFound, "no such file or folder '" + path + "'");
    if (fs::is_directory(path, ec)) {
        const fs::path dir(path);
        WeightStore store;
        if (fs::exists(dir / "model.safetensors.index.json"))
            store = loadSafetensors((dir / "model.safetensors.index.json").string());
        else if (fs::exists(dir / "model.safetensors"))
            store = loadSafetensors((dir / "model.safetensors").string());
        else {
            std::vector<fs::path> candidates;
            for (const auto &e : fs::directory_iterator(dir))
                if (e.is_regular_file())
                    candidates.push_back(e.path());
            std::sort(candidates.begin(), candidates.end());
            for (const auto &c : candidates)
                if (c.extension() == ".safetensors" || c.extension() == ".gguf")
                    return loadWeights(c.string(), decode);
            for (const auto &c : candidates)
                if (c.filename() == "pytorch_model.bin" || c.extension() == ".pt" ||
                    c.extension() == ".pth")
                    refusePickle(c.string());
            for (const auto &c : candidates)
                if (c.extension() == ".bin")
                    return loadWeights(c.string(), decode);
            throwWeightError(ErrorCode::NotFound,
                             "'" + path +
                                 "' holds no model.safetensors, .gguf or llama2.c .bin file");
        }
        if (fs::exists(dir / "config.json"))
            store.configJson = readConfigText((dir / "config.json").string());
        store.source = path;
        return store;
    }
    const fs::path p(path);
    const std::string ext = p.extension().string();
    if (ext == ".pt" || ext == ".pth" || ext == ".pkl" || p.filename() == "pytorch_model.bin" ||
        (ext == ".bin" && looksLikePickle(path)))
        refusePickle(path);
    WeightStore store;
    if (ext == ".gguf")
        return loadGguf(path, decode);
    if (ext == ".bin")
        return loadLlama2c(path);
    if (ext == ".safetensors" || endsWith(path, ".safetensors.index.json")) {
        store = loadSafetensors(path);
        const fs::path config = p.parent_path() / "config.json";
        if (fs::exists(config))
            store.configJson = readConfigText(config.string());
        return store;
    }
    // Unknown extension: sniff the GGUF magic, else treat as safetensors.
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {0, 0, 0, 0};
    in.read(magic, 4);
    if (std::memcmp(magic, "GGUF", 4) == 0)
        return loadGguf(path, decode);
    if (looksLikePickle(path))
        refusePickle(path);
    return loadSafetensors(path);
}

namespace {

template <typename F> auto guarded(F &&f) -> decltype(f())
{
    static const detail::GuardWords words{"reading weights", ErrorCode::ModelError,
                                          "out of memory while reading weights"};
    return detail::guard(
        words, std::forward<F>(f), [](const std::exception &e) -> std::optional<Error> {
            if (const auto *c = dynamic_cast<const c10::Error *>(&e))
                return Error{ErrorCode::FormatError,
                             std::string("tensor error: ") + c->what_without_backtrace()};
            return std::nullopt;
        });
}

std::string dtypeName(torch::ScalarType t)
{
    for (const auto &d : kSafetensorsDtypes)
        if (d.type == t)
            return d.name;
    return "?";
}

} // namespace

Result<WeightFileInfo> inspectWeights(const std::string &path, bool decodeTensors)
{
    return guarded([&]() -> Result<WeightFileInfo> {
        WeightStore store = loadWeights(path, decodeTensors);
        WeightFileInfo info;
        info.format = store.format;
        info.metadata = store.metadata;
        for (const auto &name : store.names()) {
            const auto &t = store.get(name);
            TensorInfo ti;
            ti.name = name;
            auto it = store.storedDtypes.find(name);
            ti.dtype = it != store.storedDtypes.end() ? it->second : dtypeName(t.scalar_type());
            ti.shape.assign(t.sizes().begin(), t.sizes().end());
            info.tensors.push_back(std::move(ti));
        }
        return info;
    });
}

Result<std::vector<float>> readTensorAsFloat(const std::string &path, const std::string &name)
{
    return guarded([&]() -> Result<std::vector<float>> {
        WeightStore store = loadWeights(path);
        if (!store.has(name))
            return fail(ErrorCode::NotFound, "'" + path + "' has no tensor '" + name + "'");
        auto t = store.get(name).to(torch::kFloat32).contiguous();
        return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    });
}

// Whether every element is finite, without temporaries the tensor's size: torch::isfinite(t).all()
// made a bool tensor and |t| per weight, 270 MB of freed blocks loading GPT-2's embedding matrix
// (issue 16, peak memory). Contiguous CPU floats are read as bits: exponent all ones is inf or NaN.
bool allFinite(const torch::Tensor &t)
{
    const int64_t n = t.numel();
    auto exponentNeverFull = [n](const auto *p, auto mask) {
        constexpr int64_t kBlock = 4096; // branch-free inner loop (vectorised), one test per block
        for (int64_t b = 0; b < n; b += kBlock) {
            bool full = false;
            for (int64_t i = b, e = std::min(n, b + kBlock); i < e; ++i)
                full |= (p[i] & mask) == mask;
            if (full)
                return false;
        }
        return true;
    };
    if (t.device().is_cpu() && t.is_contiguous()) {
        switch (t.scalar_type()) {
        case torch::kFloat32:
            return exponentNeverFull(static_cast<const uint32_t *>(t.data_ptr()), 0x7f800000u);
        case torch::kBFloat16:
            return exponentNeverFull(static_cast<const uint16_t *>(t.data_ptr()), uint16_t(0x7f80));
        case torch::kFloat16:
            return exponentNeverFull(static_cast<const uint16_t *>(t.data_ptr()), uint16_t(0x7c00));
        case torch::kFloat64:
            return exponentNeverFull(static_cast<const uint64_t *>(t.data_ptr()),
                                     uint64_t(0x7ff0000000000000ull));
        default:
            break;
        }
    }
    const torch::Tensor flat = t.reshape({-1});
    constexpr int64_t kChunk = 1 << 20;
    for (int64_t i = 0; i < n; i += kChunk)
        if (!torch::isfinite(flat.narrow(0, i, std::min(kChunk, n - i))).all().item<bool>())
            return false;
    return true;
}

std::string shapeText(c10::IntArrayRef sizes)
{
    std::string out = "[";
    for (std::size_t i = 0; i < sizes.size(); ++i)
        out += (i ? ", " : "") + std::to_string(sizes[i]);
    return out + "]";
}

} // namespace terse
