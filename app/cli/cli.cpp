#include "cli.h"

#include "terse/resources.h"
#include "terse/runtime.h"
#include "terse/tokenizer.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace terse::cli {

int exitCodeFor(const Error &error)
{
    switch (error.code) {
    case ErrorCode::InvalidArgument:
        return kExitUsage;
    // The user's text or batch is unusable: 3. A malformed file the command reads (a model,
    // tokenizer, dataset or session file) is a failed operation: 1, as the README's table says
    // (issue 17).
    case ErrorCode::InvalidInput:
        return kExitInput;
    case ErrorCode::FormatError:
        return kExitFailure;
    case ErrorCode::NotFound:
        return kExitNotFound;
    case ErrorCode::Cancelled:
        return kExitCancelled;
    default:
        return kExitFailure;
    }
}

Result<std::string> readInput(const std::string &path, std::size_t maxBytes)
{
    std::string data;
    if (path.empty() || path == "-") {
        std::ostringstream ss;
        ss << std::cin.rdbuf();
        data = ss.str();
        if (data.size() > maxBytes)
            return fail(ErrorCode::InvalidInput,
                        "standard input is larger than " + std::to_string(maxBytes) + " bytes");
        return data;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return fail(ErrorCode::InvalidInput, "'" + path + "' is a folder; expected a text file");
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return fail(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::IoError,
                    "cannot open '" + path + "': " + std::strerror(errno));
    f.seekg(0, std::ios::end);
    const auto size = f.tellg();
    if (size < 0)
        return fail(ErrorCode::IoError, "cannot read '" + path + "' (not a regular file?)");
    if (static_cast<std::size_t>(size) > maxBytes)
        return fail(ErrorCode::InvalidInput, "'" + path + "' is " + std::to_string(size) +
                                                 " bytes; the limit is " +
                                                 std::to_string(maxBytes));
    f.seekg(0);
    data.assign(std::istreambuf_iterator<char>(f), {});
    return data;
}

Result<void> checkModelPath(const std::string &option, const std::string &path)
{
    std::error_code ec;
    if (path.empty())
        return fail(ErrorCode::InvalidArgument, option + " needs a path");
    if (!std::filesystem::exists(path, ec))
        return fail(ErrorCode::NotFound, option + " '" + path + "' does not exist");
    return {};
}

Result<void> checkTargetTokenizer(const std::string &nameOrPath)
{
    std::error_code ec;
    std::string path = nameOrPath;
    if (!std::filesystem::exists(path, ec)) {
        auto p = targetTokenizerPath(nameOrPath);
        if (!p)
            return fail(ErrorCode::NotFound, "--target-tokenizer: " + p.error().detail);
        path = *p;
    }
    auto tok = Tokenizer::load(path);
    if (!tok)
        return fail(tok.error().code, "--target-tokenizer: " + tok.error().detail);
    return {};
}

int reportError(const std::string &message, int code)
{
    std::fprintf(stderr, "terse: %s\n", message.c_str());
    return code;
}

// --data: a folder (every *.jsonl in it, abstractive records are skipped) or comma-separated files.
std::vector<std::string> dataFiles(const std::string &spec)
{
    std::vector<std::string> files;
    if (std::filesystem::is_directory(spec)) {
        for (const auto &e : std::filesystem::directory_iterator(spec))
            if (e.path().extension() == ".jsonl")
                files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
        return files;
    }
    std::size_t b = 0;
    while (b <= spec.size()) {
        const auto e = spec.find(',', b);
        const auto part = spec.substr(b, e == std::string::npos ? std::string::npos : e - b);
        if (!part.empty())
            files.push_back(part);
        if (e == std::string::npos)
            break;
        b = e + 1;
    }
    return files;
}

namespace {

void printTopHelp()
{
    std::printf(
        "terse %s: prompt compression from the command line\n"
        "\n"
        "usage: terse <command> [options]\n"
        "\n"
        "commands:\n"
        "  compress   compress a prompt (terse compress --help)\n"
        "  train      train the default models (terse train --help)\n"
        "  eval       measure a model: bits per byte of an LM (terse eval lm --help)\n"
        "  tokenize   print token ids, strings and byte offsets (terse tokenize --help)\n"
        "  sessions   list, show, export, import, delete or rename saved sessions\n"
        "  score      per-token surprisal, entropy and attention of a model (terse score --help)\n"
        "  models     list the default models and the models in the HuggingFace cache\n"
        "  bench      benchmark methods x rates on the shared datasets (terse bench --help)\n"
        "  export     write a causal LM as one GGUF file, tokenizer inside (terse export --help)\n"
        "\n"
        "options:\n"
        "  --help     show this help\n"
        "  --version  show the version\n"
        "\n"
        "exit codes: 0 ok, 1 operation failed, 2 bad command line (unknown option or --param key,\n"
        "            value out of range), 3 unusable input (empty, binary, invalid UTF-8, bad "
        "JSONL line),\n"
        "            4 file/model/method/dataset not found, 5 batch or bench finished but skipped "
        "bad\n"
        "            lines (--skip-errors) or failed methods, 130 interrupted\n",
        terse::engineVersion());
}

} // namespace

std::string shortNumber(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

int runTopLevel(int argc, char **argv, const std::vector<std::pair<std::string, VerbFn>> &verbs,
                VerbFn elsewhere)
{
    static const char *const kVerbs[] = {"compress", "train",  "eval",  "tokenize", "sessions",
                                         "score",    "models", "bench", "export"};
    if (argc < 2) {
        printTopHelp();
        return kExitUsage;
    }
    const std::string verb = argv[1];
    if (verb == "--help" || verb == "-h" || verb == "help") {
        printTopHelp();
        return kExitOk;
    }
    if (verb == "--version") {
        std::printf("terse %s\n", terse::engineVersion());
        return kExitOk;
    }
    for (const auto &[name, run] : verbs)
        if (verb == name) {
            // The last line of defence: every call site maps its library's errors, but one let
            // through ends with a message and exit 1, not std::terminate's abort.
            try {
                return run(argc, argv);
            } catch (const std::exception &e) {
                return reportError(verb + ": internal error: " + e.what() + " (please report it)",
                                   kExitFailure);
            } catch (...) {
                return reportError(verb + ": internal error (please report it)", kExitFailure);
            }
        }
    if (elsewhere)
        for (const char *known : kVerbs)
            if (verb == known)
                return elsewhere(argc, argv);
    return reportError("unknown command '" + verb + "' (see terse --help)", kExitUsage);
}

} // namespace terse::cli
