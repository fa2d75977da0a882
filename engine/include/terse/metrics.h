#pragma once
// Text fidelity metrics: ROUGE-1/2/L, BLEU, token-level F1 of keep decisions, answer retention.
// Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace terse {

struct PrfScore {
    double precision = 0;
    double recall = 0;
    double f1 = 0;
};

// Tokenises like Google's rouge_score default: lower-case, every run of characters other than ASCII
// letters and digits separates tokens (non-ASCII letters are kept inside tokens).
std::vector<std::string> metricTokens(std::string_view text);

// ROUGE-N (n >= 1) of candidate against reference: clipped n-gram overlap.
PrfScore rougeN(std::string_view candidate, std::string_view reference, int n);
// ROUGE-L: longest common subsequence of tokens (sentence-level, no summary-level splitting).
PrfScore rougeL(std::string_view candidate, std::string_view reference);

enum class BleuSmoothing {
    None,    // Papineni et al. 2002: zero if any n-gram precision is zero (NLTK's default)
    Epsilon, // Chen & Cherry 2014 method 1: zero counts become 0.1 (NLTK
             // SmoothingFunction().method1)
};

// Sentence BLEU with uniform weights over 1..maxN-grams and the brevity penalty exp(1 - r/c) when c
// < r.
double bleu(std::string_view candidate, std::string_view reference, int maxN = 4,
            BleuSmoothing smoothing = BleuSmoothing::Epsilon);

// Precision/recall/F1 of predicted keep decisions against gold ones (positives = kept). Sizes must
// match; when they differ, the shorter length is used.
PrfScore keepF1(const std::vector<bool> &predicted, const std::vector<bool> &gold);

// True if any of `answers` occurs in `context` after normalisation (lower-case, punctuation and
// articles removed, whitespace collapsed), the SQuAD-style answer normalisation.
bool answerRetained(std::string_view context, const std::vector<std::string> &answers);

} // namespace terse
