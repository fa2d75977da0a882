// HF tokenizers tokenizer.json loader: builds the pipeline from the JSON description.
#include "text/tokenizer_impl.h"

#include "core/base64.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace terse::text {

namespace {

using Json = nlohmann::json;

constexpr int kMaxJsonDepth = 64;

// Rejects JSON nested deeper than kMaxJsonDepth before parsing (nlohmann recurses per level).
void checkDepth(const std::string &text, const std::string &path)
{
    int depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth)
                throw TextError{ErrorCode::FormatError, path + ": JSON nested deeper than " +
                                                            std::to_string(kMaxJsonDepth) +
                                                            " levels at byte " + std::to_string(i)};
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
}

struct Ctx {
    std::string path;
    [[noreturn]] void bad(const std::string &what) const
    {
        throw TextError{ErrorCode::FormatError, path + ": " + what};
    }
    [[noreturn]] void unsupported(const std::string &what) const
    {
        throw TextError{ErrorCode::Unsupported, path + ": " + what};
    }
};

std::string str(const Json &j, const char *key, const std::string &fallback = {})
{
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}
bool flag(const Json &j, const char *key, bool fallback)
{
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}
std::string typeOf(const Json &j, const Ctx &c, const char *what)
{
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        c.bad(std::string(what) + " has no \"type\"");
    return j["type"].get<std::string>();
}

// {"String": "x"} or {"Regex": "x"}: returns the pattern and whether it is a regex.
std::pair<std::string, bool> pattern(const Json &j, const Ctx &c, const char *what)
{
    if (j.is_object()) {
        if (j.contains("String") && j["String"].is_string())
            return {j["String"].get<std::string>(), false};
        if (j.contains("Regex") && j["Regex"].is_string())
            return {j["Regex"].get<std::string>(), true};
    }
    if (j.is_string())
        return {j.get<std::string>(), false};
    c.bad(std::string(what) + " has no String/Regex pattern");
}

SplitBehavior behavior(const Json &j, const Ctx &c)
{
    const std::string b = str(j, "behavior", "Isolated");
    if (b == "Removed")
        return SplitBehavior::Removed;
    if (b == "Isolated")
        return SplitBehavior::Isolated;
    if (b == "MergedWithPrevious")
        return SplitBehavior::MergedWithPrevious;
    if (b == "MergedWithNext")
        return SplitBehavior::MergedWithNext;
    if (b == "Contiguous")
        return SplitBehavior::Contiguous;
    c.bad("unknown split behavior '" + b + "'");
}

std::string base64Decode(const std::string &in, const Ctx &c)
{
    auto out = detail::base64Decode(in);
    if (!out)
        c.bad("invalid base64 in precompiled_charsmap");
    return std::move(*out);
}

std::unique_ptr<Normalizer> normalizer(const Json &j, const Ctx &c)
{
    if (j.is_null())
        return nullptr;
    const std::string t = typeOf(j, c, "normalizer");
    if (t == "Sequence") {
        std::vector<std::unique_ptr<Normalizer>> items;
        for (const Json &n : j.value("normalizers", Json::array()))
            if (auto p = normalizer(n, c))
                items.push_back(std::move(p));
        return makeNormalizerSequence(std::move(items));
    }
    if (t == "BertNormalizer") {
        const bool lower = flag(j, "lowercase", true);
        const bool strip = j.contains("strip_accents") && j["strip_accents"].is_boolean()
                               ? j["strip_accents"].get<bool>()
                               : lower;
        return makeBertNormalizer(flag(j, "clean_text", true),
                                  flag(j, "handle_chinese_chars", true), strip, lower);
    }
    if (t == "Lowercase")
        return makeLowercase();
    if (t == "NFC")
        return makeUnicodeNormalizer(true);
    if (t == "NFD")
        return makeUnicodeNormalizer(false);
    if (t == "StripAccents")
        return makeStripAccents();
    if (t == "Strip")
        return makeStrip(flag(j, "strip_left", true), flag(j, "strip_right", true));
    if (t == "Replace") {
        auto [p, regex] = pattern(j.value("pattern", Json()), c, "Replace normalizer");
        return makeReplace(p, str(j, "content"), regex);
    }
    if (t == "Prepend")
        return makePrepend(str(j, "prepend"));
    if (t == "Precompiled") {
        auto it = j.find("precompiled_charsmap");
        if (it == j.end() || it->is_null())
            return nullptr;
        if (!it->is_string())
            c.bad("Precompiled normalizer: precompiled_charsmap is not a string");
        return makePrecompiled(base64Decode(it->get<std::string>(), c));
    }
    c.unsupported("normalizer type '" + t + "' is not supported");
}

bool hasByteLevel(const Json &j)
{
    if (!j.is_object())
        return false;
    if (j.value("type", "") == "ByteLevel")
        return true;
    for (const char *k : {"pretokenizers", "decoders"})
        if (j.contains(k) && j[k].is_array())
            for (const Json &i : j[k])
                if (hasByteLevel(i))
                    return true;
    return false;
}

int prependScheme(const Json &j)
{
    const std::string s = str(j, "prepend_scheme");
    if (s == "never")
        return 0;
    if (s == "first")
        return 1;
    if (s == "always")
        return 2;
    return flag(j, "add_prefix_space", true) ? 2 : 0;
}

std::unique_ptr<PreTokenizer> preTokenizer(const Json &j, const Ctx &c)
{
    if (j.is_null())
        return nullptr;
    const std::string t = typeOf(j, c, "pre_tokenizer");
    if (t == "Sequence") {
        std::vector<std::unique_ptr<PreTokenizer>> items;
        for (const Json &p : j.value("pretokenizers", Json::array()))
            if (auto q = preTokenizer(p, c))
                items.push_back(std::move(q));
        return makePreTokenizerSequence(std::move(items));
    }
    if (t == "ByteLevel")
        return makeByteLevelPre(flag(j, "add_prefix_space", true), flag(j, "use_regex", true));
    if (t == "Split") {
        auto [p, regex] = pattern(j.value("pattern", Json()), c, "Split pre-tokenizer");
        return makeSplit(p, regex, behavior(j, c), flag(j, "invert", false));
    }
    if (t == "Digits")
        return makeDigits(flag(j, "individual_digits", false));
    if (t == "Whitespace")
        return makeWhitespace();
    if (t == "WhitespaceSplit")
        return makeWhitespaceSplit();
    if (t == "BertPreTokenizer")
        return makeBertPre();
    if (t == "Punctuation")
        return makePunctuation(behavior(j, c));
    if (t == "Metaspace")
        return makeMetaspacePre(str(j, "replacement", "\xE2\x96\x81"), prependScheme(j),
                                flag(j, "split", true));
    c.unsupported("pre_tokenizer type '" + t + "' is not supported");
}

void decoders(const Json &j, const Ctx &c, std::vector<std::unique_ptr<Decoder>> &out)
{
    if (j.is_null())
        return;
    const std::string t = typeOf(j, c, "decoder");
    if (t == "Sequence") {
        for (const Json &d : j.value("decoders", Json::array()))
            decoders(d, c, out);
    } else if (t == "ByteLevel") {
        out.push_back(makeByteLevelDecoder());
    } else if (t == "WordPiece") {
        out.push_back(makeWordPieceDecoder(str(j, "prefix", "##"), flag(j, "cleanup", true)));
    } else if (t == "Metaspace") {
        out.push_back(
            makeMetaspaceDecoder(str(j, "replacement", "\xE2\x96\x81"), prependScheme(j) != 0));
    } else if (t == "ByteFallback") {
        out.push_back(makeByteFallbackDecoder());
    } else if (t == "Fuse") {
        out.push_back(makeFuseDecoder());
    } else if (t == "Strip") {
        out.push_back(
            makeStripDecoder(str(j, "content", " "), j.value("start", 0), j.value("stop", 0)));
    } else if (t == "Replace") {
        auto [p, regex] = pattern(j.value("pattern", Json()), c, "Replace decoder");
        if (regex)
            c.unsupported("Replace decoder with a regex pattern is not supported");
        out.push_back(makeReplaceDecoder(p, str(j, "content")));
    } else if (t == "BPEDecoder") {
        out.push_back(makeBpeSuffixDecoder(str(j, "suffix", "</w>")));
    } else {
        c.unsupported("decoder type '" + t + "' is not supported");
    }
}

StringIdMap vocabMap(const Json &j, const Ctx &c)
{
    if (!j.is_object())
        c.bad("model.vocab is missing or not an object");
    StringIdMap v;
    v.reserve(j.size());
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it.value().is_number_integer() || it.value().get<long long>() < 0 ||
            it.value().get<long long>() > (1 << 30))
            c.bad("model.vocab entry '" + it.key() + "' has no valid id");
        v.emplace(it.key(), it.value().get<std::int32_t>());
    }
    return v;
}

std::int32_t lookupToken(const StringIdMap &v, const std::string &tok)
{
    auto it = v.find(tok);
    return it == v.end() ? -1 : it->second;
}

std::unique_ptr<Model> model(const Json &root, const Ctx &c, std::string &kind)
{
    auto mit = root.find("model");
    if (mit == root.end() || !mit->is_object())
        c.bad("no \"model\" object");
    const Json &m = *mit;
    std::string t = str(m, "type");
    if (t.empty())
        t = m.contains("merges")                           ? "BPE"
            : m.contains("vocab") && m["vocab"].is_array() ? "Unigram"
                                                           : "";
    if (t == "BPE") {
        BpeConfig cfg;
        cfg.vocab = vocabMap(m.value("vocab", Json()), c);
        auto merges = m.find("merges");
        if (merges == m.end() || !merges->is_array())
            c.bad("BPE model has no \"merges\" list");
        cfg.merges.reserve(merges->size());
        for (const Json &e : *merges) {
            if (e.is_string()) {
                const std::string s = e.get<std::string>();
                const auto sp = s.find(' ', 1);
                if (sp == std::string::npos)
                    c.bad("merge '" + s + "' is not two tokens separated by a space");
                cfg.merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
            } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
                cfg.merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
            } else {
                c.bad("a merge is neither \"a b\" nor [\"a\", \"b\"]");
            }
        }
        cfg.init =
            hasByteLevel(root.value("pre_tokenizer", Json())) ? BpeInit::ByteLevel : BpeInit::Chars;
        cfg.unk = lookupToken(cfg.vocab, str(m, "unk_token"));
        cfg.fuseUnk = flag(m, "fuse_unk", false);
        cfg.byteFallback = flag(m, "byte_fallback", false);
        cfg.ignoreMerges = flag(m, "ignore_merges", false);
        cfg.continuingPrefix = str(m, "continuing_subword_prefix");
        cfg.endOfWordSuffix = str(m, "end_of_word_suffix");
        kind = cfg.init == BpeInit::ByteLevel ? "bpe-bytelevel" : "bpe-sentencepiece";
        return makeBpe(std::move(cfg), c.path);
    }
    if (t == "WordPiece") {
        StringIdMap v = vocabMap(m.value("vocab", Json()), c);
        const std::int32_t unk = lookupToken(v, str(m, "unk_token", "[UNK]"));
        if (unk < 0)
            c.bad("WordPiece unk_token '" + str(m, "unk_token", "[UNK]") +
                  "' is not in the vocabulary");
        kind = "wordpiece";
        return makeWordPiece(std::move(v), unk, str(m, "continuing_subword_prefix", "##"),
                             m.value("max_input_chars_per_word", 100));
    }
    if (t == "Unigram") {
        auto v = m.find("vocab");
        if (v == m.end() || !v->is_array())
            c.bad("Unigram model has no \"vocab\" list");
        std::vector<std::string> pieces;
        std::vector<double> scores;
        for (const Json &e : *v) {
            if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number())
                c.bad("Unigram vocab entry is not [piece, score]");
            pieces.push_back(e[0].get<std::string>());
            scores.push_back(e[1].get<double>());
        }
        std::int32_t unk = m.contains("unk_id") && m["unk_id"].is_number_integer()
                               ? m["unk_id"].get<std::int32_t>()
                               : -1;
        if (unk >= static_cast<std::int32_t>(pieces.size()))
            c.bad("Unigram unk_id is out of range");
        kind = "unigram";
        return makeUnigram(std::move(pieces), std::move(scores), unk,
                           flag(m, "byte_fallback", false));
    }
    if (t == "WordLevel") {
        StringIdMap v = vocabMap(m.value("vocab", Json()), c);
        const std::int32_t unk = lookupToken(v, str(m, "unk_token"));
        kind = "wordlevel";
        return makeWordLevel(std::move(v), unk);
    }
    c.unsupported("model type '" + t +
                  "' is not supported (BPE, WordPiece, Unigram, WordLevel are)");
}

std::vector<std::int32_t> tokenIds(const Json &j, const Tokenizer::Impl &impl, const Ctx &c)
{
    // [token, id] pairs (BertProcessing/RobertaProcessing).
    if (j.is_array() && j.size() == 2 && j[1].is_number_integer())
        return {j[1].get<std::int32_t>()};
    c.bad("post_processor special token is not [token, id]");
}

void postProcessor(const Json &j, Tokenizer::Impl &impl, const Ctx &c)
{
    if (j.is_null())
        return;
    const std::string t = typeOf(j, c, "post_processor");
    if (t == "Sequence") {
        for (const Json &p : j.value("processors", Json::array()))
            postProcessor(p, impl, c);
    } else if (t == "ByteLevel") {
        // Offsets only; adds no tokens.
    } else if (t == "BertProcessing" || t == "RobertaProcessing") {
        impl.post.prefix = tokenIds(j.value("cls", Json()), impl, c);
        impl.post.suffix = tokenIds(j.value("sep", Json()), impl, c);
    } else if (t == "TemplateProcessing") {
        const Json specials = j.value("special_tokens", Json::object());
        bool seenA = false;
        for (const Json &item : j.value("single", Json::array())) {
            if (item.contains("Sequence")) {
                seenA = true;
                continue;
            }
            if (!item.contains("SpecialToken"))
                c.bad("TemplateProcessing item is neither SpecialToken nor Sequence");
            const std::string name = str(item["SpecialToken"], "id");
            auto sp = specials.find(name);
            if (sp == specials.end() || !sp->contains("ids") || !(*sp)["ids"].is_array())
                c.bad("TemplateProcessing names special token '" + name + "' without ids");
            for (const Json &id : (*sp)["ids"])
                (seenA ? impl.post.suffix : impl.post.prefix).push_back(id.get<std::int32_t>());
        }
    } else {
        c.unsupported("post_processor type '" + t + "' is not supported");
    }
}

} // namespace

std::shared_ptr<Tokenizer::Impl> loadHfJson(const std::string &path)
{
    const Ctx c{path};
    const std::string text = readFile(path);
    checkDepth(text, path);
    Json root = Json::parse(text, nullptr, false);
    if (root.is_discarded())
        c.bad("not valid JSON");
    if (!root.is_object())
        c.bad("the top level is not a JSON object");
    try {
        auto impl = std::make_shared<Tokenizer::Impl>();
        impl->source = path;
        impl->model = model(root, c, impl->kind);
        impl->normalizer = normalizer(root.value("normalizer", Json()), c);
        impl->preTokenizer = preTokenizer(root.value("pre_tokenizer", Json()), c);
        decoders(root.value("decoder", Json()), c, impl->decoders);
        impl->hasDecoder = !root.value("decoder", Json()).is_null();
        postProcessor(root.value("post_processor", Json()), *impl, c);
        for (const Json &a : root.value("added_tokens", Json::array())) {
            AddedToken t;
            t.content = str(a, "content");
            if (!a.contains("id") || !a["id"].is_number_integer() || t.content.empty())
                c.bad("an added token has no id or content");
            t.id = a["id"].get<std::int32_t>();
            t.special = flag(a, "special", false);
            t.lstrip = flag(a, "lstrip", false);
            t.rstrip = flag(a, "rstrip", false);
            t.singleWord = flag(a, "single_word", false);
            t.normalized = flag(a, "normalized", !t.special);
            impl->added.push_back(std::move(t));
        }
        // Unk from the model, the others from the usual spellings; tokenizer_config.json wins.
        auto idOf = [&](const std::string &s) -> std::int32_t {
            for (const AddedToken &a : impl->added)
                if (a.content == s)
                    return a.id;
            return impl->model->tokenToId(s);
        };
        auto firstOf = [&](std::initializer_list<const char *> names) {
            for (const char *n : names)
                if (std::int32_t id = idOf(n); id >= 0)
                    return id;
            return std::int32_t(-1);
        };
        SpecialIds &ids = impl->ids;
        ids.unk = firstOf({"[UNK]", "<unk>", "<|endoftext|>"});
        if (const Json &m = root["model"]; m.contains("unk_token") && m["unk_token"].is_string())
            ids.unk = idOf(m["unk_token"].get<std::string>());
        ids.cls = firstOf({"[CLS]", "<s>"});
        ids.sep = firstOf({"[SEP]", "</s>"});
        ids.pad = firstOf({"[PAD]", "<pad>", "<|padding|>"});
        ids.mask = firstOf({"[MASK]", "<mask>"});
        ids.bos = firstOf({"<s>", "<|begin_of_text|>", "<|startoftext|>", "<|endoftext|>"});
        ids.eos = firstOf({"</s>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>"});
        const auto cfgPath = std::filesystem::path(path).parent_path() / "tokenizer_config.json";
        std::error_code ec;
        if (std::filesystem::is_regular_file(cfgPath, ec)) {
            const std::string ct = readFile(cfgPath.string(), 64u << 20);
            checkDepth(ct, cfgPath.string());
            Json cfg = Json::parse(ct, nullptr, false);
            if (cfg.is_object()) {
                auto name = [&](const char *key) -> std::string {
                    auto it = cfg.find(key);
                    if (it == cfg.end())
                        return {};
                    if (it->is_string())
                        return it->get<std::string>();
                    if (it->is_object())
                        return str(*it, "content");
                    return {};
                };
                auto set = [&](const char *key, std::int32_t &slot) {
                    const std::string n = name(key);
                    if (!n.empty())
                        if (std::int32_t id = idOf(n); id >= 0)
                            slot = id;
                };
                set("bos_token", ids.bos);
                set("eos_token", ids.eos);
                set("unk_token", ids.unk);
                set("pad_token", ids.pad);
                set("cls_token", ids.cls);
                set("sep_token", ids.sep);
                set("mask_token", ids.mask);
            }
        }
        impl->finish();
        return impl;
    } catch (const Json::exception &e) {
        c.bad(std::string("unexpected JSON value: ") + e.what());
    }
}

} // namespace terse::text
