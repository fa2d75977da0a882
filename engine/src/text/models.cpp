// Tokenization models: BPE (merge table or concatenation priority), WordPiece, Unigram, WordLevel.
#include "text/tokenizer_impl.h"
#include "text/unicode.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace terse::text {

namespace {

constexpr std::uint32_t kNoMerge = std::numeric_limits<std::uint32_t>::max();

struct Merge {
    std::uint32_t rank;
    std::int32_t id;
};

std::uint64_t pairKey(std::int32_t a, std::int32_t b)
{
    return (std::uint64_t(std::uint32_t(a)) << 32) | std::uint32_t(b);
}

// A small open-addressing hash map from id pairs to merges (the hot lookup of BPE).
class PairTable {
public:
    void build(const std::vector<std::pair<std::uint64_t, Merge>> &entries)
    {
        std::size_t cap = 16;
        while (cap < entries.size() * 2)
            cap <<= 1;
        m_keys.assign(cap, kEmpty);
        m_vals.assign(cap, Merge{kNoMerge, -1});
        m_mask = cap - 1;
        for (const auto &[k, v] : entries) {
            std::size_t h = hash(k) & m_mask;
            while (m_keys[h] != kEmpty && m_keys[h] != k)
                h = (h + 1) & m_mask;
            if (m_keys[h] == k && m_vals[h].rank <= v.rank)
                continue; // keep the best-ranked merge for a pair
            m_keys[h] = k;
            m_vals[h] = v;
        }
    }
    Merge find(std::int32_t a, std::int32_t b) const
    {
        if (m_keys.empty())
            return {kNoMerge, -1};
        const std::uint64_t k = pairKey(a, b);
        for (std::size_t h = hash(k) & m_mask;; h = (h + 1) & m_mask) {
            if (m_keys[h] == k)
                return m_vals[h];
            if (m_keys[h] == kEmpty)
                return {kNoMerge, -1};
        }
    }

private:
    static constexpr std::uint64_t kEmpty = ~std::uint64_t(0);
    static std::size_t hash(std::uint64_t k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        return static_cast<std::size_t>(k);
    }
    std::vector<std::uint64_t> m_keys;
    std::vector<Merge> m_vals;
    std::size_t m_mask = 0;
};

struct Symbol {
    std::int32_t id;
    std::uint32_t begin, end;
    std::int32_t prev, next;
};

// Merges symbols by lowest rank, leftmost first (HF tokenizers word.rs / tiktoken semantics).
void mergeSymbols(std::vector<Symbol> &syms, const PairTable &table)
{
    const std::size_t n = syms.size();
    if (n < 2)
        return;
    if (n <= 32) {
        // Small words: a rank per adjacent pair, rescanned after each merge (cheaper than a heap).
        std::vector<Symbol> s = std::move(syms);
        std::uint32_t ranks[32];
        std::int32_t ids[32];
        std::size_t m = s.size();
        for (std::size_t i = 0; i + 1 < m; ++i) {
            Merge g = table.find(s[i].id, s[i + 1].id);
            ranks[i] = g.rank;
            ids[i] = g.id;
        }
        while (m > 1) {
            std::size_t best = 0;
            for (std::size_t i = 1; i + 1 < m; ++i)
                if (ranks[i] < ranks[best])
                    best = i;
            if (ranks[best] == kNoMerge)
                break;
            s[best].id = ids[best];
            s[best].end = s[best + 1].end;
            s.erase(s.begin() + best + 1);
            std::copy(ranks + best + 1, ranks + m - 1, ranks + best);
            std::copy(ids + best + 1, ids + m - 1, ids + best);
            --m;
            if (best + 1 < m) {
                Merge g = table.find(s[best].id, s[best + 1].id);
                ranks[best] = g.rank;
                ids[best] = g.id;
            }
            if (best > 0) {
                Merge g = table.find(s[best - 1].id, s[best].id);
                ranks[best - 1] = g.rank;
                ids[best - 1] = g.id;
            }
        }
        syms = std::move(s);
        return;
    }
    // Long words: a priority queue of candidate merges with lazy invalidation, O(n log n).
    for (std::size_t i = 0; i < n; ++i) {
        syms[i].prev = static_cast<std::int32_t>(i) - 1;
        syms[i].next = i + 1 < n ? static_cast<std::int32_t>(i + 1) : -1;
    }
    struct Cand {
        std::uint32_t rank;
        std::int32_t pos, right, newId, leftId, rightId;
        bool operator<(const Cand &o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Cand> heap;
    auto push = [&](std::int32_t l) {
        const std::int32_t r = syms[l].next;
        if (r < 0)
            return;
        Merge g = table.find(syms[l].id, syms[r].id);
        if (g.rank != kNoMerge)
            heap.push({g.rank, l, r, g.id, syms[l].id, syms[r].id});
    };
    for (std::size_t i = 0; i + 1 < n; ++i)
        push(static_cast<std::int32_t>(i));
    while (!heap.empty()) {
        const Cand c = heap.top();
        heap.pop();
        Symbol &l = syms[c.pos];
        if (l.id < 0 || l.next != c.right)
            continue;
        Symbol &r = syms[c.right];
        if (l.id != c.leftId || r.id != c.rightId)
            continue; // a neighbour merged since this candidate was queued
        l.id = c.newId;
        l.end = r.end;
        l.next = r.next;
        if (r.next >= 0)
            syms[r.next].prev = c.pos;
        r.id = -1;
        if (l.prev >= 0)
            push(l.prev);
        push(c.pos);
    }
    std::vector<Symbol> out;
    for (std::int32_t i = 0; i >= 0; i = syms[i].next)
        out.push_back(syms[i]);
    syms = std::move(out);
}

// Pre-token -> tokens cache (English text repeats words; HF tokenizers caches the same way).
// Bounded: cleared when full. Thread-safe.
class WordCache {
public:
    static constexpr std::size_t kMaxBytes = 256;
    static constexpr std::size_t kMaxEntries = 200000;

    bool find(std::string_view word, std::vector<ModelToken> &out) const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_map.find(word);
        if (it == m_map.end())
            return false;
        out.insert(out.end(), it->second.begin(), it->second.end());
        return true;
    }
    void store(std::string_view word, const ModelToken *begin, const ModelToken *end) const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_map.size() >= kMaxEntries)
            m_map.clear();
        m_map.emplace(std::string(word), std::vector<ModelToken>(begin, end));
    }

private:
    mutable std::mutex m_mutex;
    mutable std::unordered_map<std::string, std::vector<ModelToken>, StringHash, std::equal_to<>>
        m_map;
};

// Runs `fn(word, out)` through the cache for words short enough to cache.
template <typename Fn>
void cachedTokenize(const WordCache &cache, std::string_view word, std::vector<ModelToken> &out,
                    Fn &&fn)
{
    if (word.size() > WordCache::kMaxBytes) {
        fn(word, out);
        return;
    }
    if (cache.find(word, out))
        return;
    const std::size_t first = out.size();
    fn(word, out);
    cache.store(word, out.data() + first, out.data() + out.size());
}

class BpeModel : public Model {
public:
    BpeModel(BpeConfig cfg, std::vector<std::pair<std::uint64_t, Merge>> pairs)
        : m_cfg(std::move(cfg))
    {
        m_table.build(pairs);
        std::int32_t maxId = -1;
        for (const auto &[k, v] : m_cfg.vocab)
            maxId = std::max(maxId, v);
        m_tokens.resize(static_cast<std::size_t>(maxId + 1));
        for (const auto &[k, v] : m_cfg.vocab)
            m_tokens[v] = k;
        for (int b = 0; b < 256; ++b) {
            if (m_cfg.init == BpeInit::ByteLevel) {
                auto it = m_cfg.vocab.find(byteToUnicode(static_cast<unsigned char>(b)));
                m_byteId[b] = it == m_cfg.vocab.end() ? -1 : it->second;
            } else {
                char name[8];
                std::snprintf(name, sizeof name, "<0x%02X>", b);
                auto it = m_cfg.vocab.find(std::string_view(name));
                m_byteId[b] = it == m_cfg.vocab.end() ? -1 : it->second;
            }
        }
    }

    void tokenize(std::string_view piece, std::vector<ModelToken> &out) const override
    {
        cachedTokenize(m_cache, piece, out,
                       [this](std::string_view w, auto &o) { tokenizeUncached(w, o); });
    }

    std::size_t size() const override { return m_tokens.size(); }
    std::int32_t tokenToId(std::string_view t) const override
    {
        auto it = m_cfg.vocab.find(t);
        return it == m_cfg.vocab.end() ? -1 : it->second;
    }
    const std::string *idToToken(std::int32_t id) const override
    {
        return id >= 0 && std::size_t(id) < m_tokens.size() ? &m_tokens[id] : nullptr;
    }

private:
    void tokenizeUncached(std::string_view piece, std::vector<ModelToken> &out) const
    {
        std::vector<Symbol> syms;
        syms.reserve(piece.size());
        const auto u32 = [](std::size_t v) { return static_cast<std::uint32_t>(v); };
        if (m_cfg.init == BpeInit::ByteLevel) {
            if (m_cfg.ignoreMerges) {
                std::string mapped;
                for (char c : piece)
                    mapped += byteToUnicode(static_cast<unsigned char>(c));
                if (auto it = m_cfg.vocab.find(mapped); it != m_cfg.vocab.end()) {
                    out.push_back({it->second, 0, u32(piece.size())});
                    return;
                }
            }
            for (std::size_t i = 0; i < piece.size(); ++i) {
                const std::int32_t id = m_byteId[static_cast<unsigned char>(piece[i])];
                if (id >= 0)
                    syms.push_back({id, u32(i), u32(i + 1), 0, 0});
                else if (m_cfg.unk >= 0)
                    pushUnk(syms, u32(i), u32(i + 1));
                // else: HF drops bytes that have no token and no unk (SmolLM2's missing bytes)
            }
        } else {
            if (m_cfg.ignoreMerges) {
                if (auto it = m_cfg.vocab.find(piece); it != m_cfg.vocab.end()) {
                    out.push_back({it->second, 0, u32(piece.size())});
                    return;
                }
            }
            std::string key;
            for (std::size_t i = 0; i < piece.size();) {
                const std::size_t len =
                    std::min(utf8Length(static_cast<unsigned char>(piece[i])), piece.size() - i);
                std::string_view ch = piece.substr(i, len);
                std::int32_t id = -1;
                if (m_cfg.continuingPrefix.empty() && m_cfg.endOfWordSuffix.empty()) {
                    id = lookup(ch);
                } else {
                    key.assign(i > 0 ? m_cfg.continuingPrefix : std::string());
                    key.append(ch);
                    if (i + len == piece.size())
                        key += m_cfg.endOfWordSuffix;
                    id = lookup(key);
                }
                if (id >= 0) {
                    syms.push_back({id, u32(i), u32(i + len), 0, 0});
                } else if (m_cfg.byteFallback && std::all_of(ch.begin(), ch.end(), [&](char c) {
                               return m_byteId[static_cast<unsigned char>(c)] >= 0;
                           })) {
                    for (std::size_t k = 0; k < len; ++k)
                        syms.push_back({m_byteId[static_cast<unsigned char>(ch[k])], u32(i + k),
                                        u32(i + k + 1), 0, 0});
                } else if (m_cfg.unk >= 0) {
                    pushUnk(syms, u32(i), u32(i + len));
                }
                i += len;
            }
        }
        mergeSymbols(syms, m_table);
        for (const Symbol &s : syms)
            out.push_back({s.id, s.begin, s.end});
    }

    std::int32_t lookup(std::string_view s) const
    {
        auto it = m_cfg.vocab.find(s);
        return it == m_cfg.vocab.end() ? -1 : it->second;
    }

    void pushUnk(std::vector<Symbol> &syms, std::uint32_t b, std::uint32_t e) const
    {
        if (m_cfg.fuseUnk && !syms.empty() && syms.back().id == m_cfg.unk && syms.back().end == b)
            syms.back().end = e;
        else
            syms.push_back({m_cfg.unk, b, e, 0, 0});
    }

    BpeConfig m_cfg;
    PairTable m_table;
    std::vector<std::string> m_tokens;
    std::int32_t m_byteId[256];
    WordCache m_cache;
};

class WordPieceModel : public Model {
public:
    WordPieceModel(StringIdMap vocab, std::int32_t unk, std::string prefix, std::size_t maxChars)
        : m_vocab(std::move(vocab)), m_unk(unk), m_prefix(std::move(prefix)), m_maxChars(maxChars)
    {
        std::int32_t maxId = -1;
        for (const auto &[k, v] : m_vocab) {
            maxId = std::max(maxId, v);
            m_maxBytes = std::max(m_maxBytes, k.size());
        }
        m_tokens.resize(static_cast<std::size_t>(maxId + 1));
        for (const auto &[k, v] : m_vocab)
            m_tokens[v] = k;
    }
    void tokenize(std::string_view word, std::vector<ModelToken> &out) const override
    {
        cachedTokenize(m_cache, word, out,
                       [this](std::string_view w, auto &o) { tokenizeUncached(w, o); });
    }
    void tokenizeUncached(std::string_view word, std::vector<ModelToken> &out) const
    {
        const auto u32 = [](std::size_t v) { return static_cast<std::uint32_t>(v); };
        std::size_t chars = 0;
        for (unsigned char c : word)
            chars += (c & 0xC0) != 0x80;
        if (chars > m_maxChars) {
            out.push_back({m_unk, 0, u32(word.size())});
            return;
        }
        const std::size_t first = out.size();
        std::string key;
        for (std::size_t start = 0; start < word.size();) {
            std::size_t end = std::min(word.size(), start + m_maxBytes);
            std::int32_t found = -1;
            while (end > start) {
                // Only end at character boundaries.
                while (end < word.size() && end > start &&
                       (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80)
                    --end;
                if (end == start)
                    break;
                std::string_view sub = word.substr(start, end - start);
                if (start > 0) {
                    key.assign(m_prefix);
                    key.append(sub);
                    sub = key;
                }
                if (auto it = m_vocab.find(sub); it != m_vocab.end()) {
                    found = it->second;
                    break;
                }
                --end;
            }
            if (found < 0) {
                out.resize(first);
                out.push_back({m_unk, 0, u32(word.size())});
                return;
            }
            out.push_back({found, u32(start), u32(end)});
            start = end;
        }
    }
    std::size_t size() const override { return m_tokens.size(); }
    std::int32_t tokenToId(std::string_view t) const override
    {
        auto it = m_vocab.find(t);
        return it == m_vocab.end() ? -1 : it->second;
    }
    const std::string *idToToken(std::int32_t id) const override
    {
        return id >= 0 && std::size_t(id) < m_tokens.size() ? &m_tokens[id] : nullptr;
    }

private:
    StringIdMap m_vocab;
    std::int32_t m_unk;
    std::string m_prefix;
    std::size_t m_maxChars;
    std::size_t m_maxBytes = 1;
    std::vector<std::string> m_tokens;
    WordCache m_cache;
};

class UnigramModel : public Model {
public:
    UnigramModel(std::vector<std::string> pieces, std::vector<double> scores, std::int32_t unk,
                 bool byteFallback)
        : m_tokens(std::move(pieces)), m_scores(std::move(scores)), m_unk(unk),
          m_byteFallback(byteFallback)
    {
        double minScore = 0;
        for (std::size_t i = 0; i < m_tokens.size(); ++i) {
            m_vocab.emplace(m_tokens[i], static_cast<std::int32_t>(i));
            m_maxBytes = std::max(m_maxBytes, m_tokens[i].size());
            minScore = std::min(minScore, m_scores[i]);
        }
        m_unkScore = minScore - 10.0; // HF unigram kUnkPenalty
        for (int b = 0; b < 256; ++b) {
            char name[8];
            std::snprintf(name, sizeof name, "<0x%02X>", b);
            auto it = m_vocab.find(std::string_view(name));
            m_byteId[b] = it == m_vocab.end() ? -1 : it->second;
        }
    }
    void tokenize(std::string_view s, std::vector<ModelToken> &out) const override
    {
        const std::size_t n = s.size();
        struct Node {
            double score = -std::numeric_limits<double>::infinity();
            std::int32_t id = -1;
            std::uint32_t start = 0;
        };
        std::vector<Node> best(n + 1);
        best[0].score = 0;
        for (std::size_t i = 0; i < n;) {
            const std::size_t clen = std::min(utf8Length(static_cast<unsigned char>(s[i])), n - i);
            if (best[i].score > -std::numeric_limits<double>::infinity()) {
                bool single = false;
                for (std::size_t e = i + 1; e <= std::min(n, i + m_maxBytes); ++e) {
                    auto it = m_vocab.find(s.substr(i, e - i));
                    if (it == m_vocab.end())
                        continue;
                    if (e == i + clen)
                        single = true;
                    const double sc = best[i].score + m_scores[it->second];
                    if (sc > best[e].score)
                        best[e] = {sc, it->second, static_cast<std::uint32_t>(i)};
                }
                if (!single) {
                    const double sc = best[i].score + m_unkScore;
                    if (sc > best[i + clen].score)
                        best[i + clen] = {sc, -2,
                                          static_cast<std::uint32_t>(i)}; // -2: unknown char
                }
            }
            i += clen;
        }
        std::vector<ModelToken> rev;
        for (std::size_t e = n; e > 0;) {
            const Node &nd = best[e];
            rev.push_back({nd.id, nd.start, static_cast<std::uint32_t>(e)});
            e = nd.start;
        }
        for (auto it = rev.rbegin(); it != rev.rend(); ++it) {
            if (it->id != -2) {
                out.push_back(*it);
                continue;
            }
            if (m_byteFallback) {
                bool ok = true;
                for (std::uint32_t k = it->begin; k < it->end; ++k)
                    ok = ok && m_byteId[static_cast<unsigned char>(s[k])] >= 0;
                if (ok) {
                    for (std::uint32_t k = it->begin; k < it->end; ++k)
                        out.push_back({m_byteId[static_cast<unsigned char>(s[k])], k, k + 1});
                    continue;
                }
            }
            if (m_unk < 0)
                continue;
            // fuse_unk: consecutive unknown characters become one [UNK].
            if (!out.empty() && out.back().id == m_unk && out.back().end == it->begin)
                out.back().end = it->end;
            else
                out.push_back({m_unk, it->begin, it->end});
        }
    }
    std::size_t size() const override { return m_tokens.size(); }
    std::int32_t tokenToId(std::string_view t) const override
    {
        auto it = m_vocab.find(t);
        return it == m_vocab.end() ? -1 : it->second;
    }
    const std::string *idToToken(std::int32_t id) const override
    {
        return id >= 0 && std::size_t(id) < m_tokens.size() ? &m_tokens[id] : nullptr;
    }

private:
    std::vector<std::string> m_tokens;
    std::vector<double> m_scores;
    StringIdMap m_vocab;
    std::int32_t m_unk;
    bool m_byteFallback;
    double m_unkScore = -10;
    std::size_t m_maxBytes = 1;
    std::int32_t m_byteId[256];
};

class WordLevelModel : public Model {
public:
    WordLevelModel(StringIdMap vocab, std::int32_t unk) : m_vocab(std::move(vocab)), m_unk(unk)
    {
        std::int32_t maxId = -1;
        for (const auto &[k, v] : m_vocab)
            maxId = std::max(maxId, v);
        m_tokens.resize(static_cast<std::size_t>(maxId + 1));
        for (const auto &[k, v] : m_vocab)
            m_tokens[v] = k;
    }
    void tokenize(std::string_view w, std::vector<ModelToken> &out) const override
    {
        auto it = m_vocab.find(w);
        const std::int32_t id = it == m_vocab.end() ? m_unk : it->second;
        if (id >= 0)
            out.push_back({id, 0, static_cast<std::uint32_t>(w.size())});
    }
    std::size_t size() const override { return m_tokens.size(); }
    std::int32_t tokenToId(std::string_view t) const override
    {
        auto it = m_vocab.find(t);
        return it == m_vocab.end() ? -1 : it->second;
    }
    const std::string *idToToken(std::int32_t id) const override
    {
        return id >= 0 && std::size_t(id) < m_tokens.size() ? &m_tokens[id] : nullptr;
    }

private:
    StringIdMap m_vocab;
    std::int32_t m_unk;
    std::vector<std::string> m_tokens;
};

} // namespace

const std::string &byteToUnicode(unsigned char b)
{
    // GPT-2 bytes_to_unicode(): printable bytes map to themselves, the rest to U+0100 + n.
    static const std::vector<std::string> table = [] {
        std::vector<std::string> t(256);
        int n = 0;
        for (int c = 0; c < 256; ++c) {
            const bool printable =
                (c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF);
            appendUtf8(t[c], printable ? char32_t(c) : char32_t(256 + n++));
        }
        return t;
    }();
    return table[b];
}

int unicodeToByte(char32_t cp)
{
    static const std::vector<int> table = [] {
        std::vector<int> t(324, -1);
        for (int b = 0; b < 256; ++b) {
            char32_t cp;
            decodeUtf8(byteToUnicode(static_cast<unsigned char>(b)), 0, cp);
            t[cp] = b;
        }
        return t;
    }();
    return cp < table.size() ? table[cp] : -1;
}

std::unique_ptr<Model> makeBpe(BpeConfig cfg, const std::string &file)
{
    std::vector<std::pair<std::uint64_t, Merge>> pairs;
    pairs.reserve(cfg.merges.size());
    const std::string &prefix = cfg.continuingPrefix;
    for (std::size_t r = 0; r < cfg.merges.size(); ++r) {
        const auto &[a, b] = cfg.merges[r];
        auto ia = cfg.vocab.find(a), ib = cfg.vocab.find(b);
        std::string merged = a + (prefix.empty() || b.compare(0, prefix.size(), prefix) != 0
                                      ? b
                                      : b.substr(prefix.size()));
        auto im = cfg.vocab.find(merged);
        if (ia == cfg.vocab.end() || ib == cfg.vocab.end() || im == cfg.vocab.end())
            throw TextError{ErrorCode::FormatError,
                            file + ": merge " + std::to_string(r + 1) + " ('" + a + " " + b +
                                "') uses a token missing from the vocabulary"};
        pairs.push_back(
            {pairKey(ia->second, ib->second), {static_cast<std::uint32_t>(r), im->second}});
    }
    cfg.merges.clear();
    cfg.merges.shrink_to_fit();
    return std::make_unique<BpeModel>(std::move(cfg), std::move(pairs));
}

std::unique_ptr<Model> makeConcatBpe(std::vector<std::string> tokens, std::vector<double> priority,
                                     BpeInit init, std::int32_t unk, bool byteFallback)
{
    BpeConfig cfg;
    cfg.init = init;
    cfg.unk = unk;
    cfg.byteFallback = byteFallback;
    for (std::size_t i = 0; i < tokens.size(); ++i)
        cfg.vocab.emplace(tokens[i], static_cast<std::int32_t>(i));
    // Dense ranks of the priorities: equal priorities tie, so the leftmost pair merges first.
    std::vector<double> distinct;
    for (double p : priority)
        if (p >= 0)
            distinct.push_back(p);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    std::vector<std::pair<std::uint64_t, Merge>> pairs;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::string &t = tokens[i];
        if (priority[i] < 0 || t.size() < 2)
            continue;
        const auto rank = static_cast<std::uint32_t>(
            std::lower_bound(distinct.begin(), distinct.end(), priority[i]) - distinct.begin());
        const std::string_view tv(t);
        for (std::size_t k = 1; k < t.size(); ++k) {
            if ((static_cast<unsigned char>(t[k]) & 0xC0) == 0x80) // split between characters only
                continue;
            auto l = cfg.vocab.find(tv.substr(0, k));
            if (l == cfg.vocab.end())
                continue;
            auto r = cfg.vocab.find(tv.substr(k));
            if (r == cfg.vocab.end())
                continue;
            pairs.push_back({pairKey(l->second, r->second), {rank, static_cast<std::int32_t>(i)}});
        }
    }
    return std::make_unique<BpeModel>(std::move(cfg), std::move(pairs));
}

std::unique_ptr<Model> makeWordPiece(StringIdMap vocab, std::int32_t unk, std::string prefix,
                                     std::size_t maxChars)
{
    return std::make_unique<WordPieceModel>(std::move(vocab), unk, std::move(prefix), maxChars);
}

std::unique_ptr<Model> makeUnigram(std::vector<std::string> pieces, std::vector<double> scores,
                                   std::int32_t unk, bool byteFallback)
{
    return std::make_unique<UnigramModel>(std::move(pieces), std::move(scores), unk, byteFallback);
}

std::unique_ptr<Model> makeWordLevel(StringIdMap vocab, std::int32_t unk)
{
    return std::make_unique<WordLevelModel>(std::move(vocab), unk);
}

} // namespace terse::text
