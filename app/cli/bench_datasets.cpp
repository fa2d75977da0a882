#include "bench_datasets.h"

#include "terse/metrics.h"
#include "terse/train.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

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

// L-Eval scientific QA (Qasper: NLP papers and questions written by other readers): a paper with
// one of its questions whose gold answer is a span of the paper of at most kMaxAnswerWords words,
// other than yes/no, so retention is measurable by string match (31 questions of 13 papers; a paper
// listed twice counts once). Round k takes each paper's k-th such question, so `--max-docs` spreads
// over the papers. No default was tuned on it.
Result<BenchDataset> loadLevalSciqa(const fs::path &dir, long maxDocs)
{
    constexpr std::size_t kMaxAnswerWords = 8;
    BenchDataset d;
    d.name = "leval_sciqa";
    const fs::path path = dir / "leval" / "scientific_qa.jsonl";
    d.source = path.string();
    struct Paper {
        std::string text;
        long line = 0;
        std::vector<std::pair<std::string, std::string>> questions; // question, answer
    };
    std::vector<Paper> papers;
    std::set<std::string> seen;
    auto r = forEachJsonLine(path, [&](const json &j, long line) {
        Paper p;
        p.text = j.at("input").get<std::string>();
        p.line = line;
        if (!seen.insert(p.text).second)
            return true;
        const auto &questions = j.at("instructions");
        const auto &outputs = j.at("outputs");
        for (std::size_t q = 0; q < questions.size() && q < outputs.size(); ++q) {
            if (!outputs[q].is_string())
                continue;
            const std::string answer = outputs[q].get<std::string>();
            const auto words = metricTokens(answer);
            if (words.empty() || words.size() > kMaxAnswerWords || words[0] == "yes" ||
                words[0] == "no" || lower(answer).find("unanswerable") != std::string::npos ||
                !answerRetained(p.text, {answer}))
                continue;
            p.questions.emplace_back(questions[q].get<std::string>(), answer);
        }
        if (!p.questions.empty())
            papers.push_back(std::move(p));
        return true;
    });
    if (!r)
        return r.error();
    for (std::size_t round = 0;; ++round) {
        bool any = false;
        for (const auto &p : papers) {
            if (round >= p.questions.size())
                continue;
            any = true;
            BenchDoc doc;
            doc.id = "leval_sciqa-" + std::to_string(p.line) + "." + std::to_string(round + 1);
            doc.prompt.segments.push_back({SegmentRole::Context, p.text});
            doc.prompt.segments.push_back({SegmentRole::Question, p.questions[round].first});
            doc.answerSets.push_back({p.questions[round].second});
            d.docs.push_back(std::move(doc));
            if (enough(d, maxDocs))
                return d;
        }
        if (!any)
            break;
    }
    return d;
}

// Multi-document QA in the setting of LongLLMLingua's NaturalQuestions experiments ("Lost in the
// Middle"): an instruction, 20 passages of about 100 words of which exactly one holds a gold
// answer, and the question. Built from L-Eval's Natural Questions pages (every question of every
// page): the page is cut into passages at its block tags (HTML tags removed), the first passage
// holding an answer is the answer document, and 19 passages of the same page without any answer are
// the distractors (hard negatives, as retrieval returns; other pages fill in when one is short).
// The answer document's position cycles through 0, 4, 9, 14 and 19; the choice of distractors is
// seeded by the question, so the dataset is the same on every run.
namespace nq {

constexpr std::size_t kPassages = 20;
constexpr std::size_t kMinWords = 60;
constexpr std::size_t kMaxWords = 130;

bool isTag(std::string_view w)
{
    return w.size() >= 3 && w.front() == '<' && w.back() == '>';
}

bool isBlockStart(std::string_view w)
{
    static const char *const kTags[] = {"<P>",  "<H1>", "<H2>", "<H3>", "<H4>", "<Table>",
                                        "<Ul>", "<Ol>", "<Dl>", "<Tr>", "<Li>"};
    for (const char *t : kTags)
        if (w == t)
            return true;
    return false;
}

// The page's passages: blocks merged until kMinWords words, cut at kMaxWords; tags dropped.
std::vector<std::string> passages(std::string_view page)
{
    std::vector<std::string> out;
    std::vector<std::string_view> cur;
    auto flush = [&] {
        if (cur.empty())
            return;
        std::string p;
        for (auto w : cur)
            p += (p.empty() ? "" : " ") + std::string(w);
        out.push_back(std::move(p));
        cur.clear();
    };
    std::size_t i = 0;
    while (i < page.size()) {
        while (i < page.size() && std::isspace(static_cast<unsigned char>(page[i])))
            ++i;
        std::size_t j = i;
        while (j < page.size() && !std::isspace(static_cast<unsigned char>(page[j])))
            ++j;
        if (j == i)
            break;
        const std::string_view w = page.substr(i, j - i);
        i = j;
        if (isTag(w)) {
            if (isBlockStart(w) && cur.size() >= kMinWords)
                flush();
            continue;
        }
        cur.push_back(w);
        if (cur.size() >= kMaxWords)
            flush();
    }
    if (cur.size() >= kMinWords / 2)
        flush();
    // Reference lists and citation runs are not what a retriever's passage index holds (DPR's
    // Wikipedia passages are article text): drop passages that cite ("Jump up ^", "Retrieved").
    std::erase_if(out, [](const std::string &p) {
        return p.find("Jump up") != std::string::npos || p.find("Retrieved ") != std::string::npos;
    });
    return out;
}

// Lower-cased words of three or more letters or digits, for the question overlap above.
std::set<std::string> contentWords(std::string_view text)
{
    static const std::set<std::string> kStop = {"the",  "and",  "for",   "was",   "were", "who",
                                                "what", "when", "where", "which", "how",  "many",
                                                "did",  "does", "are",   "with",  "from", "that"};
    std::set<std::string> out;
    for (const Span &w : referenceWords(text))
        if (w.size() >= 3 && std::isalnum(static_cast<unsigned char>(text[w.begin])))
            if (auto l = lower(text.substr(w.begin, w.size())); !kStop.count(l))
                out.insert(std::move(l));
    return out;
}

std::string title(std::string_view page)
{
    const auto end = page.find(" - wikipedia");
    return std::string(page.substr(0, end == std::string_view::npos ? 0 : end));
}

struct Page {
    std::string title;
    std::vector<std::string> passages;
    std::vector<std::pair<std::string, std::vector<std::string>>> questions; // question, answers
};

} // namespace nq

Result<BenchDataset> loadNqMultidoc(const fs::path &dir, long maxDocs)
{
    BenchDataset d;
    d.name = "nq_multidoc";
    const fs::path path = dir / "leval" / "natural_question.jsonl";
    d.source = path.string();
    std::vector<nq::Page> pages;
    auto r = forEachJsonLine(path, [&](const json &j, long) {
        const std::string input = j.at("input").get<std::string>();
        nq::Page page{nq::title(input), nq::passages(input), {}};
        const auto &questions = j.at("instructions");
        const auto &outputs = j.at("outputs");
        for (std::size_t q = 0; q < questions.size() && q < outputs.size(); ++q) {
            std::vector<std::string> answers;
            if (outputs[q].is_array())
                for (const auto &a : outputs[q])
                    answers.push_back(a.get<std::string>());
            else
                answers.push_back(outputs[q].get<std::string>());
            page.questions.emplace_back(questions[q].get<std::string>(), std::move(answers));
        }
        pages.push_back(std::move(page));
        return true;
    });
    if (!r)
        return r.error();
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    auto next = [&state] { // splitmix64: the same passages on every platform
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    };
    static constexpr std::size_t kPositions[] = {0, 4, 9, 14, 19};
    std::size_t made = 0;
    for (std::size_t p = 0; p < pages.size() && !enough(d, maxDocs); ++p) {
        const nq::Page &page = pages[p];
        for (std::size_t q = 0; q < page.questions.size() && !enough(d, maxDocs); ++q) {
            const auto &[question, answers] = page.questions[q];
            // The answer document: of the passages holding an answer, the one sharing most
            // question words (a bare "13" or a year also occurs in reference lists).
            std::size_t gold = page.passages.size();
            std::size_t best = 0;
            const auto asked = nq::contentWords(question);
            for (std::size_t i = 0; i < page.passages.size(); ++i) {
                if (!answerRetained(page.passages[i], answers))
                    continue;
                std::size_t shared = 0;
                const auto words = nq::contentWords(page.passages[i]);
                for (const auto &w : asked)
                    shared += words.count(w);
                if (gold == page.passages.size() || shared > best)
                    gold = i, best = shared;
            }
            if (gold == page.passages.size())
                continue; // the answer is in no passage (e.g. split by a cut): not this setting
            std::vector<std::pair<std::size_t, std::size_t>> pool; // (page, passage)
            for (std::size_t k = 0; k < pages.size() && pool.size() < 4 * nq::kPassages; ++k) {
                const std::size_t pg = (p + k) % pages.size();
                for (std::size_t i = 0; i < pages[pg].passages.size(); ++i)
                    if (!answerRetained(pages[pg].passages[i], answers))
                        pool.emplace_back(pg, i);
                if (pool.size() >= nq::kPassages - 1)
                    break; // the page itself (and its neighbours only when it is short)
            }
            if (pool.size() < nq::kPassages - 1)
                continue;
            for (std::size_t i = pool.size(); i > 1; --i) // Fisher-Yates, seeded above
                std::swap(pool[i - 1], pool[next() % i]);
            pool.resize(nq::kPassages - 1);
            const std::size_t at = kPositions[made % std::size(kPositions)];
            pool.insert(pool.begin() + static_cast<long>(at), {p, gold});
            BenchDoc doc;
            doc.id = "nq_multidoc-" + std::to_string(p + 1) + "." + std::to_string(q + 1);
            doc.prompt.segments.push_back(
                {SegmentRole::Instruction,
                 "Write a high-quality answer for the given question using only the provided "
                 "search results (some of which might be irrelevant).\n\n"});
            for (std::size_t k = 0; k < pool.size(); ++k) {
                const auto &[pg, i] = pool[k];
                doc.prompt.segments.push_back(
                    {SegmentRole::Context, "Document [" + std::to_string(k + 1) +
                                               "](Title: " + pages[pg].title + ") " +
                                               pages[pg].passages[i] + "\n"});
            }
            doc.prompt.segments.push_back(
                {SegmentRole::Question, "\nQuestion: " + question + "\nAnswer:"});
            // Retention must mean the answer passage's text survived: an answer that the frame
            // also spells (a document number "[13]", the title, the question) is not measurable.
            int spelled = 0;
            for (const auto &seg : doc.prompt.segments)
                spelled += answerRetained(seg.text, answers) ? 1 : 0;
            if (spelled != 1)
                continue;
            doc.answerSets.push_back(answers);
            d.docs.push_back(std::move(doc));
            ++made;
        }
    }
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
// sentence; records whose reference is not a word subsequence of the sentence are skipped. Only the
// held-out split of `terse train tagger` (every 5th extractive record) is measured, so the bundled
// tagger is never scored on sentences it was trained on.
Result<BenchDataset> loadSentenceCompression(const fs::path &dir, long maxDocs)
{
    BenchDataset d;
    d.name = "sentence_compression";
    const fs::path path = dir / "sentence_compression" / "google.jsonl";
    d.source = path.string() + " (held-out split: extractive records 5k + 4)";
    auto pairs = loadCompressionPairs({path.string()}, TaggerTrainOptions{}.heldoutEvery);
    if (!pairs)
        return pairs.error();
    for (std::size_t i = 0; i < pairs->heldout.size(); ++i) {
        LabeledSentence &s = pairs->heldout[i];
        BenchDoc doc;
        doc.id = "google-heldout-" + std::to_string(i);
        doc.prompt = Prompt::fromText(s.text);
        doc.words = std::move(s.words);
        doc.goldKeep.assign(s.keep.begin(), s.keep.end());
        d.docs.push_back(std::move(doc));
        if (enough(d, maxDocs))
            break;
    }
    return d;
}

} // namespace

const std::vector<std::string> &benchDatasetNames()
{
    static const std::vector<std::string> kNames = {
        "gsm8k",      "leval_meeting",       "leval_nq", "leval_sciqa", "nq_multidoc",
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
    if (name == "leval_sciqa")
        return loadLevalSciqa(dir, maxDocs);
    if (name == "nq_multidoc")
        return loadNqMultidoc(dir, maxDocs);
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
