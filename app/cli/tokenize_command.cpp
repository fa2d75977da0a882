// `terse tokenize`: print token ids, token strings and byte offsets of a text as JSON.
#include "cli.h"
#include "command_line.h"

#include "terse/tokenizer.h"

#include <cstdio>
#include <iostream>
#include <sstream>

namespace terse::cli {

namespace {

void appendJsonString(std::string &out, std::string_view s)
{
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

std::string encodingJson(const Encoding &e)
{
    std::string out = "{\"count\":" + std::to_string(e.ids.size()) + ",\"ids\":[";
    for (std::size_t i = 0; i < e.ids.size(); ++i)
        out += (i ? "," : "") + std::to_string(e.ids[i]);
    out += "],\"tokens\":[";
    for (std::size_t i = 0; i < e.tokens.size(); ++i) {
        if (i)
            out.push_back(',');
        appendJsonString(out, e.tokens[i]);
    }
    out += "],\"offsets\":[";
    for (std::size_t i = 0; i < e.spans.size(); ++i)
        out += (i ? ",[" : "[") + std::to_string(e.spans[i].begin) + "," +
               std::to_string(e.spans[i].end) + "]";
    out += "]}";
    return out;
}

} // namespace

int runTokenize(int argc, char **argv)
{
    CLI::App app("Tokenizes FILE (or standard input) and prints {\"count\", \"ids\", \"tokens\", "
                 "\"offsets\"} as JSON;\noffsets are [begin, end) UTF-8 byte ranges of the input.",
                 "terse tokenize");
    configureApp(app);
    std::string tokenizer, path = "-";
    bool special = false, jsonl = false, allowSpecial = false, ordinary = false, count = false;
    app.add_option("FILE", path, "the text; - or none: standard input")->capture_default_str();
    app.add_option("--tokenizer", tokenizer,
                   "tokenizer.json, a model folder, vocab.json, vocab.txt, *.model, *.tiktoken, "
                   "a llama2.c tokenizer.bin, or a bundled tiktoken name (cl100k_base, o200k_base)")
        ->type_name("PATH|NAME")
        ->required();
    app.add_flag("--special", special,
                 "add the special tokens of the template (BOS, [CLS] ... [SEP])");
    app.add_flag("--jsonl", jsonl, "one JSON object per input line (offsets relative to the line)");
    auto *allow = app.add_flag("--allow-special", allowSpecial,
                               "turn special-token text such as <|endoftext|> into special ids");
    app.add_flag("--ordinary", ordinary, "encode special-token text as ordinary text")
        ->excludes(allow);
    app.add_flag("--count", count, "print only the number of tokens (one per line with --jsonl)");
    if (auto rc = parseCommandLine(app, argc, argv, 2))
        return *rc;
    auto tok = Tokenizer::loadPathOrName(tokenizer);
    if (!tok)
        return reportError(tok.error().detail, exitCodeFor(tok.error()));
    auto text = readInput(path);
    if (!text)
        return reportError(text.error().detail, exitCodeFor(text.error()));
    EncodeOptions opts;
    opts.addSpecial = special;
    if (allowSpecial)
        opts.specialText = SpecialText::Allow;
    if (ordinary)
        opts.specialText = SpecialText::AsText;
    const std::string where = path == "-" ? "standard input" : "'" + path + "'";
    auto emit = [&](std::string_view t, std::size_t lineNo) -> int {
        if (count) { // no ids, strings or offsets are built: the measure is the tokenizer
            auto n = tok->countTokens(t, opts);
            if (!n)
                return reportError(
                    where + (lineNo ? ", line " + std::to_string(lineNo) : std::string()) + ": " +
                        n.error().detail,
                    exitCodeFor(n.error()));
            std::cout << *n << "\n";
            return kExitOk;
        }
        auto enc = tok->encode(t, opts);
        if (!enc)
            return reportError(where +
                                   (lineNo ? ", line " + std::to_string(lineNo) : std::string()) +
                                   ": " + enc.error().detail,
                               exitCodeFor(enc.error()));
        std::cout << encodingJson(*enc) << "\n";
        return kExitOk;
    };
    if (!jsonl)
        return emit(*text, 0);
    std::istringstream lines(*text);
    std::string line;
    std::size_t lineNo = 0;
    while (std::getline(lines, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (int rc = emit(line, lineNo); rc != kExitOk)
            return rc;
    }
    return kExitOk;
}

} // namespace terse::cli
