// The JSONL batch format (batch.h): parsing lines and writing records.
#include "terse/batch.h"

#include "terse/text_units.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace terse {

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
    // nlohmann quotes the bytes it last read, which may be invalid UTF-8: show those as \xNN so
    // that the message stays text wherever it goes (stderr, a JSON record, a Python exception).
    std::string out;
    std::size_t at = 0, bad = 0;
    while (!isValidUtf8(std::string_view(d).substr(at), &bad)) {
        out.append(d, at, bad);
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(d[at + bad]));
        out += hex;
        at += bad + 1;
    }
    out.append(d, at, std::string::npos);
    return out;
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
    std::string parts[2];
    const char *keys[2] = {"instruction", "question"};
    for (int k = 0; k < 2; ++k) {
        auto it = j.find(keys[k]);
        if (it == j.end() || it->is_null())
            continue;
        if (!it->is_string()) {
            out.error = std::string("\"") + keys[k] + "\" must be a string, got " + typeOf(*it);
            return;
        }
        parts[k] = it->get<std::string>();
    }
    auto contexts = j.find("contexts");
    if (contexts == j.end()) {
        out.error = "missing \"contexts\" (or \"prompt\")";
        return;
    }
    // Issue 17: a known key with the wrong type is this line's error (a lone string is not a list).
    if (!contexts->is_array()) {
        out.error =
            std::string("\"contexts\" must be an array of strings, got ") + typeOf(*contexts);
        return;
    }
    std::vector<std::string> items;
    for (std::size_t i = 0; i < contexts->size(); ++i) {
        const json &c = (*contexts)[i];
        if (!c.is_string()) {
            out.error =
                "\"contexts[" + std::to_string(i) + "]\" must be a string, got " + typeOf(c);
            return;
        }
        items.push_back(c.get<std::string>());
    }
    auto prompt = structuredPrompt(parts[0], items, parts[1]);
    if (!prompt) {
        out.error = prompt.error().detail;
        return;
    }
    out.prompt = std::move(*prompt);
}

bool blank(const std::string &t)
{
    return t.find_first_not_of(" \t\r\n") == std::string::npos;
}

nlohmann::ordered_json countOrNull(long n)
{
    return n >= 0 ? nlohmann::ordered_json(n) : nlohmann::ordered_json(nullptr);
}

std::string dumpLine(const nlohmann::ordered_json &o)
{
    return o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

BatchLine parseBatchLine(const std::string &text, long number, bool allowIds)
{
    BatchLine b;
    b.line = number;
    b.idJson = std::to_string(number);
    std::string line = text;
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    try {
        parseLine(b, line, allowIds);
    } catch (const std::exception &e) {
        // nlohmann-json's type errors cannot happen after the checks above; never let one escape.
        b.error = std::string("unusable line (") + e.what() + ")";
    }
    return b;
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
        lines.push_back(parseBatchLine(line, number, allowIds));
    }
    if (lines.empty())
        return fail(ErrorCode::InvalidInput, where + ": no prompts (the input is empty)");
    return lines;
}

Result<Prompt> structuredPrompt(const std::string &instruction,
                                const std::vector<std::string> &contexts,
                                const std::string &question)
{
    Prompt prompt;
    if (!blank(instruction)) {
        if (auto e = checkText("instruction", instruction); !e.empty())
            return fail(ErrorCode::InvalidInput, e);
        prompt.segments.push_back({SegmentRole::Instruction, instruction});
    }
    std::size_t added = 0;
    for (std::size_t i = 0; i < contexts.size(); ++i) {
        if (blank(contexts[i]))
            continue;
        if (auto e = checkText("contexts[" + std::to_string(i) + "]", contexts[i]); !e.empty())
            return fail(ErrorCode::InvalidInput, e);
        prompt.segments.push_back({SegmentRole::Context, contexts[i]});
        ++added;
    }
    if (added == 0)
        return fail(ErrorCode::InvalidInput, "\"contexts\" holds no text");
    if (!blank(question)) {
        if (auto e = checkText("question", question); !e.empty())
            return fail(ErrorCode::InvalidInput, e);
        prompt.segments.push_back({SegmentRole::Question, question});
    }
    return prompt;
}

namespace {

nlohmann::ordered_json resultObject(const CompressionResult &r)
{
    auto j = nlohmann::ordered_json::parse(resultToJson(r, false));
    j["model"] = r.model;
    j["target_tokens_in"] = countOrNull(r.targetTokensIn);
    j["target_tokens_out"] = countOrNull(r.targetTokensOut);
    return j;
}

nlohmann::ordered_json recordHead(const BatchLine &line)
{
    nlohmann::ordered_json o;
    o["id"] = nlohmann::ordered_json::parse(line.idJson, nullptr, false);
    if (o["id"].is_discarded())
        o["id"] = line.line;
    o["line"] = line.line;
    return o;
}

} // namespace

std::string compressionResultJson(const CompressionResult &result, bool pretty)
{
    return resultObject(result).dump(pretty ? 2 : -1, ' ', false,
                                     nlohmann::json::error_handler_t::replace);
}

std::string compressionRecord(const BatchLine &line, const CompressionResult &r, bool full)
{
    nlohmann::ordered_json o = recordHead(line);
    if (full) {
        const nlohmann::ordered_json result = resultObject(r);
        for (const auto &[key, value] : result.items())
            o[key] = value;
        return dumpLine(o);
    }
    o["compressed_text"] = r.compressedText;
    o["tokens_in"] = r.tokensIn;
    o["tokens_out"] = r.tokensOut;
    o["unit"] = r.unitName;
    o["requested_rate"] = r.requestedRate;
    o["achieved_rate"] = r.achievedRate; // in target tokens when counted
    o["unit_rate"] = r.unitRate;         // in the method's own units
    // null = not counted (the target tokenizer could not be loaded)
    o["target_tokens_in"] = countOrNull(r.targetTokensIn);
    o["target_tokens_out"] = countOrNull(r.targetTokensOut);
    return dumpLine(o);
}

std::string promptLine(const Prompt &prompt, const std::string &id,
                       const std::vector<std::pair<std::string, std::string>> &extra)
{
    nlohmann::ordered_json o;
    if (!id.empty())
        o["id"] = id;
    std::string instruction, question;
    std::vector<std::string> contexts;
    auto append = [](std::string &to, const std::string &text) {
        to += (to.empty() ? "" : "\n\n") + text;
    };
    for (const auto &s : prompt.segments) {
        if (s.role == SegmentRole::Instruction)
            append(instruction, s.text);
        else if (s.role == SegmentRole::Question)
            append(question, s.text);
        else
            contexts.push_back(s.text);
    }
    if (instruction.empty() && question.empty() && contexts.size() == 1) {
        o["prompt"] = contexts.front();
    } else {
        if (!instruction.empty())
            o["instruction"] = instruction;
        o["contexts"] = contexts;
        if (!question.empty())
            o["question"] = question;
    }
    for (const auto &[key, value] : extra)
        o[key] = nlohmann::ordered_json::parse(value, nullptr, false);
    return dumpLine(o);
}

std::string errorRecord(const BatchLine &line, const std::string &message)
{
    nlohmann::ordered_json o = recordHead(line);
    o["error"] = message;
    return dumpLine(o);
}

} // namespace terse
