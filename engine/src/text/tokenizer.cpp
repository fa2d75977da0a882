// terse::Tokenizer: format detection, the encode pipeline (added tokens, normalizer, pre-tokenizer,
// model, post-processor) with byte alignment, and decoding.
#include "terse/tokenizer.h"

#include "terse/resources.h"

#include "text/gguf_vocab.h"
#include "text/tokenizer_impl.h"
#include "text/unicode.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace terse {

using namespace text;

namespace {

template <typename Fn> auto guarded(Fn &&fn) -> decltype(fn())
{
    static const detail::GuardWords words{"tokenizer", ErrorCode::InvalidInput,
                                          "out of memory while tokenizing"};
    return detail::guard(words, std::forward<Fn>(fn));
}

bool isWordByte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
}

bool isSpaceByte(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// What encode collects; strings and spans only when asked for.
struct Sink {
    std::vector<std::int32_t> ids;
    std::vector<Span> spans;
    std::vector<std::uint8_t> special;
    bool wantSpans = true;
};

} // namespace

void Tokenizer::Impl::finish()
{
    vocabSize = model ? model->size() : 0;
    for (std::size_t i = 0; i < added.size(); ++i) {
        addedById[added[i].id] = i;
        addedByContent.emplace(added[i].content, added[i].id);
        firstByte[static_cast<unsigned char>(added[i].content[0])] = true;
        vocabSize = std::max<std::size_t>(vocabSize, static_cast<std::size_t>(added[i].id) + 1);
    }
    // Longest first so that the scan below finds the longest match at a position.
    std::stable_sort(added.begin(), added.end(), [](const AddedToken &a, const AddedToken &b) {
        return a.content.size() > b.content.size();
    });
    for (std::size_t i = 0; i < added.size(); ++i)
        addedById[added[i].id] = i;
}

namespace {

const std::string *tokenString(const Tokenizer::Impl &impl, std::int32_t id)
{
    if (auto it = impl.addedById.find(id); it != impl.addedById.end())
        return &impl.added[it->second].content;
    return impl.model->idToToken(id);
}

// Tokenizes one stretch of text without added tokens.
void encodeSegment(const Tokenizer::Impl &impl, std::string_view text, std::size_t base, Sink &sink)
{
    if (text.empty())
        return;
    Pieces pieces;
    pieces.owners.resize(1);
    Normalized &n = pieces.owners[0];
    n.text.assign(text);
    n.base = base;
    if (impl.normalizer)
        impl.normalizer->normalize(n);
    pieces.refs.push_back({0, 0, static_cast<std::uint32_t>(n.text.size())});
    if (impl.preTokenizer)
        impl.preTokenizer->split(pieces, base == 0);
    std::vector<ModelToken> toks;
    for (const Pieces::Ref &r : pieces.refs) {
        if (r.end == r.begin)
            continue;
        toks.clear();
        impl.model->tokenize(pieces.text(r), toks);
        const Normalized &o = pieces.owners[r.owner];
        for (const ModelToken &t : toks) {
            sink.ids.push_back(t.id);
            if (sink.wantSpans) {
                sink.spans.push_back({o.origBegin(r.begin + t.begin), o.origEnd(r.begin + t.end)});
                sink.special.push_back(0);
            }
        }
    }
}

void encodeAll(const Tokenizer::Impl &impl, std::string_view text, const EncodeOptions &opt,
               Sink &sink)
{
    std::size_t bad = 0;
    if (!isValidUtf8(text, &bad))
        throw TextError{ErrorCode::InvalidInput,
                        "the text is not valid UTF-8 (first bad byte at offset " +
                            std::to_string(bad) + ")"};
    const bool matchSpecial = opt.specialText == SpecialText::Allow ||
                              (opt.specialText == SpecialText::Auto && impl.specialTextDefault);
    if (opt.addSpecial)
        for (std::int32_t id : impl.post.prefix) {
            sink.ids.push_back(id);
            if (sink.wantSpans) {
                sink.spans.push_back({0, 0});
                sink.special.push_back(1);
            }
        }
    std::size_t segStart = 0;
    if (!impl.added.empty()) {
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (!impl.firstByte[static_cast<unsigned char>(text[i])])
                continue;
            const AddedToken *hit = nullptr;
            for (const AddedToken &a : impl.added) {
                if (a.special && !matchSpecial)
                    continue;
                if (text.compare(i, a.content.size(), a.content) != 0)
                    continue;
                if (a.singleWord) {
                    const std::size_t e = i + a.content.size();
                    if ((i > 0 && isWordByte(text[i - 1])) ||
                        (e < text.size() && isWordByte(text[e])))
                        continue;
                }
                hit = &a;
                break;
            }
            if (!hit)
                continue;
            std::size_t b = i, e = i + hit->content.size();
            if (hit->lstrip)
                while (b > segStart && isSpaceByte(text[b - 1]))
                    --b;
            if (hit->rstrip)
                while (e < text.size() && isSpaceByte(text[e]))
                    ++e;
            encodeSegment(impl, text.substr(segStart, b - segStart), segStart, sink);
            sink.ids.push_back(hit->id);
            if (sink.wantSpans) {
                sink.spans.push_back({i, i + hit->content.size()});
                sink.special.push_back(hit->special ? 1 : 0);
            }
            segStart = e;
            i = e - 1;
        }
    }
    encodeSegment(impl, text.substr(segStart), segStart, sink);
    if (opt.addSpecial)
        for (std::int32_t id : impl.post.suffix) {
            sink.ids.push_back(id);
            if (sink.wantSpans) {
                sink.spans.push_back({text.size(), text.size()});
                sink.special.push_back(1);
            }
        }
    if (!sink.wantSpans)
        return;
    // Whole characters only: a character belongs to the token that holds its first byte; spans are
    // kept ordered and disjoint (later tokens of a shared character get an empty span at its end).
    auto ceilChar = [&](std::size_t x) {
        while (x < text.size() && (static_cast<unsigned char>(text[x]) & 0xC0) == 0x80)
            ++x;
        return x;
    };
    std::size_t prevEnd = 0;
    for (Span &s : sink.spans) {
        s.begin = std::max(ceilChar(s.begin), prevEnd);
        s.end = std::max(ceilChar(s.end), s.begin);
        prevEnd = s.end;
    }
}

Error notFound(const std::string &what)
{
    return fail(ErrorCode::NotFound, what);
}

std::string lower(std::string s)
{
    for (char &c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c + 32);
    return s;
}

bool vocabTxtLowercase(const std::filesystem::path &dir)
{
    // tokenizer_config.json's do_lower_case (default true, as BertTokenizer).
    std::ifstream f(dir / "tokenizer_config.json");
    if (!f)
        return true;
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto p = s.find("\"do_lower_case\"");
    if (p == std::string::npos)
        return true;
    const auto v = s.find_first_not_of(" \t\r\n:", p + 15);
    return v == std::string::npos || s.compare(v, 5, "false") != 0;
}

} // namespace

std::vector<Span> tileSpans(const Encoding &encoding, std::size_t textSize)
{
    std::vector<Span> out(encoding.spans);
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i].begin = i == 0 ? 0 : out[i - 1].end;
        out[i].end =
            i + 1 < out.size() ? std::max(encoding.spans[i + 1].begin, out[i].begin) : textSize;
    }
    return out;
}

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}

std::string Tokenizer::pathForModel(const std::string &modelPath)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(modelPath, ec))
        return modelPath;
    // A GGUF's own tokenizer wins when Terse can rebuild it; one it cannot (another model or
    // pre-tokenizer) gives way to a tokenizer file beside it, and is the error when there is none.
    bool ownTokenizer = false;
    if (lower(fs::path(modelPath).extension().string()) == ".gguf") {
        try {
            const GgufFile g = readGgufFile(modelPath);
            if (meta(g.metadata, "tokenizer.ggml.model")) {
                ownTokenizer = true;
                text::ggufVocabFromMetadata(g.metadata);
                return modelPath;
            }
        } catch (const detail::EngineError &) {
            ownTokenizer = true; // a broken file or vocabulary: its load names what is wrong
        }
    }
    const fs::path dir = fs::path(modelPath).parent_path();
    for (const char *name : {"tokenizer.json", "tokenizer.model", "tokenizer.bin"})
        if (fs::exists(dir / name, ec))
            return (dir / name).string();
    for (const auto &e : fs::directory_iterator(dir.empty() ? fs::path(".") : dir, ec)) {
        const std::string n = e.path().filename().string();
        if (n.rfind("tok", 0) == 0 && e.path().extension() == ".bin")
            return e.path().string();
    }
    return ownTokenizer ? modelPath : dir.string();
}

Result<Tokenizer> Tokenizer::forModel(const std::string &modelPath)
{
    namespace fs = std::filesystem;
    if (fs::path(modelPath).extension() == ".bin")
        return fail(ErrorCode::InvalidInput,
                    "cannot score text with '" + modelPath +
                        "': llama2.c checkpoints carry no tokenizer; pass token ids with "
                        "--ids 1,2,3 (or a FILE holding ids)");
    const std::string tokenizerPath = pathForModel(modelPath);
    auto tok = Tokenizer::load(tokenizerPath);
    // A broken model file (its own vocabulary unreadable): token ids would not help either.
    if (!tok && tokenizerPath == modelPath)
        return fail(tok.error().code,
                    "cannot score text with '" + modelPath + "': " + tok.error().detail);
    if (!tok)
        return fail(ErrorCode::InvalidInput,
                    "cannot score text with '" + modelPath + "': " + tok.error().detail +
                        "; pass token ids with --ids 1,2,3 (or a FILE holding ids)");
    return tok;
}

Result<Tokenizer> Tokenizer::loadPathOrName(const std::string &pathOrName)
{
    std::error_code ec;
    if (std::filesystem::exists(pathOrName, ec) || pathOrName.find('/') != std::string::npos)
        return load(pathOrName);
    auto named = targetTokenizerPath(pathOrName);
    if (!named) {
        const std::string dir = resourcesDir();
        return notFound("'" + pathOrName +
                        "' is neither a tokenizer file or folder nor a bundled tiktoken encoding" +
                        (dir.empty()
                             ? std::string(" (no resources folder)")
                             : " in " + (std::filesystem::path(dir) / "tokenizers").string()));
    }
    return load(*named);
}

Result<Tokenizer> Tokenizer::load(const std::string &path)
{
    namespace fs = std::filesystem;
    return guarded([&]() -> Result<Tokenizer> {
        std::error_code ec;
        const fs::path p(path);
        if (!fs::exists(p, ec))
            return notFound(path + ": no such file or folder");
        if (fs::is_directory(p, ec)) {
            if (fs::exists(p / "tokenizer.json", ec))
                return Tokenizer(loadHfJson((p / "tokenizer.json").string()));
            if (fs::exists(p / "vocab.json", ec) && fs::exists(p / "merges.txt", ec))
                return Tokenizer(
                    loadGpt2Files((p / "vocab.json").string(), (p / "merges.txt").string()));
            if (fs::exists(p / "tokenizer.model", ec))
                return Tokenizer(loadSentencePiece((p / "tokenizer.model").string()));
            if (fs::exists(p / "vocab.txt", ec))
                return Tokenizer(loadVocabTxt((p / "vocab.txt").string(), vocabTxtLowercase(p)));
            if (fs::exists(p / "tokenizer.bin", ec))
                return Tokenizer(loadLlama2c((p / "tokenizer.bin").string()));
            for (const auto &e : fs::directory_iterator(p, ec))
                if (e.path().extension() == ".tiktoken")
                    return Tokenizer(loadTiktoken(e.path().string(), e.path().stem().string()));
            return notFound(
                path + ": no tokenizer.json, vocab.json + merges.txt, tokenizer.model, vocab.txt, "
                       "tokenizer.bin or *.tiktoken in this folder");
        }
        const std::string ext = lower(p.extension().string());
        const std::string name = p.filename().string();
        if (ext == ".json") {
            if (name == "vocab.json") {
                const fs::path merges = p.parent_path() / "merges.txt";
                if (!fs::exists(merges, ec))
                    return fail(ErrorCode::FormatError,
                                path + ": a vocab.json needs merges.txt next to it");
                return Tokenizer(loadGpt2Files(path, merges.string()));
            }
            return Tokenizer(loadHfJson(path));
        }
        if (ext == ".tiktoken")
            return Tokenizer(loadTiktoken(path, p.stem().string()));
        if (ext == ".model")
            return Tokenizer(loadSentencePiece(path));
        if (ext == ".txt")
            return Tokenizer(loadVocabTxt(path, vocabTxtLowercase(p.parent_path())));
        if (ext == ".bin")
            return Tokenizer(loadLlama2c(path));
        if (ext == ".gguf")
            return Tokenizer(loadGgufTokenizer(path));
        // Sniff: JSON starts with '{'; otherwise try a tiktoken rank file.
        std::ifstream f(path, std::ios::binary);
        char c = 0;
        f >> c;
        if (c == '{')
            return Tokenizer(loadHfJson(path));
        return fail(ErrorCode::Unsupported,
                    path + ": unknown tokenizer format (expected tokenizer.json, vocab.json, "
                           "vocab.txt, *.model, *.tiktoken or a llama2.c tokenizer.bin)");
    });
}

Result<Tokenizer> Tokenizer::fromTiktoken(const std::string &name, const std::string &directory)
{
    std::string dir = directory;
    if (dir.empty()) {
        const char *env = std::getenv("TERSE_TIKTOKEN_DIR");
        if (!env || !*env)
            return fail(ErrorCode::NotFound,
                        "tiktoken encoding '" + name +
                            "': no folder given and TERSE_TIKTOKEN_DIR is not set");
        dir = env;
    }
    const std::string path = (std::filesystem::path(dir) / (name + ".tiktoken")).string();
    return guarded([&]() -> Result<Tokenizer> { return Tokenizer(loadTiktoken(path, name)); });
}

Result<Encoding> Tokenizer::encode(std::string_view text, const EncodeOptions &options) const
{
    return guarded([&]() -> Result<Encoding> {
        Sink sink;
        encodeAll(*m_impl, text, options, sink);
        Encoding e;
        e.tokens.reserve(sink.ids.size());
        for (std::int32_t id : sink.ids) {
            const std::string *s = tokenString(*m_impl, id);
            e.tokens.push_back(s ? *s : std::string());
        }
        e.ids = std::move(sink.ids);
        e.spans = std::move(sink.spans);
        e.special = std::move(sink.special);
        e.kind = m_impl->kind;
        for (std::size_t i = 0; i < e.ids.size(); ++i)
            if (!e.special[i] && isSpecial(e.ids[i]))
                e.special[i] = 1;
        return e;
    });
}

Result<Encoding> Tokenizer::encode(std::string_view text, bool addSpecial) const
{
    EncodeOptions o;
    o.addSpecial = addSpecial;
    return encode(text, o);
}

Result<std::vector<std::int32_t>> Tokenizer::encodeIds(std::string_view text,
                                                       const EncodeOptions &options) const
{
    return guarded([&]() -> Result<std::vector<std::int32_t>> {
        Sink sink;
        sink.wantSpans = false;
        encodeAll(*m_impl, text, options, sink);
        return std::move(sink.ids);
    });
}

Result<std::size_t> Tokenizer::countTokens(std::string_view text,
                                           const EncodeOptions &options) const
{
    auto ids = encodeIds(text, options);
    if (!ids)
        return ids.error();
    return ids->size();
}

Result<std::string> Tokenizer::decode(const std::vector<std::int32_t> &ids, bool skipSpecial) const
{
    return guarded([&]() -> Result<std::string> {
        const Impl &impl = *m_impl;
        if (impl.decodeStyle == DecodeStyle::SentencePiece) {
            // SentencePiece / llama2.c run.c: pieces joined, U+2581 as space, <0xXX> as bytes, and
            // the leading space of the first piece (after BOS or at the start) dropped.
            std::string out;
            bool atStart = true;
            for (std::int32_t id : ids) {
                const std::string *s = tokenString(impl, id);
                if (!s)
                    return fail(ErrorCode::InvalidArgument,
                                "decode: id " + std::to_string(id) + " is not in the vocabulary");
                if (isSpecial(id)) {
                    if (!skipSpecial)
                        out += *s;
                    atStart = atStart || id == impl.llamaBos;
                    continue;
                }
                std::string piece = *s;
                if (piece.size() == 6 && piece.compare(0, 3, "<0x") == 0 && piece[5] == '>') {
                    piece = std::string(
                        1, static_cast<char>(std::strtol(piece.substr(3, 2).c_str(), nullptr, 16)));
                } else {
                    for (std::size_t p = piece.find("\xE2\x96\x81"); p != std::string::npos;
                         p = piece.find("\xE2\x96\x81", p + 1))
                        piece.replace(p, 3, " ");
                    if (atStart && !piece.empty() && piece[0] == ' ')
                        piece.erase(0, 1);
                }
                atStart = false;
                out += piece;
            }
            return out;
        }
        std::vector<std::string> tokens;
        tokens.reserve(ids.size());
        for (std::int32_t id : ids) {
            const std::string *s = tokenString(impl, id);
            if (!s)
                return fail(ErrorCode::InvalidArgument,
                            "decode: id " + std::to_string(id) + " is not in the vocabulary");
            if (skipSpecial && isSpecial(id))
                continue;
            tokens.push_back(*s);
        }
        if (!impl.hasDecoder) {
            std::string out;
            for (std::size_t i = 0; i < tokens.size(); ++i)
                out += (i ? " " : "") + tokens[i];
            return out;
        }
        for (const auto &d : impl.decoders)
            d->decode(tokens);
        std::string out;
        for (const std::string &t : tokens)
            out += t;
        return out;
    });
}

std::size_t Tokenizer::vocabSize() const
{
    return m_impl->vocabSize;
}

std::string Tokenizer::idToToken(std::int32_t id) const
{
    const std::string *s = tokenString(*m_impl, id);
    return s ? *s : std::string();
}

std::int32_t Tokenizer::tokenToId(std::string_view token) const
{
    if (auto it = m_impl->addedByContent.find(token); it != m_impl->addedByContent.end())
        return it->second;
    return m_impl->model->tokenToId(token);
}

bool Tokenizer::isSpecial(std::int32_t id) const
{
    auto it = m_impl->addedById.find(id);
    return it != m_impl->addedById.end() && m_impl->added[it->second].special;
}

SpecialIds Tokenizer::specialIds() const
{
    return m_impl->ids;
}
std::string Tokenizer::kind() const
{
    return m_impl->kind;
}
std::string Tokenizer::source() const
{
    return m_impl->source;
}

} // namespace terse
