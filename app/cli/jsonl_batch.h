#pragma once
// JSONL batches on the command line (`terse compress/score --jsonl`): the format itself (lines,
// records) is the engine's (terse/batch.h), shared with the Python module; this adds what only the
// CLI decides: when input is JSONL and the exit code of a batch.

#include "terse/batch.h"

#include <cstddef>
#include <string>

namespace terse::cli {

using terse::BatchLine;
using terse::lineMessage;
using terse::parseJsonlBatch;

// True when the input should be read as JSONL: --jsonl given or the file name ends in ".jsonl".
bool isJsonlInput(const std::string &path, bool jsonlFlag);

// The exit code of a finished --skip-errors batch: ok, partial (some lines skipped, reported on
// stderr), or unusable input when every line was skipped.
int batchExitCode(long skipped, std::size_t lines);

} // namespace terse::cli
