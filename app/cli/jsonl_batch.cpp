#include "jsonl_batch.h"

#include "cli.h"

#include <cstdio>

#include "terse/text_units.h"

#include <nlohmann/json.hpp>

namespace terse::cli {

namespace {

using nlohmann::json;

const char *typeOf(const json &v)
{
    if (v.is_array())
        return "an array";
    if (v.is_string())
        return "a string";
    if (v.is_number())
        return "a number";
    if (v.is_boolean())
        return "a boolean";
    if (v.is_null())
        return "null";
    return "an object";
}

// nlohmann's parse messages start with "[json.exception.parse_error.101] parse error at line 1,
// column 5:"; within one JSONL line only the column matters.
std::string parseErrorDetail(const std::string &what)
{
    std::string d = what;
    if (auto p = d.find("column "); p != std::string::npos)
        d = d.substr(p);
    else if (auto q = d.find("] "); q != std::string::npos)
        d = d.substr(q + 2);
    return d;
}

// Checks one text field; returns the error ("" when fine).
std::string checkText(const std::string &field, const std::string &text)
{
    if (auto v = validatePromptText(text); !v)
        return "\"" + field + "\": " + v.error().detail;
    return {};
}

void parseLine(BatchLine &out, const std::string &text, bool allowIds)
{
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error &e) {
        out.error = "invalid JSON (" + parseErrorDetail(e.what()) + ")";
        return;
    } catch (const json::out_of_range &e) {
        // Issue 17: a number beyond a double (1e400) is this line's error, not an abort.
        out.error = "a number is out of range (" + parseErrorDetail(e.what()) + ")";
        return;
    } catch (const json::exception &e) {
        out.error = "invalid JSON (" + parseErrorDetail(e.what()) + ")";
        return;
    }
    if (!j.is_object()) {
        out.error = std::string("expected a JSON object, got ") + typeOf(j);
        return;
    }
    if (auto id = j.find("id"); id != j.end()) {
        if (!id->is_string() && !id->is_number()) {
            out.error = std::string("\"id\" must be a string or a number, got ") + typeOf(*id);
            return;
        }
        out.idJson = id->dump();
    }
    const bool structured =
        j.contains("instruction") || j.contains("contexts") || j.contains("question");
    if (allowIds && j.contains("ids")) {
        if (j.contains("prompt") || structured) {
            out.error = "give either \"ids\" or a prompt, not both";
            return;
        }
        const json &ids = j["ids"];
        if (!ids.is_array() || ids.empty()) {
            out.error = "\"ids\" must be a non-empty array of token ids";
            return;
        }
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (!ids[i].is_number_integer() || ids[i].get<long long>() < 0 ||
                ids[i].get<long long>() > (1LL << 30)) {
                out.error = "\"ids\"[" + std::to_string(i) + "] is not a token id";
                return;
            }
            out.ids.push_back(ids[i].get<int>());
        }
        return;
    }
    if (j.contains("prompt")) {
        if (structured) {
            out.error =
                "\"prompt\" cannot be combined with \"instruction\", \"contexts\" or \"question\"";
            return;
        }
        if (!j["prompt"].is_string()) {
            out.error = std::string("\"prompt\" must be a string, got ") + typeOf(j["prompt"]);
            return;
        }
        const std::string p = j["prompt"].get<std::string>();
        if (out.error = checkText("prompt", p); !out.error.empty())
            return;
        out.prompt = Prompt::fromText(p);
        return;
    }
    if (!structured) {
        out.error = allowIds ? "missing \"prompt\" or \"ids\"" : "missing \"prompt\"";
        return;
    }
    // Structured prompt: instruction and question are optional single strings, contexts an array of
    // strings.
    auto single = [&](const char *key, SegmentRole role) -> bool {
        auto it = j.find(key);
        if (it == j.end() || it->is_null())
            return true;
        if (!it->is_string()) {
            out.error = std::string("\"") + key + "\" must be a string, got " + typeOf(*it);
            return false;
        }
        const std::string t = it->get<std::string>();
        if (t.find_first_not_of(" \t\r\n") == std::string::npos)
            return true;
        if (out.error = checkText(key, t); !out.error.empty())
            return false;
        out.prompt.segments.push_back({role, t});
        return true;
    };
    if (!single("instruction", SegmentRole::Instruction))
        return;
    auto contexts = j.find("contexts");
    if (contexts == j.end()) {
        out.error = "missing \"contexts\" (or \"prompt\")";
        return;
    }
    std::vector<json> items;
    // Issue 17: a known key with the wrong type is this line's error (a lone string is not a list).
    if (contexts->is_array())
        items.assign(contexts->begin(), contexts->end());
    else {
        out.error =
            std::string("\"contexts\" must be an array of strings, got ") + typeOf(*contexts);
        return;
    }
    std::size_t added = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string field = "contexts[" + std::to_string(i) + "]";
        if (!items[i].is_string()) {
            out.error = "\"" + field + "\" must be a string, got " + typeOf(items[i]);
            return;
        }
        const std::string t = items[i].get<std::string>();
        if (t.find_first_not_of(" \t\r\n") == std::string::npos)
            continue;
        if (out.error = checkText(field, t); !out.error.empty())
            return;
        out.prompt.segments.push_back({SegmentRole::Context, t});
        ++added;
    }
    if (added == 0) {
        out.error = "\"contexts\" holds no text";
        return;
    }
    single("question", SegmentRole::Question);
}

} // namespace

bool isJsonlInput(const std::string &path, bool jsonlFlag)
{
    return jsonlFlag || (path.size() > 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0);
}

std::string lineMessage(long line, const std::string &message)
{
    return "line " + std::to_string(line) + ": " + message;
}

Result<std::vector<BatchLine>> parseJsonlBatch(const std::string &text, const std::string &where,
                                               bool allowIds)
{
    std::vector<BatchLine> lines;
    std::size_t pos = 0;
    long number = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        BatchLine b;
        b.line = number;
        b.idJson = std::to_string(number);
        parseLine(b, line, allowIds);
        lines.push_back(std::move(b));
    }
    if (lines.empty())
        return fail(ErrorCode::InvalidInput, where + ": no prompts (the input is empty)");
    return lines;
}

int batchExitCode(long skipped, std::size_t lines)
{
    if (skipped == 0)
        return kExitOk;
    std::fprintf(stderr, "terse: %ld of %zu lines skipped\n", skipped, lines);
    return skipped == static_cast<long>(lines) ? kExitInput : kExitPartial;
}

} // namespace terse::cli
