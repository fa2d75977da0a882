// terse-engine: every verb of `terse`, linked with the model engine (libtorch). The `terse` front
// (main.cpp) runs the quick verbs itself and replaces itself with this program for the rest; run
// directly, it behaves as `terse`. The build runs it once more, as `terse-engine
// --write-help-pages FILE`, to record the verbs' help pages for the front (help_pages.h).
#include "cli.h"

#include "terse/compressor.h"
#include "terse/runtime.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace terse::cli;
using Verbs = std::vector<std::pair<std::string, VerbFn>>;

// Verbs that run models wait passively in OpenMP: when the front did not set it (run directly),
// this re-executes once with OMP_WAIT_POLICY=PASSIVE before the verb starts.
template <VerbFn Run> int passive(int argc, char **argv)
{
    terse::preferPassiveOpenMP(argv);
    return Run(argc, argv);
}

const Verbs kVerbs = {
    {"compress", passive<runCompress>}, {"train", passive<runTrain>}, {"eval", passive<runEval>},
    {"score", passive<runScore>},       {"bench", passive<runBench>}, {"tokenize", runTokenize},
    {"sessions", runSessions},          {"models", runModels},        {"export", runExport}};

// What `terse ARGS` prints on standard output, and its exit code (standard output redirected to a
// temporary file for the call; standard error stays the build's).
std::pair<int, std::string> capture(std::vector<std::string> args)
{
    args.insert(args.begin(), "terse");
    std::vector<char *> argv;
    for (std::string &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    std::FILE *tmp = std::tmpfile();
    const int saved = ::dup(STDOUT_FILENO);
    if (tmp == nullptr || saved < 0 || ::dup2(::fileno(tmp), STDOUT_FILENO) < 0) {
        if (tmp != nullptr)
            std::fclose(tmp);
        if (saved >= 0)
            ::close(saved);
        return {-1, "cannot redirect standard output"};
    }
    const int code = runTopLevel(static_cast<int>(args.size()), argv.data(), kVerbs, nullptr);
    std::cout.flush();
    std::fflush(stdout);
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
    std::string out;
    std::rewind(tmp);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, tmp)) > 0;)
        out.append(buf, n);
    std::fclose(tmp);
    return {code, out};
}

// The subcommand names listed under "Subcommands:" in a CLI11 help page (two spaces, the name).
std::vector<std::string> subcommandsIn(const std::string &page)
{
    std::vector<std::string> names;
    std::istringstream lines(page);
    bool inList = false;
    for (std::string line; std::getline(lines, line);) {
        if (line == "Subcommands:") {
            inList = true;
            continue;
        }
        if (!inList)
            continue;
        if (line.size() < 3 || line[0] != ' ')
            break;
        if (line[1] == ' ' && line[2] != ' ')
            names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
    return names;
}

// `terse-engine --write-help-pages FILE`: the help page of each verb, of its subcommands and of
// each method (`compress --method NAME --help`), as the C++ of help_pages.h's table.
int writeHelpPages(int argc, char **argv)
{
    if (argc != 3)
        return reportError("usage: terse-engine --write-help-pages FILE", kExitUsage);
    terse::preferPassiveOpenMP(argv); // once here, so the verbs below do not re-execute
    std::vector<std::pair<std::string, std::string>> pages; // request, text
    auto record = [&](const std::vector<std::string> &request) {
        std::vector<std::string> args = request;
        args.push_back("--help");
        auto [code, text] = capture(args);
        std::string joined;
        for (const std::string &a : request)
            joined += (joined.empty() ? "" : " ") + a;
        if (code != kExitOk || text.empty() || text.find(")terse_help\"") != std::string::npos) {
            std::fprintf(stderr, "terse-engine: `terse %s --help` gave exit code %d\n",
                         joined.c_str(), code);
            return std::string();
        }
        pages.emplace_back(joined, text);
        return text;
    };
    for (const auto &[verb, run] : kVerbs) { // tokenize and sessions too: the front's own text
        const std::string page = record({verb});
        if (page.empty())
            return kExitFailure;
        for (const std::string &sub : subcommandsIn(page))
            if (record({verb, sub}).empty())
                return kExitFailure;
    }
    for (const terse::MethodInfo &m : terse::availableMethods())
        if (record({"compress", "--method", m.name}).empty())
            return kExitFailure;

    std::string cpp =
        "// Written by `terse-engine --write-help-pages` at build time: do not edit.\n"
        "#include \"help_pages.h\"\n\nnamespace terse::cli {\n\n"
        "const HelpPage kHelpPages[] = {\n";
    for (const auto &[request, text] : pages)
        cpp += "    {\"" + request + "\", R\"terse_help(" + text + ")terse_help\"},\n";
    cpp += "};\nconst std::size_t kHelpPageCount = " + std::to_string(pages.size()) +
           ";\n\n} // namespace terse::cli\n";
    const std::string path = argv[2], partial = path + ".part";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out << cpp;
        if (!out.flush())
            return reportError("cannot write '" + partial + "'", kExitFailure);
    }
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    if (ec)
        return reportError("cannot write '" + path + "': " + ec.message(), kExitFailure);
    return kExitOk;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc >= 2 && std::string(argv[1]) == "--write-help-pages")
        return writeHelpPages(argc, argv);
    return runTopLevel(argc, argv, kVerbs, nullptr);
}
