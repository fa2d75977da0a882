#pragma once
// Tokenizers inside GGUF files (gguf.md, "tokenizer.ggml.*"): the vocabulary a GGUF carries read
// into a Tokenizer, so a .gguf needs no tokenizer file beside it, and a tokenizer described as
// those keys for `terse export`. Two of llama.cpp's models: "gpt2" (byte-level BPE with merges,
// pre-tokenized by a named regex set) and "llama" (SentencePiece BPE with scores and byte
// fallback).

#include "terse/tokenizer.h"
#include "core/gguf_file.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace terse::text {

// GGUF token types (llama.cpp's llama_token_type).
enum GgufTokenType : std::int32_t {
    kTokenNormal = 1,
    kTokenUnknown = 2,
    kTokenControl = 3,
    kTokenUserDefined = 4,
    kTokenUnused = 5,
    kTokenByte = 6,
};

struct GgufVocab {
    std::string model; // "gpt2" or "llama"
    std::string pre;   // gpt2: pre-tokenizer name ("gpt-2", "smollm", "qwen2", "llama-bpe")
    std::vector<std::string> tokens; // by id
    std::vector<std::int32_t> types; // by id (GgufTokenType)
    std::vector<float> scores;       // llama: by id
    std::vector<std::string> merges; // gpt2: "left right", in rank order
    std::int32_t bos = -1, eos = -1, unk = -1, pad = -1;
    bool addBos = false;
    bool addSpacePrefix = true; // llama: the SentencePiece dummy prefix
};

// The pre-tokenizer names a "gpt2" vocabulary may carry, in llama.cpp's spelling.
const std::vector<std::string> &ggufPreNames();

// Reads and checks the tokenizer keys (types, lengths, ids in range). FormatError naming the key;
// Unsupported for another tokenizer model or pre-tokenizer, naming it.
GgufVocab ggufVocabFromMetadata(const GgufMetadata &m);

// The tokenizer a GGUF carries.
std::shared_ptr<Tokenizer::Impl> loadGgufTokenizer(const std::string &path);
std::shared_ptr<Tokenizer::Impl> buildGgufTokenizer(const GgufVocab &v, const std::string &source);

// A tokenizer file described as GGUF keys: a tokenizer.json of a byte-level BPE whose pre-tokenizer
// llama.cpp names, a llama2.c tokenizer.bin, or a .gguf's own. Others are Unsupported, naming what
// they are.
GgufVocab describeTokenizerForGguf(const std::string &path);

} // namespace terse::text
