#pragma once
// The JSONL batch format shared by `terse compress/score --jsonl` and the Python module's batch and
// Dask front ends: one prompt per line, either {"prompt": "..."} or a structured prompt
// {"instruction": ..., "contexts": [...], "question": ...}, each with an optional "id"; and the
// output records. One parser and one record writer, so every front end reads and writes the same
// lines. Pure C++ (no torch, no Qt).

#include "terse/compressor.h"
#include "terse/result.h"

#include <string>
#include <utility>
#include <vector>

namespace terse {

// One non-blank line of a JSONL batch.
struct BatchLine {
    long line = 0; // 1-based line number in the input
    std::string
        idJson;    // the line's "id" as JSON text (string or number); the line number without one
    Prompt prompt; // the prompt (empty when `error` is set or the line gives "ids")
    std::vector<int> ids; // token ids ({"ids": [...]}, only when allowIds)
    std::string error;    // non-empty: why the line is unusable, e.g. `missing "prompt"`
};

// Parses one line of a batch (without its newline) as line number `number`. With `allowIds` a line
// may give {"ids": [1, 2, 3]} instead of a prompt (terse score). Never throws: a bad line comes
// back with `error` set.
BatchLine parseBatchLine(const std::string &text, long number, bool allowIds = false);

// Splits `text` into lines and parses each non-blank one (a trailing '\r' is ignored). Fails with
// InvalidInput, naming `where`, only when the input holds no line at all.
Result<std::vector<BatchLine>> parseJsonlBatch(const std::string &text, const std::string &where,
                                               bool allowIds = false);

// The prompt of a structured line: instruction and question are optional (blank = absent), contexts
// are kept in order and blank ones skipped. InvalidInput names the field ("contexts[2]: invalid
// UTF-8 at byte 7", "\"contexts\" holds no text").
Result<Prompt> structuredPrompt(const std::string &instruction,
                                const std::vector<std::string> &contexts,
                                const std::string &question);

// The input line of `prompt` (the inverse of parseBatchLine): {"id", "prompt"} for a prompt of one
// context, else {"id", "instruction", "contexts", "question"} (instruction and question only when
// present; several of one role are joined with "\n\n"). `id` is written as a string, omitted when
// empty; each of `extra` adds a key with a JSON value given as text (e.g. {"answers",
// "[[\"7\"]]"}). One line, no newline.
std::string promptLine(const Prompt &prompt, const std::string &id = {},
                       const std::vector<std::pair<std::string, std::string>> &extra = {});

// `terse compress --json` of one result: resultToJson plus "model", "target_tokens_in" and
// "target_tokens_out" (null when not counted). Compact (one line) unless `pretty`.
std::string compressionResultJson(const CompressionResult &result, bool pretty = false);

// One output line of a compressed batch: {"id", "line", "compressed_text", "tokens_in",
// "tokens_out", "unit", "requested_rate", "achieved_rate", "unit_rate", "target_tokens_in",
// "target_tokens_out"}, or with `full` "id" and "line" followed by compressionResultJson's keys.
// One line, no newline.
std::string compressionRecord(const BatchLine &line, const CompressionResult &result, bool full);

// The output line of a line that failed: {"id", "line", "error"}.
std::string errorRecord(const BatchLine &line, const std::string &message);

// "line 3: <message>", the way every batch message names its line.
std::string lineMessage(long line, const std::string &message);

} // namespace terse
