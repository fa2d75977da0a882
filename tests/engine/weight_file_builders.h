#pragma once
// Tiny valid weight files for the issue 17 hostile-input tests and the fuzz suite: a llama GGUF
// holding F32, F16, Q8_0 and Q4_0 tensors, and a llama2.c checkpoint, both with random weights that
// load as models. The GGUF writer records where each header field sits so a test can break exactly
// one.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace terse::testing {

template <typename T> void putLe(std::string &s, T v)
{
    s.append(reinterpret_cast<const char *>(&v), sizeof v);
}

// Overwrites the sizeof(T) bytes at `at`.
template <typename T> void pokeLe(std::string &s, std::size_t at, T v)
{
    std::memcpy(s.data() + at, &v, sizeof v);
}

inline void putGgufString(std::string &s, const std::string &v)
{
    putLe<std::uint64_t>(s, v.size());
    s += v;
}

struct GgufKv {
    std::string key;
    std::uint32_t type;  // GGUF value type (4 = U32, 6 = F32, 8 = STRING, 9 = ARRAY, ...)
    std::string payload; // the value's bytes as written after the type
};

struct GgufTensor {
    std::string name;
    std::vector<std::uint64_t> ne; // ggml order: innermost axis first
    std::uint32_t type;            // GGML type (0 = F32, 1 = F16, 2 = Q4_0, 8 = Q8_0)
    std::string data;
};

struct GgufFile {
    std::string bytes;
    // Header fields by name -> {byte offset, width}: "tensor_count", "kv_count", "key K" (length of
    // key K), "type K", "value K" (the payload: a string's length, an array's element type),
    // "array_len K", "name T" (length of tensor T's name), "ndims T", "ne T i", "ggml_type T",
    // "offset T".
    std::map<std::string, std::pair<std::size_t, std::size_t>> fields;
    std::size_t dataStart = 0;

    std::size_t at(const std::string &field) const { return fields.at(field).first; }
};

// GGUF v3 with 32-byte alignment (written as general.alignment), tensors packed in order.
inline GgufFile writeGguf(const std::vector<GgufKv> &kvs, const std::vector<GgufTensor> &tensors)
{
    GgufFile f;
    std::string &s = f.bytes;
    const auto field = [&](const std::string &name, std::size_t width) {
        f.fields[name] = {s.size(), width};
    };
    putLe<std::uint32_t>(s, 0x46554747u);
    putLe<std::uint32_t>(s, 3);
    field("tensor_count", 8);
    putLe<std::uint64_t>(s, tensors.size());
    field("kv_count", 8);
    putLe<std::uint64_t>(s, kvs.size() + 1);
    std::string alignment;
    putLe<std::uint32_t>(alignment, 32);
    std::vector<GgufKv> all = kvs;
    all.insert(all.begin(), GgufKv{"general.alignment", 4, alignment});
    for (const auto &kv : all) {
        field("key " + kv.key, 8);
        putGgufString(s, kv.key);
        field("type " + kv.key, 4);
        putLe<std::uint32_t>(s, kv.type);
        field("value " + kv.key, kv.type == 8 || kv.type >= 10 ? 8
                                 : kv.type == 9                ? 4
                                                               : kv.payload.size());
        if (kv.type == 9)
            f.fields["array_len " + kv.key] = {s.size() + 4, 8};
        s += kv.payload;
    }
    std::uint64_t offset = 0;
    for (const auto &t : tensors) {
        field("name " + t.name, 8);
        putGgufString(s, t.name);
        field("ndims " + t.name, 4);
        putLe<std::uint32_t>(s, static_cast<std::uint32_t>(t.ne.size()));
        for (std::size_t i = 0; i < t.ne.size(); ++i) {
            field("ne " + t.name + " " + std::to_string(i), 8);
            putLe<std::uint64_t>(s, t.ne[i]);
        }
        field("ggml_type " + t.name, 4);
        putLe<std::uint32_t>(s, t.type);
        field("offset " + t.name, 8);
        putLe<std::uint64_t>(s, offset);
        offset += (t.data.size() + 31) / 32 * 32;
    }
    s.resize((s.size() + 31) / 32 * 32, '\0');
    f.dataStart = s.size();
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        s += tensors[i].data;
        if (i + 1 < tensors.size())
            s.resize((s.size() + 31) / 32 * 32, '\0');
    }
    return f;
}

inline GgufKv ggufU32(const std::string &key, std::uint32_t v)
{
    std::string p;
    putLe(p, v);
    return {key, 4, p};
}

inline GgufKv ggufF32(const std::string &key, float v)
{
    std::string p;
    putLe(p, v);
    return {key, 6, p};
}

inline GgufKv ggufString(const std::string &key, const std::string &v)
{
    std::string p;
    putGgufString(p, v);
    return {key, 8, p};
}

// A tiny llama (hidden 32, 4 heads, 2 kv heads, ffn 64, 1 layer, vocab 32) with random weights; the
// last tensor, output.weight, is Q8_0 and ends the file (no padding after it).
inline GgufFile tinyLlamaGguf(std::uint64_t seed = 17)
{
    constexpr int kHidden = 32, kKv = 16, kFfn = 64, kVocab = 32;
    std::mt19937_64 rng(seed);
    const auto f32 = [&](std::uint64_t n, bool ones) {
        std::string d;
        std::normal_distribution<float> normal(0.0f, 0.1f);
        for (std::uint64_t i = 0; i < n; ++i)
            putLe<float>(d, ones ? 1.0f : normal(rng));
        return d;
    };
    const auto f16 = [&](std::uint64_t n) { // magnitudes in [2^-7, 2^-6)
        std::string d;
        for (std::uint64_t i = 0; i < n; ++i)
            putLe<std::uint16_t>(d, static_cast<std::uint16_t>(0x2000 | (rng() & 0x83ff)));
        return d;
    };
    const auto q8 = [&](std::uint64_t n) { // blocks of 32: fp16 scale 2^-7, int8 quants
        std::string d;
        for (std::uint64_t b = 0; b < n / 32; ++b) {
            putLe<std::uint16_t>(d, 0x2000);
            for (int j = 0; j < 32; ++j)
                putLe<std::int8_t>(d, static_cast<std::int8_t>(static_cast<int>(rng() % 65) - 32));
        }
        return d;
    };
    const auto q4 = [&](std::uint64_t n) { // blocks of 32: fp16 scale 2^-6, 16 bytes of nibbles
        std::string d;
        for (std::uint64_t b = 0; b < n / 32; ++b) {
            putLe<std::uint16_t>(d, 0x2400);
            for (int j = 0; j < 16; ++j)
                putLe<std::uint8_t>(d, static_cast<std::uint8_t>(rng() & 0xff));
        }
        return d;
    };
    std::string tokens, scores;
    putLe<std::uint32_t>(tokens, 8);
    putLe<std::uint64_t>(tokens, kVocab);
    putLe<std::uint32_t>(scores, 6);
    putLe<std::uint64_t>(scores, kVocab);
    for (int i = 0; i < kVocab; ++i) {
        putGgufString(tokens, "t" + std::to_string(i));
        putLe<float>(scores, -static_cast<float>(i));
    }
    const std::vector<GgufKv> kvs = {
        ggufString("general.architecture", "llama"),
        ggufU32("llama.block_count", 1),
        ggufU32("llama.context_length", 64),
        ggufU32("llama.embedding_length", kHidden),
        ggufU32("llama.feed_forward_length", kFfn),
        ggufU32("llama.attention.head_count", 4),
        ggufU32("llama.attention.head_count_kv", 2),
        ggufF32("llama.attention.layer_norm_rms_epsilon", 1e-5f),
        {"tokenizer.ggml.tokens", 9, tokens},
        {"tokenizer.ggml.scores", 9, scores},
    };
    const std::vector<GgufTensor> tensors = {
        {"token_embd.weight", {kHidden, kVocab}, 0, f32(kHidden * kVocab, false)},
        {"output_norm.weight", {kHidden}, 0, f32(kHidden, true)},
        {"blk.0.attn_norm.weight", {kHidden}, 0, f32(kHidden, true)},
        {"blk.0.attn_q.weight", {kHidden, kHidden}, 8, q8(kHidden * kHidden)},
        {"blk.0.attn_k.weight", {kHidden, kKv}, 2, q4(kHidden * kKv)},
        {"blk.0.attn_v.weight", {kHidden, kKv}, 1, f16(kHidden * kKv)},
        {"blk.0.attn_output.weight", {kHidden, kHidden}, 8, q8(kHidden * kHidden)},
        {"blk.0.ffn_norm.weight", {kHidden}, 0, f32(kHidden, true)},
        {"blk.0.ffn_gate.weight", {kHidden, kFfn}, 8, q8(kHidden * kFfn)},
        {"blk.0.ffn_up.weight", {kHidden, kFfn}, 2, q4(kHidden * kFfn)},
        {"blk.0.ffn_down.weight", {kFfn, kHidden}, 8, q8(kFfn * kHidden)},
        {"output.weight", {kHidden, kVocab}, 8, q8(kHidden * kVocab)},
    };
    return writeGguf(kvs, tensors);
}

// run.c's Config; a negative vocab_size marks an unshared classifier stored after the freq_cis
// tables.
struct Llama2cConfig {
    std::int32_t dim = 8, hiddenDim = 16, layers = 2, heads = 2, kvHeads = 1, vocabSize = -32,
                 seqLen = 16;
};

// A llama2.c (version 0) checkpoint of exactly the size its config implies, with random fp32
// weights.
inline std::string tinyLlama2c(const Llama2cConfig &c = {}, std::uint64_t seed = 17)
{
    std::string s;
    for (std::int32_t v : {c.dim, c.hiddenDim, c.layers, c.heads, c.kvHeads, c.vocabSize, c.seqLen})
        putLe(s, v);
    const std::int64_t dim = c.dim, hidden = c.hiddenDim, layers = c.layers,
                       vocab = std::abs(c.vocabSize);
    const std::int64_t headDim = dim / c.heads, kvDim = c.kvHeads * headDim;
    std::int64_t floats = vocab * dim +
                          layers * (2 * dim + 2 * dim * dim + 2 * dim * kvDim + 3 * dim * hidden) +
                          dim + c.seqLen * headDim;
    if (c.vocabSize < 0)
        floats += vocab * dim;
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 0.2f);
    for (std::int64_t i = 0; i < floats; ++i)
        putLe<float>(s, normal(rng));
    return s;
}

} // namespace terse::testing
