#pragma once
// The attention lift of ScoreRequest::wantAttentionLift: the attention a key receives over what a
// key seen by the same queries receives at those distances on average (pure arithmetic; the model
// collects the sums).

#include <algorithm>
#include <cstddef>
#include <vector>

namespace terse::detail {

// `received` holds, per layer, each key's received attention summed over heads and its counted
// queries ([layers][n]); `distanceSum`/`distanceCount` the same pairs' attention and number by
// distance d = query - key ([layers][n]); `visible` [n] how many queries were counted per key, at
// distances 0 .. visible - 1; `queryKeys` [n] how many keys each query attends over. The profile
// f(d) = distanceSum / distanceCount of the layer (0 where no pair was seen); a query with m keys
// is expected to give a key at distance d heads x f(d) / (f(0) + ... + f(m - 1)) (its row sums to
// one per head), so early queries, with few keys, are expected to give each more. Replaces
// `received` by received / the sum of that over the key's counted queries (0 where nothing is
// expected).
inline void finishAttentionLift(std::vector<float> &received,
                                const std::vector<double> &distanceSum,
                                const std::vector<double> &distanceCount,
                                const std::vector<float> &visible,
                                const std::vector<float> &queryKeys, int layers, int heads)
{
    const std::size_t n = visible.size();
    std::vector<double> f(n), prefix(n + 1); // prefix[D] = sum of f(d) for d < D
    for (std::size_t l = 0; l < static_cast<std::size_t>(layers); ++l) {
        const std::size_t base = l * n;
        prefix[0] = 0.0;
        for (std::size_t d = 0; d < n; ++d) {
            const double c = distanceCount[base + d];
            f[d] = c > 0 ? distanceSum[base + d] / c : 0.0;
            prefix[d + 1] = prefix[d] + f[d];
        }
        for (std::size_t k = 0; k < n; ++k) {
            const std::size_t v = std::min(n - k, static_cast<std::size_t>(visible[k] + 0.5f));
            double expected = 0;
            for (std::size_t d = 0; d < v; ++d) {
                const std::size_t m =
                    std::min(n, static_cast<std::size_t>(queryKeys[k + d] + 0.5f));
                if (prefix[m] > 0)
                    expected += heads * f[d] / prefix[m];
            }
            float &x = received[base + k];
            x = expected > 0 ? static_cast<float>(x / expected) : 0.0f;
        }
    }
}

} // namespace terse::detail
