// Writes the seed inputs of the libFuzzer targets to OUT/<target>/: small files generated from the
// bundled models (resources/models, truncated) and the builders of the engine tests, never copied
// from shared/. tests/fuzz/update_corpus.sh merges them with what a run found into
// tests/fuzz/corpus/. Usage: fuzz_make_seeds OUT
#include "compressors/baselines.h"
#include "terse/job.h"
#include "terse/session_store.h"
#include "weight_file_builders.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace terse;
using nlohmann::json;
namespace fs = std::filesystem;
namespace tt = terse::testing;

namespace {

fs::path g_out;
const fs::path kModels = fs::path(TERSE_SOURCE_DIR) / "resources" / "models";

void write(const std::string &target, const std::string &name, const std::string &bytes)
{
    fs::create_directories(g_out / target);
    std::ofstream f(g_out / target / name, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f)
        throw std::runtime_error("cannot write " + (g_out / target / name).string());
}

std::string readFile(const fs::path &p)
{
    std::ifstream f(p, std::ios::binary);
    if (!f)
        throw std::runtime_error("cannot read " + p.string());
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// ---- tokenizer: the first byte picks the format (see fuzz_tokenizer.cpp) ----

std::string tok(int kind, const std::string &body)
{
    return std::string(1, static_cast<char>(kind)) + body;
}

// Protobuf wire format, just enough for a SentencePiece ModelProto.
void pbVarint(std::string &s, std::uint64_t v)
{
    while (v >= 0x80) {
        s += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    s += static_cast<char>(v);
}
void pbBytes(std::string &s, int field, const std::string &v)
{
    pbVarint(s, static_cast<std::uint64_t>(field) << 3 | 2);
    pbVarint(s, v.size());
    s += v;
}
void pbInt(std::string &s, int field, std::uint64_t v)
{
    pbVarint(s, static_cast<std::uint64_t>(field) << 3);
    pbVarint(s, v);
}
void pbFloat(std::string &s, int field, float v)
{
    pbVarint(s, static_cast<std::uint64_t>(field) << 3 | 5);
    tt::putLe(s, v);
}

// type: 1 normal, 2 unknown, 3 control, 6 byte. modelType: 1 unigram, 2 BPE.
std::string sentencePieceModel(int modelType, bool byteFallback)
{
    std::vector<std::tuple<std::string, float, int>> pieces = {
        {"<unk>", 0, 2}, {"<s>", 0, 3}, {"</s>", 0, 3}};
    if (byteFallback)
        for (int b : {0x0a, 0x20, 0xc3, 0xb6, 0xe2, 0xf0, 0x9f})
            pieces.push_back({"<0x" + std::string(1, "0123456789ABCDEF"[b >> 4]) +
                                  "0123456789ABCDEF"[b & 15] + ">",
                              0, 6});
    const char *words[] = {"\xe2\x96\x81",
                           "\xe2\x96\x81Hello",
                           "\xe2\x96\x81w",
                           "or",
                           "ld",
                           ",",
                           "\xe2\x96\x81the",
                           "1",
                           "4",
                           "-",
                           "2",
                           "=",
                           ("\xe2\x96\x81"
                            "don"),
                           "'",
                           "t",
                           "e",
                           "n",
                           "d",
                           "H",
                           "l",
                           "o",
                           "r"};
    float score = -1.0f;
    for (const char *w : words)
        pieces.push_back({w, score -= 0.5f, 1});
    std::string model;
    for (const auto &[piece, sc, type] : pieces) {
        std::string p;
        pbBytes(p, 1, piece);
        pbFloat(p, 2, sc);
        pbInt(p, 3, static_cast<std::uint64_t>(type));
        pbBytes(model, 1, p);
    }
    std::string trainer;
    pbInt(trainer, 3, static_cast<std::uint64_t>(modelType));
    pbInt(trainer, 35, byteFallback ? 1 : 0);
    pbBytes(model, 2, trainer);
    std::string normalizer;
    pbBytes(normalizer, 1, "identity");
    pbInt(normalizer, 3, 1);
    pbInt(normalizer, 4, 1);
    pbInt(normalizer, 5, 1);
    pbBytes(model, 3, normalizer);
    return model;
}

std::string base64(const std::string &in)
{
    static const char *k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        std::uint32_t v = static_cast<std::uint8_t>(in[i]) << 16;
        if (i + 1 < in.size())
            v |= static_cast<std::uint8_t>(in[i + 1]) << 8;
        if (i + 2 < in.size())
            v |= static_cast<std::uint8_t>(in[i + 2]);
        out += k[v >> 18 & 63];
        out += k[v >> 12 & 63];
        out += i + 1 < in.size() ? k[v >> 6 & 63] : '=';
        out += i + 2 < in.size() ? k[v & 63] : '=';
    }
    return out;
}

void tokenizerSeeds()
{
    // The bundled byte-level BPE tokenizer.json, cut to its first 300 ids and the merges among
    // them.
    json t = json::parse(readFile(kModels / "terse-tagger" / "tokenizer.json"));
    json vocab = json::object();
    for (const auto &[k, v] : t["model"]["vocab"].items())
        if (v.get<int>() < 300)
            vocab[k] = v;
    json merges = json::array();
    for (const auto &m : t["model"]["merges"]) {
        const std::string s = m.is_string()
                                  ? m.get<std::string>()
                                  : m[0].get<std::string>() + " " + m[1].get<std::string>();
        const auto sp = s.find(' ');
        if (vocab.contains(s.substr(0, sp)) && vocab.contains(s.substr(sp + 1)) &&
            vocab.contains(s.substr(0, sp) + s.substr(sp + 1)))
            merges.push_back(m);
    }
    t["model"]["vocab"] = vocab;
    t["model"]["merges"] = merges;
    write("tokenizer", "bytelevel-bpe.json", tok(0, t.dump()));
    json t2 = t;
    t2["normalizer"] = {{"type", "Sequence"},
                        {"normalizers",
                         {{{"type", "NFD"}},
                          {{"type", "StripAccents"}},
                          {{"type", "NFC"}},
                          {{"type", "Lowercase"}},
                          {{"type", "Replace"}, {"pattern", {{"String", "  "}}}, {"content", " "}},
                          {{"type", "Strip"}, {"strip_left", true}, {"strip_right", false}}}}};
    t2["pre_tokenizer"] = {
        {"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"},
           {"pattern", {{"Regex", "\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+"}}},
           {"behavior", "Isolated"},
           {"invert", false}},
          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}};
    t2["post_processor"] = {
        {"type", "TemplateProcessing"},
        {"single",
         {{{"SpecialToken", {{"id", "<|endoftext|>"}, {"type_id", 0}}}},
          {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
        {"pair", json::array()},
        {"special_tokens",
         {{"<|endoftext|>",
           {{"id", "<|endoftext|>"}, {"ids", {0}}, {"tokens", {"<|endoftext|>"}}}}}}};
    write("tokenizer", "bpe-normalizers.json", tok(0, t2.dump()));

    // vocab.json + merges.txt from the same cut.
    std::string mergesTxt = "#version: 0.2\n";
    for (const auto &m : merges)
        mergesTxt += (m.is_string() ? m.get<std::string>()
                                    : m[0].get<std::string>() + " " + m[1].get<std::string>()) +
                     "\n";
    write("tokenizer", "gpt2-files", tok(1, vocab.dump() + "\n--merges--\n" + mergesTxt));

    // WordPiece, Unigram and WordLevel tokenizer.json files.
    const std::vector<std::string> words = {
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", ",",
        "the",   "1",     "4",     "-",     "2",      "=",     "don",   "'",
        "t",     "end",   "##s",   "##ing", "w",      "##or",  "##ld",  "\xc3\xb6"};
    json wp = {{"version", "1.0"},
               {"added_tokens",
                {{{"id", 0}, {"content", "[PAD]"}, {"special", true}},
                 {{"id", 2}, {"content", "[CLS]"}, {"special", true}},
                 {{"id", 3}, {"content", "[SEP]"}, {"special", true}}}},
               {"normalizer",
                {{"type", "BertNormalizer"},
                 {"clean_text", true},
                 {"handle_chinese_chars", true},
                 {"strip_accents", nullptr},
                 {"lowercase", true}}},
               {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
               {"post_processor",
                {{"type", "BertProcessing"}, {"sep", {"[SEP]", 3}}, {"cls", {"[CLS]", 2}}}},
               {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
               {"model",
                {{"type", "WordPiece"},
                 {"unk_token", "[UNK]"},
                 {"continuing_subword_prefix", "##"},
                 {"max_input_chars_per_word", 100},
                 {"vocab", json::object()}}}};
    for (std::size_t i = 0; i < words.size(); ++i)
        wp["model"]["vocab"][words[i]] = i;
    write("tokenizer", "wordpiece.json", tok(0, wp.dump()));
    json uni = {
        {"version", "1.0"},
        {"added_tokens", {{{"id", 1}, {"content", "<s>"}, {"special", true}}}},
        {"normalizer", {{"type", "Precompiled"}, {"precompiled_charsmap", nullptr}}},
        {"pre_tokenizer",
         {{"type", "Metaspace"}, {"replacement", "\xe2\x96\x81"}, {"prepend_scheme", "always"}}},
        {"decoder",
         {{"type", "Metaspace"}, {"replacement", "\xe2\x96\x81"}, {"prepend_scheme", "always"}}},
        {"model",
         {{"type", "Unigram"}, {"unk_id", 0}, {"byte_fallback", false}, {"vocab", json::array()}}}};
    uni["model"]["vocab"].push_back({"<unk>", 0.0});
    uni["model"]["vocab"].push_back({"<s>", 0.0});
    for (const char *w : {"\xe2\x96\x81", "\xe2\x96\x81Hello", "\xe2\x96\x81w", "or", "ld", ",",
                          "1", "4", "-", "=", "'", "t", "e"})
        uni["model"]["vocab"].push_back({w, -2.5});
    write("tokenizer", "unigram.json", tok(0, uni.dump()));
    json wl = {{"model",
                {{"type", "WordLevel"},
                 {"unk_token", "[UNK]"},
                 {"vocab", {{"[UNK]", 0}, {"hello", 1}, {"world", 2}}}}},
               {"pre_tokenizer", {{"type", "Whitespace"}}}};
    write("tokenizer", "wordlevel.json", tok(0, wl.dump()));

    write("tokenizer", "sentencepiece-unigram.model", tok(2, sentencePieceModel(1, true)));
    write("tokenizer", "sentencepiece-bpe.model", tok(2, sentencePieceModel(2, false)));

    std::string vocabTxt;
    for (const auto &w : words)
        vocabTxt += w + "\n";
    write("tokenizer", "vocab.txt", tok(3, vocabTxt));

    // llama2.c tokenizer.bin: max_token_length, then (score, length, bytes) per token.
    std::string bin;
    tt::putLe<std::int32_t>(bin, 8);
    std::vector<std::string> pieces = {"<unk>", "\n<s>\n", "\n</s>\n"};
    for (int b = 0; b < 256; ++b)
        pieces.push_back(std::string("<0x") + "0123456789ABCDEF"[b >> 4] +
                         "0123456789ABCDEF"[b & 15] + ">");
    for (const char *w : {" ", "e", "t", " the", "Hello", " w", "or", "ld", ",", "1", "4"})
        pieces.push_back(w);
    float score = 0.0f;
    for (const auto &p : pieces) {
        tt::putLe<float>(bin, score -= 1.0f);
        tt::putLe<std::int32_t>(bin, static_cast<std::int32_t>(p.size()));
        bin += p;
    }
    write("tokenizer", "tokenizer.bin", tok(4, bin));

    // tiktoken: base64 token, space, rank; every byte plus a few merges.
    std::string tk;
    int rank = 0;
    for (int b = 0; b < 256; ++b)
        tk += base64(std::string(1, static_cast<char>(b))) + " " + std::to_string(rank++) + "\n";
    for (const char *w : {"He", "ll", "Hell", "Hello", " w", "or", " wor", "ld", " world"})
        tk += base64(w) + " " + std::to_string(rank++) + "\n";
    write("tokenizer", "cl100k-cut.tiktoken", tok(5, tk));
}

// ---- weight files ----

// A safetensors file from (name, dtype, shape) entries with generated data.
std::string safetensors(
    const std::vector<std::tuple<std::string, std::string, std::vector<std::int64_t>>> &tensors,
    const json &metadata)
{
    json header = json::object();
    if (!metadata.is_null())
        header["__metadata__"] = metadata;
    std::string data;
    for (const auto &[name, dtype, shape] : tensors) {
        std::int64_t n = 1;
        for (auto d : shape)
            n *= d;
        const int width = dtype == "F32" || dtype == "I32"                    ? 4
                          : dtype == "F64" || dtype == "I64"                  ? 8
                          : dtype == "U8" || dtype == "I8" || dtype == "BOOL" ? 1
                                                                              : 2;
        const std::size_t begin = data.size();
        for (std::int64_t i = 0; i < n; ++i) {
            if (dtype == "F32")
                tt::putLe<float>(data, 0.25f * static_cast<float>(i % 7) - 0.5f);
            else if (dtype == "F16")
                tt::putLe<std::uint16_t>(data, static_cast<std::uint16_t>(0x3800 + i % 5));
            else if (dtype == "BF16")
                tt::putLe<std::uint16_t>(data, static_cast<std::uint16_t>(0x3f00 + i % 9));
            else
                data.append(static_cast<std::size_t>(width), static_cast<char>(i & 0x7f));
        }
        header[name] = {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {begin, data.size()}}};
    }
    std::string h = header.dump();
    h.resize((h.size() + 7) / 8 * 8, ' ');
    std::string out;
    tt::putLe<std::uint64_t>(out, h.size());
    return out + h + data;
}

void weightSeeds()
{
    // The bundled tagger's header, cut to its small tensors (LayerNorms), with generated data.
    const std::string st = readFile(kModels / "terse-tagger" / "model.safetensors");
    std::uint64_t len = 0;
    std::memcpy(&len, st.data(), 8);
    const json header = json::parse(st.substr(8, len));
    std::vector<std::tuple<std::string, std::string, std::vector<std::int64_t>>> small;
    for (const auto &[k, v] : header.items())
        if (k != "__metadata__" && v["shape"].size() == 1 && small.size() < 6)
            small.push_back(
                {k, v["dtype"].get<std::string>(), v["shape"].get<std::vector<std::int64_t>>()});
    write("safetensors", "tagger-layernorms.safetensors",
          safetensors(small, header["__metadata__"]));
    write("safetensors", "dtypes.safetensors",
          safetensors({{"a.f32", "F32", {2, 3}},
                       {"b.f16", "F16", {4}},
                       {"c.bf16", "BF16", {2, 2}},
                       {"d.i64", "I64", {3}},
                       {"e.u8", "U8", {5}},
                       {"f.scalar", "F32", {}},
                       {"g.empty", "F32", {0, 4}}},
                      json{{"format", "pt"}, {"note", "fuzz seed"}}));
    write("safetensors", "no-metadata.safetensors", safetensors({{"w", "F32", {4, 4}}}, nullptr));

    // GGUF: the tiny llama of the tests, a header-only file with every value type, and a gpt2
    // header.
    write("gguf", "tiny-llama.gguf", tt::tinyLlamaGguf().bytes);
    std::vector<tt::GgufKv> kvs = {tt::ggufString("general.architecture", "llama"),
                                   tt::ggufU32("llama.block_count", 1)};
    const auto scalar = [&](const std::string &key, std::uint32_t type, auto v) {
        std::string p;
        tt::putLe(p, v);
        kvs.push_back({key, type, p});
    };
    scalar("t.u8", 0, std::uint8_t{7});
    scalar("t.i8", 1, std::int8_t{-7});
    scalar("t.u16", 2, std::uint16_t{700});
    scalar("t.i16", 3, std::int16_t{-700});
    scalar("t.i32", 5, std::int32_t{-70000});
    scalar("t.bool", 7, std::uint8_t{1});
    scalar("t.u64", 10, std::uint64_t{1} << 40);
    scalar("t.i64", 11, std::int64_t{-1} << 40);
    scalar("t.f64", 12, 0.125);
    std::string arr;
    tt::putLe<std::uint32_t>(arr, 5);
    tt::putLe<std::uint64_t>(arr, 3);
    for (std::int32_t v : {1, 2, 3})
        tt::putLe(arr, v);
    kvs.push_back({"t.array_i32", 9, arr});
    std::string small32;
    for (int i = 0; i < 32; ++i)
        tt::putLe<float>(small32, static_cast<float>(i));
    write("gguf", "value-types.gguf",
          tt::writeGguf(kvs, {{"token_embd.weight", {8, 4}, 0, small32}}).bytes);
    write("gguf", "gpt2-header.gguf",
          tt::writeGguf({tt::ggufString("general.architecture", "gpt2"),
                         tt::ggufU32("gpt2.block_count", 1), tt::ggufU32("gpt2.context_length", 16),
                         tt::ggufU32("gpt2.embedding_length", 8),
                         tt::ggufU32("gpt2.attention.head_count", 2)},
                        {{"position_embd.weight", {8, 4}, 0, small32}})
              .bytes);

    // Tokenizers inside GGUF files (tokenizer.ggml.*): a byte-level BPE and a SentencePiece one.
    const auto strings = [](const std::vector<std::string> &v) {
        std::string p;
        tt::putLe<std::uint32_t>(p, 8);
        tt::putLe<std::uint64_t>(p, v.size());
        for (const auto &x : v)
            tt::putGgufString(p, x);
        return p;
    };
    const auto i32s = [](const std::vector<std::int32_t> &v) {
        std::string p;
        tt::putLe<std::uint32_t>(p, 5);
        tt::putLe<std::uint64_t>(p, v.size());
        for (auto x : v)
            tt::putLe(p, x);
        return p;
    };
    std::string scores;
    tt::putLe<std::uint32_t>(scores, 6);
    tt::putLe<std::uint64_t>(scores, 6);
    for (float x : {0.0f, 0.0f, 0.0f, -1.0f, -2.0f, -3.0f})
        tt::putLe(scores, x);
    write("gguf", "vocab-gpt2.gguf",
          tt::writeGguf(
              {tt::ggufString("tokenizer.ggml.model", "gpt2"),
               tt::ggufString("tokenizer.ggml.pre", "gpt-2"),
               {"tokenizer.ggml.tokens", 9, strings({"a", "b", "ab", "\xC4\xA0", "\xC4\xA0a"})},
               {"tokenizer.ggml.token_type", 9, i32s({1, 1, 1, 1, 3})},
               {"tokenizer.ggml.merges", 9, strings({"a b", "\xC4\xA0 a"})}},
              {})
              .bytes);
    write("gguf", "vocab-llama.gguf",
          tt::writeGguf({tt::ggufString("tokenizer.ggml.model", "llama"),
                         {"tokenizer.ggml.tokens", 9,
                          strings({"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a", "\xE2\x96\x81a"})},
                         {"tokenizer.ggml.scores", 9, scores},
                         {"tokenizer.ggml.token_type", 9, i32s({2, 3, 3, 1, 1, 1})},
                         tt::ggufU32("tokenizer.ggml.bos_token_id", 1)},
                        {})
              .bytes);

    // llama2.c: an unshared and a shared classifier, and a single-layer multi-query config.
    write("llama2c", "unshared.bin", tt::tinyLlama2c());
    tt::Llama2cConfig shared;
    shared.vocabSize = 32;
    shared.layers = 1;
    write("llama2c", "shared.bin", tt::tinyLlama2c(shared));
    tt::Llama2cConfig mqa;
    mqa.dim = 16;
    mqa.heads = 4;
    mqa.kvHeads = 1;
    mqa.layers = 1;
    mqa.vocabSize = 16;
    mqa.seqLen = 8;
    write("llama2c", "mqa.bin", tt::tinyLlama2c(mqa));
}

// ---- model config.json ----

void configSeeds()
{
    const json tagger = json::parse(readFile(kModels / "terse-tagger" / "config.json"));
    write("model_config", "tagger.json", tagger.dump(2));
    json roberta = tagger;
    roberta["model_type"] = "xlm-roberta";
    roberta["architectures"] = {"XLMRobertaForTokenClassification"};
    write("model_config", "xlm-roberta.json", roberta.dump());
    json lm = json::parse(readFile(kModels / "terse-lm" / "config.json"));
    write("model_config", "terse-lm.json", lm.dump());
    json scaled = lm;
    scaled["rope_scaling"] = {{"rope_type", "llama3"},
                              {"factor", 8.0},
                              {"low_freq_factor", 1.0},
                              {"high_freq_factor", 4.0},
                              {"original_max_position_embeddings", 256}};
    write("model_config", "llama-rope-scaling.json", scaled.dump());
    write("model_config", "gpt2.json",
          json{{"model_type", "gpt2"},
               {"n_embd", 192},
               {"n_layer", 2},
               {"n_head", 4},
               {"n_positions", 160},
               {"vocab_size", 8192},
               {"layer_norm_epsilon", 1e-5}}
              .dump());
    write("model_config", "mistral.json",
          json{{"model_type", "mistral"},
               {"hidden_size", 192},
               {"num_hidden_layers", 2},
               {"num_attention_heads", 4},
               {"num_key_value_heads", 2},
               {"intermediate_size", 512},
               {"vocab_size", 8192},
               {"sliding_window", 64},
               {"max_position_embeddings", 160},
               {"rms_norm_eps", 1e-6}}
              .dump());
    write("model_config", "qwen2.json",
          json{{"model_type", "qwen2"},
               {"hidden_size", 192},
               {"num_hidden_layers", 2},
               {"num_attention_heads", 4},
               {"num_key_value_heads", 2},
               {"intermediate_size", 512},
               {"vocab_size", 8192},
               {"tie_word_embeddings", true}}
              .dump());
    write("model_config", "gpt-neox.json",
          json{{"model_type", "gpt_neox"},
               {"hidden_size", 192},
               {"num_hidden_layers", 2},
               {"num_attention_heads", 4},
               {"intermediate_size", 512},
               {"vocab_size", 8192},
               {"rotary_pct", 0.25},
               {"use_parallel_residual", true},
               {"layer_norm_eps", 1e-5}}
              .dump());
}

// ---- JSONL batches ----

void jsonlSeeds()
{
    write("jsonl_batch", "prompts.jsonl",
          "{\"prompt\": \"alpha beta gamma delta epsilon\", \"id\": 7}\n"
          "{\"id\": \"x\", \"prompt\": \"The answer is 14-2=12 bananas. Mr. Smith paid $1,200 "
          "(3.5%).\"}\n\n"
          "{\"prompt\": \"Visit www.example.com/a?b=c, e.g. today! "
          "\xe4\xbd\xa0\xe5\xa5\xbd\xe3\x80\x82 Next\"}\r\n");
    write("jsonl_batch", "structured.jsonl",
          "{\"instruction\": \"Answer.\", \"contexts\": [\"one two three\", \"four five\"], "
          "\"question\": \"Which?\"}\n"
          "{\"id\": 3, \"contexts\": [\"only context\"]}\n");
    write("jsonl_batch", "ids.jsonl",
          "{\"ids\": [1, 2, 3], \"id\": 1}\n{\"ids\": [0, 1073741824]}\n");
    write("jsonl_batch", "bad-lines.jsonl",
          "{\"prompt\": 5}\n[1,2]\n{\"prompt\": \"a\", \"contexts\": []}\n{\"prompt\": "
          "\"\\u0000x\"}\n"
          "{\"prompt\": \"x\", \"id\": null}\n{\"n\": 1e400}\n{\"prompt\": \"\xff\xfe\"}\n{\n");
}

// ---- session export ----

void sessionSeeds()
{
    const fs::path db = g_out / "seed-sessions.sqlite3";
    fs::remove(db);
    {
        auto store = SessionStore::open(db.string());
        if (!store.ok())
            throw std::runtime_error(store.error().detail);
        auto empty = store->exportSessions();
        write("session_import", "empty.json", *empty);
        auto sid = store->createSession("fuzz seed");
        (void)store->setTags(*sid, {"a", "b"});
        (void)store->setNotes(*sid, "notes \xe2\x9c\x93");
        BaselineCompressor random(BaselineCompressor::Kind::Random);
        CompressOptions o;
        o.method = "random";
        o.rate = 0.5;
        const Prompt plain =
            Prompt::fromText("The quick brown fox jumps over the lazy dog, 14-2=12 times.");
        auto r = random.compress(plain, o, JobContext::none());
        if (!r.ok())
            throw std::runtime_error(r.error().detail);
        (void)store->saveRun(*sid, plain, o, ModelIdentity{"none", "", ""}, *r);
        Prompt structured;
        structured.segments = {{SegmentRole::Instruction, "Answer briefly."},
                               {SegmentRole::Context, "Paris is the capital of France."},
                               {SegmentRole::Question, "What is the capital?"}};
        o.rate = 0.3;
        auto r2 = random.compress(structured, o, JobContext::none());
        if (r2.ok())
            (void)store->saveRun(*sid, structured, o, ModelIdentity{}, *r2);
        auto one = store->exportSessions();
        write("session_import", "one-session.json", *one);
        (void)store->createSession("second", true);
        write("session_import", "two-sessions.json", *store->exportSessions());
    } // the store closes its file before it is removed
    for (const char *suffix : {"", "-wal", "-shm"})
        fs::remove(db.string() + suffix);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT\n", argv[0]);
        return 2;
    }
    g_out = argv[1];
    try {
        tokenizerSeeds();
        weightSeeds();
        configSeeds();
        jsonlSeeds();
        sessionSeeds();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fuzz_make_seeds: %s\n", e.what());
        return 1;
    }
    std::printf("seeds written to %s\n", g_out.c_str());
    return 0;
}
