// `terse compress`: compress one prompt from a file or standard input, or a JSONL batch of prompts.
#include "cli.h"
#include "command_line.h"
#include "jsonl_batch.h"
#include "method_options.h"
#include "progress_bar.h"

#include "terse/compressor.h"
#include "terse/model.h"
#include "terse/runtime.h"

#include <map>
#include <memory>
#include <unistd.h>
#include <chrono>
#include <csignal>

#include <cstdio>
#include <iostream>

namespace terse::cli {

namespace {

// The command line of `terse compress`, bound by CLI11 (declareOptions).
struct CompressArgs {
    CompressOptions options;         // --method, --rate, --target-tokens, --seed, --model, ...
    std::string mode;                // --mode (checked by the parser; parseMode after)
    std::vector<std::string> params; // --param KEY=VALUE, in command-line order
    int threads = 0;                 // 0: the runtime default
    std::string file = "-";
    std::string db, session;
    bool json = false, save = false, jsonl = false, skipErrors = false, quiet = false;
    CLI::Option *method = nullptr, *model = nullptr, *targetTokenizer = nullptr;
};

std::string methodNames()
{
    std::string names;
    for (const auto &m : availableMethods())
        names += (names.empty() ? "" : " ") + m.name;
    return names;
}

void declareOptions(CLI::App &app, CompressArgs &a)
{
    CompressOptions &o = a.options;
    app.description("Compresses the prompt in FILE (or standard input) and prints the compressed "
                    "text,\nor with --json the whole result (units, scores, thresholds, stages).");
    configureApp(
        app,
        "Batches (--jsonl, automatic for FILE.jsonl): one JSON object per line, either\n"
        "  {\"prompt\": \"...\"} or {\"instruction\": \"...\", \"contexts\": [\"...\"], "
        "\"question\": \"...\"},\n"
        "  each with an optional \"id\". Output: one JSON object per line (id, line, "
        "compressed_text,\n"
        "  tokens_in, tokens_out, achieved_rate; with --json the whole result). A bad line stops "
        "the\n"
        "  batch before any work (exit 3, 'line N: ...'); with --skip-errors it becomes\n"
        "  {\"id\", \"line\", \"error\"} and the batch goes on (exit 5 when lines were skipped).\n"
        "Exit codes: 0 ok, 1 compression failed, 2 bad command line, 3 unusable input,\n"
        "  4 file/model/method not found, 5 batch done with skipped lines\n"
        "Methods: " +
            methodNames() + "\n  (terse compress --method NAME --help lists a method's options)");
    app.add_option("FILE", a.file,
                   "the prompt, or a JSONL batch of prompts; - or none: standard input")
        ->capture_default_str();
    a.method = app.add_option("--method", o.method,
                              "the method (listed below); with --help: its options and defaults")
                   ->type_name("NAME")
                   ->capture_default_str();
    app.add_option("--rate", o.rate, "kept fraction of the prompt")
        ->check(numberIn(0.0, 1.0, true))
        ->capture_default_str();
    app.add_option("--target-tokens", o.targetTokens,
                   "token budget of the output; overrides --rate")
        ->type_name("N")
        ->transform(integerIn(0, 1LL << 40));
    addModeOption(app, a.mode);
    a.model = app.add_option("--model", o.model,
                             "model folder (config.json + safetensors) or .gguf file; default: "
                             "the method's bundled model (model-free methods ignore it)")
                  ->type_name("PATH");
    a.targetTokenizer =
        app.add_option("--target-tokenizer", o.targetTokenizer,
                       "tokenizer of the target LLM for token accounting: a bundled tiktoken "
                       "name or a tokenizer file/folder")
            ->type_name("NAME|PATH")
            ->capture_default_str();
    app.add_option("--param", a.params,
                   "a method option (repeatable); terse compress --method NAME --help lists "
                   "them with their defaults")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false);
    addSeedOption(app, o.seed);
    addThreadsOption(app, a.threads);
    addDeviceOption(app, o.device);
    app.add_option("--dtype", o.dtype,
                   "model precision in corrected mode: auto (bf16 on a CPU with native bf16, "
                   "else fp32), fp32 or bf16; reference mode computes in fp32")
        ->type_name("DTYPE")
        ->check(CLI::IsMember({"auto", "fp32", "bf16"}))
        ->capture_default_str();
    app.add_option(
           "--word-vectors", o.wordVectors,
           "word vectors that corrected-mode BM25 ranking matches near-synonyms with: none (exact "
           "words only) or a file from `terse train vectors` (default: the bundled "
           "terse-words)")
        ->type_name("PATH|none");
    app.add_flag("!--no-find-question", o.findQuestion,
                 "corrected mode takes the last lines of a plain prompt that start with "
                 "'Question:', 'Query:' or 'Q:' (or a last paragraph that is one line ending in "
                 "a question mark: '?', '？' or '؟'; or one short line opening with an "
                 "interrogative word such as 'when' or "
                 "'how') as its question, kept whole and ranked against; this compresses them "
                 "like the rest");
    app.add_flag("--json", a.json, "print the whole result as JSON");
    auto *save = app.add_flag("--save", a.save,
                              "store the run in the session database (one prompt, not a batch)");
    app.add_option("--db", a.db,
                   "the session database of --save (default: "
                   "$XDG_DATA_HOME/terse/sessions.sqlite3)")
        ->type_name("PATH")
        ->check(nonEmpty())
        ->needs(save);
    app.add_option("--session", a.session,
                   "the session --save stores the run in (found or created; default: a new "
                   "one named after the prompt)")
        ->type_name("NAME")
        ->needs(save);
    app.add_flag("--jsonl", a.jsonl, "read a JSONL batch (automatic for FILE.jsonl)");
    app.add_flag("--skip-errors", a.skipErrors,
                 "a batch reports bad lines and goes on (exit 5 when lines were skipped)");
    app.add_flag("--quiet", a.quiet, "no progress bar on standard error");
}

// Checks and converts what the parser cannot (method options, paths, the device); reports an
// error and returns its exit code.
int finishSetup(CompressArgs &a, const MethodInfo &method)
{
    CompressOptions &opts = a.options;
    opts.method = method.name;
    if (!a.mode.empty())
        opts.mode = *parseMode(a.mode); // the parser checked the name
    auto params = parseMethodParams(method, a.params);
    if (!params)
        return reportError(params.error().detail, kExitUsage);
    opts.params = std::move(*params);
    if (a.model->count() > 0)
        if (auto m = checkModelPath("--model", opts.model); !m)
            return reportError(m.error().detail, exitCodeFor(m.error()));
    if (int code = resolveDeviceOption(opts.device); code != kExitOk)
        return code;
    if (opts.mode !=
        CompressionMode::Reference) // reference mode computes in fp32 whatever --dtype says
        noteEmulatedBf16(opts.dtype, opts.device);
    if (a.targetTokenizer->count() > 0)
        if (auto t = checkTargetTokenizer(opts.targetTokenizer); !t)
            return reportError(t.error().detail, exitCodeFor(t.error()));
    return kExitOk;
}

void warnIgnoredModel(const CompressArgs &a, const CompressionResult &r, const std::string &prefix)
{
    if (a.model->count() > 0 && r.model.empty())
        std::fprintf(stderr, "terse: %swarning: %s uses no model; --model was ignored\n",
                     prefix.c_str(), r.method.c_str());
}

JobContext *g_singleJob = nullptr;
extern "C" void onSingleSignal(int)
{
    if (g_singleJob)
        g_singleJob->cancel();
}

int runSingle(const CompressArgs &a, Compressor &compressor, const std::string &path)
{
    auto text = readInput(path);
    if (!text)
        return reportError(text.error().detail, exitCodeFor(text.error()));
    const std::string where = path == "-" ? "standard input" : "'" + path + "'";
    if (auto v = validatePromptText(*text); !v)
        return reportError(where + ": " + v.error().detail, kExitInput);

    initRuntime(a.threads);
    const Prompt prompt = Prompt::fromText(std::move(*text));
    // A long single prompt shows its stage and progress on a terminal (issue 17); Ctrl-C cancels
    // it.
    const bool tty = ::isatty(2) && !a.quiet;
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    auto shown = std::make_shared<bool>(false);
    JobContext job([=](long long done, long long total, const std::string &stage) {
        if (!tty || total <= 0)
            return;
        const auto now = std::chrono::steady_clock::now();
        if (now - *last < std::chrono::milliseconds(250) && done < total)
            return;
        *last = now;
        *shown = true;
        std::fprintf(stderr, "\r\033[Kterse: %s %lld/%lld", stage.c_str(), done, total);
        std::fflush(stderr);
    });
    g_singleJob = &job;
    std::signal(SIGINT, onSingleSignal);
    auto result = compressor.compress(prompt, a.options, job);
    std::signal(SIGINT, SIG_DFL);
    g_singleJob = nullptr;
    if (*shown)
        std::fprintf(stderr, "\r\033[K");
    if (!result)
        return reportError(result.error().code == ErrorCode::Cancelled ? "interrupted"
                                                                       : result.error().detail,
                           exitCodeFor(result.error()));
    for (const auto &w : result->warnings)
        std::fprintf(stderr, "terse: %s: %s\n", isNote(w.code) ? "note" : "warning",
                     w.detail.c_str());
    warnIgnoredModel(a, *result, "");
    if (a.json)
        std::cout << compressionResultJson(*result, true) << "\n";
    else
        std::cout << result->compressedText << "\n";
    if (a.save)
        return saveCompressedRun(a.db, a.session, prompt, a.options, *result);
    return kExitOk;
}

int runBatch(const CompressArgs &a, Compressor &compressor, const std::string &path)
{
    if (a.save)
        return reportError("--save stores one prompt; it cannot be combined with a JSONL batch",
                           kExitUsage);
    auto text = readInput(path);
    if (!text)
        return reportError(text.error().detail, exitCodeFor(text.error()));
    const std::string where = path == "-" ? "standard input" : "'" + path + "'";
    auto lines = parseJsonlBatch(*text, where);
    if (!lines)
        return reportError(lines.error().detail, exitCodeFor(lines.error()));
    const bool skip = a.skipErrors;
    // Without --skip-errors a bad line stops the batch before any compression work.
    if (!skip)
        for (const auto &l : *lines)
            if (!l.error.empty())
                return reportError(lineMessage(l.line, l.error), kExitInput);

    initRuntime(a.threads);
    ProgressBar bar(static_cast<long>(lines->size()), "prompts", !a.quiet);
    long done = 0, skipped = 0;
    struct NoteSeen {
        long count = 0;
        std::string example;
    };
    std::map<std::string, NoteSeen> notes;
    for (const auto &l : *lines) {
        if (!l.error.empty()) {
            bar.message("terse: " + lineMessage(l.line, l.error) + " (skipped)");
            std::cout << errorRecord(l, l.error) << "\n" << std::flush;
            ++skipped;
            bar.update(++done);
            continue;
        }
        auto result = compressor.compress(l.prompt, a.options, JobContext::none());
        if (!result) {
            if (!skip || result.error().code == ErrorCode::Cancelled) {
                bar.finish();
                return reportError(lineMessage(l.line, result.error().detail),
                                   exitCodeFor(result.error()));
            }
            bar.message("terse: " + lineMessage(l.line, result.error().detail) + " (skipped)");
            std::cout << errorRecord(l, result.error().detail) << "\n" << std::flush;
            ++skipped;
            bar.update(++done);
            continue;
        }
        // Warnings per line; notes (how the method met the request) once per kind at the end, so a
        // batch of thousands of prompts does not print thousands of them.
        for (const auto &w : result->warnings) {
            if (!isNote(w.code)) {
                bar.message("terse: " + lineMessage(l.line, "warning: " + w.detail));
                continue;
            }
            auto &n = notes[w.code];
            if (n.count++ == 0)
                n.example = lineMessage(l.line, w.detail);
        }
        if (done == 0)
            warnIgnoredModel(a, *result, "");
        std::cout << compressionRecord(l, *result, a.json) << "\n" << std::flush;
        bar.update(++done);
    }
    bar.finish();
    for (const auto &[code, n] : notes)
        std::fprintf(stderr, "terse: note: %ld prompt(s) had the note '%s', e.g. %s\n", n.count,
                     code.c_str(), n.example.c_str());
    return batchExitCode(skipped, lines->size());
}

} // namespace

int runCompress(int argc, char **argv)
{
    CLI::App app("", "terse compress");
    CompressArgs a;
    declareOptions(app, a);
    try {
        app.parse(argc - 1, argv + 1);
    } catch (const CLI::CallForHelp &) {
        // `--method NAME --help` lists the method's options (from its OptionSpecs).
        if (a.method->count() > 0) {
            auto method = findMethod(a.options.method);
            if (!method)
                return reportError(method.error().detail, kExitNotFound);
            printMethodOptions(*method);
        } else {
            std::cout << app.help();
        }
        return kExitOk;
    } catch (const CLI::ParseError &e) {
        return reportParseError(app, e);
    }
    const bool batch = isJsonlInput(a.file, a.jsonl);
    if (!batch && a.skipErrors)
        return reportError("--skip-errors applies to JSONL batches (--jsonl)", kExitUsage);

    auto method = findMethod(a.options.method);
    if (!method)
        return reportError(method.error().detail, kExitNotFound);
    if (int code = finishSetup(a, *method); code != kExitOk)
        return code;
    auto compressor = createCompressor(method->name);
    if (!compressor)
        return reportError(compressor.error().detail, kExitNotFound);
    return batch ? runBatch(a, **compressor, a.file) : runSingle(a, **compressor, a.file);
}

} // namespace terse::cli
