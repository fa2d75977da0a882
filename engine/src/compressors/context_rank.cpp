#include "compressors/context_rank.h"

#include "compressors/common.h"
#include "text/unicode.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>

namespace terse::detail {

namespace {

bool isSearchStopword(const std::string &w)
{
    static const std::set<std::string> kStop = {
        "a",     "an",   "the",  "of",  "in",   "on",  "to",       "and",   "is",
        "was",   "were", "for",  "by",  "with", "as",  "at",       "from",  "that",
        "this",  "it",   "be",   "are", "or",   "who", "what",     "when",  "where",
        "which", "how",  "many", "did", "does", "do",  "question", "answer"};
    return kStop.count(w) > 0;
}

// Porter's step 1a (sses -> ss, ies -> i, ss stays, s goes) and -ed / -ing, each only when three
// characters stay: "leaves" and "leave" meet at "leave", "episodes" at "episode", "climbed" and
// "climbing" at "climb", "studies" and "studied" at "studi".
std::string stripSuffix(std::string w)
{
    auto ends = [&](const char *suffix) {
        const std::size_t n = std::char_traits<char>::length(suffix);
        return w.size() >= n + 3 && w.compare(w.size() - n, n, suffix) == 0;
    };
    if (ends("sses"))
        w.resize(w.size() - 2);
    else if (ends("ies"))
        w.resize(w.size() - 2);
    else if (ends("ss"))
        ;
    else if (ends("s"))
        w.resize(w.size() - 1);
    else if (ends("ing"))
        w.resize(w.size() - 3);
    else if (ends("ed"))
        w.resize(w.size() - 2);
    return w;
}

// What a factoid question asks for, from its wh-words (issue 15: the answer's sentence often
// shares few words with the question, but holds the kind of thing asked for).
enum class AnswerType { None, Date, Number, Name };

AnswerType answerType(const std::string &question)
{
    const auto w = bm25Terms(question, TermSplit::Words);
    auto has = [&](const char *a, const char *b = nullptr) {
        for (std::size_t i = 0; i < w.size(); ++i)
            if (w[i] == a && (!b || (i + 1 < w.size() && w[i + 1] == b)))
                return true;
        return false;
    };
    if (has("when") || has("what", "year") || has("which", "year") || has("what", "date"))
        return AnswerType::Date;
    if (has("how", "many") || has("how", "much") || has("how", "long") || has("how", "old"))
        return AnswerType::Number;
    if (has("who") || has("whom") || has("whose") || has("where"))
        return AnswerType::Name;
    return AnswerType::None;
}

bool holdsType(const std::string &sentence, AnswerType type, const std::set<std::string> &asked)
{
    static const std::set<std::string> kMonths = {"january",   "february", "march",    "april",
                                                  "may",       "june",     "july",     "august",
                                                  "september", "october",  "november", "december"};
    const auto spaced = splitOnSpaces(sentence);
    for (const auto &raw : bm25Terms(sentence, TermSplit::Words)) {
        const bool digits = std::all_of(raw.begin(), raw.end(),
                                        [](unsigned char c) { return c >= '0' && c <= '9'; });
        if (type == AnswerType::Date &&
            ((digits && raw.size() == 4 && (raw[0] == '1' || raw[0] == '2')) || kMonths.count(raw)))
            return true;
        if (type == AnswerType::Number && digits)
            return true;
    }
    if (type == AnswerType::Name) {
        // A capitalised word that is not the sentence's first and not a word of the question.
        std::size_t k = 0;
        for (const auto &tok : spaced) {
            if (tok.empty())
                continue;
            const unsigned char c = static_cast<unsigned char>(tok[0]);
            if (k++ > 0 && c >= 'A' && c <= 'Z') {
                auto lower = bm25Terms(tok, TermSplit::Words);
                if (!lower.empty() && !asked.count(lower.front()))
                    return true;
            }
        }
    }
    return false;
}

// A text's Search terms with the words they come from: (lower-cased word, stem), stopwords out.
std::vector<std::pair<std::string, std::string>> searchTerms(const std::string &text)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (auto &w : bm25Terms(text, TermSplit::Words))
        if (!isSearchStopword(w)) {
            std::string stem = stripSuffix(w);
            out.emplace_back(std::move(w), std::move(stem));
        }
    return out;
}

// The vector of a word (or else of its stem); -1 for words holding a digit and unknown words.
int vectorId(const WordVectors &vectors, const std::string &word, const std::string &stem)
{
    if (std::any_of(word.begin(), word.end(), [](unsigned char c) { return c >= '0' && c <= '9'; }))
        return -1;
    const int id = vectors.find(word);
    return id >= 0 ? id : vectors.find(stem);
}

} // namespace

std::vector<std::string> bm25Terms(const std::string &text, TermSplit how)
{
    if (how == TermSplit::Reference)
        return splitOnSpaces(text); // the reference's doc.split(" ")
    if (how == TermSplit::Search) {
        std::vector<std::string> out;
        for (auto &[word, stem] : searchTerms(text))
            out.push_back(std::move(stem));
        return out;
    }
    std::vector<std::string> out;
    std::u32string word;
    auto flush = [&] {
        if (word.empty())
            return;
        std::u32string lower;
        for (char32_t c : word)
            text::appendLower(lower, c);
        std::string s;
        for (char32_t c : lower)
            text::appendUtf8(s, c);
        out.push_back(std::move(s));
        word.clear();
    };
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp;
        i += text::decodeUtf8Lenient(text, i, cp);
        const auto cat = text::category(cp);
        if (text::isLetter(cat) || text::isNumber(cat) || text::isMark(cat))
            word.push_back(cp);
        else
            flush();
    }
    flush();
    return out;
}

std::vector<double> bm25Scores(const std::vector<std::string> &documents, const std::string &query,
                               TermSplit how, const WordVectors *vectors, double k1, double b,
                               double epsilon)
{
    const std::size_t n = documents.size();
    std::vector<double> scores(n, 0.0);
    if (n == 0)
        return scores;
    const bool soft = vectors && how == TermSplit::Search;
    std::vector<std::map<std::string, int>> freqs(n);
    // Soft matching: the vectors of a stem's words as written in each document ("filming", "film").
    std::vector<std::map<std::string, std::vector<int>>> surface(n);
    std::vector<double> len(n);
    std::map<std::string, int> docFreq;
    double total = 0;
    for (std::size_t d = 0; d < n; ++d) {
        if (soft) {
            for (auto &[word, stem] : searchTerms(documents[d])) {
                ++freqs[d][stem];
                const int id = vectorId(*vectors, word, stem);
                auto &ids = surface[d][stem];
                if (id >= 0 && std::find(ids.begin(), ids.end(), id) == ids.end())
                    ids.push_back(id);
                len[d] += 1;
            }
        } else {
            const auto terms = bm25Terms(documents[d], how);
            len[d] = static_cast<double>(terms.size());
            for (const auto &t : terms)
                ++freqs[d][t];
        }
        total += len[d];
        for (const auto &[t, f] : freqs[d])
            ++docFreq[t];
    }
    const double avgdl = total / static_cast<double>(n);
    // BM25Okapi._calc_idf: negative idfs become epsilon x the mean idf of all terms.
    std::map<std::string, double> idf;
    double idfSum = 0;
    std::vector<std::string> negative;
    double highest = -std::numeric_limits<double>::infinity();
    auto okapi = [n](double df) {
        return std::log(static_cast<double>(n) - df + 0.5) - std::log(df + 0.5);
    };
    for (const auto &[t, df] : docFreq) {
        const double v = okapi(df);
        idf[t] = v;
        idfSum += v;
        highest = std::max(highest, v);
        if (v < 0)
            negative.push_back(t);
    }
    const double eps = idf.empty() ? 0.0 : epsilon * idfSum / static_cast<double>(idf.size());
    for (const auto &t : negative)
        idf[t] = eps;
    // Corrected mode (Search terms): when no term has a positive idf (two documents, or every term
    // in half of them or more) Okapi weighs every term 0 or less, and a question word only one of
    // two sentences holds ("ferry" in "The ferry leaves at 09:15 ...") would not count. Every term
    // then weighs epsilon x ln 2 (a term in one of two documents under Lucene's idf, x epsilon).
    const bool tiny = how == TermSplit::Search && highest <= 0;
    if (tiny)
        for (auto &[t, v] : idf)
            v = epsilon * std::log(2.0);
    auto addTerm = [&](double w, const std::vector<double> &tf) {
        // get_scores: every query term (repeats included) adds idf x tf (k1 + 1) / (tf + k1 (1 - b
        // + b dl / avgdl)).
        for (std::size_t d = 0; d < n; ++d) {
            const double norm = avgdl > 0 ? len[d] / avgdl : 0.0;
            scores[d] += w * (tf[d] * (k1 + 1.0) / (tf[d] + k1 * (1.0 - b + b * norm)));
        }
    };
    std::vector<double> tf(n);
    if (!soft) {
        for (const auto &q : bm25Terms(query, how)) {
            auto it = idf.find(q);
            const double w = it == idf.end() ? 0.0 : it->second;
            for (std::size_t d = 0; d < n; ++d) {
                auto f = freqs[d].find(q);
                tf[d] = f == freqs[d].end() ? 0.0 : f->second;
            }
            addTerm(w, tf);
        }
        return scores;
    }
    std::map<std::pair<int, int>, double> closeness; // (question word, document word) -> cosine
    for (const auto &[word, stem] : searchTerms(query)) {
        const int qid = vectorId(*vectors, word, stem);
        double df = 0;
        for (std::size_t d = 0; d < n; ++d) {
            auto f = freqs[d].find(stem);
            tf[d] = f == freqs[d].end() ? 0.0 : f->second;
            double best = tf[d] > 0 ? 1.0 : 0.0;
            if (qid >= 0)
                for (const auto &[s, ids] : surface[d]) {
                    if (s == stem)
                        continue;
                    double close = 0; // the closest of the stem's forms
                    for (int id : ids) {
                        auto [it, fresh] = closeness.try_emplace({qid, id}, 0.0);
                        if (fresh)
                            it->second = id == qid ? 1.0 : vectors->similarity(qid, id);
                        close = std::max(close, it->second);
                    }
                    if (close >= kSoftMatchFloor) {
                        tf[d] += close * freqs[d].at(s);
                        best = std::max(best, close);
                    }
                }
            df += best;
        }
        double w = 0;
        if (df > 0) {
            // The word's own idf when no near-synonym adds to its document frequency (idf and
            // docFreq hold the same terms).
            auto exact = docFreq.find(stem);
            w = exact != docFreq.end() && df == static_cast<double>(exact->second) ? idf.at(stem)
                : tiny ? epsilon * std::log(2.0)
                       : okapi(df);
            if (w < 0)
                w = eps;
        }
        addTerm(w, tf);
    }
    return scores;
}

std::shared_ptr<const WordVectors> rankingVectors(const CompressOptions &options)
{
    if (options.mode == CompressionMode::Reference || options.wordVectors == "none")
        return nullptr;
    auto r = options.wordVectors.empty() ? WordVectors::loadDefault()
                                         : WordVectors::loadShared(options.wordVectors);
    return r ? *r : nullptr;
}

std::size_t gzipLength(const std::string &text)
{
    z_stream zs{};
    // wbits 31: zlib writes the gzip wrapper (10-byte header, 8-byte trailer) around level-9 raw
    // deflate, the same byte count as Python's gzip.compress.
    if (deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return text.size() + 18;
    std::vector<unsigned char> out(deflateBound(&zs, static_cast<uLong>(text.size())) + 32);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(text.data()));
    zs.avail_in = static_cast<uInt>(text.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    std::size_t produced = 0;
    while (true) {
        const int rc = deflate(&zs, Z_FINISH);
        produced = zs.total_out;
        if (rc == Z_STREAM_END || rc != Z_OK)
            break;
        zs.next_out = out.data(); // unreachable with deflateBound, but never loop forever
        zs.avail_out = static_cast<uInt>(out.size());
    }
    deflateEnd(&zs);
    return produced;
}

std::vector<double> gzipDistances(const std::vector<std::string> &documents,
                                  const std::string &query)
{
    std::vector<double> out;
    const double cy = static_cast<double>(gzipLength(query));
    for (const auto &x : documents) {
        const double cx = static_cast<double>(gzipLength(x));
        const double cxy = static_cast<double>(gzipLength(x + " " + query));
        out.push_back((cxy - std::min(cx, cy)) / std::max(cx, cy));
    }
    return out;
}

long QuestionSentences::find(int seg, std::size_t byte) const
{
    // Sentences tile each segment in order, and segments follow each other.
    auto lo = std::lower_bound(segment.begin(), segment.end(), seg);
    auto hi = std::upper_bound(lo, segment.end(), seg);
    const auto first = span.begin() + (lo - segment.begin());
    const auto last = span.begin() + (hi - segment.begin());
    auto it =
        std::upper_bound(first, last, byte, [](std::size_t v, const Span &s) { return v < s.end; });
    return it != last && it->begin <= byte ? static_cast<long>(it - span.begin()) : -1;
}

QuestionSentences rankQuestionSentences(const std::vector<std::pair<int, std::string>> &segments,
                                        const std::string &question,
                                        const std::map<int, double> &contextScore,
                                        const WordVectors *vectors, double lead, double neighbour)
{
    double lowest = std::numeric_limits<double>::infinity(), highest = -lowest;
    for (const auto &[seg, v] : contextScore)
        if (std::isfinite(v))
            lowest = std::min(lowest, v), highest = std::max(highest, v);
    auto prior = [&](int seg) {
        auto it = contextScore.find(seg);
        if (it == contextScore.end() || !std::isfinite(it->second) || !(highest > lowest))
            return 0.0;
        return kContextPrior * (it->second - lowest) / (highest - lowest);
    };
    QuestionSentences q;
    std::vector<std::string> text;
    std::vector<double> position;
    auto ordered = segments;
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    std::vector<double> weight; // the lead prior's weight: long documents only
    for (const auto &[seg, t] : ordered) {
        const double size = std::max<double>(1.0, static_cast<double>(t.size()));
        const auto sentences = splitSentences(t);
        for (const Span &sp : sentences) {
            q.segment.push_back(seg);
            q.span.push_back(sp);
            text.push_back(t.substr(sp.begin, sp.size()));
            position.push_back(static_cast<double>(sp.begin) / size);
            weight.push_back(std::min(1.0, static_cast<double>(sentences.size()) / kLeadSentences));
        }
    }
    q.bm25 = bm25Scores(text, question, TermSplit::Search, vectors);
    const double best = q.bm25.empty() ? 0.0 : *std::max_element(q.bm25.begin(), q.bm25.end());
    const AnswerType type = answerType(question);
    const auto askedTerms = bm25Terms(question, TermSplit::Words);
    const std::set<std::string> asked(askedTerms.begin(), askedTerms.end());
    std::vector<double> key(q.bm25.size(), -1.0);
    for (std::size_t j = 0; j < key.size(); ++j)
        if (q.bm25[j] > 0) {
            key[j] =
                q.bm25[j] / best + lead * weight[j] * (1.0 - position[j]) + prior(q.segment[j]);
            if (type != AnswerType::None && holdsType(text[j], type, asked))
                key[j] += kAnswerTypeBonus;
            ++q.matched;
        }
    // The sentence after a question sentence often holds what the match announces ("... a second
    // season." "It premiered on April 25, 2018."; "... web television series." "It stars ..."):
    // an unmatched sentence right after a matched one in its segment ranks at `neighbour` x that
    // one's key, plus the answer-type bonus.
    if (neighbour > 0) {
        const std::vector<double> matchedKey = key;
        for (std::size_t j = 1; j < key.size(); ++j)
            if (q.bm25[j] <= 0 && q.bm25[j - 1] > 0 && q.segment[j] == q.segment[j - 1]) {
                key[j] = neighbour * matchedKey[j - 1];
                if (type != AnswerType::None && holdsType(text[j], type, asked))
                    key[j] += kAnswerTypeBonus;
                ++q.matched;
            }
    }
    q.rank.assign(key.size(), -1);
    const std::vector<int> order = rankOrder(key, true);
    for (int k = 0; k < q.matched; ++k)
        q.rank[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])] = k;
    return q;
}

std::vector<int> rankOrder(const std::vector<double> &scores, bool higherIsBetter)
{
    std::vector<int> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return higherIsBetter
                   ? scores[static_cast<std::size_t>(a)] > scores[static_cast<std::size_t>(b)]
                   : scores[static_cast<std::size_t>(a)] < scores[static_cast<std::size_t>(b)];
    });
    return order;
}

} // namespace terse::detail
