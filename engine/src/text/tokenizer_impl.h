#pragma once
// Internal pipeline of terse::Tokenizer, modelled on HF tokenizers: added-token split, normalizer,
// pre-tokenizer, model, post-processor, decoder. Every stage keeps byte alignment to the input.

#include "core/engine_error.h"
#include "terse/tokenizer.h"
#include "text/unicode.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace terse::text {

// Heterogeneous-lookup hash so maps keyed by std::string accept string_view.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept
    {
        return std::hash<std::string_view>{}(s);
    }
};
using StringIdMap = std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>>;

} // namespace terse::text

#ifdef __GLIBCXX__
// libstdc++ stores a node's hash only for hashes it does not deem fast; without it, walking a
// bucket rehashes every string it passes. Vocabulary maps do millions of lookups while a tokenizer
// loads (tiktoken's merges are rebuilt from its ranks): with cached hashes cl100k loads in 73 ms
// instead of 109, o200k in 269 instead of 366 (bench_tokenizer, same machine).
template <> struct std::__is_fast_hash<terse::text::StringHash> : std::false_type {
};
#endif

namespace terse::text {

// Text that went through normalization, with the input byte range every byte came from.
// Identity alignment (no tables) maps byte i to [base + i, base + i + 1).
struct Normalized {
    std::string text;
    std::vector<std::uint32_t> from, to; // per byte of text; empty for identity
    std::size_t base = 0;

    bool identity() const { return from.empty(); }
    std::size_t origBegin(std::size_t i) const { return identity() ? base + i : from[i]; }
    std::size_t origEnd(std::size_t i) const { return identity() ? base + i : to[i - 1]; }
    // Bytes [b, e) as a new Normalized (alignment kept).
    Normalized slice(std::size_t b, std::size_t e) const;
    // Makes the alignment explicit (so bytes can be inserted or replaced).
    void materialize();
};

// Applies `fn(cp, out)` to every character; each output character inherits the input's range.
template <typename Fn> void mapChars(Normalized &n, Fn &&fn);

// A token a model produced: id and byte range in the normalized piece.
struct ModelToken {
    std::int32_t id;
    std::uint32_t begin, end;
};

// Thrown inside the text layer on bad input or data; converted to terse::Error at the API edge.
using TextError =
    detail::EngineError; // the engine's one internal exception type (core/engine_error.h)

class Normalizer {
public:
    virtual ~Normalizer() = default;
    virtual void normalize(Normalized &n) const = 0;
};

// Pre-tokens: byte ranges of normalized texts. Splitting only adds ranges; pre-tokenizers that
// rewrite text (Metaspace, ByteLevel's prefix space) add a new owner text per piece.
struct Pieces {
    struct Ref {
        std::uint32_t owner, begin, end;
    };
    std::vector<Normalized> owners;
    std::vector<Ref> refs;

    std::string_view text(const Ref &r) const
    {
        return std::string_view(owners[r.owner].text).substr(r.begin, r.end - r.begin);
    }
};

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    // Splits every piece further; `first` is true while pieces come from the start of the input.
    virtual void split(Pieces &pieces, bool first) const = 0;
};

class Model {
public:
    virtual ~Model() = default;
    // Tokenizes one pre-token, appending to `out` (offsets relative to `piece.text`).
    virtual void tokenize(std::string_view piece, std::vector<ModelToken> &out) const = 0;
    virtual std::size_t size() const = 0;
    virtual std::int32_t tokenToId(std::string_view token) const = 0;
    virtual const std::string *idToToken(std::int32_t id) const = 0;
};

class Decoder {
public:
    virtual ~Decoder() = default;
    virtual void decode(std::vector<std::string> &tokens) const = 0;
};

// Adds special tokens around an encoded sequence.
struct PostProcessor {
    std::vector<std::int32_t> prefix, suffix;
};

struct AddedToken {
    std::string content;
    std::int32_t id = -1;
    bool special = false, lstrip = false, rstrip = false, singleWord = false, normalized = false;
};

enum class DecodeStyle { Chain, SentencePiece };

} // namespace terse::text

namespace terse {

struct Tokenizer::Impl {
    std::string source;
    std::string kind;
    std::unique_ptr<text::Normalizer> normalizer;
    std::unique_ptr<text::PreTokenizer> preTokenizer;
    std::unique_ptr<text::Model> model;
    std::vector<std::unique_ptr<text::Decoder>> decoders; // applied in order
    bool hasDecoder = false;
    text::DecodeStyle decodeStyle = text::DecodeStyle::Chain;
    text::PostProcessor post;
    std::vector<text::AddedToken> added;
    bool specialTextDefault = true; // SpecialText::Auto matches special tokens
    SpecialIds ids;
    std::int32_t llamaBos =
        -1; // llama2.c / SentencePiece: strip the space after this id when decoding

    // Derived after loading.
    std::unordered_map<std::int32_t, std::size_t> addedById;
    text::StringIdMap addedByContent;
    bool firstByte[256] = {};
    std::size_t vocabSize = 0;

    void finish(); // fills the derived tables
};

} // namespace terse

namespace terse::text {

// Pipeline builders used by the loaders (pipeline.cpp).
std::unique_ptr<Normalizer> makeBertNormalizer(bool cleanText, bool chinese, bool stripAccents,
                                               bool lowercase);
std::unique_ptr<Normalizer> makeLowercase();
std::unique_ptr<Normalizer> makeUnicodeNormalizer(bool compose); // NFC (true) / NFD (false)
std::unique_ptr<Normalizer> makeStripAccents();
std::unique_ptr<Normalizer> makeStrip(bool left, bool right);
std::unique_ptr<Normalizer> makeReplace(std::string pattern, std::string content, bool regex);
std::unique_ptr<Normalizer> makePrepend(std::string prefix);
std::unique_ptr<Normalizer> makePrecompiled(std::string charsmap);
// SentencePiece's own whitespace handling: collapse/strip spaces, dummy prefix, escape to U+2581.
std::unique_ptr<Normalizer> makeSentencePieceNormalizer(std::string charsmap, bool addDummyPrefix,
                                                        bool removeExtraWhitespace,
                                                        bool escapeWhitespace);
std::unique_ptr<Normalizer> makeNormalizerSequence(std::vector<std::unique_ptr<Normalizer>> items);

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
// The GPT-2 pre-tokenization regex, and cl100k's (Llama 3's).
extern const char kGpt2Pattern[];
extern const char kCl100kPattern[];
std::unique_ptr<PreTokenizer> makeSplit(std::string pattern, bool regex, SplitBehavior behavior,
                                        bool invert);
std::unique_ptr<PreTokenizer> makeByteLevelPre(bool addPrefixSpace, bool useRegex);
std::unique_ptr<PreTokenizer> makeDigits(bool individual);
std::unique_ptr<PreTokenizer> makeWhitespace();
std::unique_ptr<PreTokenizer> makeWhitespaceSplit();
std::unique_ptr<PreTokenizer> makeBertPre();
std::unique_ptr<PreTokenizer> makePunctuation(SplitBehavior behavior);
std::unique_ptr<PreTokenizer> makeMetaspacePre(std::string replacement,
                                               int prependScheme /*0 never,1 first,2 always*/,
                                               bool split);
// Splits before each run of spaces that follows a non-space (SentencePiece word boundaries).
std::unique_ptr<PreTokenizer> makeSpaceWordSplit(std::string space);
std::unique_ptr<PreTokenizer>
makePreTokenizerSequence(std::vector<std::unique_ptr<PreTokenizer>> items);

std::unique_ptr<Decoder> makeByteLevelDecoder();
std::unique_ptr<Decoder> makeWordPieceDecoder(std::string prefix, bool cleanup);
std::unique_ptr<Decoder> makeMetaspaceDecoder(std::string replacement, bool stripFirst);
std::unique_ptr<Decoder> makeByteFallbackDecoder();
std::unique_ptr<Decoder> makeFuseDecoder();
std::unique_ptr<Decoder> makeStripDecoder(std::string content, int start, int stop);
std::unique_ptr<Decoder> makeReplaceDecoder(std::string pattern, std::string content);
std::unique_ptr<Decoder> makeBpeSuffixDecoder(std::string suffix);

// Models (models.cpp).
enum class BpeInit { ByteLevel, Chars };
struct BpeConfig {
    StringIdMap vocab;
    std::vector<std::pair<std::string, std::string>> merges; // in rank order (HF / GPT-2)
    BpeInit init = BpeInit::Chars;
    std::int32_t unk = -1;
    bool fuseUnk = false, byteFallback = false, ignoreMerges = false;
    std::string continuingPrefix, endOfWordSuffix;
};
std::unique_ptr<Model> makeBpe(BpeConfig config, const std::string &file);
// BPE that merges the adjacent pair whose concatenation is a token with the best priority:
// tiktoken (priority = rank, lower first) and SentencePiece/llama2.c (priority = score, higher
// first). `priority[i]` orders token i (lower merges first); entries < 0 never result from a merge.
std::unique_ptr<Model> makeConcatBpe(std::vector<std::string> tokens, std::vector<double> priority,
                                     BpeInit init, std::int32_t unk, bool byteFallback);
std::unique_ptr<Model> makeWordPiece(StringIdMap vocab, std::int32_t unk, std::string prefix,
                                     std::size_t maxChars);
std::unique_ptr<Model> makeUnigram(std::vector<std::string> pieces, std::vector<double> scores,
                                   std::int32_t unk, bool byteFallback);
std::unique_ptr<Model> makeWordLevel(StringIdMap vocab, std::int32_t unk);

// GPT-2's byte <-> printable character mapping.
const std::string &byteToUnicode(unsigned char b);
// The byte a GPT-2 byte-level character stands for, or -1.
int unicodeToByte(char32_t cp);

// Loaders (loaders.cpp, hf_json.cpp).
std::shared_ptr<Tokenizer::Impl> loadHfJson(const std::string &path);
std::shared_ptr<Tokenizer::Impl> loadGpt2Files(const std::string &vocabPath,
                                               const std::string &mergesPath);
std::shared_ptr<Tokenizer::Impl> loadVocabTxt(const std::string &path, bool lowercase);
std::shared_ptr<Tokenizer::Impl> loadSentencePiece(const std::string &path);
// A SentencePiece model from its pieces, scores and types (1 normal, 2 unknown, 3 control, 4
// user-defined, 5 unused, 6 byte) and normalizer settings: a tokenizer.model's or a GGUF's.
struct SentencePieceSpec {
    bool unigram = false, byteFallback = false;
    std::int64_t unk = 0, bos = 1, eos = 2, pad = -1; // out-of-range ids mean none
    bool addBos = true;
    std::string charsmap;
    bool addDummyPrefix = true, removeExtraWhitespace = true, escapeWhitespace = true;
};
std::shared_ptr<Tokenizer::Impl> buildSentencePiece(const std::string &source,
                                                    std::vector<std::string> pieces,
                                                    std::vector<double> scores,
                                                    const std::vector<int> &types,
                                                    const SentencePieceSpec &spec);
std::shared_ptr<Tokenizer::Impl> loadLlama2c(const std::string &path);
// A llama2.c tokenizer.bin as stored: tokens (spaces as spaces, bytes as "<0xXX>") and scores.
struct Llama2cVocab {
    std::vector<std::string> tokens;
    std::vector<float> scores;
};
Llama2cVocab readLlama2cVocab(const std::string &path);
std::shared_ptr<Tokenizer::Impl> loadTiktoken(const std::string &path, const std::string &name);
std::string readFile(const std::string &path, std::size_t maxBytes = 512u << 20);

// Maps every character of `n` through `fn(cp, out)` (appending its replacement code points),
// keeping the byte map to the original text. `ascii(c)` is the fast path of an ASCII byte: the
// output byte, -1 to drop it, or -2 to pass it to `fn` like any other character.
template <typename Fn, typename Ascii> void mapChars(Normalized &n, Fn &&fn, Ascii &&ascii)
{
    const std::string &s = n.text;
    std::string out;
    std::vector<std::uint32_t> from, to;
    out.reserve(s.size() + 8);
    from.reserve(s.size() + 8);
    to.reserve(s.size() + 8);
    std::u32string buf;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            const int o = ascii(c);
            if (o == -1) {
                ++i;
                continue;
            }
            if (o >= 0) {
                out.push_back(static_cast<char>(o));
                from.push_back(static_cast<std::uint32_t>(n.origBegin(i)));
                to.push_back(static_cast<std::uint32_t>(n.origEnd(i + 1)));
                ++i;
                continue;
            }
        }
        char32_t cp;
        const std::size_t len = decodeUtf8Lenient(s, i, cp);
        buf.clear();
        fn(cp, buf);
        const auto b = static_cast<std::uint32_t>(n.origBegin(i));
        const auto e = static_cast<std::uint32_t>(n.origEnd(i + len));
        for (char32_t o : buf) {
            const std::size_t before = out.size();
            appendUtf8(out, o);
            from.insert(from.end(), out.size() - before, b);
            to.insert(to.end(), out.size() - before, e);
        }
        i += len;
    }
    n.text = std::move(out);
    n.from = std::move(from);
    n.to = std::move(to);
}

// Every character through `fn` (normalizers without an ASCII fast path; the tests of pieces).
template <typename Fn> void mapChars(Normalized &n, Fn &&fn)
{
    mapChars(n, std::forward<Fn>(fn), [](unsigned char) { return -2; });
}

} // namespace terse::text
