#pragma once
// Model-free question-aware ranking of contexts or sentences, as LLMLingua's get_rank_results
// offers it (prompt_compressor.py 1818-2070, rank_method "bm25" and "gzip"): Okapi BM25 with the
// question as the query, and the normalised compression distance under gzip. Torch-free.

#include "terse/compressor.h"
#include "terse/text_units.h"
#include "terse/word_vectors.h"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace terse::detail {

// The restrictive suffix LongLLMLingua's ranking appends to the question (prompt_compressor.py line
// 2036): a context is scored by how well it predicts the question followed by this.
inline constexpr const char *kRankQuestionSuffix =
    " We can get the answer to this question in the given documents.";

// How texts become BM25 terms. Reference: `doc.split(" ")`, exactly as the reference (punctuation
// and case stay on the terms); Words: lower-cased runs of letters and digits (so "Everest?" matches
// "everest"), text in scripts without spaces cut into its dictionary words (splitAtomicWords:
// "北京大学" -> "北京", "大学"); Search (what corrected mode ranks with): Words without English
// function words and question-form labels ("the", "who", "how", "question", ...), and each word
// reduced to its Porter stem (porterStem), so "episodes" matches "episode", "nominates" "nominated"
// and "interpretation" "interpreted" (issue 15; the light stemmer before it left "nominate" and
// "nominat". Answer kept on the 101 nq_multidoc prompts at rate 0.33: llmlingua2 0.832 -> 0.842,
// llmlingua 0.822 -> 0.842, longllmlingua 0.812 -> 0.832, selective_context 0.802 -> 0.792).
enum class TermSplit { Reference, Words, Search };

// Porter's (1980) stem of a lower-case ASCII word of three letters or more ("generalizations" ->
// "gener"); any other word as it is.
std::string porterStem(std::string word);

std::vector<std::string> bm25Terms(const std::string &text, TermSplit how);

// Okapi BM25 score of each document for the query, as rank_bm25's BM25Okapi computes it (k1 = 1.5,
// b = 0.75; idf = ln(N - n + 0.5) - ln(n + 0.5), negative idfs replaced by epsilon = 0.25 x the
// mean idf). With TermSplit::Search (corrected mode), a collection where no term has a positive idf
// (two documents) weighs every term epsilon x ln 2 instead of 0.
//
// Soft matching (corrected mode, `vectors` given; issue 15): with TermSplit::Search, a question
// word also matches a document word of another stem whose vector lies close to its own (cosine >=
// kSoftMatchFloor), counting that cosine instead of 1: "movie" finds "film", "sister" "daughter".
// The question word's document frequency becomes the sum over documents of its best match there (1
// for the word itself), so a near-synonym found everywhere weighs little. Words with digits match
// only themselves (years and counts are not synonyms of each other).
inline constexpr double kSoftMatchFloor = 0.75;
std::vector<double> bm25Scores(const std::vector<std::string> &documents, const std::string &query,
                               TermSplit how, const WordVectors *vectors = nullptr, double k1 = 1.5,
                               double b = 0.75, double epsilon = 0.25);

// The word vectors a compression's ranking matches near-synonyms with (options.wordVectors, loaded
// once per process): nullptr in reference mode, for "none", and when the bundled ones are absent or
// the named file does not load (validateOptions refuses that file before a method starts).
std::shared_ptr<const WordVectors> rankingVectors(const CompressOptions &options);

// Length in bytes of gzip.compress(text) (level 9; 10-byte header, raw deflate, 8-byte trailer).
std::size_t gzipLength(const std::string &text);

// Normalised compression distance of each document to the query (reference get_distance_gzip):
// (C(x + " " + y) - min(C(x), C(y))) / max(C(x), C(y)); smaller is more similar.
std::vector<double> gzipDistances(const std::vector<std::string> &documents,
                                  const std::string &query);

// Corrected mode's question sentences (LongLLMLingua's and LLMLingua-2's sentence_rank): the
// sentences (splitSentences) of the given segments, scored by BM25 (Search terms, all sentences as
// the corpus) against the question. A sentence sharing no term with the question scores 0 and is
// not a question sentence; the others are ordered by bm25 / best bm25 + lead x w x (1 - the
// sentence's position in its segment), so that among similar matches the earlier one wins: long
// documents state their key facts early (on L-Eval NQ pages, answer kept at rate 0.33 in 0.85 ->
// 0.88 of 109 questions), while the order inside a short passage says little, so the weight w
// grows with the segment's sentence count up to 1 at kLeadSentences.
struct QuestionSentences {
    std::vector<int> segment; // segment of each sentence
    std::vector<Span> span;   // its bytes in the segment's text
    std::vector<double> bm25; // its BM25 score
    std::vector<int> rank;    // its place in the best-first order (0 = best); -1: not ranked
    int matched = 0;          // ranked sentences: bm25 > 0, and their unmatched successors
    // The sentence holding byte `byte` of segment `seg`, or -1.
    long find(int seg, std::size_t byte) const;
};
inline constexpr double kSentenceLead = 0.3;
// A passage's header ("Document [3](Title: Grey's Anatomy) ", "[2] ", "Passage [1]: ") is left
// out of its first sentence's match (the span keeps it): all passages of one page share the
// title, whose words made every first sentence outrank the sentence that answers (issue 15:
// nq_multidoc, llmlingua2 at rate 0.33, answer kept 0.842 -> 0.861). The coarse ranking still
// reads it. The header's length in bytes (0: none): an optional label ("Document", "Passage",
// "Source", ...), "[N]", an optional title in parentheses of at most kHeaderTitleBytes, an optional
// ':', then whitespace.
inline constexpr std::size_t kHeaderTitleBytes = 300;
std::size_t passageHeaderLength(std::string_view text);
inline constexpr double kLeadSentences = 50;
// `contextScore` (optional; segment -> the coarse ranking's score, higher = better) adds
// kContextPrior x the score scaled to [0, 1] over the segments: a sentence of the best-ranked
// passage beats an equal match elsewhere (the answer's sentence often shares few words with the
// question, its passage more).
inline constexpr double kContextPrior = 1.0;
// A question sentence holding what the question's wh-words ask for (when: a year, decade, month,
// weekday, century, or a show's season by its number; how many/much/long/old: a number;
// who/where: a capitalised word not in the question) gains this (0.3 -> 0.6, issue 15: nq_multidoc,
// llmlingua2 at rate 0.33 with the second neighbour, answer kept 0.891 -> 0.911; the same at 0.7
// and 0.9, 0.901 at 0.45 and 0.5).
inline constexpr double kAnswerTypeBonus = 0.6;
// An unmatched sentence right after a matched one (same segment) is ranked too, at this fraction of
// its predecessor's key (0: not ranked); the one after it at kSecondNeighbourFactor x that: cast
// lists and infobox lines follow the sentence that names the show ("... based on Disney's 1991
// film." "The film features an ensemble cast that includes ... Kevin Kline ..."; issue 15:
// nq_multidoc, llmlingua2 at rate 0.33, answer kept 0.871 -> 0.891 with this alone; a factor
// of 0.8 did as well, 0.4 gave 0.861).
inline constexpr double kNeighbourWeight = 0.5;
inline constexpr double kSecondNeighbourFactor = 0.6;
QuestionSentences rankQuestionSentences(const std::vector<std::pair<int, std::string>> &segments,
                                        const std::string &question,
                                        const std::map<int, double> &contextScore = {},
                                        const WordVectors *vectors = nullptr,
                                        double lead = kSentenceLead,
                                        double neighbour = kNeighbourWeight);

// Indices ordered best first: by score descending (`higherIsBetter`) or ascending; ties keep the
// input order.
std::vector<int> rankOrder(const std::vector<double> &scores, bool higherIsBetter);

} // namespace terse::detail
