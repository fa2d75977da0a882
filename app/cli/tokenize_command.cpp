// `terse tokenize`: print token ids, token strings and byte offsets of a text as JSON.
#include "cli.h"

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
    auto args =
        parseArgs(argc, argv, 2, {"--tokenizer"},
                  {"--special", "--jsonl", "--allow-special", "--ordinary", "--count", "--help"});
    if (!args)
        return reportError(args.error().detail + " (see terse tokenize --help)", kExitUsage);
    if (args->has("--help")) {
        std::printf(
            "usage: terse tokenize --tokenizer FILE_OR_DIR [--special] [--jsonl] "
            "[--allow-special|--ordinary]\n"
            "                      [--count] [FILE|-]\n"
            "Tokenizes FILE (or standard input) and prints {\"count\", \"ids\", \"tokens\", "
            "\"offsets\"} as JSON;\n"
            "offsets are [begin, end) UTF-8 byte ranges of the input.\n"
            "  --tokenizer P     tokenizer.json, a model folder, vocab.json, vocab.txt, *.model,\n"
            "                    *.tiktoken or a llama2.c tokenizer.bin\n"
            "  --special         add the special tokens of the template (BOS, [CLS] ... [SEP])\n"
            "  --jsonl           one JSON object per input line (offsets relative to the line)\n"
            "  --allow-special   turn special-token text such as <|endoftext|> into special ids\n"
            "  --ordinary        encode special-token text as ordinary text\n"
            "  --count           print only the number of tokens (one per line with --jsonl)\n");
        return kExitOk;
    }
    if (!args->has("--tokenizer"))
        return reportError("tokenize needs --tokenizer FILE_OR_DIR", kExitUsage);
    if (args->positionals.size() > 1)
        return reportError("tokenize takes one input file (got " +
                               std::to_string(args->positionals.size()) + ")",
                           kExitUsage);
    if (args->has("--allow-special") && args->has("--ordinary"))
        return reportError("--allow-special and --ordinary exclude each other", kExitUsage);
    auto tok = Tokenizer::load(args->get("--tokenizer"));
    if (!tok)
        return reportError(tok.error().detail, exitCodeFor(tok.error()));
    const std::string path = args->positionals.empty() ? "-" : args->positionals[0];
    auto text = readInput(path);
    if (!text)
        return reportError(text.error().detail, exitCodeFor(text.error()));
    EncodeOptions opts;
    opts.addSpecial = args->has("--special");
    if (args->has("--allow-special"))
        opts.specialText = SpecialText::Allow;
    if (args->has("--ordinary"))
        opts.specialText = SpecialText::AsText;
    const std::string where = path == "-" ? "standard input" : "'" + path + "'";
    auto emit = [&](std::string_view t, std::size_t lineNo) -> int {
        if (args->has(
                "--count")) { // no ids, strings or offsets are built: the measure is the tokenizer
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
    if (!args->has("--jsonl"))
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
