#pragma once
// Shared pieces of the terse command-line tool: input reading, checks of option values and exit
// codes. The options themselves are declared with CLI11 (command_line.h).

#include "terse/result.h"

#include <string>
#include <utility>
#include <vector>

namespace terse {
struct Prompt;
struct CompressOptions;
struct CompressionResult;
} // namespace terse

namespace terse::cli {

// Exit codes (documented in `terse --help` and README.md).
enum ExitCode : int {
    kExitOk = 0,
    kExitFailure = 1,  // the operation failed (bad model file, compression error)
    kExitUsage = 2,    // bad command line: unknown verb/option, missing or out-of-range value
    kExitInput = 3,    // unusable input: empty, binary, invalid UTF-8, malformed JSONL line
    kExitNotFound = 4, // a file, model or method does not exist
    kExitPartial =
        5, // a batch finished but skipped bad lines (--skip-errors) or failed cells (bench)
    kExitCancelled = 130 // interrupted (SIGINT)
};

// Maps an engine error to the exit code the CLI documents.
int exitCodeFor(const Error &error);

// Reads a whole file ("-" or empty: standard input). Errors name the path.
Result<std::string> readInput(const std::string &path, std::size_t maxBytes = 64u << 20);

// Resolves a --device value (addDeviceOption) for this build in place: "auto" becomes cpu or cuda.
// Returns kExitOk, or reports "--device: ..." and returns its exit code (1 when this build cannot
// use the device, 2 for a GPU index beyond the visible ones).
int resolveDeviceOption(std::string &device);
// A note on standard error when --dtype bf16 asks the CPU (the resolved `device`) for bf16 it does
// not compute natively: libtorch emulates it, many times slower than fp32.
void noteEmulatedBf16(const std::string &dtype, const std::string &device);

// A --data value: a folder (its *.jsonl files, sorted) or comma-separated file names.
std::vector<std::string> dataFiles(const std::string &spec);
// Checks that a --model path exists (a folder or a file); NotFound names the option and the path.
Result<void> checkModelPath(const std::string &option, const std::string &path);

// Checks a --target-tokenizer value: a tokenizer file/folder, or a bundled tiktoken name; loads it
// once.
Result<void> checkTargetTokenizer(const std::string &nameOrPath);

// A number as the help and the messages show it (ostream's default: 0.5, 1e+06).
std::string shortNumber(double v);

// Prints "terse: <message>" to stderr and returns `code`.
int reportError(const std::string &message, int code);

// A verb's entry point: argv[1] is the verb.
using VerbFn = int (*)(int argc, char **argv);
// The top level of `terse`: no verb (help, exit 2), --help, --version, then the function of the
// verb in `verbs`; a known verb that `verbs` lacks goes to `elsewhere` when given (the quick front
// hands the model verbs to terse-engine), an unknown one is a usage error.
int runTopLevel(int argc, char **argv, const std::vector<std::pair<std::string, VerbFn>> &verbs,
                VerbFn elsewhere);

int runCompress(int argc, char **argv);
int runTrain(int argc, char **argv);
int runEval(int argc, char **argv);
int runTokenize(int argc, char **argv);
// `terse sessions list|show|export|import|delete|undelete|rename` (sessions_command.cpp).
int runSessions(int argc, char **argv);
// Stores a compress run in the database `db` (--db; empty: the default path), in the session named
// `sessionName` (--session; found or created; empty: a new one named after the prompt). Returns an
// exit code.
int saveCompressedRun(const std::string &db, const std::string &sessionName, const Prompt &prompt,
                      const CompressOptions &options, const CompressionResult &result);
int runScore(int argc, char **argv);
// `terse models`: bundled default models and models in the HuggingFace cache (models_command.cpp).
int runModels(int argc, char **argv);
// `terse export`: a causal LM as one GGUF file with its tokenizer (export_command.cpp).
int runExport(int argc, char **argv);
// `terse bench`: methods x rates x datasets with fidelity metrics, timings, report and charts.
int runBench(int argc, char **argv);

} // namespace terse::cli
