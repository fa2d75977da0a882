#pragma once
// The datasets `terse bench` runs on, read from the shared data folder (see README, "terse bench"):
// gsm8k, leval_meeting, leval_nq, leval_sciqa, nq_multidoc, multi_news, sentence_compression.

#include "terse/compressor.h"
#include "terse/result.h"
#include "terse/text_units.h"

#include <string>
#include <vector>

namespace terse::cli {

// One benchmark prompt and the references its metrics need.
struct BenchDoc {
    std::string id;
    Prompt prompt;
    // QA: answer sets whose retention is measured; a set counts as retained when any of its answers
    // survives (answerRetained). Retention of a doc = retained sets / all sets. Empty: not a QA
    // doc.
    std::vector<std::vector<std::string>> answerSets;
    // Sentence compression: the words of segment 0 (byte spans) and the human keep decision of
    // each.
    std::vector<Span> words;
    std::vector<bool> goldKeep;
};

struct BenchDataset {
    std::string name;
    std::string source; // the file(s) it came from
    std::vector<BenchDoc> docs;
};

// The dataset names in their default order.
const std::vector<std::string> &benchDatasetNames();

// Loads up to `maxDocs` documents (0 = all) of dataset `name` from `dataDir` (the shared data
// folder). Errors: NotFound (unknown name, listing the known ones; missing file, naming it),
// FormatError (a bad record, naming file and line).
Result<BenchDataset> loadBenchDataset(const std::string &name, const std::string &dataDir,
                                      long maxDocs);

// Words as the sentence-compression references count them: runs of letters, digits, '_' (and any
// non-ASCII byte), or a single other non-space character; compared lower-cased.
std::vector<Span> referenceWords(std::string_view text);

} // namespace terse::cli
