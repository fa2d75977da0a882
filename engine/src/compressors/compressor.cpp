#include "terse/compressor.h"
#include "terse/word_vectors.h"
#include "terse/model.h"
#include "compressors/params.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>
#include <cstdlib>
#include <cerrno>

namespace terse {

bool Compressor::canRethreshold(const CompressionResult &, const CompressOptions &,
                                const CompressOptions &) const
{
    return false;
}

Result<CompressionResult> Compressor::rethreshold(const CompressionResult &,
                                                  const CompressOptions &) const
{
    return fail(ErrorCode::Unsupported,
                "method '" + name() + "' cannot re-decide from cached scores");
}

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

std::string shortNumber(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

} // namespace

namespace detail {

Result<void> validateParamValue(const std::string &where, const OptionSpec &spec,
                                const std::string &value)
{
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
            return fail(ErrorCode::InvalidArgument,
                        where + " must be in [" + shortNumber(spec.minValue) + ", " +
                            shortNumber(spec.maxValue) + "], got " + value);
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

} // namespace detail

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

Result<void> validateMethodParams(const MethodInfo &method,
                                  const std::map<std::string, std::string> &params,
                                  const std::string &what)
{
    for (const auto &[key, value] : params) {
        const OptionSpec *spec = nullptr;
        for (const auto &o : method.options)
            if (o.name == key)
                spec = &o;
        if (!spec)
            return fail(ErrorCode::InvalidArgument, "unknown " + what + " key '" + key + "' for " +
                                                        method.name + " (" + validKeys(method) +
                                                        ")");
        if (auto v =
                detail::validateParamValue(what + " " + key + " of " + method.name, *spec, value);
            !v)
            return v.error();
    }
    return {};
}

Result<void> validateOptions(const Prompt &prompt, const CompressOptions &options)
{
    if (prompt.segments.empty())
        return fail(ErrorCode::InvalidInput, "the prompt is empty");
    bool any = false;
    for (std::size_t i = 0; i < prompt.segments.size(); ++i) {
        const auto &t = prompt.segments[i].text;
        if (t.empty())
            continue;
        if (auto v = validatePromptText(t); !v)
            return fail(v.error().code,
                        "segment " + std::to_string(i + 1) + ": " + v.error().detail);
        any = true;
    }
    if (!any)
        return fail(ErrorCode::InvalidInput, "the prompt is empty");
    if (!(options.rate > 0.0 && options.rate <= 1.0)) // also rejects NaN
        return fail(ErrorCode::InvalidArgument, "rate must be in (0, 1] (the kept fraction), got " +
                                                    std::to_string(options.rate));
    if (options.targetTokens < -1)
        return fail(ErrorCode::InvalidArgument, "target tokens must be -1 (unset) or >= 0");
    if (auto d = parseDtype(options.dtype); !d)
        return d.error();
    if (options.mode == CompressionMode::Corrected && !options.wordVectors.empty() &&
        options.wordVectors != "none")
        if (auto v = WordVectors::loadShared(options.wordVectors); !v)
            return v.error();
    for (const auto &pin : options.pinned) {
        if (pin.segment < 0 || pin.segment >= static_cast<int>(prompt.segments.size()) ||
            pin.span.begin > pin.span.end ||
            pin.span.end > prompt.segments[pin.segment].text.size())
            return fail(ErrorCode::InvalidArgument,
                        "a pinned span lies outside the prompt (segment " +
                            std::to_string(pin.segment) + ", bytes " +
                            std::to_string(pin.span.begin) + "-" + std::to_string(pin.span.end) +
                            ")");
    }
    return {};
}

} // namespace terse
