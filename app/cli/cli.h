#pragma once
// Shared pieces of the terse command-line tool: argument parsing, input reading and exit codes.

#include "terse/result.h"

#include <map>
#include <optional>
#include <string>
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

// Parsed command line of one verb: --name value / --flag, and positionals.
struct Args {
    std::map<std::string, std::string>
        options; // "--rate" -> "0.5"; flags -> "1" (the last one given)
    std::vector<std::pair<std::string, std::string>> sequence; // every option in command-line order
    std::vector<std::string> positionals;

    bool has(const std::string &name) const { return options.count(name) > 0; }
    std::string get(const std::string &name, const std::string &fallback = {}) const;
    // Every value of a repeatable option (e.g. --param), in command-line order.
    std::vector<std::string> all(const std::string &name) const;
};

// Parses argv[first..] against the known options; `flags` take no value. Errors name the option.
Result<Args> parseArgs(int argc, char **argv, int first, const std::vector<std::string> &valued,
                       const std::vector<std::string> &flags);

// Reads a whole file ("-" or empty: standard input). Errors name the path.
Result<std::string> readInput(const std::string &path, std::size_t maxBytes = 64u << 20);

// Parses a number with range check; errors name the option and the accepted range.
Result<double> parseDouble(const std::string &option, const std::string &text, double lo, double hi,
                           bool loOpen = false);
Result<long> parseLong(const std::string &option, const std::string &text, long lo, long hi);

// --threads N (1..1024) if given, else 0 (= the runtime default); errors name the option.
Result<int> parseThreads(const Args &args);

// --device (cpu, cuda, cuda:N, auto) resolved for this build; "cpu" when absent. On failure it has
// reported the error and `exitCode` holds the code to return (2 for an unknown name).
std::optional<std::string> parseDevice(const Args &args, int &exitCode);

// A --data value: a folder (its *.jsonl files, sorted) or comma-separated file names.
std::vector<std::string> dataFiles(const std::string &spec);
// Checks that a --model path exists (a folder or a file); NotFound names the option and the path.
Result<void> checkModelPath(const std::string &option, const std::string &path);

// Checks a --target-tokenizer value: a tokenizer file/folder, or a bundled tiktoken name; loads it
// once.
Result<void> checkTargetTokenizer(const std::string &nameOrPath);

// Prints "terse: <message>" to stderr and returns `code`.
int reportError(const std::string &message, int code);

int runCompress(int argc, char **argv);
int runTrain(int argc, char **argv);
int runEval(int argc, char **argv);
int runTokenize(int argc, char **argv);
// `terse sessions list|show|export|import|delete|undelete|rename` (sessions_command.cpp).
int runSessions(int argc, char **argv);
// Stores a compress run in the database of --db (default path otherwise), in the session named by
// --session (found or created; a new one named after the prompt without it). Returns an exit code.
int saveCompressedRun(const Args &args, const Prompt &prompt, const CompressOptions &options,
                      const CompressionResult &result);
int runScore(int argc, char **argv);
// `terse models`: bundled default models and models in the HuggingFace cache (models_command.cpp).
int runModels(int argc, char **argv);
// `terse bench`: methods x rates x datasets with fidelity metrics, timings, report and charts.
int runBench(int argc, char **argv);

} // namespace terse::cli
