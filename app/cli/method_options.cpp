#include "method_options.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace terse::cli {

namespace {

std::string validKeys(const MethodInfo &method)
{
    if (method.options.empty())
        return method.name + " has no options";
    std::string keys;
    for (const auto &o : method.options)
        keys += (keys.empty() ? "" : ", ") + o.name;
    return "valid: " + keys;
}

std::string number(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

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

Result<MethodInfo> findMethod(const std::string &name)
{
    for (auto &m : availableMethods())
        if (m.name == name)
            return m;
    auto c = createCompressor(name); // its error lists the known methods
    if (!c)
        return c.error();
    return fail(ErrorCode::NotFound, "unknown method '" + name + "'");
}

Result<void> validateParamValue(const MethodInfo &method, const OptionSpec &spec,
                                const std::string &value)
{
    const std::string where = "--param " + spec.name + " of " + method.name;
    switch (spec.type) {
    case OptionSpec::Type::Double:
    case OptionSpec::Type::Int: {
        char *end = nullptr;
        errno = 0;
        const double v = std::strtod(value.c_str(), &end);
        const bool integral = spec.type == OptionSpec::Type::Int;
        if (value.empty() || *end != '\0' || errno != 0 || !std::isfinite(v) ||
            (integral && v != std::floor(v)))
            return fail(ErrorCode::InvalidArgument, where + " expects " +
                                                        (integral ? "an integer" : "a number") +
                                                        ", got '" + value + "'");
        if (v < spec.minValue || v > spec.maxValue)
            return fail(ErrorCode::InvalidArgument, where + " must be in [" +
                                                        number(spec.minValue) + ", " +
                                                        number(spec.maxValue) + "], got " + value);
        return {};
    }
    case OptionSpec::Type::Bool:
        if (value != "true" && value != "false")
            return fail(ErrorCode::InvalidArgument,
                        where + " must be true or false, got '" + value + "'");
        return {};
    case OptionSpec::Type::Choice: {
        std::string all;
        for (const auto &c : spec.choices) {
            if (c == value)
                return {};
            all += (all.empty() ? "" : ", ") + c;
        }
        return fail(ErrorCode::InvalidArgument,
                    where + " must be one of " + all + ", got '" + value + "'");
    }
    case OptionSpec::Type::String:
        return {};
    }
    return {};
}

Result<std::map<std::string, std::string>>
parseMethodParams(const MethodInfo &method, const std::vector<std::string> &assignments)
{
    std::map<std::string, std::string> params;
    for (const std::string &a : assignments) {
        const auto eq = a.find('=');
        if (eq == std::string::npos || eq == 0)
            return fail(ErrorCode::InvalidArgument, "--param expects KEY=VALUE, got '" + a + "'");
        const std::string key = a.substr(0, eq), value = a.substr(eq + 1);
        const OptionSpec *spec = nullptr;
        for (const auto &o : method.options)
            if (o.name == key)
                spec = &o;
        if (!spec)
            return fail(ErrorCode::InvalidArgument, "unknown --param key '" + key + "' for " +
                                                        method.name + " (" + validKeys(method) +
                                                        ")");
        if (auto v = validateParamValue(method, *spec, value); !v)
            return v.error();
        params[key] = value;
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
            kind += " in [" + number(o.minValue) + ", " + number(o.maxValue) + "]";
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
