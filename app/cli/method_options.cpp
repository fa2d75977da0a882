#include "method_options.h"
#include "cli.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace terse::cli {

namespace {

const char *typeName(OptionSpec::Type t)
{
    switch (t) {
    case OptionSpec::Type::Double:
        return "number";
    case OptionSpec::Type::Int:
        return "integer";
    case OptionSpec::Type::Bool:
        return "true|false";
    case OptionSpec::Type::Choice:
        return "choice";
    case OptionSpec::Type::String:
        return "text";
    }
    return "text";
}

} // namespace

Result<std::map<std::string, std::string>>
parseMethodParams(const MethodInfo &method, const std::vector<std::string> &assignments)
{
    std::map<std::string, std::string> params;
    for (const std::string &a : assignments) {
        const auto eq = a.find('=');
        if (eq == std::string::npos || eq == 0)
            return fail(ErrorCode::InvalidArgument, "--param expects KEY=VALUE, got '" + a + "'");
        const std::string key = a.substr(0, eq);
        std::map<std::string, std::string> one{{key, a.substr(eq + 1)}};
        // Checked one by one so that the first bad assignment on the command line is the one named.
        if (auto v = validateMethodParams(method, one, "--param"); !v)
            return v.error();
        params[key] = one[key];
    }
    return params;
}

void printMethodOptions(const MethodInfo &method)
{
    std::printf("%s (%s): %s\n", method.name.c_str(), method.displayName.c_str(),
                method.description.c_str());
    if (method.options.empty()) {
        std::printf("This method has no options.\n");
        return;
    }
    std::printf("options (--param KEY=VALUE):\n");
    for (const auto &o : method.options) {
        std::string kind = typeName(o.type);
        if (o.type == OptionSpec::Type::Double || o.type == OptionSpec::Type::Int)
            kind += " in [" + shortNumber(o.minValue) + ", " + shortNumber(o.maxValue) + "]";
        else if (o.type == OptionSpec::Type::Choice) {
            kind.clear();
            for (const auto &c : o.choices)
                kind += (kind.empty() ? "" : "|") + c;
        }
        std::printf("  %s  (%s; default '%s')\n", o.name.c_str(), kind.c_str(),
                    o.defaultValue.c_str());
        std::printf("      %s\n", o.help.c_str());
    }
}

} // namespace terse::cli
