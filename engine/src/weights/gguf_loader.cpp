// GGUF v2/v3 reader: metadata as plain data, tensors dequantised to float32 following ggml's block
// layouts (ggml-common.h / ggml-quants.c dequantize_row_*), names mapped to HF names.
#include "weights/gguf_quants.h"
#include "weights/mapped_file.h"
#include "weights/weight_store.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <cstring>
#include <limits>
#include <set>

namespace terse {

namespace {

using namespace gguf;

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
            throwWeightError(ErrorCode::FormatError,
                             where() + ": the file is truncated: " + what + " at byte " +
                                 std::to_string(m_pos) + " needs " + std::to_string(n) +
                                 " bytes, " + std::to_string(left()) + " are left");
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
            throwWeightError(ErrorCode::FormatError,
                             where() + ": " + what + " is " + std::to_string(n) +
                                 " bytes long, at most " + std::to_string(maxLen) + " expected");
        need(n, what);
        std::string s(reinterpret_cast<const char *>(m_f.data() + m_pos), n);
        m_pos += n;
        return s;
    }

private:
    const MappedFile &m_f;
    std::size_t m_pos = 0;
};

enum GgufValueType : std::uint32_t {
    kU8 = 0,
    kI8 = 1,
    kU16 = 2,
    kI16 = 3,
    kU32 = 4,
    kI32 = 5,
    kF32v = 6,
    kBool = 7,
    kString = 8,
    kArray = 9,
    kU64 = 10,
    kI64 = 11,
    kF64 = 12,
};

// Bytes of one scalar GGUF value, 0 for strings, arrays and unknown types.
std::uint64_t scalarSize(std::uint32_t t)
{
    switch (t) {
    case kU8:
    case kI8:
    case kBool:
        return 1;
    case kU16:
    case kI16:
        return 2;
    case kU32:
    case kI32:
    case kF32v:
        return 4;
    case kU64:
    case kI64:
    case kF64:
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
    case kU8:
        integer(r.read<std::uint8_t>("a U8 value"));
        break;
    case kI8:
        integer(r.read<std::int8_t>("an I8 value"));
        break;
    case kU16:
        integer(r.read<std::uint16_t>("a U16 value"));
        break;
    case kI16:
        integer(r.read<std::int16_t>("an I16 value"));
        break;
    case kU32:
        integer(r.read<std::uint32_t>("a U32 value"));
        break;
    case kI32:
        integer(r.read<std::int32_t>("an I32 value"));
        break;
    case kU64: {
        const auto v = r.read<std::uint64_t>("a U64 value");
        n.integer = static_cast<std::int64_t>(v);
        n.value = static_cast<double>(v);
        break;
    }
    case kI64:
        integer(r.read<std::int64_t>("an I64 value"));
        break;
    case kBool:
        integer(r.read<std::uint8_t>("a BOOL value"));
        break;
    case kF32v:
        n.isFloat = true;
        n.value = r.read<float>("an F32 value");
        break;
    case kF64:
        n.isFloat = true;
        n.value = r.read<double>("an F64 value");
        break;
    default:
        throwWeightError(ErrorCode::FormatError, r.where() + ": unknown value type " +
                                                     std::to_string(t) + " (0-12 are defined)");
    }
    return n;
}

MetaValue readValue(Reader &r, std::uint32_t t)
{
    MetaValue v;
    if (t == kString) {
        v.kind = MetaValue::Kind::String;
        v.text = r.str("the string value");
    } else if (t == kArray) {
        const auto et = r.read<std::uint32_t>("the array element type");
        const auto n = r.read<std::uint64_t>("the array length");
        if (et == kString) {
            v.kind = MetaValue::Kind::StringArray;
            // Each element needs at least its 8-byte length: absurd counts fail before anything is
            // reserved.
            if (n > r.left() / 8)
                throwWeightError(ErrorCode::FormatError,
                                 r.where() + ": an array of " + std::to_string(n) +
                                     " strings needs at least " +
                                     toDecimal(static_cast<unsigned __int128>(n) * 8) + " bytes, " +
                                     std::to_string(r.left()) + " are left");
            v.strings.reserve(std::min<std::uint64_t>(n, 1u << 20));
            for (std::uint64_t i = 0; i < n; ++i)
                v.strings.push_back(r.str("string array element " + std::to_string(i)));
        } else if (et == kArray) {
            throwWeightError(ErrorCode::Unsupported, r.where() + " holds nested arrays");
        } else {
            const std::uint64_t size = scalarSize(et);
            if (size == 0)
                throwWeightError(ErrorCode::FormatError,
                                 r.where() + ": unknown array element type " + std::to_string(et) +
                                     " (0-12 are defined)");
            if (n > r.left() / size)
                throwWeightError(ErrorCode::FormatError,
                                 r.where() + ": an array of " + std::to_string(n) +
                                     " elements of " + std::to_string(size) + " bytes needs " +
                                     toDecimal(static_cast<unsigned __int128>(n) * size) +
                                     " bytes, " + std::to_string(r.left()) + " are left");
            v.kind = MetaValue::Kind::NumberArray;
            v.numbers.reserve(std::min<std::uint64_t>(n, 1u << 20));
            for (std::uint64_t i = 0; i < n; ++i)
                v.numbers.push_back(readNumber(r, et).value);
        }
    } else if (t == kBool) {
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

// A llama.cpp block tensor name "blk.<layer>.<part>.<weight|bias>": m[1] layer, m[2] part, m[3]
// kind.
struct BlockName {
    std::string m[4];
    const std::string &operator[](int i) const { return m[i]; }
};

bool parseBlockName(const std::string &name, BlockName &out)
{
    if (name.rfind("blk.", 0) != 0)
        return false;
    std::size_t i = 4, j = i;
    while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j])))
        ++j;
    if (j == i || j >= name.size() || name[j] != '.')
        return false;
    out.m[1] = name.substr(i, j - i);
    i = ++j;
    while (j < name.size() && (std::islower(static_cast<unsigned char>(name[j])) || name[j] == '_'))
        ++j;
    if (j == i || j >= name.size() || name[j] != '.')
        return false;
    out.m[2] = name.substr(i, j - i);
    out.m[3] = name.substr(j + 1);
    out.m[0] = name;
    return out.m[3] == "weight" || out.m[3] == "bias";
}

// Maps llama.cpp tensor names to the HF names the architectures are built from.
std::string hfName(const std::string &arch, const std::string &name, bool &permuteQ, bool &permuteK,
                   bool &conv1d)
{
    permuteQ = permuteK = conv1d = false;
    BlockName m;
    const bool llamaLike = arch == "llama" || arch == "qwen2" || arch == "mistral";
    if (llamaLike) {
        if (name == "token_embd.weight")
            return "model.embed_tokens.weight";
        if (name == "output_norm.weight")
            return "model.norm.weight";
        if (name == "output.weight")
            return "lm_head.weight";
        if (parseBlockName(name, m)) {
            static const std::map<std::string, std::string> parts = {
                {"attn_norm", "input_layernorm"},    {"attn_q", "self_attn.q_proj"},
                {"attn_k", "self_attn.k_proj"},      {"attn_v", "self_attn.v_proj"},
                {"attn_output", "self_attn.o_proj"}, {"ffn_norm", "post_attention_layernorm"},
                {"ffn_gate", "mlp.gate_proj"},       {"ffn_up", "mlp.up_proj"},
                {"ffn_down", "mlp.down_proj"}};
            auto it = parts.find(m[2]);
            if (it != parts.end()) {
                // llama.cpp's convert interleaves q/k for its "normal" rope (llama); qwen2 uses
                // NEOX rope.
                permuteQ = arch != "qwen2" && m[2] == "attn_q";
                permuteK = arch != "qwen2" && m[2] == "attn_k";
                return "model.layers." + m[1] + "." + it->second + "." + m[3];
            }
        }
    } else if (arch == "gpt2") {
        if (name == "token_embd.weight")
            return "transformer.wte.weight";
        if (name == "position_embd.weight")
            return "transformer.wpe.weight";
        if (name == "output_norm.weight")
            return "transformer.ln_f.weight";
        if (name == "output_norm.bias")
            return "transformer.ln_f.bias";
        if (name == "output.weight")
            return "lm_head.weight";
        if (parseBlockName(name, m)) {
            static const std::map<std::string, std::string> parts = {
                {"attn_norm", "ln_1"}, {"attn_qkv", "attn.c_attn"}, {"attn_output", "attn.c_proj"},
                {"ffn_norm", "ln_2"},  {"ffn_up", "mlp.c_fc"},      {"ffn_down", "mlp.c_proj"}};
            auto it = parts.find(m[2]);
            if (it != parts.end()) {
                conv1d = m[3] == "weight" && it->second.find("ln_") != 0;
                return "transformer.h." + m[1] + "." + it->second + "." + m[3];
            }
        }
    }
    return name;
}

const MetaValue *meta(const WeightStore &s, const std::string &key)
{
    auto it = s.metadata.find(key);
    return it == s.metadata.end() ? nullptr : &it->second;
}

double metaNumber(const WeightStore &s, const std::string &key, double fallback)
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
        throwWeightError(ErrorCode::FormatError, "GGUF metadata of '" + s.source + "': key '" +
                                                     key + "' must be a number, got another type");
    if (!std::isfinite(x))
        throwWeightError(ErrorCode::FormatError, "GGUF metadata of '" + s.source + "': key '" +
                                                     key + "' must be a finite number");
    return x;
}

// An integer in [lo, hi] (integral floats accepted), `fallback` when absent, else a FormatError
// naming the key.
std::int64_t metaInt(const WeightStore &s, const std::string &key, std::int64_t fallback,
                     std::int64_t lo, std::int64_t hi)
{
    const MetaValue *v = meta(s, key);
    if (!v)
        return fallback;
    const bool integer = v->kind == MetaValue::Kind::Integer || v->kind == MetaValue::Kind::Bool;
    const double x = integer ? static_cast<double>(v->integer) : metaNumber(s, key, 0.0);
    if (x < static_cast<double>(lo) || x > static_cast<double>(hi) ||
        (!integer && std::floor(x) != x))
        throwWeightError(ErrorCode::FormatError,
                         "GGUF metadata of '" + s.source + "': key '" + key +
                             "' must be an integer in [" + std::to_string(lo) + ", " +
                             std::to_string(hi) + "], got " +
                             (integer ? std::to_string(v->integer) : nlohmann::json(x).dump()));
    return integer ? v->integer : static_cast<std::int64_t>(x);
}

constexpr std::int64_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();

// An HF-style config.json synthesised from GGUF metadata, so architectures read one format. Sizes
// are range-checked here (naming the GGUF key); the model's config checks judge whether they fit
// together.
std::string synthesiseConfig(const WeightStore &s, const std::string &arch)
{
    nlohmann::json c;
    const std::string p = arch + ".";
    c["model_type"] = arch;
    c["hidden_size"] = metaInt(s, p + "embedding_length", 0, 0, kMaxInt32);
    c["intermediate_size"] = metaInt(s, p + "feed_forward_length", 0, 0, kMaxInt32);
    c["num_hidden_layers"] = metaInt(s, p + "block_count", 0, 0, kMaxInt32);
    const auto heads = metaInt(s, p + "attention.head_count", 0, 1, kMaxInt32);
    c["num_attention_heads"] = heads;
    c["num_key_value_heads"] = metaInt(s, p + "attention.head_count_kv", heads, 1, kMaxInt32);
    c["max_position_embeddings"] = metaInt(s, p + "context_length", 2048, 0, kMaxInt32);
    c["rms_norm_eps"] = metaNumber(s, p + "attention.layer_norm_rms_epsilon", 1e-6);
    c["layer_norm_epsilon"] = metaNumber(s, p + "attention.layer_norm_epsilon", 1e-5);
    c["rope_theta"] = metaNumber(s, p + "rope.freq_base", 10000.0);
    if (meta(s, p + "attention.sliding_window"))
        c["sliding_window"] = metaInt(s, p + "attention.sliding_window", 0, 0, kMaxInt32);
    if (arch == "gpt2") {
        c["n_embd"] = c["hidden_size"];
        c["n_layer"] = c["num_hidden_layers"];
        c["n_head"] = heads;
        c["n_positions"] = c["max_position_embeddings"];
        c["n_inner"] = c["intermediate_size"];
    }
    const auto &emb =
        s.find(arch == "gpt2" ? "transformer.wte.weight" : "model.embed_tokens.weight");
    if (emb.defined())
        c["vocab_size"] = emb.size(0);
    c["tie_word_embeddings"] = !s.has("lm_head.weight");
    if (meta(s, "tokenizer.ggml.bos_token_id"))
        c["bos_token_id"] = metaInt(s, "tokenizer.ggml.bos_token_id", 0, -1, kMaxInt32);
    if (meta(s, "tokenizer.ggml.eos_token_id"))
        c["eos_token_id"] = metaInt(s, "tokenizer.ggml.eos_token_id", 0, -1, kMaxInt32);
    c["torch_dtype"] = "float32";
    // The architecture name comes from the file and need not be UTF-8; the model rejects it by
    // name.
    return c.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string dimsText(const std::vector<std::uint64_t> &ne)
{
    std::string out = "[";
    for (std::size_t i = 0; i < ne.size(); ++i)
        out += (i ? ", " : "") + std::to_string(ne[i]);
    return out + "]";
}

// GGUF limits (gguf.md): keys are at most 65535 bytes, tensor names 64 (allowed up to 256 here for
// converters that overrun it), at most 4 dimensions. Alignment is a power of two; ggml writes 32.
constexpr std::uint64_t kMaxKeyBytes = 65535;
constexpr std::uint64_t kMaxTensorNameBytes = 256;
constexpr std::uint64_t kMaxAlignment = 1u << 20;
constexpr std::uint64_t kMaxDim = std::uint64_t(1)
                                  << 40; // per axis and in total: far above any real model

} // namespace

WeightStore loadGguf(const std::string &path, bool decode)
{
    auto file = MappedFile::open(path);
    Reader r(*file);
    WeightStore store;
    store.source = path;
    store.format = "gguf";
    const auto magic = r.read<std::uint32_t>("the magic");
    if (magic != 0x46554747u)
        throwWeightError(ErrorCode::FormatError, "'" + path + "' is not a GGUF file (bad magic)");
    const auto version = r.read<std::uint32_t>("the version");
    if (version != 2 && version != 3)
        throwWeightError(ErrorCode::Unsupported, "'" + path + "': GGUF version " +
                                                     std::to_string(version) +
                                                     " is not supported (2 and 3 are)");
    const auto tensorCount = r.read<std::uint64_t>("the tensor count");
    const auto kvCount = r.read<std::uint64_t>("the metadata count");
    // Smallest entries: a tensor info is 24 bytes (empty name, 0 dims, type, offset), a
    // key/value 13.
    if (tensorCount > file->size() / 24)
        throwWeightError(ErrorCode::FormatError,
                         "'" + path + "': tensor count " + std::to_string(tensorCount) +
                             " exceeds what a file of " + std::to_string(file->size()) +
                             " bytes can hold (at most " + std::to_string(file->size() / 24) + ")");
    if (kvCount > file->size() / 13)
        throwWeightError(ErrorCode::FormatError,
                         "'" + path + "': metadata count " + std::to_string(kvCount) +
                             " exceeds what a file of " + std::to_string(file->size()) +
                             " bytes can hold (at most " + std::to_string(file->size() / 13) + ")");
    for (std::uint64_t i = 0; i < kvCount; ++i) {
        r.context = "metadata entry " + std::to_string(i);
        const std::string key = r.str("the key", kMaxKeyBytes);
        // Keys may be 64 KiB long: messages quote the start of a long one.
        r.context = "metadata key '" + (key.size() > 200 ? key.substr(0, 200) + "..." : key) + "'";
        if (store.metadata.count(key))
            throwWeightError(ErrorCode::FormatError, r.where() + " appears twice");
        const auto type = r.read<std::uint32_t>("the value type");
        store.metadata[key] = readValue(r, type);
    }
    struct Info {
        std::string name;
        std::vector<std::uint64_t> ne;
        std::uint32_t type;
        std::uint64_t offset;
        const TypeSpec *spec =
            nullptr; // set by the checks below, with the block count and byte size
        std::uint64_t blocks = 0, bytes = 0;
    };
    std::vector<Info> infos;
    std::set<std::string> seen;
    for (std::uint64_t i = 0; i < tensorCount; ++i) {
        Info info;
        r.context = "tensor info " + std::to_string(i);
        info.name = r.str("the tensor name", kMaxTensorNameBytes);
        r.context = "tensor '" + info.name + "'";
        if (!seen.insert(info.name).second)
            throwWeightError(ErrorCode::FormatError, r.where() + " appears twice");
        const auto nd = r.read<std::uint32_t>("the dimension count");
        if (nd == 0 || nd > 4)
            throwWeightError(ErrorCode::FormatError, r.where() + ": " + std::to_string(nd) +
                                                         " dimensions, expected 1 to 4");
        for (std::uint32_t d = 0; d < nd; ++d)
            info.ne.push_back(r.read<std::uint64_t>("the shape"));
        info.type = r.read<std::uint32_t>("the GGML type");
        info.offset = r.read<std::uint64_t>("the data offset");
        infos.push_back(std::move(info));
    }
    r.context.clear();
    std::uint64_t alignment = 32;
    if (const MetaValue *a = meta(store, "general.alignment")) {
        if (a->kind != MetaValue::Kind::Integer || a->integer <= 0 ||
            static_cast<std::uint64_t>(a->integer) > kMaxAlignment ||
            (a->integer & (a->integer - 1)) != 0)
            throwWeightError(ErrorCode::FormatError,
                             "'" + path + "': general.alignment " +
                                 (a->kind == MetaValue::Kind::Integer ? std::to_string(a->integer)
                                                                      : "(not an integer)") +
                                 " is not a power of two between 1 and " +
                                 std::to_string(kMaxAlignment));
        alignment = static_cast<std::uint64_t>(a->integer);
    }
    const std::uint64_t dataStart = (r.pos() + alignment - 1) / alignment * alignment;
    if (dataStart > file->size())
        throwWeightError(ErrorCode::FormatError,
                         "'" + path + "' is truncated before its tensor data (expected at byte " +
                             std::to_string(dataStart) + ", the file has " +
                             std::to_string(file->size()) + " bytes)");
    const std::uint64_t dataSize = file->size() - dataStart;

    std::string arch;
    if (const MetaValue *a = meta(store, "general.architecture")) {
        if (a->kind != MetaValue::Kind::String)
            throwWeightError(
                ErrorCode::FormatError,
                "GGUF metadata of '" + path +
                    "': key 'general.architecture' must be a string, got another type");
        arch = a->text;
    }
    const std::string headsKey = arch + ".attention.head_count",
                      kvHeadsKey = arch + ".attention.head_count_kv";
    const auto heads = metaInt(store, headsKey, 0, 1, kMaxInt32);
    const auto kvHeads = metaInt(store, kvHeadsKey, heads, 1, kMaxInt32);

    // Every tensor is checked before any is decoded: nothing is allocated for a file that is
    // refused.
    for (auto &info : infos) {
        const std::string where = "'" + path + "', tensor '" + info.name + "'";
        const TypeSpec *spec = typeSpec(info.type);
        if (!spec)
            throwWeightError(ErrorCode::Unsupported,
                             where + ": GGML type " + std::to_string(info.type) +
                                 " is not supported (F32, F16, BF16, Q8_0, Q4_0, Q4_1, "
                                 "Q5_0, Q5_1, Q4_K, Q5_K, Q6_K are)");
        // Each axis and the product are bounded before anything is sized from them (no overflow, no
        // negative torch sizes).
        unsigned __int128 count = 1;
        for (auto n : info.ne)
            count *= n;
        if (*std::max_element(info.ne.begin(), info.ne.end()) > kMaxDim || count > kMaxDim)
            throwWeightError(ErrorCode::FormatError,
                             where + ": shape " + dimsText(info.ne) +
                                 " is absurdly large (at most 2^40 elements)");
        if (info.ne[0] % spec->blockElems != 0)
            throwWeightError(ErrorCode::FormatError,
                             where + ": row length " + std::to_string(info.ne[0]) +
                                 " is not a multiple of the " + spec->name + " block size " +
                                 std::to_string(spec->blockElems));
        const auto blocks = static_cast<std::uint64_t>(count / spec->blockElems);
        const std::uint64_t bytes = blocks * spec->blockBytes;
        if (info.offset % alignment != 0)
            throwWeightError(ErrorCode::FormatError, where + ": data offset " +
                                                         std::to_string(info.offset) +
                                                         " is not a multiple of the alignment " +
                                                         std::to_string(alignment));
        if (info.offset > dataSize || bytes > dataSize - info.offset)
            throwWeightError(ErrorCode::FormatError,
                             where + ": shape " + dimsText(info.ne) + " of " + spec->name +
                                 " needs " + std::to_string(bytes) + " bytes at offset " +
                                 std::to_string(info.offset) + ", outside the " +
                                 std::to_string(dataSize) + "-byte data section");
        info.spec = spec;
        info.blocks = blocks;
        info.bytes = bytes;
    }
    // Tensors never share bytes (llama.cpp packs them in order); shared ranges would let a small
    // file dequantise the same blocks into memory many times over.
    std::vector<const Info *> byOffset;
    for (const auto &info : infos)
        if (info.bytes > 0)
            byOffset.push_back(&info);
    std::stable_sort(byOffset.begin(), byOffset.end(),
                     [](const Info *a, const Info *b) { return a->offset < b->offset; });
    for (std::size_t i = 1; i < byOffset.size(); ++i) {
        const Info &a = *byOffset[i - 1], &b = *byOffset[i];
        if (b.offset < a.offset + a.bytes)
            throwWeightError(ErrorCode::FormatError,
                             "'" + path + "': tensors '" + a.name + "' and '" + b.name +
                                 "' overlap (data bytes [" + std::to_string(a.offset) + ", " +
                                 std::to_string(a.offset + a.bytes) + ") and [" +
                                 std::to_string(b.offset) + ", " +
                                 std::to_string(b.offset + b.bytes) + "))");
    }

    for (const auto &info : infos) {
        const std::string where = "'" + path + "', tensor '" + info.name + "'";
        const TypeSpec *spec = info.spec;
        const std::uint64_t blocks = info.blocks;
        std::vector<int64_t> shape(info.ne.rbegin(),
                                   info.ne.rend()); // ggml ne[0] is the innermost axis
        const std::uint8_t *src = file->data() + dataStart + info.offset;
        torch::Tensor t;
        bool permuteQ, permuteK, conv1d;
        const std::string name = hfName(arch, info.name, permuteQ, permuteK, conv1d);
        if (!decode) {
            // Shape only: the caller wants names, shapes and metadata (e.g. the tokenizer arrays).
            if (conv1d && shape.size() == 2)
                std::swap(shape[0], shape[1]);
            store.add(name, torch::empty(shape, torch::TensorOptions().device(torch::kMeta)),
                      spec->name);
            continue;
        }
        if (info.type == kF32 || info.type == kF16 || info.type == kBF16) {
            const auto type = info.type == kF32   ? torch::kFloat32
                              : info.type == kF16 ? torch::kFloat16
                                                  : torch::kBFloat16;
            auto keep = file;
            t = torch::from_blob(
                const_cast<std::uint8_t *>(src), shape, [keep](void *) mutable { keep.reset(); },
                torch::TensorOptions().dtype(type));
            if (reinterpret_cast<std::uintptr_t>(src) % spec->blockBytes != 0)
                t = t.clone();
        } else {
            t = torch::empty(shape, torch::kFloat32);
            dequantise(info.type, src, static_cast<std::int64_t>(blocks), t.data_ptr<float>());
        }
        if ((permuteQ || permuteK) && heads > 0) {
            // Undoing the interleave splits the rows into heads of an even size.
            const std::int64_t h = permuteQ ? heads : kvHeads;
            if (t.dim() != 2 || t.size(0) % (2 * h) != 0)
                throwWeightError(ErrorCode::FormatError, where + ": shape " + dimsText(info.ne) +
                                                             " cannot hold " + std::to_string(h) +
                                                             " heads of an even size (" +
                                                             (permuteQ ? headsKey : kvHeadsKey) +
                                                             " = " + std::to_string(h) + ")");
            t = unpermuteRope(t, h);
        }
        if (conv1d && t.dim() == 2)
            t = t.t().contiguous();
        store.add(name, t, spec->name);
    }
    if (!arch.empty())
        store.configJson = synthesiseConfig(store, arch);
    return store;
}

} // namespace terse
