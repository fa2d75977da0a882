// Tokenizers inside GGUF files: see gguf_vocab.h. Key names and token types follow gguf.md and
// llama.cpp's llama-vocab.cpp; the pre-tokenizer regex sets are llama.cpp's for each name.
#include "text/gguf_vocab.h"

#include "text/tokenizer_impl.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>

namespace terse::text {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr std::int64_t kMaxVocab = std::int64_t(1) << 22; // config.json's bound on vocab_size
const std::string kSpace = "\xE2\x96\x81";                // SentencePiece's U+2581

// Qwen2's split: cl100k's with single digits (llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_QWEN2).
const char kQwen2Pattern[] = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
                             "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// The pre-tokenizer families Terse rebuilds, each under llama.cpp's names for it.
enum class Pre { Gpt2, DigitsThenGpt2, Qwen2, Llama3 };
const std::map<std::string, Pre> &preByName()
{
    static const std::map<std::string, Pre> m = {{"gpt-2", Pre::Gpt2},
                                                 {"phi-2", Pre::Gpt2},
                                                 {"mpt", Pre::Gpt2},
                                                 {"olmo", Pre::Gpt2},
                                                 {"smollm", Pre::DigitsThenGpt2},
                                                 {"starcoder", Pre::DigitsThenGpt2},
                                                 {"refact", Pre::DigitsThenGpt2},
                                                 {"codeshell", Pre::DigitsThenGpt2},
                                                 {"qwen2", Pre::Qwen2},
                                                 {"stablelm2", Pre::Qwen2},
                                                 {"deepseek-r1-qwen", Pre::Qwen2},
                                                 {"llama-bpe", Pre::Llama3},
                                                 {"llama3", Pre::Llama3},
                                                 {"llama-v3", Pre::Llama3}};
    return m;
}

[[noreturn]] void badKey(const GgufMetadata &m, const std::string &key, const std::string &what)
{
    throw TextError{ErrorCode::FormatError,
                    "GGUF tokenizer of '" + m.source + "': key '" + key + "' " + what};
}

std::string metaString(const GgufMetadata &m, const std::string &key, const std::string &fallback)
{
    const MetaValue *v = meta(m, key);
    if (!v)
        return fallback;
    if (v->kind != MetaValue::Kind::String)
        badKey(m, key, "must be a string, got another type");
    return v->text;
}

bool metaBool(const GgufMetadata &m, const std::string &key, bool fallback)
{
    const MetaValue *v = meta(m, key);
    if (!v)
        return fallback;
    if (v->kind != MetaValue::Kind::Bool && v->kind != MetaValue::Kind::Integer)
        badKey(m, key, "must be a bool, got another type");
    return v->integer != 0;
}

// A numeric array of exactly `n` entries, or empty when absent.
const std::vector<double> *metaNumbers(const GgufMetadata &m, const std::string &key, std::size_t n)
{
    const MetaValue *v = meta(m, key);
    if (!v)
        return nullptr;
    if (v->kind != MetaValue::Kind::NumberArray)
        badKey(m, key, "must be an array of numbers, got another type");
    if (v->numbers.size() != n)
        badKey(m, key,
               "has " + std::to_string(v->numbers.size()) + " entries, tokenizer.ggml.tokens " +
                   std::to_string(n));
    return &v->numbers;
}

// A special token id: -1 when absent or outside the vocabulary (converters write such ids for
// "none"; nothing is looked up with them).
std::int32_t specialId(const GgufMetadata &m, const std::string &key, std::size_t n)
{
    const std::int64_t id = metaInt(m, key, -1, std::numeric_limits<std::int64_t>::min(),
                                    std::numeric_limits<std::int64_t>::max());
    return id >= 0 && id < static_cast<std::int64_t>(n) ? static_cast<std::int32_t>(id) : -1;
}

void addSpecialToken(Tokenizer::Impl &impl, std::int32_t id, const std::string &content,
                     bool special)
{
    AddedToken t;
    t.id = id;
    t.content = content;
    t.special = special;
    impl.added.push_back(std::move(t));
}

// The GGUF pre-tokenizer name of a tokenizer.json pre-tokenizer (and normalizer), or "" when
// llama.cpp has no name for it.
std::string preNameOf(const Json &pre, const Json &normalizer)
{
    auto byteLevel = [](const Json &j, bool regex) {
        return j.is_object() && j.value("type", "") == "ByteLevel" &&
               !j.value("add_prefix_space", false) && j.value("use_regex", true) == regex;
    };
    auto splitPattern = [](const Json &j) -> std::string {
        if (!j.is_object() || j.value("type", "") != "Split" ||
            j.value("behavior", "") != "Isolated" || j.value("invert", false) ||
            !j.contains("pattern") || !j["pattern"].is_object() ||
            !j["pattern"].contains("Regex") || !j["pattern"]["Regex"].is_string())
            return {};
        return j["pattern"]["Regex"].get<std::string>();
    };
    const bool nfc = normalizer.is_object() && normalizer.value("type", "") == "NFC";
    if (!normalizer.is_null() && !nfc)
        return {};
    if (byteLevel(pre, true))
        return nfc ? "" : "gpt-2";
    if (!pre.is_object() || pre.value("type", "") != "Sequence" || !pre.contains("pretokenizers") ||
        !pre["pretokenizers"].is_array() || pre["pretokenizers"].size() != 2)
        return {};
    const Json &a = pre["pretokenizers"][0], &b = pre["pretokenizers"][1];
    if (!nfc && a.is_object() && a.value("type", "") == "Digits" &&
        a.value("individual_digits", false) && byteLevel(b, true))
        return "smollm";
    const std::string p = splitPattern(a);
    if (!byteLevel(b, false) || p.empty())
        return {};
    if (p == kQwen2Pattern)
        return "qwen2";
    if (p == kCl100kPattern && !nfc)
        return "llama-bpe";
    return {};
}

// The id of the BOS token a post-processor puts first (TemplateProcessing, alone or in a Sequence),
// or -1.
std::int32_t templateBos(const Json &post, const std::map<std::string, std::int32_t> &ids)
{
    if (!post.is_object())
        return -1;
    if (post.value("type", "") == "Sequence" && post.contains("processors") &&
        post["processors"].is_array()) {
        for (const Json &p : post["processors"])
            if (const auto id = templateBos(p, ids); id >= 0)
                return id;
        return -1;
    }
    if (post.value("type", "") != "TemplateProcessing" || !post.contains("single") ||
        !post["single"].is_array() || post["single"].empty())
        return -1;
    const Json &first = post["single"][0];
    if (!first.is_object() || !first.contains("SpecialToken") ||
        !first["SpecialToken"].is_object() || !first["SpecialToken"].contains("id") ||
        !first["SpecialToken"]["id"].is_string())
        return -1;
    auto it = ids.find(first["SpecialToken"]["id"].get<std::string>());
    return it == ids.end() ? -1 : it->second;
}

GgufVocab describeTokenizerJson(const std::string &path)
{
    auto unsupported = [&](const std::string &what) {
        throw TextError{ErrorCode::Unsupported,
                        path + ": " + what +
                            "; a GGUF can carry a byte-level BPE whose pre-tokenizer llama.cpp "
                            "names (GPT-2, SmolLM, Qwen2, Llama 3) or a llama2.c vocabulary"};
    };
    const Json j = Json::parse(readFile(path), nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw TextError{ErrorCode::FormatError, path + ": not a JSON object"};
    const Json model = j.value("model", Json());
    if (!model.is_object() || model.value("type", "") != "BPE")
        unsupported("the model is not BPE (it is '" +
                    (model.is_object() ? model.value("type", "?") : std::string("?")) + "')");
    auto affix = [&](const char *key) {
        const Json a = model.value(key, Json());
        return !a.is_null() && !(a.is_string() && a.get<std::string>().empty());
    };
    if (model.value("byte_fallback", false) || affix("continuing_subword_prefix") ||
        affix("end_of_word_suffix"))
        unsupported("a BPE with byte fallback or word affixes is not byte-level");
    const std::string pre =
        preNameOf(j.value("pre_tokenizer", Json()), j.value("normalizer", Json()));
    if (pre.empty())
        unsupported("its pre-tokenizer " + j.value("pre_tokenizer", Json()).dump().substr(0, 160) +
                    " has no llama.cpp name");
    if (!model.contains("vocab") || !model["vocab"].is_object())
        throw TextError{ErrorCode::FormatError, path + ": model.vocab is not an object"};
    std::map<std::string, std::int32_t> ids;
    std::int64_t size = 0;
    auto note = [&](const std::string &token, const Json &id) {
        if (!id.is_number_integer() || id.get<std::int64_t>() < 0 ||
            id.get<std::int64_t>() >= kMaxVocab)
            throw TextError{ErrorCode::FormatError,
                            path + ": token '" + token + "' has no id in [0, 2^22)"};
        ids[token] = id.get<std::int32_t>();
        size = std::max(size, id.get<std::int64_t>() + 1);
    };
    for (auto it = model["vocab"].begin(); it != model["vocab"].end(); ++it)
        note(it.key(), it.value());
    std::map<std::int32_t, bool> added; // id -> special
    if (j.contains("added_tokens") && j["added_tokens"].is_array())
        for (const Json &t : j["added_tokens"]) {
            if (!t.is_object() || !t.contains("content") || !t["content"].is_string())
                throw TextError{ErrorCode::FormatError,
                                path + ": an added token has no string content"};
            note(t["content"].get<std::string>(), t.value("id", Json()));
            added[ids[t["content"].get<std::string>()]] = t.value("special", false);
        }
    GgufVocab v;
    v.model = "gpt2";
    v.pre = pre;
    v.tokens.resize(static_cast<std::size_t>(size));
    v.types.assign(static_cast<std::size_t>(size), kTokenUnused);
    for (const auto &[token, id] : ids) {
        v.tokens[static_cast<std::size_t>(id)] = token;
        auto a = added.find(id);
        v.types[static_cast<std::size_t>(id)] =
            a == added.end() ? kTokenNormal : (a->second ? kTokenControl : kTokenUserDefined);
    }
    for (std::size_t i = 0; i < v.tokens.size(); ++i)
        if (v.types[i] == kTokenUnused) // a gap in the ids, named as convert_hf_to_gguf.py does
            v.tokens[i] = "[PAD" + std::to_string(i) + "]";
    const Json merges = model.value("merges", Json::array());
    if (!merges.is_array() || merges.empty())
        throw TextError{ErrorCode::FormatError, path + ": model.merges is missing or empty"};
    for (const Json &m : merges) {
        if (m.is_string())
            v.merges.push_back(m.get<std::string>());
        else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())
            v.merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
        else
            throw TextError{ErrorCode::FormatError,
                            path + ": a merge is neither \"a b\" nor [\"a\", \"b\"]"};
    }
    if (auto it = ids.find("<|endoftext|>"); it != ids.end())
        v.bos = v.eos = it->second;
    if (const auto bos = templateBos(j.value("post_processor", Json()), ids); bos >= 0) {
        v.bos = bos;
        v.addBos = true;
    }
    return v;
}

GgufVocab describeLlama2c(const std::string &path)
{
    Llama2cVocab l = readLlama2cVocab(path);
    GgufVocab v;
    v.model = "llama";
    v.scores = l.scores;
    v.tokens.reserve(l.tokens.size());
    for (std::size_t i = 0; i < l.tokens.size(); ++i) {
        // run.c: 0 <unk>, 1 BOS, 2 EOS, 3..258 the bytes 0..255; the rest use plain spaces where a
        // SentencePiece vocabulary writes U+2581.
        if (i < 3) {
            v.tokens.push_back(i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
            v.types.push_back(i == 0 ? kTokenUnknown : kTokenControl);
            continue;
        }
        std::string t;
        for (const char c : l.tokens[i])
            t += c == ' ' ? kSpace : std::string(1, c);
        const bool byte = i < 259 && t.size() == 6 && t.rfind("<0x", 0) == 0 && t.back() == '>';
        v.tokens.push_back(std::move(t));
        v.types.push_back(byte ? kTokenByte : kTokenNormal);
    }
    v.unk = 0;
    v.bos = 1;
    v.eos = 2;
    v.addBos = true;
    v.addSpacePrefix = true;
    return v;
}

} // namespace

const std::vector<std::string> &ggufPreNames()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto &[name, pre] : preByName())
            n.push_back(name);
        return n;
    }();
    return names;
}

GgufVocab ggufVocabFromMetadata(const GgufMetadata &m)
{
    GgufVocab v;
    v.model = metaString(m, "tokenizer.ggml.model", "");
    if (v.model.empty())
        throw TextError{ErrorCode::NotFound,
                        "'" + m.source +
                            "' carries no tokenizer (no tokenizer.ggml.model): put the "
                            "model's tokenizer.json beside it"};
    if (v.model != "gpt2" && v.model != "llama")
        throw TextError{ErrorCode::Unsupported,
                        "GGUF tokenizer of '" + m.source + "': tokenizer.ggml.model '" +
                            v.model.substr(0, 40) +
                            "' is not supported (gpt2 and llama are): put the model's "
                            "tokenizer.json beside the file"};
    const MetaValue *tokens = meta(m, "tokenizer.ggml.tokens");
    if (!tokens || tokens->kind != MetaValue::Kind::StringArray || tokens->strings.empty())
        badKey(m, "tokenizer.ggml.tokens", "must be a non-empty array of strings");
    if (static_cast<std::int64_t>(tokens->strings.size()) > kMaxVocab)
        badKey(m, "tokenizer.ggml.tokens",
               "holds " + std::to_string(tokens->strings.size()) +
                   " tokens, at most 2^22 expected");
    v.tokens = tokens->strings;
    const std::size_t n = v.tokens.size();
    v.types.assign(n, kTokenNormal);
    if (const auto *types = metaNumbers(m, "tokenizer.ggml.token_type", n))
        for (std::size_t i = 0; i < n; ++i) {
            const double t = (*types)[i];
            if (t != static_cast<double>(static_cast<int>(t)) || t < 0 || t > kTokenByte)
                badKey(m, "tokenizer.ggml.token_type",
                       "entry " + std::to_string(i) + " is " + Json(t).dump() +
                           ", expected a token type 0-6");
            v.types[i] = t == 0 ? kTokenNormal : static_cast<std::int32_t>(t);
        }
    v.scores.assign(n, 0.0f);
    if (const auto *scores = metaNumbers(m, "tokenizer.ggml.scores", n))
        for (std::size_t i = 0; i < n; ++i)
            v.scores[i] = static_cast<float>((*scores)[i]);
    v.bos = specialId(m, "tokenizer.ggml.bos_token_id", n);
    v.eos = specialId(m, "tokenizer.ggml.eos_token_id", n);
    v.unk = specialId(m, "tokenizer.ggml.unknown_token_id", n);
    v.pad = specialId(m, "tokenizer.ggml.padding_token_id", n);
    v.addBos = metaBool(m, "tokenizer.ggml.add_bos_token", v.model == "llama");
    v.addSpacePrefix = metaBool(m, "tokenizer.ggml.add_space_prefix", true);
    if (v.model == "gpt2") {
        v.pre = metaString(m, "tokenizer.ggml.pre", "");
        if (!preByName().count(v.pre)) {
            std::string known;
            for (const auto &name : ggufPreNames())
                known += (known.empty() ? "" : ", ") + name;
            throw TextError{ErrorCode::Unsupported,
                            "GGUF tokenizer of '" + m.source + "': tokenizer.ggml.pre '" +
                                (v.pre.empty() ? std::string("(none)") : v.pre.substr(0, 40)) +
                                "' is not one Terse rebuilds (" + known +
                                "): put the model's tokenizer.json beside the file"};
        }
        const MetaValue *merges = meta(m, "tokenizer.ggml.merges");
        if (!merges || merges->kind != MetaValue::Kind::StringArray || merges->strings.empty())
            badKey(m, "tokenizer.ggml.merges", "must be a non-empty array of strings");
        if (merges->strings.size() > (std::size_t(1) << 24))
            badKey(m, "tokenizer.ggml.merges",
                   "holds " + std::to_string(merges->strings.size()) +
                       " merges, at most 2^24 expected");
        v.merges = merges->strings;
        for (std::size_t i = 0; i < v.merges.size(); ++i) {
            const auto sp = v.merges[i].find(' ', 1);
            if (sp == std::string::npos || sp + 1 >= v.merges[i].size())
                badKey(m, "tokenizer.ggml.merges",
                       "entry " + std::to_string(i) + " is not two tokens separated by a space");
        }
    }
    return v;
}

std::shared_ptr<Tokenizer::Impl> loadGgufTokenizer(const std::string &path)
{
    return buildGgufTokenizer(ggufVocabFromMetadata(readGgufFile(path).metadata), path);
}

std::shared_ptr<Tokenizer::Impl> buildGgufTokenizer(const GgufVocab &v, const std::string &source)
{
    const std::size_t n = v.tokens.size();
    if (v.model == "llama") {
        SentencePieceSpec spec;
        spec.byteFallback = std::find(v.types.begin(), v.types.end(), kTokenByte) != v.types.end();
        spec.unk = v.unk;
        spec.bos = v.bos;
        spec.eos = v.eos;
        spec.pad = v.pad;
        spec.addBos = v.addBos;
        spec.addDummyPrefix = v.addSpacePrefix;
        spec.removeExtraWhitespace = false; // llama.cpp's SPM keeps every space
        std::vector<double> scores(v.scores.begin(), v.scores.end());
        std::vector<int> types(v.types.begin(), v.types.end());
        return buildSentencePiece(source, v.tokens, std::move(scores), types, spec);
    }
    BpeConfig cfg;
    cfg.init = BpeInit::ByteLevel;
    for (std::size_t i = 0; i < n; ++i)
        cfg.vocab.emplace(v.tokens[i], static_cast<std::int32_t>(i)); // the first of duplicates
    for (std::size_t i = 0; i < v.merges.size(); ++i) {
        const std::string &m = v.merges[i];
        const auto sp = m.find(' ', 1);
        if (sp == std::string::npos || sp + 1 >= m.size())
            throw TextError{ErrorCode::FormatError, "GGUF tokenizer of '" + source + "': merge " +
                                                        std::to_string(i) +
                                                        " is not two tokens separated by a space"};
        cfg.merges.emplace_back(m.substr(0, sp), m.substr(sp + 1));
    }
    auto impl = std::make_shared<Tokenizer::Impl>();
    impl->source = source;
    impl->kind = "bpe-bytelevel";
    impl->model = makeBpe(std::move(cfg), source);
    const Pre pre = preByName().at(v.pre);
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    switch (pre) {
    case Pre::Gpt2:
        impl->preTokenizer = makeByteLevelPre(false, true);
        break;
    case Pre::DigitsThenGpt2:
        steps.push_back(makeDigits(true));
        steps.push_back(makeByteLevelPre(false, true));
        impl->preTokenizer = makePreTokenizerSequence(std::move(steps));
        break;
    case Pre::Qwen2:
    case Pre::Llama3:
        steps.push_back(makeSplit(pre == Pre::Qwen2 ? kQwen2Pattern : kCl100kPattern, true,
                                  SplitBehavior::Isolated, false));
        steps.push_back(makeByteLevelPre(false, false));
        impl->preTokenizer = makePreTokenizerSequence(std::move(steps));
        break;
    }
    if (pre ==
        Pre::Qwen2) // Qwen2's tokenizer.json normalizes to NFC (transformers does; llama.cpp not)
        impl->normalizer = makeUnicodeNormalizer(true);
    impl->decoders.push_back(makeByteLevelDecoder());
    impl->hasDecoder = true;
    for (std::size_t i = 0; i < n; ++i)
        if (v.types[i] == kTokenControl || v.types[i] == kTokenUserDefined)
            addSpecialToken(*impl, static_cast<std::int32_t>(i), v.tokens[i],
                            v.types[i] == kTokenControl);
    impl->ids.bos = v.bos;
    impl->ids.eos = v.eos;
    impl->ids.unk = v.unk;
    impl->ids.pad = v.pad;
    if (v.addBos && v.bos >= 0)
        impl->post.prefix = {v.bos};
    impl->finish();
    return impl;
}

GgufVocab describeTokenizerForGguf(const std::string &path)
{
    std::error_code ec;
    const fs::path p(path);
    if (fs::is_directory(p, ec)) {
        if (fs::exists(p / "tokenizer.json", ec))
            return describeTokenizerJson((p / "tokenizer.json").string());
        if (fs::exists(p / "tokenizer.bin", ec))
            return describeLlama2c((p / "tokenizer.bin").string());
        throw TextError{ErrorCode::NotFound,
                        path + ": no tokenizer.json or llama2.c tokenizer.bin in this folder"};
    }
    if (!fs::exists(p, ec))
        throw TextError{ErrorCode::NotFound, path + ": no such file or folder"};
    const std::string ext = p.extension().string();
    if (ext == ".json")
        return describeTokenizerJson(path);
    if (ext == ".bin")
        return describeLlama2c(path);
    if (ext == ".gguf")
        return ggufVocabFromMetadata(readGgufFile(path).metadata);
    throw TextError{ErrorCode::Unsupported,
                    path + ": only a tokenizer.json, a llama2.c tokenizer.bin or a GGUF's "
                           "tokenizer can be written into a GGUF"};
}

} // namespace terse::text
