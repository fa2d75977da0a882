#pragma once
// The option parser of the terse command line: every verb declares its options on a CLI::App
// (CLI11) and parses with parseCommandLine. This is the one header that includes CLI11 (a heavy
// header: only the *_command.cpp files that declare options include it; the engine never does).

#include <CLI/CLI.hpp>

#include <optional>
#include <cstdint>
#include <string>

namespace terse::cli {

// The house settings of a verb's parser: a repeated single-value option keeps its last value,
// `footer` (exit codes, input formats) follows the options in --help. Applies to subcommands
// added afterwards too.
void configureApp(CLI::App &app, const std::string &footer = {});

// Parses argv[first..] into the options declared on `app` (and its subcommands). Returns the exit
// code when the command is already done: kExitOk after --help printed the generated help (of the
// subcommand given, if any), kExitUsage after a parse error was reported (reportParseError);
// std::nullopt when the verb should run.
std::optional<int> parseCommandLine(CLI::App &app, int argc, char **argv, int first);

// Prints "terse: VERB: <CLI11's message> (see terse VERB --help)" to stderr, VERB being the
// command and subcommand that were parsed ("compress", "train lm"); returns kExitUsage.
int reportParseError(const CLI::App &app, const CLI::ParseError &error);

// Validators. A number in [lo, hi] (or (lo, hi] when loOpen): "must be in (0, 1], got 1.5" or
// "expects a number, got 'half'"; non-finite values are refused.
CLI::Validator numberIn(double lo, double hi, bool loOpen = false);
// A decimal integer in [lo, hi]: "must be in [0, 20], got -1" or "expects an integer, got '1e3'".
// A transform (add it with Option::transform): it rewrites the value in plain decimal, so that
// CLI11 never reads "010" as octal.
CLI::Validator integerIn(long long lo, long long hi);
// A non-empty value ("needs a value").
CLI::Validator nonEmpty();

// --threads N (1..1024); `threads` keeps 0 (= the runtime default) when the option is absent.
CLI::Option *addThreadsOption(CLI::App &app, int &threads,
                              const std::string &what = "threads of the engine");
// --mode MODE: reference or corrected (the bound string stays empty when the option is absent).
CLI::Option *addModeOption(CLI::App &app, std::string &mode);
// --seed N (0..2^62), shown with its default.
CLI::Option *addSeedOption(CLI::App &app, std::uint64_t &seed,
                           const std::string &what = "seed of the methods with randomness");
// --device D: cpu, cuda, cuda:N or auto; a name resolveDevice does not know is a parse error.
// Resolve the bound value with resolveDeviceOption (cli.h) after parsing.
CLI::Option *addDeviceOption(CLI::App &app, std::string &device);

} // namespace terse::cli
