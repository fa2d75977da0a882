#include "cli.h"

#include "terse/resources.h"
#include "terse/runtime.h"
#include "terse/tokenizer.h"

#include <algorithm>
#include <filesystem>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

std::string Args::get(const std::string &name, const std::string &fallback) const
{
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
}

std::vector<std::string> Args::all(const std::string &name) const
{
    std::vector<std::string> out;
    for (const auto &[key, value] : sequence)
        if (key == name)
            out.push_back(value);
    return out;
}

Result<Args> parseArgs(int argc, char **argv, int first, const std::vector<std::string> &valued,
                       const std::vector<std::string> &flags)
{
    Args a;
    auto isIn = [](const std::vector<std::string> &v, const std::string &s) {
        for (const auto &x : v)
            if (x == s)
                return true;
        return false;
    };
    for (int i = first; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--") {
            for (++i; i < argc; ++i)
                a.positionals.push_back(argv[i]);
            break;
        }
        if (arg.size() > 2 && arg.rfind("--", 0) == 0) {
            std::string name = arg, value;
            bool inlineValue = false;
            if (auto eq = arg.find('='); eq != std::string::npos) {
                name = arg.substr(0, eq);
                value = arg.substr(eq + 1);
                inlineValue = true;
            }
            if (isIn(flags, name)) {
                if (inlineValue)
                    return fail(ErrorCode::InvalidArgument, "option " + name + " takes no value");
                a.options[name] = "1";
                a.sequence.emplace_back(name, "1");
            } else if (isIn(valued, name)) {
                if (!inlineValue) {
                    if (i + 1 >= argc)
                        return fail(ErrorCode::InvalidArgument,
                                    "option " + name + " needs a value");
                    value = argv[++i];
                }
                a.options[name] = value;
                a.sequence.emplace_back(name, value);
            } else {
                return fail(ErrorCode::InvalidArgument, "unknown option " + name);
            }
        } else {
            a.positionals.push_back(arg);
        }
    }
    return a;
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

Result<double> parseDouble(const std::string &option, const std::string &text, double lo, double hi,
                           bool loOpen)
{
    char *end = nullptr;
    errno = 0;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(v))
        return fail(ErrorCode::InvalidArgument, option + " expects a number, got '" + text + "'");
    if ((loOpen ? v <= lo : v < lo) || v > hi) {
        std::ostringstream s;
        s << option << " must be in " << (loOpen ? "(" : "[") << lo << ", " << hi << "], got "
          << text;
        return fail(ErrorCode::InvalidArgument, s.str());
    }
    return v;
}

Result<long> parseLong(const std::string &option, const std::string &text, long lo, long hi)
{
    char *end = nullptr;
    errno = 0;
    long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0)
        return fail(ErrorCode::InvalidArgument, option + " expects an integer, got '" + text + "'");
    if (v < lo || v > hi)
        return fail(ErrorCode::InvalidArgument, option + " must be in [" + std::to_string(lo) +
                                                    ", " + std::to_string(hi) + "], got " + text);
    return v;
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

std::optional<std::string> parseDevice(const Args &args, int &exitCode)
{
    if (!args.has("--device"))
        return std::string("cpu");
    auto d = resolveDevice(args.get("--device"));
    if (!d) {
        exitCode = reportError(
            "--device: " + d.error().detail,
            d.error().code == ErrorCode::InvalidArgument ? kExitUsage : exitCodeFor(d.error()));
        return std::nullopt;
    }
    return *d;
}

Result<int> parseThreads(const Args &args)
{
    if (!args.has("--threads"))
        return 0;
    auto v = parseLong("--threads", args.get("--threads"), 1, 1024);
    if (!v)
        return v.error();
    return static_cast<int>(*v);
}

} // namespace terse::cli
