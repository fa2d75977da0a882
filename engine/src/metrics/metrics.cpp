#include "terse/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace terse {

namespace {
bool isAsciiAlnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

PrfScore prf(double overlap, double candTotal, double refTotal)
{
    PrfScore s;
    s.precision = candTotal > 0 ? overlap / candTotal : 0;
    s.recall = refTotal > 0 ? overlap / refTotal : 0;
    s.f1 = (s.precision + s.recall) > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
    return s;
}

std::map<std::vector<std::string>, int> ngrams(const std::vector<std::string> &t, int n)
{
    std::map<std::vector<std::string>, int> out;
    for (std::size_t i = 0; i + static_cast<std::size_t>(n) <= t.size(); ++i)
        ++out[std::vector<std::string>(t.begin() + static_cast<long>(i),
                                       t.begin() + static_cast<long>(i) + n)];
    return out;
}

// Clipped overlap count and candidate total of n-grams.
std::pair<double, double> clippedOverlap(const std::vector<std::string> &cand,
                                         const std::vector<std::string> &ref, int n)
{
    const auto c = ngrams(cand, n);
    const auto r = ngrams(ref, n);
    double overlap = 0, total = 0;
    for (const auto &[g, k] : c) {
        total += k;
        if (auto it = r.find(g); it != r.end())
            overlap += std::min(k, it->second);
    }
    return {overlap, total};
}
} // namespace

std::vector<std::string> metricTokens(std::string_view text)
{
    std::vector<std::string> out;
    std::string cur;
    for (unsigned char c : text) {
        if (isAsciiAlnum(c) || c >= 0x80) {
            cur += static_cast<char>(std::tolower(c));
        } else if (!cur.empty()) {
            out.push_back(std::move(cur));
            cur.clear();
        }
    }
    if (!cur.empty())
        out.push_back(std::move(cur));
    return out;
}

PrfScore rougeN(std::string_view candidate, std::string_view reference, int n)
{
    const auto c = metricTokens(candidate);
    const auto r = metricTokens(reference);
    const auto [overlap, candTotal] = clippedOverlap(c, r, n);
    const double refTotal =
        r.size() >= static_cast<std::size_t>(n) ? static_cast<double>(r.size() - n + 1) : 0;
    return prf(overlap, candTotal, refTotal);
}

PrfScore rougeL(std::string_view candidate, std::string_view reference)
{
    const auto c = metricTokens(candidate);
    const auto r = metricTokens(reference);
    // LCS by dynamic programming over two rows: O(|c|·|r|) time, O(|r|) memory.
    std::vector<int> prev(r.size() + 1, 0), cur(r.size() + 1, 0);
    for (std::size_t i = 1; i <= c.size(); ++i) {
        for (std::size_t j = 1; j <= r.size(); ++j)
            cur[j] = c[i - 1] == r[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
        std::swap(prev, cur);
    }
    return prf(prev[r.size()], static_cast<double>(c.size()), static_cast<double>(r.size()));
}

double bleu(std::string_view candidate, std::string_view reference, int maxN,
            BleuSmoothing smoothing)
{
    const auto c = metricTokens(candidate);
    const auto r = metricTokens(reference);
    if (c.empty() || maxN < 1)
        return 0;
    double logSum = 0;
    for (int n = 1; n <= maxN; ++n) {
        auto [overlap, total] = clippedOverlap(c, r, n);
        if (total == 0) // candidate shorter than n: NLTK treats the precision as 0 (smoothed below)
            total = 0;
        if (overlap == 0) {
            if (smoothing == BleuSmoothing::None || total == 0)
                return 0;
            overlap = 0.1; // Chen & Cherry method 1: epsilon for zero counts
        }
        logSum += std::log(overlap / total) / maxN;
    }
    const double lc = static_cast<double>(c.size()), lr = static_cast<double>(r.size());
    const double bp = lc >= lr ? 1.0 : std::exp(1.0 - lr / lc);
    return bp * std::exp(logSum);
}

PrfScore keepF1(const std::vector<bool> &predicted, const std::vector<bool> &gold)
{
    const std::size_t n = std::min(predicted.size(), gold.size());
    double tp = 0, p = 0, g = 0;
    for (std::size_t i = 0; i < n; ++i) {
        tp += (predicted[i] && gold[i]) ? 1 : 0;
        p += predicted[i] ? 1 : 0;
        g += gold[i] ? 1 : 0;
    }
    return prf(tp, p, g);
}

namespace {
std::string normaliseAnswer(std::string_view s)
{
    std::vector<std::string> words = metricTokens(s);
    std::string out;
    for (const auto &w : words) {
        if (w == "a" || w == "an" || w == "the")
            continue;
        if (!out.empty())
            out += ' ';
        out += w;
    }
    return out;
}
} // namespace

bool answerRetained(std::string_view context, const std::vector<std::string> &answers)
{
    const std::string ctx = " " + normaliseAnswer(context) + " ";
    for (const auto &a : answers) {
        const std::string na = normaliseAnswer(a);
        if (!na.empty() && ctx.find(" " + na + " ") != std::string::npos)
            return true;
    }
    return false;
}

} // namespace terse
