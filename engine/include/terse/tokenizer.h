#pragma once
// Tokenizers: HF tokenizer.json (BPE, WordPiece, Unigram), GPT-2 vocab.json + merges.txt, BERT
// vocab.txt, SentencePiece .model, llama2.c tokenizer.bin and tiktoken rank files, behind one
// value class. Pure C++ (no torch, no Qt).

#include "terse/result.h"
#include "terse/text_units.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace terse {

// How text that spells a special token ("<|endoftext|>", "[CLS]") is treated when encoding.
enum class SpecialText {
    Auto,   // the format's own convention: HF tokenizer.json matches its added tokens;
            // tiktoken, SentencePiece and llama2.c encode the text as ordinary text
    Allow,  // match special-token text and emit the special ids (tiktoken encode(text, "all"))
    AsText, // encode special-token text as ordinary text (tiktoken encode_ordinary); non-special
            // added tokens of a tokenizer.json are still matched
};

// Options of Tokenizer::encode.
struct EncodeOptions {
    bool addSpecial = false;                     // add BOS/CLS/SEP etc. as the post-processor says
    SpecialText specialText = SpecialText::Auto; // see SpecialText
};

// The output of Tokenizer::encode. `spans[i]` is the UTF-8 byte range of the input that token i
// came from, always whole characters: a character split over several tokens (byte fallback,
// byte-level BPE) belongs to the token holding its first byte, the others get empty spans at its
// end. Spans are ordered and disjoint; gaps between them hold only text the tokenizer discards
// (whitespace for WordPiece, removed control characters). Added special tokens get empty spans.
struct Encoding {
    std::vector<std::int32_t> ids;
    std::vector<std::string> tokens; // vocabulary strings (byte-level alphabet for GPT-2-style BPE)
    std::vector<Span> spans;         // byte offsets into the encoded text
    std::vector<std::uint8_t> special; // 1 where the token is a special token
    std::string kind;                  // Tokenizer::kind() of the tokenizer that made it

    std::size_t size() const { return ids.size(); }
};

// Extends each span to the next token's start (the first also to 0, the last to `textSize`), so
// that the spans tile the text: concatenating the text of every span gives the input back.
std::vector<Span> tileSpans(const Encoding &encoding, std::size_t textSize);

// Special token ids; -1 where the tokenizer has none.
struct SpecialIds {
    std::int32_t bos = -1, eos = -1, pad = -1, unk = -1, cls = -1, sep = -1, mask = -1;
};

// A loaded tokenizer. Copies share the immutable vocabulary; all methods are const and safe to
// call from several threads at once.
class Tokenizer {
public:
    // Loads `path`: a tokenizer.json; a folder holding tokenizer.json, vocab.json + merges.txt,
    // vocab.txt (WordPiece) or tokenizer.model (SentencePiece); a *.model SentencePiece file; a
    // *.tiktoken rank file (pattern and specials from the file's name or a sibling NAME.json); or a
    // llama2.c tokenizer.bin. Errors name the file and the problem (FormatError, NotFound,
    // Unsupported).
    static Result<Tokenizer> load(const std::string &path);
    // `load` of a path that exists, else a bundled tiktoken encoding by name ("cl100k_base",
    // "o200k_base": resources/tokenizers/NAME.tiktoken), as --target-tokenizer reads them.
    static Result<Tokenizer> loadPathOrName(const std::string &pathOrName);

    // The tokenizer of a model: `modelPath` is a model folder (its tokenizer files) or a model file
    // with tokenizer.json / tokenizer.model beside it. InvalidInput says why text cannot be
    // tokenized for that model (llama2.c checkpoints carry no tokenizer: pass token ids).
    static Result<Tokenizer> forModel(const std::string &modelPath);

    // Where the tokenizer of a model lives: a folder itself; a GGUF file that carries one (its own
    // wins over files beside it); else tokenizer.json, tokenizer.model, tokenizer.bin or tok*.bin
    // beside the model file; else the file's folder (whose load then says what is missing).
    static std::string pathForModel(const std::string &modelPath);

    // A tiktoken encoding by name ("cl100k_base", "o200k_base", "p50k_base", "r50k_base"): reads
    // NAME.tiktoken from `directory`, or from $TERSE_TIKTOKEN_DIR when `directory` is empty.
    static Result<Tokenizer> fromTiktoken(const std::string &name,
                                          const std::string &directory = {});

    // Encodes UTF-8 text. Fails with InvalidInput (naming the byte offset) on invalid UTF-8.
    Result<Encoding> encode(std::string_view text, const EncodeOptions &options) const;
    Result<Encoding> encode(std::string_view text, bool addSpecial = false) const;

    // Ids only (no token strings or spans): the fast path for counting and batch work.
    Result<std::vector<std::int32_t>> encodeIds(std::string_view text,
                                                const EncodeOptions &options = {}) const;

    // Number of tokens encode() would produce, without building the Encoding.
    Result<std::size_t> countTokens(std::string_view text, const EncodeOptions &options = {}) const;

    // Decodes ids back to text; unknown ids fail with InvalidArgument. Byte sequences that are not
    // valid UTF-8 on their own are kept as raw bytes.
    Result<std::string> decode(const std::vector<std::int32_t> &ids,
                               bool skipSpecial = false) const;

    // Vocabulary size including added tokens (highest id + 1).
    std::size_t vocabSize() const;
    // The vocabulary string of an id ("" when out of range).
    std::string idToToken(std::int32_t id) const;
    // The id of a vocabulary string, or -1.
    std::int32_t tokenToId(std::string_view token) const;
    // True for special (control) tokens.
    bool isSpecial(std::int32_t id) const;
    // BOS/EOS/PAD/UNK/CLS/SEP/MASK ids as far as the file names them.
    SpecialIds specialIds() const;
    // "bpe-bytelevel", "bpe-sentencepiece", "wordpiece", "unigram", "wordlevel", "tiktoken",
    // "llama2c".
    std::string kind() const;
    // Where the tokenizer came from (the file loaded).
    std::string source() const;

    struct Impl;

private:
    explicit Tokenizer(std::shared_ptr<const Impl> impl);
    std::shared_ptr<const Impl> m_impl;
};

} // namespace terse
