#include "compressors/selective_context.h"

#include "compressors/budget.h"
#include "compressors/common.h"
#include "compressors/params.h"
#include "core/word_joins.h"
#include "models/model_context.h"
#include "text/regex.h"
#include "text/unicode.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>

namespace terse {

namespace {

using detail::hasDigit;
using detail::identifierJoin;
using detail::isAlnumByte;
using detail::isPyspace;
using detail::kNaN;
constexpr const char *kInfo = "self_information"; // the unit score the threshold applies to
constexpr const char *kPieceOffset =
    "piece_offset"; // reference piece = collapse(text[span.begin + offset, +bytes))
constexpr const char *kPieceBytes = "piece_bytes";
constexpr const char *kSentenceFirst =
    "sentence_first"; // 1: the first phrase of its sentence (gets " ")
constexpr const char *kProtected = "protected";

enum class Level { Token, Phrase, Sentence };

struct Params {
    Level level = Level::Phrase;
    bool sumScore =
        true; // corrected mode: unit score = sum of token self-information (else the mean)
    std::string protectRegex;
    bool keepStructure = true;
    bool keepIdentifiers = true;
    bool questionFocus = true; // corrected mode (question_focus.h)
};

// The parameter table (params.h): Params' initializers are the defaults.
const detail::ParamTable<Params> &scParams()
{
    static const auto table =
        detail::ParamTable<Params>("selective_context")
            .choice<Level>(
                "reduce_level", &Params::level, "Unit",
                "token, phrase or sent (reference default phrase). Phrases without spaCy: a run of "
                "words broken before each function word (articles, prepositions, pronouns, "
                "auxiliaries) unless the phrase so far is all function words; punctuation marks "
                "are units of their own.",
                {{"token", Level::Token}, {"phrase", Level::Phrase}, {"sent", Level::Sentence}})
            .choice<bool>("unit_score", &Params::sumScore, "Unit score",
                          "Corrected mode: sum (total self-information of the unit) or mean per "
                          "token (reference mode always uses the mean).",
                          {{"sum", true}, {"mean", false}})
            .protection(&Params::protectRegex, &Params::keepStructure)
            .flag("keep_identifiers", &Params::keepIdentifiers, "Keep words whole",
                  "Corrected mode: token units are whole words and numbers/identifiers (ABC-123, "
                  "3.14) are never split.")
            .questionFocus(&Params::questionFocus);
    return table;
}

Result<Params> parseParams(const CompressOptions &o)
{
    return scParams().parse(o.params);
}

// Number of code points (Python len) of UTF-8 text.
std::size_t codePoints(std::string_view s)
{
    std::size_t n = 0;
    for (char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

// re.sub(r"\s+", " ", text) (beautify_context).
std::string collapse(std::string_view s)
{
    std::string out;
    bool ws = false;
    for (char c : s) {
        if (isPyspace(c)) {
            ws = true;
            continue;
        }
        if (ws)
            out += ' ';
        ws = false;
        out += c;
    }
    if (ws)
        out += ' ';
    return out;
}

// Function words: each starts a new phrase unless the phrase so far holds only function words.
bool isFunctionWord(std::string_view w)
{
    static const std::set<std::string> kWords = {
        "a",       "an",     "the",     "and",    "or",      "but",    "nor",    "so",      "yet",
        "of",      "in",     "on",      "at",     "to",      "for",    "from",   "by",      "with",
        "about",   "as",     "into",    "like",   "through", "after",  "over",   "between", "out",
        "against", "during", "without", "before", "under",   "around", "among",  "is",      "are",
        "was",     "were",   "be",      "been",   "being",   "am",     "has",    "have",    "had",
        "do",      "does",   "did",     "will",   "would",   "shall",  "should", "can",     "could",
        "may",     "might",  "must",    "that",   "which",   "who",    "whom",   "whose",   "this",
        "these",   "those",  "it",      "its",    "he",      "she",    "they",   "we",      "you",
        "i",       "me",     "him",     "her",    "them",    "us",     "my",     "your",    "his",
        "their",   "our",    "not",     "if",     "then",    "than",   "when",   "while",   "where",
        "because"};
    return kWords.count(detail::lowerAscii(std::string(w))) > 0;
}

bool isPunctuation(std::string_view w)
{
    return !w.empty() && !isAlnumByte(w[0]);
}

// One punctuation mark or symbol of any script (corrected mode: CJK "，" and "、" end a phrase as
// "," does; a run of ideographs is a word).
bool isOneMark(std::string_view w)
{
    char32_t cp;
    const std::size_t n = text::decodeUtf8Lenient(w, 0, cp);
    if (n != w.size())
        return false;
    const auto c = text::category(cp);
    return !text::isLetter(c) && !text::isNumber(c) && !text::isMark(c);
}

// A sentence as scored: its text and, per byte (plus one), the offset in the segment text.
struct Sentence {
    int segment = 0;
    std::string text;
    std::vector<std::size_t> origin; // text.size() + 1 entries
    std::vector<Span> tokens;        // tiled token spans in `text`
    std::vector<float> info; // self-information per token (1.7: -log p(x_t | <|endoftext|> x_<t))
};

// A unit in sentence coordinates.
struct SUnit {
    std::size_t sentence = 0;
    Span core; // the unit's text without surrounding whitespace (reference phrase: with leading ws)
    float score = kNaN;
    bool first = false; // first phrase of its sentence
};

// Reference _unit_info: aligns tokens to units by character length; a token straddling k units
// gives I/k to each; a unit with no token gets NaN (np.mean of []).
std::vector<float> referenceUnitInfo(const std::vector<std::size_t> &tokLen,
                                     const std::vector<std::string_view> &tokText,
                                     const std::vector<float> &info,
                                     const std::vector<std::size_t> &unitLen)
{
    std::vector<std::vector<double>> acc(unitLen.size());
    std::size_t cur = 0;
    long pos = 0;
    for (std::size_t t = 0; t < tokLen.size() && cur < unitLen.size(); ++t) {
        pos += static_cast<long>(tokLen[t]);
        const long ul = static_cast<long>(unitLen[cur]);
        if (pos == ul) {
            acc[cur].push_back(info[t]);
            pos -= ul;
            ++cur;
        } else if (pos > ul) {
            int counter = 1;
            pos -= ul;
            ++cur;
            while (cur < unitLen.size() && pos >= static_cast<long>(unitLen[cur])) {
                ++counter;
                pos -= static_cast<long>(unitLen[cur]);
                ++cur;
            }
            const double part = info[t] / counter;
            for (int k = 0; k < counter; ++k)
                if (cur >= 1 + static_cast<std::size_t>(k))
                    acc[cur - 1 - k].push_back(part);
        } else {
            if (tokText[t] == " ")
                continue;
            acc[cur].push_back(info[t]);
        }
    }
    std::vector<float> out(unitLen.size(), kNaN);
    for (std::size_t u = 0; u < acc.size(); ++u) {
        if (acc[u].empty())
            continue;
        double s = 0;
        for (double v : acc[u])
            s += v;
        out[u] = static_cast<float>(s / static_cast<double>(acc[u].size()));
    }
    return out;
}

double nanPercentile(std::vector<double> v, double q)
{
    return detail::numpyPercentile(std::move(v), q, true);
}

Result<void> decide(CompressionResult &r, const CompressOptions &o, const Params &p)
{
    const auto *info = detail::unitValues(r, kInfo);
    const auto *off = detail::unitValues(r, kPieceOffset);
    const auto *bytes = detail::unitValues(r, kPieceBytes);
    const auto *first = detail::unitValues(r, kSentenceFirst);
    const auto *prot = detail::unitValues(r, kProtected);
    if (!info || !off || !bytes || !first || !prot)
        return fail(ErrorCode::InvalidArgument,
                    "the cached selective_context result lacks its per-unit scores");
    const bool reference = o.mode == CompressionMode::Reference;
    const std::size_t n = r.units.size();
    for (std::size_t i = 0; i < n; ++i) {
        Unit &u = r.units[i];
        u.kept = true;
        u.stage = -1;
        // Reference: the protected series is all zeros. Corrected: protected spans are kept first
        // (priority), never beyond the budget.
        u.forced = r.segments[u.segment].role != SegmentRole::Context;
    }
    r.thresholds.clear();
    r.stages.clear();
    if (reference) {
        // γ = nanpercentile(unit scores, 100·reduce_ratio); drop units with score < γ (1.7, lines
        // 236-259).
        const double reduce = 1.0 - o.rate;
        std::vector<double> vals;
        for (std::size_t i = 0; i < n; ++i)
            if (!r.units[i].forced)
                vals.push_back((*info)[i]);
        const double gamma = nanPercentile(vals, reduce * 100);
        for (std::size_t i = 0; i < n; ++i)
            if (!r.units[i].forced && (*info)[i] < gamma)
                r.units[i].kept = false;
        r.thresholds.push_back({kInfo, gamma, "percentile " + std::to_string(reduce * 100)});
        finalizeResult(r);
        // Output as the reference joins it: sentences with " ", phrases and tokens with "".
        std::string text;
        std::vector<std::string> perSegment(r.segments.size());
        for (std::size_t i = 0; i < n; ++i) {
            const Unit &u = r.units[i];
            const std::string &src = r.segments[u.segment].text;
            if (r.segments[u.segment].role != SegmentRole::Context) {
                perSegment[u.segment] += src.substr(u.span.begin, u.span.size());
                continue;
            }
            if (!u.kept || std::isnan((*off)[i]))
                continue;
            std::string piece = collapse(
                std::string_view(src).substr(u.span.begin + static_cast<std::size_t>((*off)[i]),
                                             static_cast<std::size_t>((*bytes)[i])));
            if (r.unitName == "sentence") {
                if (!perSegment[u.segment].empty())
                    perSegment[u.segment] += ' ';
            } else if (r.unitName == "phrase" && (*first)[i] > 0.5f) {
                piece = " " + piece; // noun_phrases[0] = f" {noun_phrases[0]}"
            }
            perSegment[u.segment] += piece;
        }
        for (const auto &s : perSegment) {
            if (s.empty())
                continue;
            text += (text.empty() ? "" : "\n\n") + s;
        }
        r.compressedText = std::move(text);
        detail::countTargetTokens(r, Prompt{r.segments}, o.targetTokenizer);
    } else {
        detail::applyPins(r.units, o.pinned);
        std::vector<char> priority(n, 0);
        for (std::size_t i = 0; i < n; ++i)
            priority[i] = (*prot)[i] > 0.5f;
        // Units inside one atomic word pool their self-information the way the unit score does.
        const double gamma = detail::keepToTargetBudget(
            r, *info, o, p.sumScore ? detail::WordAggregation::Sum : detail::WordAggregation::Mean,
            &priority, p.questionFocus);
        r.thresholds.push_back({kInfo, gamma, "lowest kept self-information"});
    }
    Stage st;
    st.name = reference ? "percentile filter" : "top self-information";
    for (std::size_t i = 0; i < n; ++i)
        if (!r.units[i].kept && !r.units[i].forced)
            st.removedUnits.push_back(static_cast<int>(i));
    st.thresholds = r.thresholds;
    r.stages.push_back(std::move(st));
    r.requestedRate = o.rate;
    r.mode = o.mode;
    return {};
}

// The context sentences (1.7): reference = whitespace collapsed, split by the reference regex;
// corrected = splitSentences. Each keeps the map back to its segment's bytes.
std::vector<Sentence> contextSentences(const Prompt &prompt, bool reference)
{
    std::vector<Sentence> sents;
    std::unique_ptr<text::Regex> splitRe;
    if (reference)
        splitRe = std::make_unique<text::Regex>(R"((?<!\w\.\w.)(?<![A-Z][a-z]\.)(?<=\.|\?)\s)");
    for (int s = 0; s < static_cast<int>(prompt.segments.size()); ++s) {
        if (prompt.segments[s].role != SegmentRole::Context)
            continue;
        const std::string &text = prompt.segments[s].text;
        auto addSentence = [&](std::string t, std::vector<std::size_t> origin) {
            // strip(): drop surrounding whitespace, keep the origin map aligned
            std::size_t b = 0, e = t.size();
            while (b < e && isPyspace(t[b]))
                ++b;
            while (e > b && isPyspace(t[e - 1]))
                --e;
            if (b == e)
                return;
            Sentence st;
            st.segment = s;
            st.text = t.substr(b, e - b);
            st.origin.assign(origin.begin() + static_cast<long>(b),
                             origin.begin() + static_cast<long>(e) + 1);
            sents.push_back(std::move(st));
        };
        if (reference) {
            std::string col;
            std::vector<std::size_t> origin;
            bool ws = false;
            for (std::size_t i = 0; i < text.size(); ++i) {
                if (isPyspace(text[i])) {
                    if (!ws) {
                        col += ' ';
                        origin.push_back(i);
                    }
                    ws = true;
                    continue;
                }
                ws = false;
                col += text[i];
                origin.push_back(i);
            }
            origin.push_back(text.size());
            std::size_t start = 0;
            splitRe->forEachMatch(col, [&](std::size_t b, std::size_t e) {
                addSentence(col.substr(start, b - start),
                            std::vector<std::size_t>(origin.begin() + static_cast<long>(start),
                                                     origin.begin() + static_cast<long>(b) + 1));
                start = e;
            });
            addSentence(
                col.substr(start),
                std::vector<std::size_t>(origin.begin() + static_cast<long>(start), origin.end()));
        } else {
            for (const Span &sp : splitSentences(text)) {
                std::vector<std::size_t> origin(sp.size() + 1);
                for (std::size_t i = 0; i <= sp.size(); ++i)
                    origin[i] = sp.begin + i;
                addSentence(text.substr(sp.begin, sp.size()), std::move(origin));
            }
        }
    }
    return sents;
}

// Self-information per token (1.7, lines 100-117): each sentence scored on its own after the prefix
// token. Fills each sentence's tokens and info and `encodings`; the forward time in ms.
Result<double> scoreSentences(const Model &model, const Tokenizer &tok, int prefix,
                              std::vector<Sentence> &sents, std::vector<Encoding> &encodings,
                              const JobContext &job)
{
    std::vector<std::vector<int>> inputs;
    encodings.clear();
    for (auto &st : sents) {
        auto enc = tok.encode(st.text, false);
        if (!enc)
            return enc.error();
        std::vector<int> ids;
        if (prefix >= 0)
            ids.push_back(prefix);
        ids.insert(ids.end(), enc->ids.begin(), enc->ids.end());
        st.tokens = tileSpans(*enc, st.text.size());
        inputs.push_back(std::move(ids));
        encodings.push_back(std::move(*enc));
    }
    // One call: Model::score batches the sentences by length itself (each batch is padded to its
    // longest; the reference's batches of 16 in text order only set its speed).
    ScoreRequest req;
    req.wantEntropy = false;
    const auto n = static_cast<long long>(inputs.size());
    auto scored = model.score(inputs, req, job.scaled(0, n, n, "scoring sentences"));
    if (!scored)
        return scored.error();
    const std::size_t shift = prefix >= 0 ? 1 : 0;
    for (std::size_t k = 0; k < sents.size(); ++k) {
        const auto &sur = scored->sequences[k].surprisal;
        sents[k].info.resize(encodings[k].size(), kNaN);
        for (std::size_t t = 0; t < encodings[k].size(); ++t)
            sents[k].info[t] = t + shift < sur.size() ? sur[t + shift] : kNaN;
    }
    return scored->seconds * 1000.0;
}

} // namespace

std::string SelectiveContextCompressor::description() const
{
    return "Drops the tokens, phrases or sentences with the least self-information under a causal "
           "LM (Selective-Context).";
}

std::vector<OptionSpec> SelectiveContextCompressor::options() const
{
    return scParams().specs();
}

Result<CompressionResult> SelectiveContextCompressor::compress(const Prompt &prompt,
                                                               const CompressOptions &options,
                                                               const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto start =
        detail::startModelMethod(name(), prompt, options, scParams(), DefaultModel::CausalLM);
    if (!start)
        return start.error();
    const Params &p = start->params;
    const bool reference = options.mode == CompressionMode::Reference;
    const Model &model = start->model->model;
    const Tokenizer &tok = start->model->tokenizer;
    const SpecialIds sid = tok.specialIds();
    const int prefix = model.info().bosId >= 0 ? model.info().bosId
                       : sid.bos >= 0          ? sid.bos
                                               : sid.eos;

    std::vector<Sentence> sents = contextSentences(prompt, reference);
    std::vector<Encoding> encodings;
    auto forwardMs = scoreSentences(model, tok, prefix, sents, encodings, job);
    if (!forwardMs)
        return forwardMs.error();

    // Units per sentence.
    std::vector<SUnit> units;
    for (std::size_t si = 0; si < sents.size(); ++si) {
        const Sentence &st = sents[si];
        const std::string_view text = st.text;
        std::vector<SUnit> su;
        if (p.level == Level::Sentence) {
            su.push_back({si, {0, text.size()}, kNaN, true});
        } else if (p.level == Level::Token && (reference || !p.keepIdentifiers)) {
            for (std::size_t t = 0; t < st.tokens.size(); ++t) {
                Span sp = st.tokens[t];
                if (!reference) {
                    while (sp.begin < sp.end && isPyspace(text[sp.begin]))
                        ++sp.begin;
                    if (sp.size() == 0)
                        continue; // whitespace-only or a continuation byte: its info goes to the
                                  // overlapping unit
                }
                su.push_back({si, sp, kNaN, t == 0});
            }
        } else if (p.level == Level::Token) {
            // Whole words (groupDictionaryWords: CJK and Thai words too), then identifier runs
            // merged.
            for (const WordGroup &g : groupDictionaryWords(encodings[si], text)) {
                if (g.span.size() == 0)
                    continue;
                if (!su.empty() && identifierJoin(text, su.back().core, g.span))
                    su.back().core.end = g.span.end;
                else
                    su.push_back({si, g.span, kNaN, su.empty()});
            }
        } else {
            // Phrases over word atoms (identifier runs merged in corrected mode).
            std::vector<Span> atoms;
            for (Span w : splitWords(text)) {
                while (w.end > w.begin && isPyspace(text[w.end - 1]))
                    --w.end;
                while (w.begin < w.end && isPyspace(text[w.begin]))
                    ++w.begin;
                if (w.size() == 0)
                    continue;
                if (!reference && p.keepIdentifiers && !atoms.empty() &&
                    identifierJoin(text, atoms.back(), w))
                    atoms.back().end = w.end;
                else
                    atoms.push_back(w);
            }
            bool allFunction = false;
            bool lastPunct = true;
            // Corrected mode: in text written without spaces between words (Thai), a space ends
            // a phrase, as a comma does elsewhere.
            const std::vector<char> edges =
                reference ? std::vector<char>() : detail::dictionaryWordEdges(text);
            Span prev{0, 0};
            for (const Span &a : atoms) {
                const std::string_view w = text.substr(a.begin, a.size());
                const bool punct =
                    reference ? isPunctuation(w) && a.size() == 1 : !w.empty() && isOneMark(w);
                const bool fn = isFunctionWord(w);
                const bool spaced = !edges.empty() && !su.empty() && prev.end < a.begin &&
                                    edges[prev.end] && edges[a.begin];
                prev = a;
                const bool start =
                    su.empty() || punct || lastPunct || spaced || (fn && !allFunction);
                if (start) {
                    su.push_back({si, a, kNaN, su.empty()});
                    allFunction = fn;
                } else {
                    su.back().core.end = a.end;
                    allFunction = allFunction && fn;
                }
                lastPunct = punct;
            }
            if (reference) {
                // Each phrase carries the whitespace before it (doc[index-1].whitespace_ +
                // chunk.text).
                for (std::size_t k = 1; k < su.size(); ++k)
                    su[k].core.begin = su[k - 1].core.end;
            }
        }
        // Scores.
        if (reference) {
            std::vector<std::size_t> tokLen;
            std::vector<std::string_view> tokText;
            for (const Span &t : st.tokens) {
                tokLen.push_back(codePoints(text.substr(t.begin, t.size())));
                tokText.push_back(text.substr(t.begin, t.size()));
            }
            if (p.level == Level::Sentence) {
                double s = 0;
                for (float v : st.info)
                    s += v;
                su[0].score = st.info.empty()
                                  ? kNaN
                                  : static_cast<float>(s / static_cast<double>(st.info.size()));
            } else if (p.level == Level::Token) {
                for (std::size_t k = 0; k < su.size(); ++k)
                    su[k].score = st.info[k];
            } else {
                std::vector<std::size_t> unitLen;
                for (const auto &u : su)
                    unitLen.push_back(codePoints(text.substr(u.core.begin, u.core.size())));
                const auto sc = referenceUnitInfo(tokLen, tokText, st.info, unitLen);
                for (std::size_t k = 0; k < su.size(); ++k)
                    su[k].score = sc[k];
            }
        } else {
            // A token overlapping k units gives I/k to each; an empty-span token (a character's
            // later bytes) counts with the token before it.
            std::vector<double> sum(su.size(), 0.0);
            std::vector<int> cnt(su.size(), 0);
            Span eff{0, 0};
            std::size_t lo = 0;
            for (std::size_t t = 0; t < st.tokens.size(); ++t) {
                if (st.tokens[t].size() > 0)
                    eff = st.tokens[t];
                if (std::isnan(st.info[t]))
                    continue;
                while (lo < su.size() && su[lo].core.end <= eff.begin)
                    ++lo;
                std::vector<std::size_t> hit;
                for (std::size_t k = lo; k < su.size() && su[k].core.begin < eff.end; ++k)
                    if (su[k].core.end > eff.begin)
                        hit.push_back(k);
                for (std::size_t k : hit) {
                    sum[k] += st.info[t] / static_cast<double>(hit.size());
                    ++cnt[k];
                }
            }
            for (std::size_t k = 0; k < su.size(); ++k)
                su[k].score =
                    cnt[k] == 0 ? kNaN : static_cast<float>(p.sumScore ? sum[k] : sum[k] / cnt[k]);
        }
        units.insert(units.end(), su.begin(), su.end());
    }

    // Result units in segment coordinates, tiling each segment.
    CompressionResult r;
    r.method = name();
    r.mode = options.mode;
    r.segments = prompt.segments;
    r.unitName = p.level == Level::Token    ? "token"
                 : p.level == Level::Phrase ? "phrase"
                                            : "sentence";
    r.model = start->model->path;
    r.forwardMs = *forwardMs;
    std::vector<float> info, off, bytes, first, prot;
    std::size_t next = 0;
    for (int s = 0; s < static_cast<int>(r.segments.size()); ++s) {
        const std::string &text = r.segments[s].text;
        const std::size_t firstUnit = r.units.size();
        std::vector<std::size_t> coreBegin;
        while (next < units.size() && sents[units[next].sentence].segment == s) {
            const SUnit &u = units[next++];
            const Sentence &st = sents[u.sentence];
            Unit out;
            out.segment = s;
            out.span = {st.origin[u.core.begin], st.origin[u.core.end]};
            if (out.span.size() == 0)
                continue;
            // Reference phrases carry their leading space: the piece starts at the collapsed
            // space's origin.
            r.units.push_back(out);
            coreBegin.push_back(out.span.begin);
            info.push_back(u.score);
            bytes.push_back(static_cast<float>(out.span.size()));
            first.push_back(u.first ? 1.f : 0.f);
            prot.push_back(0.f);
            off.push_back(0.f);
        }
        if (r.units.size() == firstUnit) {
            Unit whole;
            whole.segment = s;
            whole.span = {0, text.size()};
            r.units.push_back(whole);
            info.push_back(kNaN);
            off.push_back(kNaN);
            bytes.push_back(0.f);
            first.push_back(0.f);
            prot.push_back(0.f);
            continue;
        }
        const std::size_t last = r.units.size();
        for (std::size_t i = firstUnit; i < last; ++i) {
            const std::size_t begin = i == firstUnit ? 0 : r.units[i].span.begin;
            off[i] = static_cast<float>(r.units[i].span.begin - begin);
            r.units[i].span.begin = begin;
            r.units[i].span.end = i + 1 < last ? r.units[i + 1].span.begin : text.size();
        }
        if (!reference) {
            auto spans = detail::protectedSpans(text, p.protectRegex, p.keepStructure);
            if (!spans)
                return spans.error();
            for (std::size_t i = firstUnit; i < last; ++i) {
                const std::size_t b = r.units[i].span.begin + static_cast<std::size_t>(off[i]);
                if (detail::overlapsAny(*spans, b, b + static_cast<std::size_t>(bytes[i])))
                    prot[i] = 1.f;
            }
        }
    }
    r.scores = {{kInfo, info}};
    r.internals = {
        {kPieceOffset, off}, {kPieceBytes, bytes}, {kSentenceFirst, first}, {kProtected, prot}};
    if (auto d = decide(r, options, p); !d)
        return d.error();
    r.totalMs = detail::msSince(t0);
    job.report(1, 1, "done");
    return r;
}

bool SelectiveContextCompressor::canRethreshold(const CompressionResult &previous,
                                                const CompressOptions &prevOptions,
                                                const CompressOptions &next) const
{
    return detail::onlyThresholdsChanged(previous, name(), prevOptions, next);
}

Result<CompressionResult> SelectiveContextCompressor::rethreshold(const CompressionResult &previous,
                                                                  const CompressOptions &next) const
{
    return detail::redecide(previous, next, parseParams, decide);
}

} // namespace terse
