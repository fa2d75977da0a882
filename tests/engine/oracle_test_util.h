#pragma once
// Shared by the tests that read ../shared/oracle (the tiny HF models and what transformers computes
// for them): the folder, random token ids, expected.json's nested arrays flattened, and the largest
// difference between two score vectors.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace terse::testing {

inline const std::string kOracle = std::string(TERSE_SHARED_DIR) + "/oracle";

// n ids in [3, vocab): past the oracle tokenizers' special ids.
inline std::vector<int> randomIds(int n, unsigned seed, int vocab = 320)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> d(3, vocab - 1);
    std::vector<int> ids(static_cast<std::size_t>(n));
    for (auto &i : ids)
        i = d(rng);
    return ids;
}

// The numbers of a nested JSON array in order (null: NaN).
template <class T> void flatten(const nlohmann::json &j, std::vector<T> &out)
{
    if (j.is_array())
        for (const auto &e : j)
            flatten(e, out);
    else
        out.push_back(j.is_null() ? static_cast<T>(NAN) : j.get<T>());
}

inline std::vector<double> flat(const nlohmann::json &j)
{
    std::vector<double> out;
    flatten(j, out);
    return out;
}

// Largest |a[aFrom + i] - b[bFrom + i]| over n elements (all of both when n is not given), NaN in
// both counting as equal; infinity when the two do not hold those elements (sizes differ).
inline float maxDiff(const std::vector<float> &a, const std::vector<float> &b,
                     std::size_t aFrom = 0, std::size_t bFrom = 0, std::size_t n = SIZE_MAX)
{
    if (aFrom > a.size() || bFrom > b.size())
        return INFINITY;
    const std::size_t ra = a.size() - aFrom, rb = b.size() - bFrom;
    if (n == SIZE_MAX ? ra != rb : n > std::min(ra, rb))
        return INFINITY;
    n = std::min(n, ra);
    float m = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const float x = a[aFrom + i], y = b[bFrom + i];
        if (!(std::isnan(x) && std::isnan(y)))
            m = std::max(m, std::fabs(x - y));
    }
    return m;
}

} // namespace terse::testing
