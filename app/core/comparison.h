#pragma once
// Comparing compression results: fidelity metrics of a result against its original prompt, readable
// labels of settings, and the word-level marks the comparison view shows. No widgets here.

#include "engine_worker.h"

#include "terse/compressor.h"
#include "terse_widgets/word_diff_view.h"

#include <QString>
#include <QVector>

#include <map>
#include <string>
#include <vector>

namespace terse::app {

// Fidelity of a compressed text against the original prompt and its length in the target tokenizer.
struct RunMetrics {
    double rouge1 = 0;         // ROUGE-1 F1 of the compressed text vs the original
    double rougeL = 0;         // ROUGE-L F1
    double bleu = 0;           // sentence BLEU-4 with epsilon smoothing
    long targetTokensIn = -1;  // original length in the target tokenizer (-1: not countable)
    long targetTokensOut = -1; // compressed length in the target tokenizer
};

// Which fidelity metric a sweep plots.
enum class FidelityMetric { Rouge1, RougeL, Bleu };
double metricValue(const RunMetrics &metrics, FidelityMetric which);

// The original prompt of a result: its segments joined with "\n\n" (what the result compressed).
std::string originalText(const terse::CompressionResult &result);

// Computes the metrics of `result`. Counts target tokens itself when the method did not.
// Thread-safe; may take a while on long prompts (ROUGE-L is quadratic): call it off the UI thread.
RunMetrics measureResult(const terse::CompressionResult &result,
                         const std::string &targetTokenizer = "cl100k_base");

// "head · rate 0.50 · corrected · alpha=0.8": the settings that matter, for table rows and legends.
QString settingsLabel(const terse::CompressOptions &options);
// The same for a result without its options: method, requested rate, mode.
QString resultLabel(const terse::CompressionResult &result);

// Parses "name=value; name=value" into method parameters. On a piece without "name=" returns false
// and sets `badPiece` to it.
bool parseParams(const QString &text, std::map<std::string, std::string> *params,
                 QString *badPiece);
// The reverse of parseParams.
QString formatParams(const std::map<std::string, std::string> &params);
// The entries of `params` that differ from their spec's default (numbers compared as numbers, so
// "0.80" equals "0.8"); keys without a spec are kept.
std::map<std::string, std::string>
nonDefaultParams(const std::vector<terse::OptionSpec> &specs,
                 const std::map<std::string, std::string> &params);

// The original prompt split into words (each with its trailing whitespace), marked kept when every
// non-space byte of it is kept, dropped when none is, partial otherwise.
QVector<terse::widgets::DiffWord> wordMarks(const terse::CompressionResult &result);
// Sets `disputed` on every word whose mark differs between the given outputs of the same prompt.
void markDisputes(QVector<QVector<terse::widgets::DiffWord>> &outputs);

} // namespace terse::app
