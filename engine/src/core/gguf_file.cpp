// GGUF container reader without torch: see gguf_file.h.
#include "core/gguf_file.h"

#include "core/engine_error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <set>

namespace terse {

namespace {

// Bounds-checked little-endian cursor over the mapped file. `context` names what is being read
// ("metadata key 'x'", "tensor 'y'") so every error says where the file is broken.
class Reader {
public:
    Reader(const MappedFile &f) : m_f(f) {}
    std::string context;
    std::size_t pos() const { return m_pos; }
    std::uint64_t left() const { return m_f.size() - m_pos; }
    std::string where() const
    {
        return "'" + m_f.path() + "'" + (context.empty() ? "" : ", " + context);
    }
    void need(std::uint64_t n, const std::string &what)
    {
        if (n > left())
            detail::raise(ErrorCode::FormatError, where() + ": the file is truncated: " + what +
                                                      " at byte " + std::to_string(m_pos) +
                                                      " needs " + std::to_string(n) + " bytes, " +
                                                      std::to_string(left()) + " are left");
    }
    template <typename T> T read(const std::string &what)
    {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, m_f.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }
    // A length-prefixed string of at most `maxLen` bytes; the length is checked before anything is
    // copied.
    std::string str(const std::string &what,
                    std::uint64_t maxLen = std::numeric_limits<std::uint64_t>::max())
    {
        const auto n = read<std::uint64_t>(what + " length");
        if (n > maxLen)
            detail::raise(ErrorCode::FormatError, where() + ": " + what + " is " +
                                                      std::to_string(n) + " bytes long, at most " +
                                                      std::to_string(maxLen) + " expected");
        need(n, what);
        std::string s(reinterpret_cast<const char *>(m_f.data() + m_pos), n);
        m_pos += n;
        return s;
    }

private:
    const MappedFile &m_f;
    std::size_t m_pos = 0;
};

// Bytes of one scalar GGUF value, 0 for strings, arrays and unknown types.
std::uint64_t scalarSize(std::uint32_t t)
{
    switch (t) {
    case kGgufU8:
    case kGgufI8:
    case kGgufBool:
        return 1;
    case kGgufU16:
    case kGgufI16:
        return 2;
    case kGgufU32:
    case kGgufI32:
    case kGgufF32:
        return 4;
    case kGgufU64:
    case kGgufI64:
    case kGgufF64:
        return 8;
    default:
        return 0;
    }
}

struct Number {
    std::int64_t integer =
        0; // integer types (U64 above 2^63 wraps negative, which every bound refuses)
    double value = 0.0;
    bool isFloat = false;
};

Number readNumber(Reader &r, std::uint32_t t)
{
    Number n;
    const auto integer = [&](std::int64_t v) {
        n.integer = v;
        n.value = static_cast<double>(v);
    };
    switch (t) {
    case kGgufU8:
        integer(r.read<std::uint8_t>("a U8 value"));
        break;
    case kGgufI8:
        integer(r.read<std::int8_t>("an I8 value"));
        break;
    case kGgufU16:
        integer(r.read<std::uint16_t>("a U16 value"));
        break;
    case kGgufI16:
        integer(r.read<std::int16_t>("an I16 value"));
        break;
    case kGgufU32:
        integer(r.read<std::uint32_t>("a U32 value"));
        break;
    case kGgufI32:
        integer(r.read<std::int32_t>("an I32 value"));
        break;
    case kGgufU64: {
        const auto v = r.read<std::uint64_t>("a U64 value");
        n.integer = static_cast<std::int64_t>(v);
        n.value = static_cast<double>(v);
        break;
    }
    case kGgufI64:
        integer(r.read<std::int64_t>("an I64 value"));
        break;
    case kGgufBool:
        integer(r.read<std::uint8_t>("a BOOL value"));
        break;
    case kGgufF32:
        n.isFloat = true;
        n.value = r.read<float>("an F32 value");
        break;
    case kGgufF64:
        n.isFloat = true;
        n.value = r.read<double>("an F64 value");
        break;
    default:
        detail::raise(ErrorCode::FormatError, r.where() + ": unknown value type " +
                                                  std::to_string(t) + " (0-12 are defined)");
    }
    return n;
}

MetaValue readValue(Reader &r, std::uint32_t t)
{
    MetaValue v;
    if (t == kGgufString) {
        v.kind = MetaValue::Kind::String;
        v.text = r.str("the string value");
    } else if (t == kGgufArray) {
        const auto et = r.read<std::uint32_t>("the array element type");
        const auto n = r.read<std::uint64_t>("the array length");
        if (et == kGgufString) {
            v.kind = MetaValue::Kind::StringArray;
            // Each element needs at least its 8-byte length: absurd counts fail before anything is
            // reserved.
            if (n > r.left() / 8)
                detail::raise(ErrorCode::FormatError,
                              r.where() + ": an array of " + std::to_string(n) +
                                  " strings needs at least " +
                                  toDecimal(static_cast<unsigned __int128>(n) * 8) + " bytes, " +
                                  std::to_string(r.left()) + " are left");
            v.strings.reserve(std::min<std::uint64_t>(n, 1u << 20));
            for (std::uint64_t i = 0; i < n; ++i)
                v.strings.push_back(r.str("string array element " + std::to_string(i)));
        } else if (et == kGgufArray) {
            detail::raise(ErrorCode::Unsupported, r.where() + " holds nested arrays");
        } else {
            const std::uint64_t size = scalarSize(et);
            if (size == 0)
                detail::raise(ErrorCode::FormatError, r.where() + ": unknown array element type " +
                                                          std::to_string(et) +
                                                          " (0-12 are defined)");
            if (n > r.left() / size)
                detail::raise(ErrorCode::FormatError,
                              r.where() + ": an array of " + std::to_string(n) + " elements of " +
                                  std::to_string(size) + " bytes needs " +
                                  toDecimal(static_cast<unsigned __int128>(n) * size) + " bytes, " +
                                  std::to_string(r.left()) + " are left");
            v.kind = MetaValue::Kind::NumberArray;
            v.numbers.reserve(std::min<std::uint64_t>(n, 1u << 20));
            for (std::uint64_t i = 0; i < n; ++i)
                v.numbers.push_back(readNumber(r, et).value);
        }
    } else if (t == kGgufBool) {
        v.kind = MetaValue::Kind::Bool;
        v.integer = r.read<std::uint8_t>("a BOOL value") != 0;
    } else {
        const Number x = readNumber(r, t);
        v.kind = x.isFloat ? MetaValue::Kind::Float : MetaValue::Kind::Integer;
        v.integer = x.integer;
        v.number = x.value;
    }
    return v;
}

} // namespace

const MetaValue *meta(const GgufMetadata &s, const std::string &key)
{
    auto it = s.values.find(key);
    return it == s.values.end() ? nullptr : &it->second;
}

double metaNumber(const GgufMetadata &s, const std::string &key, double fallback)
{
    const MetaValue *v = meta(s, key);
    if (!v)
        return fallback;
    double x = 0.0;
    if (v->kind == MetaValue::Kind::Float)
        x = v->number;
    else if (v->kind == MetaValue::Kind::Integer || v->kind == MetaValue::Kind::Bool)
        x = static_cast<double>(v->integer);
    else // Issue 17: a metadata value of the wrong type is an error, never the default.
        detail::raise(ErrorCode::FormatError, "GGUF metadata of '" + s.source + "': key '" + key +
                                                  "' must be a number, got another type");
    if (!std::isfinite(x))
        detail::raise(ErrorCode::FormatError, "GGUF metadata of '" + s.source + "': key '" + key +
                                                  "' must be a finite number");
    return x;
}

// An integer in [lo, hi] (integral floats accepted), `fallback` when absent, else a FormatError
// naming the key.
std::int64_t metaInt(const GgufMetadata &s, const std::string &key, std::int64_t fallback,
                     std::int64_t lo, std::int64_t hi)
{
    const MetaValue *v = meta(s, key);
    if (!v)
        return fallback;
    const bool integer = v->kind == MetaValue::Kind::Integer || v->kind == MetaValue::Kind::Bool;
    const double x = integer ? static_cast<double>(v->integer) : metaNumber(s, key, 0.0);
    if (x < static_cast<double>(lo) || x > static_cast<double>(hi) ||
        (!integer && std::floor(x) != x))
        detail::raise(ErrorCode::FormatError,
                      "GGUF metadata of '" + s.source + "': key '" + key +
                          "' must be an integer in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "], got " +
                          (integer ? std::to_string(v->integer) : nlohmann::json(x).dump()));
    return integer ? v->integer : static_cast<std::int64_t>(x);
}

GgufFile readGgufFile(const std::string &path)
{
    auto file = MappedFile::open(path);
    Reader r(*file);
    GgufFile out;
    out.file = file;
    out.metadata.source = path;
    auto &values = out.metadata.values;
    const auto magic = r.read<std::uint32_t>("the magic");
    if (magic != 0x46554747u)
        detail::raise(ErrorCode::FormatError, "'" + path + "' is not a GGUF file (bad magic)");
    const auto version = r.read<std::uint32_t>("the version");
    if (version != 2 && version != 3)
        detail::raise(ErrorCode::Unsupported, "'" + path + "': GGUF version " +
                                                  std::to_string(version) +
                                                  " is not supported (2 and 3 are)");
    const auto tensorCount = r.read<std::uint64_t>("the tensor count");
    const auto kvCount = r.read<std::uint64_t>("the metadata count");
    // Smallest entries: a tensor info is 24 bytes (empty name, 0 dims, type, offset), a
    // key/value 13.
    if (tensorCount > file->size() / 24)
        detail::raise(ErrorCode::FormatError,
                      "'" + path + "': tensor count " + std::to_string(tensorCount) +
                          " exceeds what a file of " + std::to_string(file->size()) +
                          " bytes can hold (at most " + std::to_string(file->size() / 24) + ")");
    if (kvCount > file->size() / 13)
        detail::raise(ErrorCode::FormatError,
                      "'" + path + "': metadata count " + std::to_string(kvCount) +
                          " exceeds what a file of " + std::to_string(file->size()) +
                          " bytes can hold (at most " + std::to_string(file->size() / 13) + ")");
    for (std::uint64_t i = 0; i < kvCount; ++i) {
        r.context = "metadata entry " + std::to_string(i);
        const std::string key = r.str("the key", kGgufMaxKeyBytes);
        // Keys may be 64 KiB long: messages quote the start of a long one.
        r.context = "metadata key '" + (key.size() > 200 ? key.substr(0, 200) + "..." : key) + "'";
        if (values.count(key))
            detail::raise(ErrorCode::FormatError, r.where() + " appears twice");
        const auto type = r.read<std::uint32_t>("the value type");
        values[key] = readValue(r, type);
    }
    auto &infos = out.tensors;
    std::set<std::string> seen;
    for (std::uint64_t i = 0; i < tensorCount; ++i) {
        GgufTensorEntry info;
        r.context = "tensor info " + std::to_string(i);
        info.name = r.str("the tensor name", kGgufMaxTensorNameBytes);
        r.context = "tensor '" + info.name + "'";
        if (!seen.insert(info.name).second)
            detail::raise(ErrorCode::FormatError, r.where() + " appears twice");
        const auto nd = r.read<std::uint32_t>("the dimension count");
        if (nd == 0 || nd > 4)
            detail::raise(ErrorCode::FormatError,
                          r.where() + ": " + std::to_string(nd) + " dimensions, expected 1 to 4");
        for (std::uint32_t d = 0; d < nd; ++d)
            info.ne.push_back(r.read<std::uint64_t>("the shape"));
        info.type = r.read<std::uint32_t>("the GGML type");
        info.offset = r.read<std::uint64_t>("the data offset");
        infos.push_back(std::move(info));
    }
    r.context.clear();
    std::uint64_t alignment = 32;
    if (const MetaValue *a = meta(out.metadata, "general.alignment")) {
        if (a->kind != MetaValue::Kind::Integer || a->integer <= 0 ||
            static_cast<std::uint64_t>(a->integer) > kGgufMaxAlignment ||
            (a->integer & (a->integer - 1)) != 0)
            detail::raise(ErrorCode::FormatError,
                          "'" + path + "': general.alignment " +
                              (a->kind == MetaValue::Kind::Integer ? std::to_string(a->integer)
                                                                   : "(not an integer)") +
                              " is not a power of two between 1 and " +
                              std::to_string(kGgufMaxAlignment));
        alignment = static_cast<std::uint64_t>(a->integer);
    }
    const std::uint64_t dataStart = (r.pos() + alignment - 1) / alignment * alignment;
    if (dataStart > file->size())
        detail::raise(ErrorCode::FormatError,
                      "'" + path + "' is truncated before its tensor data (expected at byte " +
                          std::to_string(dataStart) + ", the file has " +
                          std::to_string(file->size()) + " bytes)");
    out.alignment = alignment;
    out.dataStart = dataStart;
    return out;
}

} // namespace terse
