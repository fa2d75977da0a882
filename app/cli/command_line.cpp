#include "command_line.h"
#include "cli.h"

#include "terse/runtime.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace terse::cli {

namespace {

// "train lm" for `terse train lm ...`: the root's name without "terse " and the parsed
// subcommands.
std::string commandPath(const CLI::App &app)
{
    std::string path = app.get_name();
    if (path.rfind("terse ", 0) == 0)
        path = path.substr(6);
    for (const CLI::App *sub = &app; !sub->get_subcommands().empty();) {
        sub = sub->get_subcommands().front();
        path += " " + sub->get_name();
    }
    return path;
}

constexpr std::size_t kHelpWidth = 100; // the lines of --help, as the house style's columns
constexpr std::size_t kNameColumn = 34;

// Greedy word wrap of `text` to `width` columns; a '\n' in it starts a new line.
std::string wrap(const std::string &text, std::size_t width)
{
    std::string out, line;
    std::istringstream paragraphs(text);
    std::string paragraph;
    bool firstParagraph = true;
    while (std::getline(paragraphs, paragraph)) {
        if (!firstParagraph)
            out += '\n';
        firstParagraph = false;
        std::istringstream words(paragraph);
        std::string word;
        line.clear();
        while (words >> word) {
            if (!line.empty() && line.size() + 1 + word.size() > width) {
                out += line + '\n';
                line.clear();
            }
            line += (line.empty() ? "" : " ") + word;
        }
        out += line;
    }
    return out;
}

// CLI11's formatter with option descriptions wrapped to the help's width, and only the first
// sentence of each subcommand in a command's list (its own --help has the whole description).
class HelpFormatter : public CLI::Formatter {
public:
    std::string make_option_desc(const CLI::Option *opt) const override
    {
        return wrap(opt->get_description(), kHelpWidth - get_column_width());
    }
    // CLI11's own, with the options of "Needs:" and "Excludes:" (which it appends last) in the
    // order of their names: CLI11 keeps them in sets ordered by address, so its order changed from
    // run to run and the help pages the front recorded (help_pages.h) differed from terse-engine's.
    std::string make_option_opts(const CLI::Option *opt) const override
    {
        std::string out = CLI::Formatter::make_option_opts(opt);
        if (!opt->get_option_text().empty() ||
            (opt->get_needs().empty() && opt->get_excludes().empty()))
            return out;
        const std::string needs = " " + get_label("Needs") + ":",
                          excludes = " " + get_label("Excludes") + ":";
        out.resize(out.rfind(opt->get_needs().empty() ? excludes : needs));
        auto names = [](const std::set<CLI::Option *> &options) {
            std::vector<std::string> sorted;
            for (const CLI::Option *o : options)
                sorted.push_back(o->get_name());
            std::sort(sorted.begin(), sorted.end());
            std::string joined;
            for (const std::string &n : sorted)
                joined += " " + n;
            return joined;
        };
        if (!opt->get_needs().empty())
            out += needs + names(opt->get_needs());
        if (!opt->get_excludes().empty())
            out += excludes + names(opt->get_excludes());
        return out;
    }
    std::string make_subcommand(const CLI::App *sub) const override
    {
        // The first sentence of the description, on as many lines as it takes.
        std::string d = sub->get_description();
        std::replace(d.begin(), d.end(), '\n', ' ');
        if (const auto end = d.find(". "); end != std::string::npos)
            d.resize(end + 1);
        std::stringstream out;
        CLI::detail::format_help(out, sub->get_display_name(true),
                                 wrap(d, kHelpWidth - get_column_width()), get_column_width());
        return out.str();
    }
};

} // namespace

void configureApp(CLI::App &app, const std::string &footer)
{
    // As the hand-written parser did: `--rate 0.3 --rate 0.5` means 0.5.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    auto formatter = std::make_shared<HelpFormatter>();
    formatter->column_width(kNameColumn);
    app.formatter(formatter);
    if (!footer.empty())
        app.footer(footer);
}

std::optional<int> parseCommandLine(CLI::App &app, int argc, char **argv, int first)
{
    try {
        // CLI11 skips argv[0] (the program name): hand it the argument before the first one.
        app.parse(argc - first + 1, argv + first - 1);
    } catch (const CLI::CallForHelp &) {
        std::cout << app.help(); // the help of the subcommand given, if any
        return kExitOk;
    } catch (const CLI::ParseError &e) {
        // `terse train foo`: CLI11 only says that a subcommand is required; name the word.
        const auto subs = app.get_subcommands([](CLI::App *) { return true; });
        if (dynamic_cast<const CLI::RequiredError *>(&e) && !subs.empty() &&
            app.get_subcommands().empty() && !app.remaining().empty()) {
            std::string known;
            for (const CLI::App *sub : subs)
                known += (known.empty() ? "" : ", ") + sub->get_name();
            const std::string path = commandPath(app);
            return reportError(path + ": unknown subcommand '" + app.remaining().front() +
                                   "' (known: " + known + "; see terse " + path + " --help)",
                               kExitUsage);
        }
        return reportParseError(app, e);
    }
    return std::nullopt;
}

int reportParseError(const CLI::App &app, const CLI::ParseError &error)
{
    const std::string path = commandPath(app);
    return reportError(path + ": " + error.what() + " (see terse " + path + " --help)", kExitUsage);
}

CLI::Validator numberIn(double lo, double hi, bool loOpen)
{
    const std::string range = (loOpen ? "(" : "[") + shortNumber(lo) + ", " + shortNumber(hi) + "]";
    return CLI::Validator(
        [=](std::string &text) -> std::string {
            char *end = nullptr;
            errno = 0;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(v))
                return "expects a number, got '" + text + "'";
            if ((loOpen ? v <= lo : v < lo) || v > hi)
                return "must be in " + range + ", got " + text;
            return {};
        },
        range);
}

CLI::Validator integerIn(long long lo, long long hi)
{
    const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    return CLI::Validator(
        [=](std::string &text) -> std::string {
            char *end = nullptr;
            errno = 0;
            const long long v = std::strtoll(text.c_str(), &end, 10);
            if (text.empty() || *end != '\0' || errno != 0)
                return "expects an integer, got '" + text + "'";
            if (v < lo || v > hi)
                return "must be in " + range + ", got " + text;
            text = std::to_string(v);
            return {};
        },
        range);
}

CLI::Validator nonEmpty()
{
    return CLI::Validator(
        [](std::string &text) -> std::string { return text.empty() ? "needs a value" : ""; }, "");
}

CLI::Option *addModeOption(CLI::App &app, std::string &mode)
{
    return app
        .add_option("--mode", mode,
                    "reference (the reference code's quirks) or corrected (default)")
        ->type_name("MODE")
        ->check(CLI::IsMember({"reference", "corrected"}));
}

CLI::Option *addSeedOption(CLI::App &app, std::uint64_t &seed, const std::string &what)
{
    return app.add_option("--seed", seed, what)
        ->type_name("N")
        ->transform(integerIn(0, 1LL << 62))
        ->capture_default_str();
}

CLI::Option *addThreadsOption(CLI::App &app, int &threads, const std::string &what)
{
    return app.add_option("--threads", threads, what + " (default: every core)")
        ->transform(integerIn(1, 1024));
}

} // namespace terse::cli
