#include "compressors/context_rank.h"

#include "compressors/common.h"
#include "core/utf8.h"
#include "terse/text_units.h"
#include "text/unicode.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <string_view>

namespace terse::detail {

namespace {

bool isSearchStopword(const std::string &w)
{
    static const std::set<std::string> kStop = {
        "a",     "an",   "the",  "of",  "in",   "on",  "to",       "and",   "is",
        "was",   "were", "for",  "by",  "with", "as",  "at",       "from",  "that",
        "this",  "it",   "be",   "are", "or",   "who", "what",     "when",  "where",
        "which", "how",  "many", "did", "does", "do",  "question", "answer"};
    return kStop.count(w) > 0;
}

// Porter's stemmer (M. F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980, as
// in his ANSI C release: "bli" -> "ble" and "logi" -> "log" in step 2). Only lower-case ASCII
// words of three letters or more are stemmed; others stay as written ("1990s", "café").
class PorterStemmer {
public:
    explicit PorterStemmer(std::string word) : w_(std::move(word)) {}

    std::string run() &&
    {
        if (w_.size() <= 2 ||
            !std::all_of(w_.begin(), w_.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
            return std::move(w_);
        step1ab();
        step1c();
        step2();
        step3();
        step4();
        step5();
        return std::move(w_);
    }

private:
    std::string w_;

    // A consonant is a letter other than a e i o u, and other than a y after a consonant.
    bool cons(std::size_t i) const
    {
        switch (w_[i]) {
        case 'a':
        case 'e':
        case 'i':
        case 'o':
        case 'u':
            return false;
        case 'y':
            return i == 0 || !cons(i - 1);
        default:
            return true;
        }
    }
    // m: the number of vowel-consonant sequences in w_[0, len), [C](VC)^m[V].
    int measure(std::size_t len) const
    {
        int m = 0;
        std::size_t i = 0;
        while (i < len && cons(i))
            ++i;
        while (i < len) {
            while (i < len && !cons(i))
                ++i;
            if (i == len)
                break;
            while (i < len && cons(i))
                ++i;
            ++m;
        }
        return m;
    }
    bool hasVowel(std::size_t len) const
    {
        for (std::size_t i = 0; i < len; ++i)
            if (!cons(i))
                return true;
        return false;
    }
    // *d: w_[0, len) ends in a double consonant.
    bool doubleCons(std::size_t len) const
    {
        return len >= 2 && w_[len - 1] == w_[len - 2] && cons(len - 1);
    }
    // *o: w_[0, len) ends consonant-vowel-consonant, the last not w, x or y ("hop", not "snow").
    bool cvc(std::size_t len) const
    {
        if (len < 3 || !cons(len - 3) || cons(len - 2) || !cons(len - 1))
            return false;
        const char c = w_[len - 1];
        return c != 'w' && c != 'x' && c != 'y';
    }
    bool ends(std::string_view suffix) const
    {
        return w_.size() >= suffix.size() &&
               std::string_view(w_).substr(w_.size() - suffix.size()) == suffix;
    }
    std::size_t stemLength(std::string_view suffix) const { return w_.size() - suffix.size(); }
    void replace(std::string_view suffix, std::string_view with)
    {
        w_.resize(stemLength(suffix));
        w_ += with;
    }
    // Steps 2-4: of the rules whose suffix the word ends in, only the longest is tried.
    template <std::size_t N>
    void longestRule(const std::array<std::pair<std::string_view, std::string_view>, N> &rules,
                     int minMeasure)
    {
        const std::pair<std::string_view, std::string_view> *best = nullptr;
        for (const auto &rule : rules)
            if (ends(rule.first) && (!best || rule.first.size() > best->first.size()))
                best = &rule;
        if (!best)
            return;
        const std::size_t stem = stemLength(best->first);
        // Step 4's (*S or *T)ION: the stem must end in s or t.
        if (best->first == "ion" && (stem == 0 || (w_[stem - 1] != 's' && w_[stem - 1] != 't')))
            return;
        if (measure(stem) > minMeasure)
            replace(best->first, best->second);
    }

    void step1ab()
    {
        if (ends("sses") || ends("ies"))
            w_.resize(w_.size() - 2); // caresses -> caress, ponies -> poni
        else if (!ends("ss") && ends("s"))
            w_.pop_back(); // cats -> cat
        if (ends("eed")) {
            if (measure(stemLength("eed")) > 0)
                w_.pop_back(); // agreed -> agree
            return;
        }
        std::string_view cut;
        if (ends("ed") && hasVowel(stemLength("ed")))
            cut = "ed";
        else if (ends("ing") && hasVowel(stemLength("ing")))
            cut = "ing";
        else
            return;
        w_.resize(stemLength(cut));
        if (ends("at") || ends("bl") || ends("iz"))
            w_ += 'e'; // conflated -> conflate
        else if (doubleCons(w_.size()) && w_.back() != 'l' && w_.back() != 's' && w_.back() != 'z')
            w_.pop_back(); // hopping -> hop
        else if (measure(w_.size()) == 1 && cvc(w_.size()))
            w_ += 'e'; // filing -> file
    }
    void step1c()
    {
        if (ends("y") && hasVowel(w_.size() - 1))
            w_.back() = 'i'; // happy -> happi
    }
    void step2()
    {
        static constexpr std::array<std::pair<std::string_view, std::string_view>, 21> kRules = {{
            {"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"},   {"anci", "ance"},
            {"izer", "ize"},    {"bli", "ble"},     {"alli", "al"},     {"entli", "ent"},
            {"eli", "e"},       {"ousli", "ous"},   {"ization", "ize"}, {"ation", "ate"},
            {"ator", "ate"},    {"alism", "al"},    {"iveness", "ive"}, {"fulness", "ful"},
            {"ousness", "ous"}, {"aliti", "al"},    {"iviti", "ive"},   {"biliti", "ble"},
            {"logi", "log"},
        }};
        longestRule(kRules, 0);
    }
    void step3()
    {
        static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kRules = {{
            {"icate", "ic"},
            {"ative", ""},
            {"alize", "al"},
            {"iciti", "ic"},
            {"ical", "ic"},
            {"ful", ""},
            {"ness", ""},
        }};
        longestRule(kRules, 0);
    }
    void step4()
    {
        static constexpr std::array<std::pair<std::string_view, std::string_view>, 19> kRules = {{
            {"al", ""},   {"ance", ""}, {"ence", ""}, {"er", ""},    {"ic", ""},
            {"able", ""}, {"ible", ""}, {"ant", ""},  {"ement", ""}, {"ment", ""},
            {"ent", ""},  {"ion", ""},  {"ou", ""},   {"ism", ""},   {"ate", ""},
            {"iti", ""},  {"ous", ""},  {"ive", ""},  {"ize", ""},
        }};
        longestRule(kRules, 1);
    }
    void step5()
    {
        if (ends("e")) {
            const int m = measure(w_.size() - 1);
            if (m > 1 || (m == 1 && !cvc(w_.size() - 1)))
                w_.pop_back(); // probate -> probat; rate stays
        }
        if (ends("ll") && measure(w_.size()) > 1)
            w_.pop_back(); // controll -> control
    }
};

// What a factoid question asks for, from its wh-words (issue 15: the answer's sentence often
// shares few words with the question, but holds the kind of thing asked for).
enum class AnswerType { None, Date, Number, Name };

AnswerType answerType(const std::string &question)
{
    const auto w = bm25Terms(question, TermSplit::Words);
    auto has = [&](const char *a, const char *b = nullptr) {
        for (std::size_t i = 0; i < w.size(); ++i)
            if (w[i] == a && (!b || (i + 1 < w.size() && w[i + 1] == b)))
                return true;
        return false;
    };
    if (has("when") || has("what", "year") || has("which", "year") || has("what", "date"))
        return AnswerType::Date;
    if (has("how", "many") || has("how", "much") || has("how", "long") || has("how", "old"))
        return AnswerType::Number;
    if (has("who") || has("whom") || has("whose") || has("where"))
        return AnswerType::Name;
    return AnswerType::None;
}

bool allDigits(std::string_view w)
{
    return std::all_of(w.begin(), w.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

// "when" of a television show is answered by "in season seven", unless the question speaks of
// seasons, series or episodes itself ("when does s2 of a series of ... come out" asks for a date;
// each season of that show is named on its page).
bool seasonsAnswerWhen(const std::set<std::string> &asked)
{
    return std::none_of(asked.begin(), asked.end(), [](const std::string &a) {
        return a == "season" || a == "seasons" || a == "series" || a == "episode" ||
               a == "episodes" || (a.size() >= 2 && a[0] == 's' && allDigits(a.substr(1)));
    });
}

bool holdsType(const std::string &sentence, AnswerType type, const std::set<std::string> &asked,
               bool seasons)
{
    static const std::set<std::string> kMonths = {"january",   "february", "march",    "april",
                                                  "may",       "june",     "july",     "august",
                                                  "september", "october",  "november", "december"};
    static const std::set<std::string> kTimeWords = {"monday",   "tuesday", "wednesday",
                                                     "thursday", "friday",  "saturday",
                                                     "sunday",   "century", "centuries"};
    // The numbers a season of a show goes by: "season 7", "season seven", "the seventh season".
    static const std::set<std::string> kCounted = {
        "one",    "two",    "three",  "four",     "five",     "six",     "seven", "eight",  "nine",
        "ten",    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "first", "second", "third",
        "fourth", "fifth",  "sixth",  "seventh",  "eighth",   "ninth",   "tenth"};
    const auto words = bm25Terms(sentence, TermSplit::Words);
    // A season's number the question does not name.
    auto counted = [&](std::size_t j) {
        return j < words.size() && !asked.count(words[j]) &&
               (kCounted.count(words[j]) > 0 || allDigits(words[j]));
    };
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string &raw = words[i];
        if (type == AnswerType::Date) {
            const bool year = raw.size() >= 4 && (raw[0] == '1' || raw[0] == '2') &&
                              allDigits(std::string_view(raw).substr(0, 4)) &&
                              (raw.size() == 4 || raw.substr(4) == "s"); // 1953, the 1990s
            const bool season =
                seasons && raw == "season" && (counted(i + 1) || (i > 0 && counted(i - 1)));
            if (year || season || kMonths.count(raw) || kTimeWords.count(raw))
                return true;
        }
        if (type == AnswerType::Number && allDigits(raw))
            return true;
    }
    if (type == AnswerType::Name) {
        // A capitalised word that is not the sentence's first and not a word of the question.
        std::size_t k = 0;
        for (const auto &tok : splitOnSpaces(sentence)) {
            if (tok.empty())
                continue;
            const unsigned char c = static_cast<unsigned char>(tok[0]);
            if (k++ > 0 && c >= 'A' && c <= 'Z') {
                auto lower = bm25Terms(tok, TermSplit::Words);
                if (!lower.empty() && !asked.count(lower.front()))
                    return true;
            }
        }
    }
    return false;
}

// A text's Search terms with the words they come from: (lower-cased word, stem), stopwords out.
std::vector<std::pair<std::string, std::string>> searchTerms(const std::string &text)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (auto &w : bm25Terms(text, TermSplit::Words))
        if (!isSearchStopword(w)) {
            std::string stem = porterStem(w);
            out.emplace_back(std::move(w), std::move(stem));
        }
    return out;
}

// The vector of a word (or else of its stem); -1 for words holding a digit and unknown words.
int vectorId(const WordVectors &vectors, const std::string &word, const std::string &stem)
{
    if (std::any_of(word.begin(), word.end(), [](unsigned char c) { return c >= '0' && c <= '9'; }))
        return -1;
    const int id = vectors.find(word);
    return id >= 0 ? id : vectors.find(stem);
}

} // namespace

std::size_t passageHeaderLength(std::string_view t)
{
    auto space = [&](std::size_t i) { return i < t.size() && isAsciiSpace(t[i]); };
    auto letter = [&](std::size_t i) {
        return i < t.size() && ((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z'));
    };
    auto digit = [&](std::size_t i) { return i < t.size() && t[i] >= '0' && t[i] <= '9'; };
    std::size_t i = 0;
    while (space(i))
        ++i;
    const std::size_t word = i; // an optional label word: "Document", "Passage", "Doc"
    while (letter(i) && i - word < 20)
        ++i;
    if (i > word) {
        static const std::set<std::string> kLabels = {
            "document", "doc",     "passage", "source",    "context", "result", "article",
            "chunk",    "snippet", "excerpt", "reference", "ref",     "item"};
        if (!kLabels.count(lowerAscii(std::string(t.substr(word, i - word)))))
            return 0;
        if (t.substr(i, 1) == " ")
            ++i;
    }
    if (i >= t.size() || t[i] != '[' || !digit(i + 1))
        return 0;
    std::size_t j = i + 1;
    while (digit(j) && j - i <= 6)
        ++j;
    if (j >= t.size() || t[j] != ']')
        return 0;
    i = j + 1;
    std::size_t k = i; // an optional parenthesised title right after: "(Title: ...)"
    while (k < t.size() && t[k] == ' ')
        ++k;
    if (k < t.size() && t[k] == '(') {
        int depth = 0;
        for (std::size_t m = k; m < t.size() && m - k <= kHeaderTitleBytes; ++m) {
            depth += t[m] == '(' ? 1 : t[m] == ')' ? -1 : 0;
            if (depth == 0) {
                i = m + 1;
                break;
            }
        }
    }
    if (i < t.size() && t[i] == ':')
        ++i;
    if (i < t.size() && !space(i))
        return 0; // "[1]abc": not a label
    while (space(i))
        ++i;
    return i;
}

std::string porterStem(std::string word)
{
    return PorterStemmer(std::move(word)).run();
}

std::vector<std::string> bm25Terms(const std::string &text, TermSplit how)
{
    if (how == TermSplit::Reference)
        return splitOnSpaces(text); // the reference's doc.split(" ")
    if (how == TermSplit::Search) {
        std::vector<std::string> out;
        for (auto &[word, stem] : searchTerms(text))
            out.push_back(std::move(stem));
        return out;
    }
    std::vector<std::string> out;
    std::u32string word;
    auto flush = [&] {
        if (word.empty())
            return;
        std::u32string lower;
        for (char32_t c : word)
            text::appendLower(lower, c);
        std::string s;
        bool spaceless = false; // may hold a script written without spaces (all lie above U+0E00)
        for (char32_t c : lower) {
            text::appendUtf8(s, c);
            spaceless = spaceless || c >= 0x0E00;
        }
        word.clear();
        if (!spaceless) {
            out.push_back(std::move(s));
            return;
        }
        // Chinese, Japanese, Thai...: the dictionary's words ("北京大学位于" -> 北京, 大学, 位于),
        // where a letter run is a whole clause.
        for (const Span &w : splitAtomicWords(s))
            out.push_back(s.substr(w.begin, w.size()));
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
                               TermSplit how, const WordVectors *vectors, double k1, double b,
                               double epsilon)
{
    const std::size_t n = documents.size();
    std::vector<double> scores(n, 0.0);
    if (n == 0)
        return scores;
    const bool soft = vectors && how == TermSplit::Search;
    std::vector<std::map<std::string, int>> freqs(n);
    // Soft matching: the vectors of a stem's words as written in each document ("filming", "film").
    std::vector<std::map<std::string, std::vector<int>>> surface(n);
    std::vector<double> len(n);
    std::map<std::string, int> docFreq;
    double total = 0;
    for (std::size_t d = 0; d < n; ++d) {
        if (soft) {
            for (auto &[word, stem] : searchTerms(documents[d])) {
                ++freqs[d][stem];
                const int id = vectorId(*vectors, word, stem);
                auto &ids = surface[d][stem];
                if (id >= 0 && std::find(ids.begin(), ids.end(), id) == ids.end())
                    ids.push_back(id);
                len[d] += 1;
            }
        } else {
            const auto terms = bm25Terms(documents[d], how);
            len[d] = static_cast<double>(terms.size());
            for (const auto &t : terms)
                ++freqs[d][t];
        }
        total += len[d];
        for (const auto &[t, f] : freqs[d])
            ++docFreq[t];
    }
    const double avgdl = total / static_cast<double>(n);
    // BM25Okapi._calc_idf: negative idfs become epsilon x the mean idf of all terms.
    std::map<std::string, double> idf;
    double idfSum = 0;
    std::vector<std::string> negative;
    double highest = -std::numeric_limits<double>::infinity();
    auto okapi = [n](double df) {
        return std::log(static_cast<double>(n) - df + 0.5) - std::log(df + 0.5);
    };
    for (const auto &[t, df] : docFreq) {
        const double v = okapi(df);
        idf[t] = v;
        idfSum += v;
        highest = std::max(highest, v);
        if (v < 0)
            negative.push_back(t);
    }
    const double eps = idf.empty() ? 0.0 : epsilon * idfSum / static_cast<double>(idf.size());
    for (const auto &t : negative)
        idf[t] = eps;
    // Corrected mode (Search terms): when no term has a positive idf (two documents, or every term
    // in half of them or more) Okapi weighs every term 0 or less, and a question word only one of
    // two sentences holds ("ferry" in "The ferry leaves at 09:15 ...") would not count. Every term
    // then weighs epsilon x ln 2 (a term in one of two documents under Lucene's idf, x epsilon).
    const bool tiny = how == TermSplit::Search && highest <= 0;
    if (tiny)
        for (auto &[t, v] : idf)
            v = epsilon * std::log(2.0);
    auto addTerm = [&](double w, const std::vector<double> &tf) {
        // get_scores: every query term (repeats included) adds idf x tf (k1 + 1) / (tf + k1 (1 - b
        // + b dl / avgdl)).
        for (std::size_t d = 0; d < n; ++d) {
            const double norm = avgdl > 0 ? len[d] / avgdl : 0.0;
            scores[d] += w * (tf[d] * (k1 + 1.0) / (tf[d] + k1 * (1.0 - b + b * norm)));
        }
    };
    std::vector<double> tf(n);
    if (!soft) {
        for (const auto &q : bm25Terms(query, how)) {
            auto it = idf.find(q);
            const double w = it == idf.end() ? 0.0 : it->second;
            for (std::size_t d = 0; d < n; ++d) {
                auto f = freqs[d].find(q);
                tf[d] = f == freqs[d].end() ? 0.0 : f->second;
            }
            addTerm(w, tf);
        }
        return scores;
    }
    std::map<std::pair<int, int>, double> closeness; // (question word, document word) -> cosine
    for (const auto &[word, stem] : searchTerms(query)) {
        const int qid = vectorId(*vectors, word, stem);
        double df = 0;
        for (std::size_t d = 0; d < n; ++d) {
            auto f = freqs[d].find(stem);
            tf[d] = f == freqs[d].end() ? 0.0 : f->second;
            double best = tf[d] > 0 ? 1.0 : 0.0;
            if (qid >= 0)
                for (const auto &[s, ids] : surface[d]) {
                    if (s == stem)
                        continue;
                    double close = 0; // the closest of the stem's forms
                    for (int id : ids) {
                        auto [it, fresh] = closeness.try_emplace({qid, id}, 0.0);
                        if (fresh)
                            it->second = id == qid ? 1.0 : vectors->similarity(qid, id);
                        close = std::max(close, it->second);
                    }
                    if (close >= kSoftMatchFloor) {
                        tf[d] += close * freqs[d].at(s);
                        best = std::max(best, close);
                    }
                }
            df += best;
        }
        double w = 0;
        if (df > 0) {
            // The word's own idf when no near-synonym adds to its document frequency (idf and
            // docFreq hold the same terms).
            auto exact = docFreq.find(stem);
            w = exact != docFreq.end() && df == static_cast<double>(exact->second) ? idf.at(stem)
                : tiny ? epsilon * std::log(2.0)
                       : okapi(df);
            if (w < 0)
                w = eps;
        }
        addTerm(w, tf);
    }
    return scores;
}

std::shared_ptr<const WordVectors> rankingVectors(const CompressOptions &options)
{
    if (options.mode == CompressionMode::Reference || options.wordVectors == "none")
        return nullptr;
    auto r = options.wordVectors.empty() ? WordVectors::loadDefault()
                                         : WordVectors::loadShared(options.wordVectors);
    return r ? *r : nullptr;
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

long QuestionSentences::find(int seg, std::size_t byte) const
{
    // Sentences tile each segment in order, and segments follow each other.
    auto lo = std::lower_bound(segment.begin(), segment.end(), seg);
    auto hi = std::upper_bound(lo, segment.end(), seg);
    const auto first = span.begin() + (lo - segment.begin());
    const auto last = span.begin() + (hi - segment.begin());
    auto it =
        std::upper_bound(first, last, byte, [](std::size_t v, const Span &s) { return v < s.end; });
    return it != last && it->begin <= byte ? static_cast<long>(it - span.begin()) : -1;
}

QuestionSentences rankQuestionSentences(const std::vector<std::pair<int, std::string>> &segments,
                                        const std::string &question,
                                        const std::map<int, double> &contextScore,
                                        const WordVectors *vectors, double lead, double neighbour)
{
    double lowest = std::numeric_limits<double>::infinity(), highest = -lowest;
    for (const auto &[seg, v] : contextScore)
        if (std::isfinite(v))
            lowest = std::min(lowest, v), highest = std::max(highest, v);
    auto prior = [&](int seg) {
        auto it = contextScore.find(seg);
        if (it == contextScore.end() || !std::isfinite(it->second) || !(highest > lowest))
            return 0.0;
        return kContextPrior * (it->second - lowest) / (highest - lowest);
    };
    QuestionSentences q;
    std::vector<std::string> text;
    std::vector<double> position;
    auto ordered = segments;
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    std::vector<double> weight; // the lead prior's weight: long documents only
    for (const auto &[seg, t] : ordered) {
        const double size = std::max<double>(1.0, static_cast<double>(t.size()));
        const auto sentences = splitSentences(t);
        for (const Span &sp : sentences) {
            q.segment.push_back(seg);
            q.span.push_back(sp);
            // The first sentence is matched without the passage's header (its span keeps it).
            const std::size_t from = sp.begin == 0 ? sp.begin + passageHeaderLength(t) : sp.begin;
            text.push_back(t.substr(std::min(from, sp.end), sp.end - std::min(from, sp.end)));
            position.push_back(static_cast<double>(sp.begin) / size);
            weight.push_back(std::min(1.0, static_cast<double>(sentences.size()) / kLeadSentences));
        }
    }
    q.bm25 = bm25Scores(text, question, TermSplit::Search, vectors);
    const double best = q.bm25.empty() ? 0.0 : *std::max_element(q.bm25.begin(), q.bm25.end());
    const AnswerType type = answerType(question);
    const auto askedTerms = bm25Terms(question, TermSplit::Words);
    const std::set<std::string> asked(askedTerms.begin(), askedTerms.end());
    const bool seasons = seasonsAnswerWhen(asked);
    std::vector<double> key(q.bm25.size(), -1.0);
    for (std::size_t j = 0; j < key.size(); ++j)
        if (q.bm25[j] > 0) {
            key[j] =
                q.bm25[j] / best + lead * weight[j] * (1.0 - position[j]) + prior(q.segment[j]);
            if (type != AnswerType::None && holdsType(text[j], type, asked, seasons))
                key[j] += kAnswerTypeBonus;
            ++q.matched;
        }
    // The sentences after a question sentence often hold what the match announces ("... a second
    // season." "It premiered on April 25, 2018."; "... web television series." "It stars ..."):
    // an unmatched sentence one or two after a matched one in its segment ranks at `neighbour` x
    // that one's key (x kSecondNeighbourFactor two after; the best such), plus the answer-type
    // bonus.
    if (neighbour > 0) {
        const std::vector<double> matchedKey = key;
        for (std::size_t j = 1; j < key.size(); ++j) {
            if (q.bm25[j] > 0)
                continue;
            double top = -1.0; // `best` is the best BM25 above
            for (std::size_t d = 1; d <= 2 && d <= j; ++d)
                if (q.bm25[j - d] > 0 && q.segment[j] == q.segment[j - d])
                    top = std::max(top, neighbour * (d == 1 ? 1.0 : kSecondNeighbourFactor) *
                                            matchedKey[j - d]);
            if (top < 0)
                continue;
            key[j] = top;
            if (type != AnswerType::None && holdsType(text[j], type, asked, seasons))
                key[j] += kAnswerTypeBonus;
            ++q.matched;
        }
    }
    q.rank.assign(key.size(), -1);
    const std::vector<int> order = rankOrder(key, true);
    for (int k = 0; k < q.matched; ++k)
        q.rank[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])] = k;
    return q;
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
