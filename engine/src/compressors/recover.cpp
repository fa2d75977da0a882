// LongLLMLingua's response recovery (reference `recover`, prompt_compressor.py 1751-1816;
// algorithms.md "Recovery"), in its own file since issue 19 (it was at the end of llmlingua.cpp).
#include "terse/recover.h"

#include "terse/text_units.h"
#include "terse/tokenizer.h"

#include "compressors/common.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace terse {

Result<std::string> recoverResponse(const Tokenizer &tokenizer, const std::string &originalPrompt,
                                    const std::string &compressedPrompt,
                                    const std::string &response)
{
    auto origIds = tokenizer.encodeIds(originalPrompt, EncodeOptions{false, SpecialText::Auto});
    if (!origIds)
        return origIds.error();
    const std::vector<std::int32_t> &orig = *origIds;
    const long M = static_cast<long>(orig.size());
    auto matchFromCompressed = [&](const std::string &word) -> Result<std::string> {
        auto rids = tokenizer.encodeIds(word, EncodeOptions{false, SpecialText::Auto});
        if (!rids)
            return rids.error();
        const auto &resp = *rids;
        if (resp.empty())
            return word;
        std::set<std::int32_t> respSet(resp.begin(), resp.end());
        std::map<std::int32_t, std::vector<long>> where;
        for (long i = 0; i < M; ++i)
            if (respSet.count(orig[i]))
                where[orig[i]].push_back(i);
        std::optional<std::pair<long, long>> res;
        long resMin = std::numeric_limits<long>::max(), resC = 1;
        const long n = static_cast<long>(resp.size());
        for (long l : where[resp[0]]) {
            long y = l, c = 1;
            for (long x = 1; x < n; ++x) {
                const auto &lst = where[resp[x]];
                const auto it = std::upper_bound(lst.begin(), lst.end(), y); // bisect_right
                if (it == lst.end() || *it - y > 10)
                    continue;
                ++c;
                y = *it;
            }
            if (c > resC) {
                resC = c;
                resMin = y - l + 1;
                res = {l, y + 1};
            } else if (c == resC && y - l + 1 < resMin) {
                resMin = y - l + 1;
                res = {l, y + 1};
            }
        }
        if (!res)
            return word;
        return tokenizer.decode(
            std::vector<std::int32_t>(orig.begin() + res->first, orig.begin() + res->second));
    };
    const std::vector<std::string> words = detail::splitOnSpaces(response); // response.split(" ")
    const long N = static_cast<long>(words.size());
    std::vector<std::string> out;
    long l = 0;
    auto joinWords = [&](long a, long b) {
        std::string s;
        for (long i = a; i < b; ++i)
            s += (i > a ? " " : "") + words[i];
        return s;
    };
    while (l < N) {
        if (compressedPrompt.find(words[l]) == std::string::npos) {
            out.push_back(words[l]);
            ++l;
            continue;
        }
        long r = l;
        while (r + 1 < N && compressedPrompt.find(joinWords(l, r + 2)) != std::string::npos)
            ++r;
        auto m = matchFromCompressed(joinWords(l, r + 1));
        if (!m)
            return m.error();
        out.push_back(*m);
        l = r + 1;
    }
    std::string joined;
    for (std::size_t i = 0; i < out.size(); ++i)
        joined += (i ? " " : "") + out[i];
    return joined;
}

} // namespace terse
