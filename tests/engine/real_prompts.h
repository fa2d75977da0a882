#pragma once
// Real prompts shared by the DAC/PIS tests and the benchmark: the GSM8K chain-of-thought prompt and
// the shortest LEval meeting transcript (record 7), read from TERSE_SHARED_DIR.
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace terse::testing {

inline std::string sharedDir()
{
    return TERSE_SHARED_DIR;
}

inline std::string gsm8kCotPrompt()
{
    std::ifstream in(sharedDir() + "/data/gsm8k_cot_prompts/prompt_original.txt");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string meetingTranscript(int record = 7)
{
    std::ifstream in(sharedDir() + "/data/leval/meeting_summ.jsonl");
    std::string line;
    for (int i = 0; std::getline(in, line); ++i)
        if (i == record)
            return nlohmann::json::parse(line)["input"].get<std::string>();
    return {};
}

// True if `sub` can be obtained from `text` by deleting characters.
inline bool isSubsequence(const std::string &sub, const std::string &text)
{
    std::size_t j = 0;
    for (char c : text)
        if (j < sub.size() && sub[j] == c)
            ++j;
    return j == sub.size();
}

} // namespace terse::testing
