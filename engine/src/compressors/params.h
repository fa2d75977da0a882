#pragma once
// Typed method parameters. Each method declares its parameters once, as a table that binds an
// OptionSpec (name, label, help, range: what the parameter panel, the CLI's --param help and Python
// show) to a field of the method's params struct. The struct's member initializers are the defaults
// (the one place they live); specs() lists the table for Compressor::options() with those defaults
// as text, and parse() turns CompressOptions::params into the struct with the rules of
// validateMethodParams (one rule for the engine, the CLI, the app and Python).

#include "terse/compressor.h"

#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace terse::detail {

// Checks `value` against `spec` (number and range, integer, true/false, one of the choices); the
// error starts with `where` ("option alpha of dac").
Result<void> validateParamValue(const std::string &where, const OptionSpec &spec,
                                const std::string &value);

// A number as an option's text: the shortest form that reads back ("0.8", "100", "-1").
inline std::string optionNumberText(double v)
{
    std::ostringstream s;
    s.precision(15);
    s << v;
    return s.str();
}

// Context indices as LLMLingua(-2) lists them, "0,2" or "0 2"; and the list as that text.
Result<std::vector<int>> readIndexList(const std::string &text);
std::string indexListText(const std::vector<int> &ids);

template <class P> class ParamTable {
public:
    explicit ParamTable(std::string method) : m_method(std::move(method)) {}

    // A number field (double: OptionSpec Double; int or long: Int) in [lo, hi].
    template <class N>
    ParamTable &number(std::string name, N P::*field, std::string label, std::string help,
                       double lo, double hi, double step)
    {
        static_assert(std::is_arithmetic_v<N> && !std::is_same_v<N, bool>);
        OptionSpec s =
            spec(std::move(name), std::move(label), std::move(help),
                 std::is_floating_point_v<N> ? OptionSpec::Type::Double : OptionSpec::Type::Int);
        s.minValue = lo;
        s.maxValue = hi;
        s.step = step;
        return add(
            std::move(s),
            [field](const P &p) { return optionNumberText(static_cast<double>(p.*field)); },
            [field](P &p, const std::string &v) -> Result<void> {
                p.*field = static_cast<N>(std::stod(v)); // validated as a number in range first
                return {};
            });
    }

    ParamTable &flag(std::string name, bool P::*field, std::string label, std::string help)
    {
        OptionSpec s =
            spec(std::move(name), std::move(label), std::move(help), OptionSpec::Type::Bool);
        s.step = 1;
        return add(
            std::move(s), [field](const P &p) { return std::string(p.*field ? "true" : "false"); },
            [field](P &p, const std::string &v) -> Result<void> {
                p.*field = v == "true";
                return {};
            });
    }

    // Free text (a path, a regex, an arithmetic suffix).
    ParamTable &text(std::string name, std::string P::*field, std::string label, std::string help)
    {
        OptionSpec s =
            spec(std::move(name), std::move(label), std::move(help), OptionSpec::Type::String);
        s.maxValue = 0;
        s.step = 0;
        return add(
            std::move(s), [field](const P &p) { return p.*field; },
            [field](P &p, const std::string &v) -> Result<void> {
                p.*field = v;
                return {};
            });
    }

    // One of `choices`, kept as its text.
    ParamTable &choice(std::string name, std::string P::*field, std::string label, std::string help,
                       std::vector<std::string> choices)
    {
        OptionSpec s =
            spec(std::move(name), std::move(label), std::move(help), OptionSpec::Type::Choice);
        s.choices = std::move(choices);
        return add(
            std::move(s), [field](const P &p) { return p.*field; },
            [field](P &p, const std::string &v) -> Result<void> {
                p.*field = v;
                return {};
            });
    }

    // One of the names of `values`, kept as its value (an enum, a flag spelled as two words).
    template <class E>
    ParamTable &choice(std::string name, E P::*field, std::string label, std::string help,
                       std::vector<std::pair<std::string, E>> values)
    {
        OptionSpec s =
            spec(std::move(name), std::move(label), std::move(help), OptionSpec::Type::Choice);
        for (const auto &v : values)
            s.choices.push_back(v.first);
        return add(
            std::move(s),
            [field, values](const P &p) {
                for (const auto &[n, v] : values)
                    if (v == p.*field)
                        return n;
                return std::string();
            },
            [field, values](P &p, const std::string &text) -> Result<void> {
                for (const auto &[n, v] : values)
                    if (n == text)
                        p.*field = v;
                return {};
            });
    }

    // Text parsed into a field of any type (a list): `read` checks and converts, `show` writes the
    // default.
    template <class F>
    ParamTable &parsed(std::string name, F P::*field, std::string label, std::string help,
                       std::function<Result<F>(const std::string &)> read,
                       std::function<std::string(const F &)> show)
    {
        OptionSpec s =
            spec(std::move(name), std::move(label), std::move(help), OptionSpec::Type::String);
        s.maxValue = 0;
        s.step = 0;
        return add(
            std::move(s), [field, show](const P &p) { return show(p.*field); },
            [field, read](P &p, const std::string &v) -> Result<void> {
                auto r = read(v);
                if (!r)
                    return r.error();
                p.*field = std::move(*r);
                return {};
            });
    }

    // Corrected mode's protection options, alike in every method that has them: protect_regex (text
    // matching a PCRE2 pattern is kept verbatim) and keep_structure (code blocks, JSON keys).
    ParamTable &protection(std::string P::*regex, bool P::*structure)
    {
        return text("protect_regex", regex, "Protect regex",
                    "Corrected mode: text matching this PCRE2 pattern is kept verbatim.")
            .flag(
                "keep_structure", structure, "Keep structure",
                "Corrected mode: fenced code blocks are kept whole, JSON keys and punctuation are "
                "kept.");
    }

    // Corrected mode's question focus (question_focus.h), alike in the methods that do not read the
    // question themselves.
    ParamTable &questionFocus(bool P::*field)
    {
        return flag("question_focus", field, "Question focus",
                    "Corrected mode, a prompt with a question: the sentences that best match it "
                    "(BM25) are kept whole first, up to half the budget, and the contexts that "
                    "match it least come last. The bundled models alone kept the answer of "
                    "multi-document questions less often than random deletion. Off: the "
                    "method's scores alone, as in reference mode.");
    }

    // Corrected mode's baseline of a token's received attention (ScoreRequest::wantAttentionLift),
    // alike in the methods that score by attention.
    ParamTable &attentionBaseline(bool P::*distance)
    {
        return choice<bool>(
            "attention_baseline", distance, "Attention baseline",
            "Corrected mode: a token's received attention over what a token seen by the same "
            "queries receives at those distances in this prompt (distance), or its mean over those "
            "queries (queries: the last tokens, seen only by nearby queries, score high: at rate "
            "0.33 DAC kept 66-82% of a prompt's last tenth, 14-27% of its middle).",
            {{"distance", true}, {"queries", false}});
    }

    // The specs for Compressor::options(), defaults written from `defaults`.
    std::vector<OptionSpec> specs(const P &defaults = P{}) const
    {
        std::vector<OptionSpec> out;
        out.reserve(m_entries.size());
        for (const auto &e : m_entries) {
            out.push_back(e.spec);
            out.back().defaultValue = e.show(defaults);
        }
        return out;
    }

    // `params` over `defaults`: unknown keys and values outside their spec are InvalidArgument
    // errors naming the option and the method.
    Result<P> parse(const std::map<std::string, std::string> &params, P defaults = P{}) const
    {
        for (const auto &[key, value] : params) {
            const Entry *entry = nullptr;
            for (const auto &e : m_entries)
                if (e.spec.name == key)
                    entry = &e;
            if (!entry) {
                std::string keys;
                for (const auto &e : m_entries)
                    keys += (keys.empty() ? "" : ", ") + e.spec.name;
                return fail(ErrorCode::InvalidArgument,
                            "unknown option '" + key + "' for " + m_method +
                                (keys.empty() ? " (it has no options)" : " (valid: " + keys + ")"));
            }
            if (auto v =
                    validateParamValue("option " + key + " of " + m_method, entry->spec, value);
                !v)
                return v.error();
            if (auto s = entry->set(defaults, value); !s)
                return fail(s.error().code,
                            "option " + key + " of " + m_method + ": " + s.error().detail);
        }
        return defaults;
    }

private:
    struct Entry {
        OptionSpec spec;
        std::function<std::string(const P &)> show;
        std::function<Result<void>(P &, const std::string &)> set;
    };

    static OptionSpec spec(std::string name, std::string label, std::string help,
                           OptionSpec::Type type)
    {
        OptionSpec s;
        s.name = std::move(name);
        s.label = std::move(label);
        s.help = std::move(help);
        s.type = type;
        return s;
    }

    ParamTable &add(OptionSpec s, std::function<std::string(const P &)> show,
                    std::function<Result<void>(P &, const std::string &)> set)
    {
        m_entries.push_back({std::move(s), std::move(show), std::move(set)});
        return *this;
    }

    std::string m_method;
    std::vector<Entry> m_entries;
};

} // namespace terse::detail
