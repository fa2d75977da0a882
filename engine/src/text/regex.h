#pragma once
// A PCRE2 regex (UTF + Unicode properties, JIT-compiled when possible) for pre-tokenization.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

typedef struct pcre2_real_code_8 pcre2_code_8;

namespace terse::text {

class Regex {
public:
    // Compiles `pattern`; throws TextError (FormatError) naming the pattern and position on
    // failure.
    explicit Regex(const std::string &pattern);
    ~Regex();
    Regex(const Regex &) = delete;
    Regex &operator=(const Regex &) = delete;

    // Calls fn(begin, end) for every non-overlapping match in `text` (valid UTF-8), left to right.
    // Throws TextError when the matcher hits a resource limit.
    void forEachMatch(std::string_view text,
                      const std::function<void(std::size_t, std::size_t)> &fn) const;

    // The capture groups of one match: [begin, end) of the whole match (index 0) and of each group;
    // npos for a group that took no part.
    using Groups = std::vector<std::pair<std::size_t, std::size_t>>;
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    // Calls fn(groups) for every non-empty, non-overlapping match, left to right.
    void forEachMatchGroups(std::string_view text,
                            const std::function<void(const Groups &)> &fn) const;

private:
    pcre2_code_8 *m_code = nullptr;
    bool m_jit = false;
    std::string m_pattern;
};

} // namespace terse::text
