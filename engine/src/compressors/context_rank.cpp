#include "compressors/context_rank.h"

#include "compressors/common.h"
#include "text/unicode.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace terse::detail {

std::vector<std::string> bm25Terms(const std::string &text, TermSplit how)
{
    if (how == TermSplit::Reference)
        return splitOnSpaces(text); // the reference's doc.split(" ")
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
                               TermSplit how, double k1, double b, double epsilon)
{
    const std::size_t n = documents.size();
    std::vector<double> scores(n, 0.0);
    if (n == 0)
        return scores;
    std::vector<std::map<std::string, int>> freqs(n);
    std::vector<double> len(n);
    std::map<std::string, int> docFreq;
    double total = 0;
    for (std::size_t d = 0; d < n; ++d) {
        const auto terms = bm25Terms(documents[d], how);
        len[d] = static_cast<double>(terms.size());
        total += len[d];
        for (const auto &t : terms)
            ++freqs[d][t];
        for (const auto &[t, f] : freqs[d])
            ++docFreq[t];
    }
    const double avgdl = total / static_cast<double>(n);
    // BM25Okapi._calc_idf: negative idfs become epsilon x the mean idf of all terms.
    std::map<std::string, double> idf;
    double idfSum = 0;
    std::vector<std::string> negative;
    for (const auto &[t, df] : docFreq) {
        const double v = std::log(static_cast<double>(n) - df + 0.5) - std::log(df + 0.5);
        idf[t] = v;
        idfSum += v;
        if (v < 0)
            negative.push_back(t);
    }
    const double eps = idf.empty() ? 0.0 : epsilon * idfSum / static_cast<double>(idf.size());
    for (const auto &t : negative)
        idf[t] = eps;
    // get_scores: every query term (repeats included) adds idf x tf (k1 + 1) / (tf + k1 (1 - b + b
    // dl / avgdl)).
    for (const auto &q : bm25Terms(query, how)) {
        auto it = idf.find(q);
        const double w = it == idf.end() ? 0.0 : it->second;
        for (std::size_t d = 0; d < n; ++d) {
            auto f = freqs[d].find(q);
            const double tf = f == freqs[d].end() ? 0.0 : f->second;
            const double norm = avgdl > 0 ? len[d] / avgdl : 0.0;
            scores[d] += w * (tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * norm)));
        }
    }
    return scores;
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
