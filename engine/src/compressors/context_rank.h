#pragma once
// Model-free question-aware ranking of contexts or sentences, as LLMLingua's get_rank_results
// offers it (prompt_compressor.py 1818-2070, rank_method "bm25" and "gzip"): Okapi BM25 with the
// question as the query, and the normalised compression distance under gzip. Torch-free.

#include <string>
#include <vector>

namespace terse::detail {

// The restrictive suffix LongLLMLingua's ranking appends to the question (prompt_compressor.py line
// 2036): a context is scored by how well it predicts the question followed by this.
inline constexpr const char *kRankQuestionSuffix =
    " We can get the answer to this question in the given documents.";

// How texts become BM25 terms. Reference: `doc.split(" ")`, exactly as the reference (punctuation
// and case stay on the terms); Words: lower-cased runs of letters and digits (what corrected mode
// uses, so "Everest?" matches "everest").
enum class TermSplit { Reference, Words };

std::vector<std::string> bm25Terms(const std::string &text, TermSplit how);

// Okapi BM25 score of each document for the query, as rank_bm25's BM25Okapi computes it (k1 = 1.5,
// b = 0.75; idf = ln(N - n + 0.5) - ln(n + 0.5), negative idfs replaced by epsilon = 0.25 x the
// mean idf).
std::vector<double> bm25Scores(const std::vector<std::string> &documents, const std::string &query,
                               TermSplit how, double k1 = 1.5, double b = 0.75,
                               double epsilon = 0.25);

// Length in bytes of gzip.compress(text) (level 9; 10-byte header, raw deflate, 8-byte trailer).
std::size_t gzipLength(const std::string &text);

// Normalised compression distance of each document to the query (reference get_distance_gzip):
// (C(x + " " + y) - min(C(x), C(y))) / max(C(x), C(y)); smaller is more similar.
std::vector<double> gzipDistances(const std::vector<std::string> &documents,
                                  const std::string &query);

// Indices ordered best first: by score descending (`higherIsBetter`) or ascending; ties keep the
// input order.
std::vector<int> rankOrder(const std::vector<double> &scores, bool higherIsBetter);

} // namespace terse::detail
