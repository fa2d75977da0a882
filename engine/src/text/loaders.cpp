// Loaders for the formats other than tokenizer.json: GPT-2 vocab.json + merges.txt, BERT vocab.txt,
// SentencePiece .model (own protobuf reader), llama2.c tokenizer.bin and tiktoken rank files.
#include "text/tokenizer_impl.h"

#include "core/base64.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace terse::text {

namespace {

[[noreturn]] void bad(const std::string &path, const std::string &what)
{
    throw TextError{ErrorCode::FormatError, path + ": " + what};
}

} // namespace

const char kCl100kPattern[] = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,"
                              "3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
                              "\\s+(?!\\S)|\\s+";
namespace {

const char kO200kPattern[] =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'"
    "s|'t|'re|'ve|'m|'ll|'d)?|"
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'"
    "s|'t|'re|'ve|'m|'ll|'d)?|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// Reads protobuf wire format (varints, length-delimited fields, fixed 32/64-bit values).
class ProtoReader {
public:
    ProtoReader(std::string_view data, const std::string &path) : m_data(data), m_path(path) {}
    bool done() const { return m_pos >= m_data.size(); }
    // Reads a field key; returns false at the end.
    bool next(std::uint32_t &field, std::uint32_t &wire)
    {
        if (done())
            return false;
        const std::uint64_t key = varint();
        field = static_cast<std::uint32_t>(key >> 3);
        wire = static_cast<std::uint32_t>(key & 7);
        return true;
    }
    std::uint64_t varint()
    {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_data.size())
                bad(m_path, "truncated protobuf varint at byte " + std::to_string(m_pos));
            const auto b = static_cast<unsigned char>(m_data[m_pos++]);
            v |= std::uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80))
                return v;
        }
        bad(m_path, "overlong protobuf varint at byte " + std::to_string(m_pos));
    }
    std::string_view bytes()
    {
        const std::uint64_t n = varint();
        if (n > m_data.size() - m_pos)
            bad(m_path, "protobuf field of " + std::to_string(n) +
                            " bytes runs past the end at byte " + std::to_string(m_pos));
        std::string_view v = m_data.substr(m_pos, n);
        m_pos += n;
        return v;
    }
    float fixed32f()
    {
        if (m_data.size() - m_pos < 4)
            bad(m_path, "truncated protobuf float at byte " + std::to_string(m_pos));
        float f;
        std::memcpy(&f, m_data.data() + m_pos, 4);
        m_pos += 4;
        return f;
    }
    void skip(std::uint32_t wire)
    {
        switch (wire) {
        case 0:
            varint();
            break;
        case 1:
            if (m_data.size() - m_pos < 8)
                bad(m_path, "truncated protobuf field");
            m_pos += 8;
            break;
        case 2:
            bytes();
            break;
        case 5:
            if (m_data.size() - m_pos < 4)
                bad(m_path, "truncated protobuf field");
            m_pos += 4;
            break;
        default:
            bad(m_path, "unsupported protobuf wire type " + std::to_string(wire) + " at byte " +
                            std::to_string(m_pos));
        }
    }

private:
    std::string_view m_data;
    std::string m_path;
    std::size_t m_pos = 0;
};

// True when no token has a non-space character followed by `space`: then splitting the text before
// each run of spaces cannot change a merge-based or Viterbi result, and per-word caching is exact.
bool wordSplitIsExact(const std::vector<std::string> &tokens, const std::string &space)
{
    for (const std::string &t : tokens) {
        for (std::size_t p = t.find(space, 1); p != std::string::npos; p = t.find(space, p + 1)) {
            if (p < space.size() || t.compare(p - space.size(), space.size(), space) != 0)
                return false;
        }
    }
    return true;
}

void addSpecial(Tokenizer::Impl &impl, std::int32_t id, const std::string &content,
                bool special = true)
{
    AddedToken t;
    t.id = id;
    t.content = content;
    t.special = special;
    impl.added.push_back(std::move(t));
}

} // namespace

std::string readFile(const std::string &path, std::size_t maxBytes)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw TextError{ErrorCode::NotFound, path + ": no such file"};
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw TextError{ErrorCode::IoError, path + ": cannot open the file"};
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        throw TextError{ErrorCode::IoError, path + ": cannot read the file size"};
    if (size > maxBytes)
        throw TextError{ErrorCode::FormatError,
                        path + ": file is " + std::to_string(size) + " bytes, more than the " +
                            std::to_string(maxBytes) + " a tokenizer may have"};
    std::string data(size, '\0');
    if (!f.read(data.data(), static_cast<std::streamsize>(size)))
        throw TextError{ErrorCode::IoError, path + ": read failed"};
    return data;
}

std::shared_ptr<Tokenizer::Impl> loadGpt2Files(const std::string &vocabPath,
                                               const std::string &mergesPath)
{
    const std::string vtext = readFile(vocabPath);
    nlohmann::json v = nlohmann::json::parse(vtext, nullptr, false);
    if (v.is_discarded() || !v.is_object())
        bad(vocabPath, "not a JSON object of token -> id");
    BpeConfig cfg;
    cfg.init = BpeInit::ByteLevel;
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (!it.value().is_number_integer())
            bad(vocabPath, "token '" + it.key() + "' has no integer id");
        cfg.vocab.emplace(it.key(), it.value().get<std::int32_t>());
    }
    std::istringstream merges(readFile(mergesPath));
    std::string line;
    std::size_t lineNo = 0;
    while (std::getline(merges, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || (lineNo == 1 && line.rfind("#version", 0) == 0))
            continue;
        const auto sp = line.find(' ', 1);
        if (sp == std::string::npos)
            bad(mergesPath,
                "line " + std::to_string(lineNo) + " is not two tokens separated by a space");
        cfg.merges.emplace_back(line.substr(0, sp), line.substr(sp + 1));
    }
    if (cfg.merges.empty())
        bad(mergesPath, "no merges");
    auto impl = std::make_shared<Tokenizer::Impl>();
    impl->source = vocabPath;
    impl->kind = "bpe-bytelevel";
    const std::int32_t eot = cfg.vocab.count("<|endoftext|>") ? cfg.vocab.at("<|endoftext|>") : -1;
    impl->model = makeBpe(std::move(cfg), mergesPath);
    impl->preTokenizer = makeByteLevelPre(false, true);
    impl->decoders.push_back(makeByteLevelDecoder());
    impl->hasDecoder = true;
    if (eot >= 0) {
        addSpecial(*impl, eot, "<|endoftext|>");
        impl->ids.bos = impl->ids.eos = impl->ids.unk = eot;
    }
    impl->finish();
    return impl;
}

std::shared_ptr<Tokenizer::Impl> loadVocabTxt(const std::string &path, bool lowercase)
{
    std::istringstream in(readFile(path));
    StringIdMap vocab;
    std::string line;
    std::int32_t id = 0;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        vocab.emplace(line, id++);
    }
    if (vocab.empty())
        bad(path, "empty vocabulary");
    auto impl = std::make_shared<Tokenizer::Impl>();
    impl->source = path;
    impl->kind = "wordpiece";
    auto idOf = [&](const char *s) { return vocab.count(s) ? vocab.at(s) : -1; };
    SpecialIds &ids = impl->ids;
    ids.unk = idOf("[UNK]");
    ids.cls = idOf("[CLS]");
    ids.sep = idOf("[SEP]");
    ids.pad = idOf("[PAD]");
    ids.mask = idOf("[MASK]");
    if (ids.unk < 0)
        bad(path, "no [UNK] token in the vocabulary");
    for (const char *s : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"})
        if (idOf(s) >= 0)
            addSpecial(*impl, idOf(s), s);
    impl->normalizer = makeBertNormalizer(true, true, lowercase, lowercase);
    impl->preTokenizer = makeBertPre();
    impl->model = makeWordPiece(std::move(vocab), ids.unk, "##", 100);
    impl->decoders.push_back(makeWordPieceDecoder("##", true));
    impl->hasDecoder = true;
    if (ids.cls >= 0 && ids.sep >= 0) {
        impl->post.prefix = {ids.cls};
        impl->post.suffix = {ids.sep};
    }
    impl->finish();
    return impl;
}

std::shared_ptr<Tokenizer::Impl> loadSentencePiece(const std::string &path)
{
    const std::string data = readFile(path);
    ProtoReader top(data, path);
    std::vector<std::string> pieces;
    std::vector<double> scores;
    std::vector<int> types;
    int modelType = 1;
    bool byteFallback = false;
    std::int64_t unkId = 0, bosId = 1, eosId = 2, padId = -1;
    std::string charsmap;
    bool dummy = true, removeExtra = true, escape = true;
    std::uint32_t field, wire;
    while (top.next(field, wire)) {
        if (field == 1 && wire == 2) {
            ProtoReader p(top.bytes(), path);
            std::string piece;
            float score = 0;
            int type = 1;
            while (p.next(field, wire)) {
                if (field == 1 && wire == 2)
                    piece = std::string(p.bytes());
                else if (field == 2 && wire == 5)
                    score = p.fixed32f();
                else if (field == 3 && wire == 0)
                    type = static_cast<int>(p.varint());
                else
                    p.skip(wire);
            }
            pieces.push_back(std::move(piece));
            scores.push_back(score);
            types.push_back(type);
        } else if (field == 2 && wire == 2) {
            ProtoReader t(top.bytes(), path);
            while (t.next(field, wire)) {
                if (wire != 0) {
                    t.skip(wire);
                    continue;
                }
                const auto v = static_cast<std::int64_t>(t.varint());
                switch (field) {
                case 3:
                    modelType = static_cast<int>(v);
                    break;
                case 35:
                    byteFallback = v != 0;
                    break;
                case 40:
                    unkId = static_cast<std::int32_t>(v);
                    break;
                case 41:
                    bosId = static_cast<std::int32_t>(v);
                    break;
                case 42:
                    eosId = static_cast<std::int32_t>(v);
                    break;
                case 43:
                    padId = static_cast<std::int32_t>(v);
                    break;
                default:
                    break;
                }
            }
        } else if (field == 3 && wire == 2) {
            ProtoReader n(top.bytes(), path);
            while (n.next(field, wire)) {
                if (field == 2 && wire == 2)
                    charsmap = std::string(n.bytes());
                else if (field == 3 && wire == 0)
                    dummy = n.varint() != 0;
                else if (field == 4 && wire == 0)
                    removeExtra = n.varint() != 0;
                else if (field == 5 && wire == 0)
                    escape = n.varint() != 0;
                else
                    n.skip(wire);
            }
        } else {
            top.skip(wire);
        }
    }
    if (pieces.empty())
        bad(path, "no pieces: not a SentencePiece model");
    if (modelType != 1 && modelType != 2)
        throw TextError{ErrorCode::Unsupported,
                        path + ": SentencePiece model type " + std::to_string(modelType) +
                            " (only unigram = 1 and BPE = 2 are supported)"};
    SentencePieceSpec spec;
    spec.unigram = modelType == 1;
    spec.byteFallback = byteFallback;
    spec.unk = unkId;
    spec.bos = bosId;
    spec.eos = eosId;
    spec.pad = padId;
    spec.charsmap = std::move(charsmap);
    spec.addDummyPrefix = dummy;
    spec.removeExtraWhitespace = removeExtra;
    spec.escapeWhitespace = escape;
    return buildSentencePiece(path, std::move(pieces), std::move(scores), types, spec);
}

std::shared_ptr<Tokenizer::Impl> buildSentencePiece(const std::string &source,
                                                    std::vector<std::string> pieces,
                                                    std::vector<double> scores,
                                                    const std::vector<int> &types,
                                                    const SentencePieceSpec &spec)
{
    auto impl = std::make_shared<Tokenizer::Impl>();
    impl->source = source;
    impl->kind = spec.unigram ? "unigram" : "bpe-sentencepiece";
    impl->decodeStyle = DecodeStyle::SentencePiece;
    impl->specialTextDefault = false;
    const auto n = static_cast<std::int64_t>(pieces.size());
    auto valid = [&](std::int64_t id) {
        return id >= 0 && id < n ? static_cast<std::int32_t>(id) : -1;
    };
    impl->ids.unk = valid(spec.unk);
    impl->ids.bos = valid(spec.bos);
    impl->ids.eos = valid(spec.eos);
    impl->ids.pad = valid(spec.pad);
    impl->llamaBos = impl->ids.bos;
    // Control and unknown pieces are special tokens; user-defined pieces match in text as they are.
    std::vector<std::string> modelPieces = pieces;
    std::vector<double> priority(pieces.size(), -1);
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const int t = types[i];
        if (t == 2 || t == 3) {
            addSpecial(*impl, static_cast<std::int32_t>(i), pieces[i]);
            modelPieces[i].clear();
        } else if (t == 4) {
            addSpecial(*impl, static_cast<std::int32_t>(i), pieces[i], false);
        } else if (t == 5) {
            modelPieces[i].clear();
        }
        if (t == 1)
            priority[i] = -scores[i];
    }
    const std::string space = "\xE2\x96\x81";
    impl->normalizer = makeSentencePieceNormalizer(
        spec.charsmap, spec.addDummyPrefix, spec.removeExtraWhitespace, spec.escapeWhitespace);
    if (wordSplitIsExact(pieces, space))
        impl->preTokenizer = makeSpaceWordSplit(space);
    if (spec.unigram)
        impl->model = makeUnigram(std::move(modelPieces), std::move(scores), impl->ids.unk,
                                  spec.byteFallback);
    else
        impl->model = makeConcatBpe(std::move(modelPieces), std::move(priority), BpeInit::Chars,
                                    impl->ids.unk, spec.byteFallback);
    if (impl->ids.bos >= 0 && spec.addBos)
        impl->post.prefix = {impl->ids.bos};
    impl->finish();
    return impl;
}

Llama2cVocab readLlama2cVocab(const std::string &path)
{
    const std::string data = readFile(path);
    std::size_t pos = 0;
    auto readInt = [&](const char *what) {
        if (data.size() - pos < 4)
            bad(path, std::string("truncated llama2.c tokenizer: no ") + what + " at byte " +
                          std::to_string(pos));
        std::int32_t v;
        std::memcpy(&v, data.data() + pos, 4);
        pos += 4;
        return v;
    };
    const std::int32_t maxLen = readInt("max_token_length");
    if (maxLen <= 0 || maxLen > 4096)
        bad(path, "implausible max_token_length " + std::to_string(maxLen));
    Llama2cVocab v;
    auto &tokens = v.tokens;
    while (pos < data.size()) {
        float score;
        if (data.size() - pos < 4)
            bad(path, "truncated llama2.c tokenizer at token " + std::to_string(tokens.size()));
        std::memcpy(&score, data.data() + pos, 4);
        pos += 4;
        const std::int32_t len = readInt("token length");
        if (len < 0 || len > maxLen)
            bad(path, "token " + std::to_string(tokens.size()) + " has a bad length " +
                          std::to_string(len));
        if (static_cast<std::size_t>(len) > data.size() - pos)
            bad(path, "truncated llama2.c tokenizer: token " + std::to_string(tokens.size()) +
                          " needs " + std::to_string(len) + " bytes, " +
                          std::to_string(data.size() - pos) + " are left");
        tokens.emplace_back(data, pos, static_cast<std::size_t>(len));
        pos += static_cast<std::size_t>(len);
        v.scores.push_back(score);
    }
    if (tokens.size() < 259)
        bad(path,
            "only " + std::to_string(tokens.size()) + " tokens: too few for a llama2.c vocabulary");
    return v;
}

std::shared_ptr<Tokenizer::Impl> loadLlama2c(const std::string &path)
{
    Llama2cVocab v = readLlama2cVocab(path);
    std::vector<std::string> tokens = std::move(v.tokens);
    std::vector<double> priority;
    for (const float score : v.scores)
        priority.push_back(-score);
    auto impl = std::make_shared<Tokenizer::Impl>();
    impl->source = path;
    impl->kind = "llama2c";
    impl->decodeStyle = DecodeStyle::SentencePiece;
    impl->specialTextDefault = false;
    // run.c: <unk> = 0, BOS = 1, EOS = 2; byte tokens 3..258 stand for bytes 0..255.
    impl->ids.unk = 0;
    impl->ids.bos = 1;
    impl->ids.eos = 2;
    impl->llamaBos = 1;
    addSpecial(*impl, 0, "<unk>");
    addSpecial(*impl, 1, "<s>");
    addSpecial(*impl, 2, "</s>");
    // llama2.c merges over the whole text; splitting into words is only done when provably exact.
    const bool split = wordSplitIsExact(tokens, " ");
    for (std::size_t i = 0; i < 3; ++i) {
        priority[i] = -1;
        tokens[i].clear();
    }
    // run.c: a dummy-prefix space is prepended to any non-empty text.
    impl->normalizer = makePrepend(" ");
    if (split)
        impl->preTokenizer = makeSpaceWordSplit(" ");
    impl->model = makeConcatBpe(std::move(tokens), std::move(priority), BpeInit::Chars, -1, true);
    impl->post.prefix = {1};
    impl->finish();
    return impl;
}

std::shared_ptr<Tokenizer::Impl> loadTiktoken(const std::string &path, const std::string &name)
{
    std::istringstream in(readFile(path));
    std::vector<std::string> tokens;
    std::vector<double> priority;
    std::string line;
    std::size_t lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.empty())
            continue;
        const auto sp = line.find(' ');
        if (sp == std::string::npos)
            bad(path, "line " + std::to_string(lineNo) + " is not '<base64> <rank>'");
        const auto decoded = detail::base64Decode(std::string_view(line).substr(0, sp));
        if (!decoded)
            bad(path, "line " + std::to_string(lineNo) + " has invalid base64");
        const std::string &bytes = *decoded;
        char *end = nullptr;
        const long rank = std::strtol(line.c_str() + sp + 1, &end, 10);
        if (end == line.c_str() + sp + 1 || rank < 0 || rank > (1 << 24) || bytes.empty())
            bad(path, "line " + std::to_string(lineNo) + " has a bad rank or token");
        if (static_cast<std::size_t>(rank) >= tokens.size()) {
            tokens.resize(rank + 1);
            priority.resize(rank + 1, -1);
        }
        std::string mapped;
        for (char c : bytes)
            mapped += byteToUnicode(static_cast<unsigned char>(c));
        tokens[rank] = std::move(mapped);
        priority[rank] = static_cast<double>(rank);
    }
    if (tokens.size() < 256)
        bad(path, "only " + std::to_string(tokens.size()) + " ranks: not a tiktoken file");
    // Pattern and specials: a sibling NAME.json ({"pat_str", "special_tokens"}) or the built-in
    // table.
    std::string pattern;
    std::vector<std::pair<std::string, std::int32_t>> specials;
    const auto jsonPath = std::filesystem::path(path).replace_extension(".json");
    std::error_code ec;
    if (std::filesystem::is_regular_file(jsonPath, ec)) {
        nlohmann::json j =
            nlohmann::json::parse(readFile(jsonPath.string(), 1 << 20), nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("pat_str") ||
            !j["pat_str"].is_string())
            bad(jsonPath.string(), "expected {\"pat_str\": ..., \"special_tokens\": {...}}");
        pattern = j["pat_str"].get<std::string>();
        if (j.contains("special_tokens") && j["special_tokens"].is_object())
            for (auto it = j["special_tokens"].begin(); it != j["special_tokens"].end(); ++it)
                if (it.value().is_number_integer())
                    specials.emplace_back(it.key(), it.value().get<std::int32_t>());
    } else if (name == "cl100k_base") {
        pattern = kCl100kPattern;
        specials = {{"<|endoftext|>", 100257},
                    {"<|fim_prefix|>", 100258},
                    {"<|fim_middle|>", 100259},
                    {"<|fim_suffix|>", 100260},
                    {"<|endofprompt|>", 100276}};
    } else if (name == "o200k_base") {
        pattern = kO200kPattern;
        specials = {{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}};
    } else if (name == "r50k_base" || name == "p50k_base" || name == "gpt2") {
        pattern = kGpt2Pattern;
        specials = {{"<|endoftext|>", 50256}};
    } else {
        throw TextError{ErrorCode::Unsupported, path + ": unknown tiktoken encoding '" + name +
                                                    "' and no " + jsonPath.filename().string() +
                                                    " with its pattern next to it"};
    }
    auto impl = std::make_shared<Tokenizer::Impl>();
    impl->source = path;
    impl->kind = "tiktoken";
    impl->specialTextDefault = false;
    impl->preTokenizer = makeSplit(pattern, true, SplitBehavior::Isolated, false);
    impl->model =
        makeConcatBpe(std::move(tokens), std::move(priority), BpeInit::ByteLevel, -1, false);
    for (int b = 0; b < 256; ++b)
        if (impl->model->tokenToId(byteToUnicode(static_cast<unsigned char>(b))) < 0)
            bad(path, "no token for byte " + std::to_string(b));
    impl->decoders.push_back(makeByteLevelDecoder());
    impl->hasDecoder = true;
    for (const auto &[s, id] : specials) {
        addSpecial(*impl, id, s);
        if (s == "<|endoftext|>")
            impl->ids.bos = impl->ids.eos = id;
    }
    impl->finish();
    return impl;
}

} // namespace terse::text
