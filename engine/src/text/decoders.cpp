// Decoders of the tokenizer pipeline (HF tokenizers semantics): byte-level, WordPiece, metaspace,
// byte fallback, fuse, strip, replace, BPE suffix.
#include "text/tokenizer_impl.h"
#include "text/unicode.h"

#include <algorithm>
#include <cstring>

namespace terse::text {

namespace {

class ByteLevelDecoder : public Decoder {
public:
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::string &t : tokens) {
            std::string out;
            out.reserve(t.size());
            for (std::size_t i = 0; i < t.size();) {
                char32_t cp;
                const std::size_t len = decodeUtf8Lenient(t, i, cp);
                const int b = unicodeToByte(cp);
                if (b >= 0)
                    out.push_back(static_cast<char>(b));
                else
                    out.append(t, i, len);
                i += len;
            }
            t = std::move(out);
        }
    }
};

void replaceAll(std::string &s, std::string_view from, std::string_view to)
{
    if (from.empty())
        return;
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
        s.replace(p, from.size(), to);
}

class WordPieceDecoder : public Decoder {
public:
    WordPieceDecoder(std::string prefix, bool cleanup)
        : m_prefix(std::move(prefix)), m_cleanup(cleanup)
    {
    }
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            std::string &t = tokens[i];
            if (i != 0) {
                if (t.compare(0, m_prefix.size(), m_prefix) == 0)
                    t.erase(0, m_prefix.size());
                else
                    t.insert(0, 1, ' '); // (not insert(0, " "): GCC 12 -Wrestrict false positive)
            }
        }
        if (!m_cleanup)
            return;
        // transformers' clean_up_tokenization on the joined text ("it ' s" -> "it's"); unlike the
        // Rust decoder it leaves "do not" alone, as Python and JS transformers do (tokvec
        // paragraph-001).
        std::string all;
        for (const std::string &t : tokens)
            all += t;
        static const char *const kPairs[][2] = {
            {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
            {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
        for (const auto &p : kPairs)
            replaceAll(all, p[0], p[1]);
        tokens.assign(1, std::move(all));
    }

private:
    std::string m_prefix;
    bool m_cleanup;
};

class MetaspaceDecoder : public Decoder {
public:
    MetaspaceDecoder(std::string rep, bool stripFirst)
        : m_rep(std::move(rep)), m_stripFirst(stripFirst)
    {
    }
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            replaceAll(tokens[i], m_rep, " ");
            if (i == 0 && m_stripFirst && !tokens[i].empty() && tokens[i][0] == ' ')
                tokens[i].erase(0, 1);
        }
    }

private:
    std::string m_rep;
    bool m_stripFirst;
};

// "<0xAB>" -> the byte value, or -1.
int bytePiece(const std::string &t)
{
    if (t.size() != 6 || t[0] != '<' || t[1] != '0' || t[2] != 'x' || t[5] != '>')
        return -1;
    auto hex = [](char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                      : -1;
    };
    const int hi = hex(t[3]), lo = hex(t[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

class ByteFallbackDecoder : public Decoder {
public:
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::string &t : tokens)
            if (int b = bytePiece(t); b >= 0)
                t = std::string(1, static_cast<char>(b));
    }
};

class FuseDecoder : public Decoder {
public:
    void decode(std::vector<std::string> &tokens) const override
    {
        std::string all;
        for (const std::string &t : tokens)
            all += t;
        tokens.assign(1, std::move(all));
    }
};

class StripDecoder : public Decoder {
public:
    StripDecoder(std::string content, int start, int stop)
        : m_content(std::move(content)), m_start(start), m_stop(stop)
    {
    }
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::string &t : tokens) {
            for (int k = 0; k < m_start && t.compare(0, m_content.size(), m_content) == 0 &&
                            !m_content.empty();
                 ++k)
                t.erase(0, m_content.size());
            for (int k = 0;
                 k < m_stop && !m_content.empty() && t.size() >= m_content.size() &&
                 t.compare(t.size() - m_content.size(), m_content.size(), m_content) == 0;
                 ++k)
                t.erase(t.size() - m_content.size());
        }
    }

private:
    std::string m_content;
    int m_start, m_stop;
};

class ReplaceDecoder : public Decoder {
public:
    ReplaceDecoder(std::string pattern, std::string content)
        : m_pattern(std::move(pattern)), m_content(std::move(content))
    {
    }
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::string &t : tokens)
            replaceAll(t, m_pattern, m_content);
    }

private:
    std::string m_pattern, m_content;
};

class BpeSuffixDecoder : public Decoder {
public:
    explicit BpeSuffixDecoder(std::string suffix) : m_suffix(std::move(suffix)) {}
    void decode(std::vector<std::string> &tokens) const override
    {
        for (std::size_t i = 0; i < tokens.size(); ++i)
            replaceAll(tokens[i], m_suffix, i + 1 == tokens.size() ? "" : " ");
    }

private:
    std::string m_suffix;
};

} // namespace

std::unique_ptr<Decoder> makeByteLevelDecoder()
{
    return std::make_unique<ByteLevelDecoder>();
}
std::unique_ptr<Decoder> makeWordPieceDecoder(std::string prefix, bool cleanup)
{
    return std::make_unique<WordPieceDecoder>(std::move(prefix), cleanup);
}
std::unique_ptr<Decoder> makeMetaspaceDecoder(std::string replacement, bool stripFirst)
{
    return std::make_unique<MetaspaceDecoder>(std::move(replacement), stripFirst);
}
std::unique_ptr<Decoder> makeByteFallbackDecoder()
{
    return std::make_unique<ByteFallbackDecoder>();
}
std::unique_ptr<Decoder> makeFuseDecoder()
{
    return std::make_unique<FuseDecoder>();
}
std::unique_ptr<Decoder> makeStripDecoder(std::string content, int start, int stop)
{
    return std::make_unique<StripDecoder>(std::move(content), start, stop);
}
std::unique_ptr<Decoder> makeReplaceDecoder(std::string pattern, std::string content)
{
    return std::make_unique<ReplaceDecoder>(std::move(pattern), std::move(content));
}
std::unique_ptr<Decoder> makeBpeSuffixDecoder(std::string suffix)
{
    return std::make_unique<BpeSuffixDecoder>(std::move(suffix));
}

} // namespace terse::text
