// Word-level keep/drop labels from human deletion-based sentence compressions (SCRL test sets in
// shared/data/sentence_compression): summaries[0] aligned as a word subsequence of text.
#include "terse/train.h"

#include "train/tagger_data.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

namespace terse {

namespace {

bool isWordByte(unsigned char c)
{
    return c >= 0x80 || std::isalnum(c) || c == '_';
}
bool isSpaceByte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The regex \w+|[^\w\s] over bytes (non-ASCII bytes count as \w, so UTF-8 characters are never
// split).
std::vector<Span> regexWords(std::string_view s)
{
    std::vector<Span> out;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (isSpaceByte(c)) {
            ++i;
        } else if (isWordByte(c)) {
            const std::size_t b = i;
            while (i < s.size() && isWordByte(static_cast<unsigned char>(s[i])))
                ++i;
            out.push_back({b, i});
        } else {
            out.push_back({i, i + 1});
            ++i;
        }
    }
    return out;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto &c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

Result<CompressionPairs> loadCompressionPairs(const std::vector<std::string> &files,
                                              int heldoutEvery)
{
    if (files.empty())
        return fail(ErrorCode::InvalidArgument, "no sentence-compression files given");
    CompressionPairs out;
    for (const auto &file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in)
            return fail(ErrorCode::NotFound, "cannot open '" + file + "'");
        const std::string source = std::filesystem::path(file).stem().string();
        std::string line;
        long long lineNo = 0, used = 0;
        while (std::getline(in, line)) {
            ++lineNo;
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_discarded() || !j.is_object())
                return fail(ErrorCode::FormatError,
                            file + " line " + std::to_string(lineNo) + ": not a JSON object");
            if (!j.contains("text") || !j["text"].is_string() || !j.contains("summaries") ||
                !j["summaries"].is_array() || j["summaries"].empty() ||
                !j["summaries"][0].is_string())
                return fail(ErrorCode::FormatError,
                            file + " line " + std::to_string(lineNo) +
                                ": needs \"text\" and \"summaries\": [\"...\"]");
            LabeledSentence s;
            s.text = j["text"].get<std::string>();
            if (!isValidUtf8(s.text))
                return fail(ErrorCode::InvalidInput,
                            file + " line " + std::to_string(lineNo) + ": text is not UTF-8");
            s.source = source;
            s.words = regexWords(s.text);
            const std::string ref = j["summaries"][0].get<std::string>();
            const auto refWords = regexWords(ref);
            s.keep.assign(s.words.size(), 0);
            std::size_t r = 0;
            for (std::size_t w = 0; w < s.words.size() && r < refWords.size(); ++w) {
                const auto a =
                    lower(std::string_view(s.text).substr(s.words[w].begin, s.words[w].size()));
                const auto b =
                    lower(std::string_view(ref).substr(refWords[r].begin, refWords[r].size()));
                if (a == b) {
                    s.keep[w] = 1;
                    ++r;
                }
            }
            if (r < refWords.size() ||
                s.words.empty()) { // abstractive (not a deletion of the text)
                ++out.skipped;
                continue;
            }
            const bool held = heldoutEvery > 1 && used % heldoutEvery == heldoutEvery - 1;
            ++used;
            (held ? out.heldout : out.train).push_back(std::move(s));
        }
    }
    if (out.train.empty())
        return fail(ErrorCode::InvalidInput,
                    "no deletion-based compression pairs in the given files");
    return out;
}

namespace train {

Result<TaggedTokens> tagTokens(const Tokenizer &tok, const LabeledSentence &s, int cls, int sep,
                               int maxLen)
{
    auto enc = tok.encode(s.text, false);
    if (!enc)
        return enc.error();
    TaggedTokens out;
    out.ids.push_back(cls);
    out.word.push_back(-1);
    std::size_t w = 0;
    for (std::size_t t = 0; t < enc->size() && static_cast<int>(out.ids.size()) < maxLen - 1; ++t) {
        std::size_t b = enc->spans[t].begin;
        while (b < enc->spans[t].end && isSpaceByte(static_cast<unsigned char>(s.text[b])))
            ++b;
        while (w < s.words.size() && s.words[w].end <= b)
            ++w;
        const bool inWord = b < enc->spans[t].end && w < s.words.size() && s.words[w].begin <= b;
        out.ids.push_back(enc->ids[t]);
        out.word.push_back(inWord ? static_cast<int>(w) : -1);
    }
    out.ids.push_back(sep);
    out.word.push_back(-1);
    return out;
}

Result<std::vector<LabeledSentence>>
joinIntoPassages(const Tokenizer &tok, const std::vector<LabeledSentence> &sentences, int maxTokens)
{
    std::vector<LabeledSentence> out;
    std::size_t tokens = 0;
    for (const LabeledSentence &s : sentences) {
        auto count = tok.countTokens(s.text);
        if (!count)
            return count.error();
        const std::size_t n = *count + 1; // the joining space may add a token
        if (out.empty() || tokens + n > static_cast<std::size_t>(std::max(0, maxTokens))) {
            out.emplace_back();
            out.back().source = s.source;
            tokens = 2; // [CLS] and [SEP]
        }
        LabeledSentence &p = out.back();
        const std::size_t shift = p.text.empty() ? 0 : p.text.size() + 1;
        if (shift)
            p.text += ' ';
        p.text += s.text;
        for (std::size_t w = 0; w < s.words.size(); ++w) {
            Span span = s.words[w];
            span.begin += shift;
            span.end += shift;
            p.words.push_back(span);
            p.keep.push_back(s.keep[w]);
        }
        tokens += n;
    }
    return out;
}

bool isStopword(std::string_view w)
{
    // NLTK's English stopword list (179 words), minus contractions' fragments handled as words.
    static const std::set<std::string, std::less<>> kStop{
        "i",       "me",      "my",      "myself",   "we",         "our",    "ours",    "ourselves",
        "you",     "your",    "yours",   "yourself", "yourselves", "he",     "him",     "his",
        "himself", "she",     "her",     "hers",     "herself",    "it",     "its",     "itself",
        "they",    "them",    "their",   "theirs",   "themselves", "what",   "which",   "who",
        "whom",    "this",    "that",    "these",    "those",      "am",     "is",      "are",
        "was",     "were",    "be",      "been",     "being",      "have",   "has",     "had",
        "having",  "do",      "does",    "did",      "doing",      "a",      "an",      "the",
        "and",     "but",     "if",      "or",       "because",    "as",     "until",   "while",
        "of",      "at",      "by",      "for",      "with",       "about",  "against", "between",
        "into",    "through", "during",  "before",   "after",      "above",  "below",   "to",
        "from",    "up",      "down",    "in",       "out",        "on",     "off",     "over",
        "under",   "again",   "further", "then",     "once",       "here",   "there",   "when",
        "where",   "why",     "how",     "all",      "any",        "both",   "each",    "few",
        "more",    "most",    "other",   "some",     "such",       "no",     "nor",     "not",
        "only",    "own",     "same",    "so",       "than",       "too",    "very",    "s",
        "t",       "can",     "will",    "just",     "don",        "should", "now",     "d",
        "ll",      "m",       "o",       "re",       "ve",         "y",      "ain",     "aren",
        "couldn",  "didn",    "doesn",   "hadn",     "hasn",       "haven",  "isn",     "ma",
        "mightn",  "mustn",   "needn",   "shan",     "shouldn",    "wasn",   "weren",   "won",
        "wouldn"};
    return kStop.count(w) != 0;
}

} // namespace train

} // namespace terse
