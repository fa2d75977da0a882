#include "bench_datasets.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>

namespace terse::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Result<std::string> readFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(ErrorCode::NotFound, "bench data file '" + path.string() + "' is missing");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Calls `fn(json, lineNumber)` for each non-blank line until it returns false; errors name file and
// line.
template <typename Fn> Result<void> forEachJsonLine(const fs::path &path, Fn fn)
{
    std::ifstream in(path);
    if (!in)
        return fail(ErrorCode::NotFound, "bench data file '" + path.string() + "' is missing");
    std::string line;
    long number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        json j = json::parse(line, nullptr, false);
        if (!j.is_object())
            return fail(ErrorCode::FormatError,
                        path.string() + ": line " + std::to_string(number) + ": invalid JSON");
        try {
            if (!fn(j, number))
                break;
        } catch (const json::exception &e) {
            return fail(ErrorCode::FormatError, path.string() + ": line " + std::to_string(number) +
                                                    ": unexpected record (" + e.what() + ")");
        }
    }
    return {};
}

bool enough(const BenchDataset &d, long maxDocs)
{
    return maxDocs > 0 && static_cast<long>(d.docs.size()) >= maxDocs;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// GSM8K: the 8-shot chain-of-thought prompt of LLMLingua's experiments (each demonstration a
// context) and a test question. Without an LLM to answer, the retention metric asks whether each
// demonstration's final answer line ("The answer is N") survives compression.
Result<BenchDataset> loadGsm8k(const fs::path &dir, long maxDocs)
{
    BenchDataset d;
    d.name = "gsm8k";
    const fs::path promptFile = dir / "gsm8k_cot_prompts" / "prompt_original.txt";
    const fs::path testFile = dir / "gsm8k" / "test.jsonl";
    d.source = promptFile.string() + " + " + testFile.string();
    auto demos = readFile(promptFile);
    if (!demos)
        return demos.error();
    std::vector<std::string> contexts;
    std::vector<std::vector<std::string>> answers;
    std::size_t pos = 0;
    const std::string &t = *demos;
    while (pos < t.size()) {
        std::size_t end = t.find("\n\n", pos);
        if (end == std::string::npos)
            end = t.size();
        std::string block = t.substr(pos, end - pos);
        pos = end + 2;
        if (block.find_first_not_of(" \n\r\t") == std::string::npos)
            continue;
        const auto a = block.rfind("The answer is ");
        if (a != std::string::npos) {
            std::string value = block.substr(a + 14);
            while (!value.empty() &&
                   (value.back() == '.' || std::isspace(static_cast<unsigned char>(value.back()))))
                value.pop_back();
            answers.push_back({"The answer is " + value});
        }
        contexts.push_back(block + "\n\n");
    }
    if (contexts.empty())
        return fail(ErrorCode::FormatError, promptFile.string() + " holds no demonstrations");
    auto r = forEachJsonLine(testFile, [&](const json &j, long line) {
        BenchDoc doc;
        doc.id = "gsm8k-" + std::to_string(line);
        for (const auto &c : contexts)
            doc.prompt.segments.push_back({SegmentRole::Context, c});
        doc.prompt.segments.push_back(
            {SegmentRole::Question,
             "Question: " + j.at("question").get<std::string>() + "\nLet's think step by step"});
        doc.answerSets = answers;
        d.docs.push_back(std::move(doc));
        return !enough(d, maxDocs);
    });
    if (!r)
        return r.error();
    return d;
}

// L-Eval: one long document per line with several questions; a doc is the document with its first
// question. leval_nq measures retention of that question's gold answers; meeting summaries have
// none.
Result<BenchDataset> loadLeval(const fs::path &dir, const std::string &name,
                               const std::string &file, bool qa, long maxDocs)
{
    BenchDataset d;
    d.name = name;
    const fs::path path = dir / "leval" / file;
    d.source = path.string();
    auto r = forEachJsonLine(path, [&](const json &j, long line) {
        const auto &questions = j.at("instructions");
        const auto &outputs = j.at("outputs");
        if (!questions.is_array() || questions.empty())
            return true;
        BenchDoc doc;
        doc.id = name + "-" + std::to_string(line);
        doc.prompt.segments.push_back({SegmentRole::Context, j.at("input").get<std::string>()});
        doc.prompt.segments.push_back({SegmentRole::Question, questions[0].get<std::string>()});
        if (qa && outputs.is_array() && !outputs.empty()) {
            std::vector<std::string> set;
            if (outputs[0].is_array())
                for (const auto &a : outputs[0])
                    set.push_back(a.get<std::string>());
            else
                set.push_back(outputs[0].get<std::string>());
            doc.answerSets.push_back(std::move(set));
        }
        d.docs.push_back(std::move(doc));
        return !enough(d, maxDocs);
    });
    if (!r)
        return r.error();
    return d;
}

// LongBench multi_news: several news passages ("Passage N:") summarised together; each passage is a
// context, framed by LongBench's multi_news prompt (its instruction, and its closing request as the
// question that question-aware methods such as LongLLMLingua rank against).
Result<BenchDataset> loadMultiNews(const fs::path &dir, long maxDocs)
{
    BenchDataset d;
    d.name = "multi_news";
    const fs::path path = dir / "longbench" / "multi_news.jsonl";
    d.source = path.string();
    auto r = forEachJsonLine(path, [&](const json &j, long line) {
        const std::string context = j.at("context").get<std::string>();
        BenchDoc doc;
        doc.id =
            j.contains("_id") ? j["_id"].get<std::string>() : "multi_news-" + std::to_string(line);
        doc.prompt.segments.push_back(
            {SegmentRole::Instruction,
             "You are given several news passages. Write a one-page summary "
             "of all news.\n\nNews:"});
        std::size_t start = 0;
        while (start < context.size()) {
            std::size_t next = context.find("\nPassage ", start + 1);
            if (next == std::string::npos)
                next = context.size();
            else
                ++next; // the newline stays with the passage before it
            const std::string passage = context.substr(start, next - start);
            if (passage.find_first_not_of(" \n\r\t") != std::string::npos)
                doc.prompt.segments.push_back({SegmentRole::Context, passage});
            start = next;
        }
        if (doc.prompt.segments.size() > 1) {
            doc.prompt.segments.push_back(
                {SegmentRole::Question,
                 "Now, write a one-page summary of all the news.\n\nSummary:"});
            d.docs.push_back(std::move(doc));
        }
        return !enough(d, maxDocs);
    });
    if (!r)
        return r.error();
    return d;
}

// Sentence compression (Filippova & Altun's Google set): the human compression deletes words of the
// sentence; records whose reference is not a word subsequence of the sentence are skipped.
Result<BenchDataset> loadSentenceCompression(const fs::path &dir, long maxDocs)
{
    BenchDataset d;
    d.name = "sentence_compression";
    const fs::path path = dir / "sentence_compression" / "google.jsonl";
    d.source = path.string();
    auto r = forEachJsonLine(path, [&](const json &j, long line) {
        const std::string text = j.at("text").get<std::string>();
        const auto &summaries = j.at("summaries");
        if (!summaries.is_array() || summaries.empty())
            return true;
        const std::string summary = summaries[0].get<std::string>();
        const auto words = referenceWords(text);
        const auto ref = referenceWords(summary);
        std::vector<bool> keep(words.size(), false);
        std::size_t w = 0;
        for (const Span &s : ref) {
            const std::string target = lower(std::string_view(summary).substr(s.begin, s.size()));
            while (w < words.size() &&
                   lower(std::string_view(text).substr(words[w].begin, words[w].size())) != target)
                ++w;
            if (w == words.size())
                return true; // abstractive: not a deletion of this sentence
            keep[w++] = true;
        }
        if (ref.empty())
            return true;
        BenchDoc doc;
        doc.id = j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>()
                                                         : std::to_string(line);
        doc.prompt = Prompt::fromText(text);
        doc.words = words;
        doc.goldKeep = std::move(keep);
        d.docs.push_back(std::move(doc));
        return !enough(d, maxDocs);
    });
    if (!r)
        return r.error();
    return d;
}

} // namespace

const std::vector<std::string> &benchDatasetNames()
{
    static const std::vector<std::string> kNames = {"gsm8k", "leval_meeting", "leval_nq",
                                                    "multi_news", "sentence_compression"};
    return kNames;
}

std::vector<Span> referenceWords(std::string_view text)
{
    std::vector<Span> out;
    auto wordChar = [](unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; };
    std::size_t i = 0;
    while (i < text.size()) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (std::isspace(c)) {
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        if (wordChar(c))
            while (j < text.size() && wordChar(static_cast<unsigned char>(text[j])))
                ++j;
        out.push_back({i, j});
        i = j;
    }
    return out;
}

Result<BenchDataset> loadBenchDataset(const std::string &name, const std::string &dataDir,
                                      long maxDocs)
{
    const fs::path dir(dataDir);
    if (name == "gsm8k")
        return loadGsm8k(dir, maxDocs);
    if (name == "leval_meeting")
        return loadLeval(dir, name, "meeting_summ.jsonl", false, maxDocs);
    if (name == "leval_nq")
        return loadLeval(dir, name, "natural_question.jsonl", true, maxDocs);
    if (name == "multi_news")
        return loadMultiNews(dir, maxDocs);
    if (name == "sentence_compression")
        return loadSentenceCompression(dir, maxDocs);
    std::string known;
    for (const auto &n : benchDatasetNames())
        known += (known.empty() ? "" : ", ") + n;
    return fail(ErrorCode::NotFound, "unknown dataset '" + name + "' (known: " + known + ")");
}

} // namespace terse::cli
