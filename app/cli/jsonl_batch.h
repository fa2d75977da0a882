#pragma once
// JSONL batch input of `terse compress` and `terse score`: one prompt per line, either
// {"prompt": "..."} or a structured prompt {"instruction": ..., "contexts": [...], "question":
// ...}, each with an optional "id". Bad lines are kept with an error so the caller decides to abort
// or skip.

#include "terse/compressor.h"
#include "terse/result.h"

#include <string>
#include <vector>

namespace terse::cli {

// One non-blank line of a JSONL batch.
struct BatchLine {
    long line = 0; // 1-based line number in the input
    std::string
        idJson;    // the line's "id" as JSON text (string or number); the line number without one
    Prompt prompt; // the prompt (empty when `error` is set or the line gives "ids")
    std::vector<int> ids; // token ids ({"ids": [...]}, only when allowIds)
    std::string error;    // non-empty: why the line is unusable, e.g. `missing "prompt"`
};

// True when the input should be read as JSONL: --jsonl given or the file name ends in ".jsonl".
bool isJsonlInput(const std::string &path, bool jsonlFlag);

// Splits `text` into lines and parses each non-blank one (a trailing '\r' is ignored). With
// `allowIds` a line may give {"ids": [1, 2, 3]} instead of a prompt (terse score). Fails with
// InvalidInput, naming `where`, only when the input holds no line at all.
Result<std::vector<BatchLine>> parseJsonlBatch(const std::string &text, const std::string &where,
                                               bool allowIds = false);

// "line 3: <error>", the way every batch message names its line.
std::string lineMessage(long line, const std::string &message);

// The exit code of a finished --skip-errors batch: ok, partial (some lines skipped, reported on stderr),
// or unusable input when every line was skipped.
int batchExitCode(long skipped, std::size_t lines);

} // namespace terse::cli
