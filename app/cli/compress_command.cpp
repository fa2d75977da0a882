// `terse compress`: compress one prompt from a file or standard input, or a JSONL batch of prompts.
#include "cli.h"
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

void printHelp()
{
    std::printf(
        "usage: terse compress --method NAME [--rate R | --target-tokens N] [--mode "
        "reference|corrected]\n"
        "                      [--model PATH] [--target-tokenizer NAME|PATH] [--param KEY=VALUE "
        "...]\n"
        "                      [--seed S] [--threads N] [--device D] [--dtype auto|fp32|bf16] "
        "[--json]\n"
        "                      [--save [--db PATH] [--session "
        "NAME]]\n"
        "                      [--jsonl [--skip-errors] [--quiet]] [FILE|-]\n"
        "Compresses the prompt in FILE (or standard input) and prints the compressed text,\n"
        "or with --json the whole result (units, scores, thresholds, stages).\n"
        "  --rate R             kept fraction in (0, 1], default 0.5\n"
        "  --target-tokens N    token budget of the output; overrides --rate\n"
        "  --model PATH         model folder (config.json + safetensors) or .gguf file; default: "
        "the\n"
        "                       method's bundled model (model-free methods ignore it)\n"
        "  --target-tokenizer T tokenizer of the target LLM for token accounting: a bundled "
        "tiktoken\n"
        "                       name (default cl100k_base) or a tokenizer file/folder\n"
        "  --device D           where models run: cpu (default), cuda, cuda:N or auto (cuda when\n"
        "                       this build's libtorch sees a GPU)\n"
        "  --dtype T            model precision in corrected mode: auto (default: bf16 on a CPU "
        "with\n"
        "                       native bf16, else fp32), fp32 or bf16; reference mode computes in "
        "fp32\n"
        "  --param KEY=VALUE    a method option (repeatable); terse compress --method NAME --help\n"
        "                       lists them with their defaults\n"
        "  --save               store the run in the session database (--db PATH, default\n"
        "                       $XDG_DATA_HOME/terse/sessions.sqlite3) in session NAME\n"
        "batches (--jsonl, automatic for FILE.jsonl): one JSON object per line, either\n"
        "  {\"prompt\": \"...\"} or {\"instruction\": \"...\", \"contexts\": [\"...\"], "
        "\"question\": \"...\"},\n"
        "  each with an optional \"id\". Output: one JSON object per line (id, line, "
        "compressed_text,\n"
        "  tokens_in, tokens_out, achieved_rate; with --json the whole result). A bad line stops "
        "the\n"
        "  batch before any work (exit 3, 'line N: ...'); with --skip-errors it becomes\n"
        "  {\"id\", \"line\", \"error\"} and the batch goes on (exit 5 when lines were skipped).\n"
        "  --quiet              no progress bar on standard error\n"
        "exit codes: 0 ok, 1 compression failed, 2 bad command line, 3 unusable input,\n"
        "            4 file/model/method not found, 5 batch done with skipped lines\n"
        "methods:");
    for (const auto &m : availableMethods())
        std::printf(" %s", m.name.c_str());
    std::printf("\n");
}

// The options shared by single prompts and batches; an error carries its exit code.
struct Setup {
    CompressOptions options;
    int threads = 0;
};

int parseSetup(const Args &args, const MethodInfo &method, Setup &s)
{
    CompressOptions &opts = s.options;
    opts.method = method.name;
    if (args.has("--rate")) {
        auto r = parseDouble("--rate", args.get("--rate"), 0.0, 1.0, true);
        if (!r)
            return reportError(r.error().detail, kExitUsage);
        opts.rate = *r;
    }
    if (args.has("--target-tokens")) {
        auto t = parseLong("--target-tokens", args.get("--target-tokens"), 0, 1L << 40);
        if (!t)
            return reportError(t.error().detail, kExitUsage);
        opts.targetTokens = *t;
    }
    if (args.has("--mode")) {
        auto m = parseMode(args.get("--mode"));
        if (!m)
            return reportError(m.error().detail, kExitUsage);
        opts.mode = *m;
    }
    if (args.has("--seed")) {
        auto seed = parseLong("--seed", args.get("--seed"), 0, (1L << 62));
        if (!seed)
            return reportError(seed.error().detail, kExitUsage);
        opts.seed = static_cast<std::uint64_t>(*seed);
    }
    if (auto t = parseThreads(args); !t)
        return reportError(t.error().detail, kExitUsage);
    else if (*t > 0)
        s.threads = *t;
    auto params = parseMethodParams(method, args.all("--param"));
    if (!params)
        return reportError(params.error().detail, kExitUsage);
    opts.params = std::move(*params);
    if (args.has("--model")) {
        if (auto m = checkModelPath("--model", args.get("--model")); !m)
            return reportError(m.error().detail, exitCodeFor(m.error()));
        opts.model = args.get("--model");
    }
    {
        int code = kExitOk;
        auto device = parseDevice(args, code);
        if (!device)
            return code;
        opts.device = *device;
    }
    if (args.has("--dtype")) {
        if (auto d = parseDtype(args.get("--dtype")); !d)
            return reportError("--dtype: " + d.error().detail, kExitUsage);
        opts.dtype = args.get("--dtype");
    }
    if (args.has("--target-tokenizer")) {
        if (auto t = checkTargetTokenizer(args.get("--target-tokenizer")); !t)
            return reportError(t.error().detail, exitCodeFor(t.error()));
        opts.targetTokenizer = args.get("--target-tokenizer");
    }
    return kExitOk;
}

void warnIgnoredModel(const Args &args, const CompressionResult &r, const std::string &prefix)
{
    if (args.has("--model") && r.model.empty())
        std::fprintf(stderr, "terse: %swarning: %s uses no model; --model was ignored\n",
                     prefix.c_str(), r.method.c_str());
}

JobContext *g_singleJob = nullptr;
extern "C" void onSingleSignal(int)
{
    if (g_singleJob)
        g_singleJob->cancel();
}

int runSingle(const Args &args, Compressor &compressor, const Setup &setup, const std::string &path)
{
    auto text = readInput(path);
    if (!text)
        return reportError(text.error().detail, exitCodeFor(text.error()));
    const std::string where = path == "-" ? "standard input" : "'" + path + "'";
    if (auto v = validatePromptText(*text); !v)
        return reportError(where + ": " + v.error().detail, kExitInput);

    initRuntime(setup.threads);
    const Prompt prompt = Prompt::fromText(std::move(*text));
    // A long single prompt shows its stage and progress on a terminal (issue 17); Ctrl-C cancels
    // it.
    const bool tty = ::isatty(2) && !args.has("--quiet");
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
    auto result = compressor.compress(prompt, setup.options, job);
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
    warnIgnoredModel(args, *result, "");
    if (args.has("--json"))
        std::cout << compressionResultJson(*result, true) << "\n";
    else
        std::cout << result->compressedText << "\n";
    if (args.has("--save"))
        return saveCompressedRun(args, prompt, setup.options, *result);
    return kExitOk;
}

int runBatch(const Args &args, Compressor &compressor, const Setup &setup, const std::string &path)
{
    if (args.has("--save"))
        return reportError("--save stores one prompt; it cannot be combined with a JSONL batch",
                           kExitUsage);
    auto text = readInput(path);
    if (!text)
        return reportError(text.error().detail, exitCodeFor(text.error()));
    const std::string where = path == "-" ? "standard input" : "'" + path + "'";
    auto lines = parseJsonlBatch(*text, where);
    if (!lines)
        return reportError(lines.error().detail, exitCodeFor(lines.error()));
    const bool skip = args.has("--skip-errors");
    // Without --skip-errors a bad line stops the batch before any compression work.
    if (!skip)
        for (const auto &l : *lines)
            if (!l.error.empty())
                return reportError(lineMessage(l.line, l.error), kExitInput);

    initRuntime(setup.threads);
    ProgressBar bar(static_cast<long>(lines->size()), "prompts", !args.has("--quiet"));
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
        auto result = compressor.compress(l.prompt, setup.options, JobContext::none());
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
            warnIgnoredModel(args, *result, "");
        std::cout << compressionRecord(l, *result, args.has("--json")) << "\n" << std::flush;
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
    auto args =
        parseArgs(argc, argv, 2,
                  {"--method", "--rate", "--target-tokens", "--mode", "--seed", "--threads", "--db",
                   "--session", "--model", "--target-tokenizer", "--param", "--device", "--dtype"},
                  {"--json", "--help", "--save", "--jsonl", "--skip-errors", "--quiet"});
    if (!args)
        return reportError(args.error().detail + " (see terse compress --help)", kExitUsage);
    if (args->has("--help")) {
        if (args->has("--method")) {
            auto method = findMethod(args->get("--method"));
            if (!method)
                return reportError(method.error().detail, kExitNotFound);
            printMethodOptions(*method);
            return kExitOk;
        }
        printHelp();
        return kExitOk;
    }
    if (args->positionals.size() > 1)
        return reportError("compress takes one input file (got " +
                               std::to_string(args->positionals.size()) + ")",
                           kExitUsage);
    if ((args->has("--db") || args->has("--session")) && !args->has("--save"))
        return reportError("--db and --session need --save", kExitUsage);
    const std::string path = args->positionals.empty() ? "-" : args->positionals[0];
    const bool batch = isJsonlInput(path, args->has("--jsonl"));
    if (!batch && args->has("--skip-errors"))
        return reportError("--skip-errors applies to JSONL batches (--jsonl)", kExitUsage);

    auto method = findMethod(args->get("--method", "random"));
    if (!method)
        return reportError(method.error().detail, kExitNotFound);
    Setup setup;
    if (int code = parseSetup(*args, *method, setup); code != kExitOk)
        return code;
    auto compressor = createCompressor(method->name);
    if (!compressor)
        return reportError(compressor.error().detail, kExitNotFound);
    return batch ? runBatch(*args, **compressor, setup, path)
                 : runSingle(*args, **compressor, setup, path);
}

} // namespace terse::cli
