// `terse eval lm`: held-out bits per byte of a causal LM next to zstd -19 on the same text.
#include "cli.h"
#include "command_line.h"
#include "progress_line.h"

#include "terse/resources.h"
#include "terse/runtime.h"
#include "terse/train.h"

#include <cstdio>

namespace terse::cli {

namespace {
// The command line of `terse eval lm` and `terse eval tagger` (runEval declares it).
struct EvalArgs {
    std::string model, data, lm;
    double maxMb = 1;
    int heldoutEvery = 5;
    int threads = 0;
    bool json = false, quiet = false;
};

int evalLm(const EvalArgs &a)
{
    initRuntime(a.threads);
    auto r = runCancellable(
        [&](const JobContext &job) {
            return evalLanguageModel(a.model, a.data,
                                     static_cast<std::uint64_t>(a.maxMb * (1 << 20)), job);
        },
        a.quiet);
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    if (r->skippedDocuments > 0)
        std::fprintf(stderr, "terse: warning: %llu document(s) of '%s' skipped: not valid UTF-8\n",
                     static_cast<unsigned long long>(r->skippedDocuments), a.data.c_str());
    if (a.json)
        std::printf(
            "{\"bits_per_byte\": %.6f, \"zstd19_bits_per_byte\": %.6f, \"nll_per_token\": %.6f, "
            "\"bytes\": %llu, \"tokens\": %llu, \"documents\": %llu, \"skipped_documents\": %llu, "
            "\"seconds\": %.2f}\n",
            r->bitsPerByte, r->zstdBitsPerByte, r->nllPerToken,
            static_cast<unsigned long long>(r->bytes), static_cast<unsigned long long>(r->tokens),
            static_cast<unsigned long long>(r->documents),
            static_cast<unsigned long long>(r->skippedDocuments), r->seconds);
    else
        std::printf("%.4f bits/byte (zstd -19: %.4f bits/byte) over %llu bytes, %llu tokens, %llu "
                    "documents; "
                    "%.4f nats/token; %.1f s\n",
                    r->bitsPerByte, r->zstdBitsPerByte, static_cast<unsigned long long>(r->bytes),
                    static_cast<unsigned long long>(r->tokens),
                    static_cast<unsigned long long>(r->documents), r->nllPerToken, r->seconds);
    return kExitOk;
}

int evalTaggerVerb(const EvalArgs &a)
{
    std::string model = a.model;
    if (model.empty()) {
        auto d = defaultModelPath(DefaultModel::Tagger);
        if (!d)
            return reportError(d.error().detail, exitCodeFor(d.error()));
        model = *d;
    }
    const auto files = dataFiles(a.data);
    if (files.empty())
        return reportError("no .jsonl files in '" + a.data + "'", kExitUsage);
    initRuntime(a.threads);
    auto r = runCancellable(
        [&](const JobContext &job) { return evalTagger(model, files, a.lm, a.heldoutEvery, job); },
        a.quiet);
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    auto row = [](const char *name, const TaggerMetrics &m) {
        std::printf("%-34s %9.4f %9.4f %9.4f %9.3f\n", name, m.precision, m.recall, m.f1, m.rate);
    };
    auto js = [](const TaggerMetrics &m) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "{\"precision\": %.6f, \"recall\": %.6f, \"f1\": %.6f, \"rate\": %.6f}",
                      m.precision, m.recall, m.f1, m.rate);
        return std::string(buf);
    };
    if (a.json) {
        std::printf("{\"sentences\": %d, \"words\": %lld, \"human_rate\": %.6f, \"tagger\": %s, "
                    "\"tagger_at_human_rate\": %s, \"stopwords\": %s, \"keep_all\": %s",
                    r->sentences, r->tagger.words, r->humanRate, js(r->tagger).c_str(),
                    js(r->taggerAtHumanRate).c_str(), js(r->stopwords).c_str(),
                    js(r->keepAll).c_str());
        std::printf(", \"tagger_in_passages\": %s, \"passages\": %d", js(r->inPassages).c_str(),
                    r->passages);
        if (!r->lm.empty())
            std::printf(", \"surprisal\": %s, \"surprisal_at_human_rate\": %s, \"lm\": \"%s\"",
                        js(r->surprisal).c_str(), js(r->surprisalAtHumanRate).c_str(),
                        r->lm.c_str());
        std::printf(", \"seconds\": %.2f}\n", r->seconds);
        return kExitOk;
    }
    std::printf("%d held-out sentences, %lld words, human keep rate %.3f\n", r->sentences,
                r->tagger.words, r->humanRate);
    std::printf("%-34s %9s %9s %9s %9s\n", "", "precision", "recall", "F1", "rate");
    row("tagger (p >= 0.5)", r->tagger);
    row("tagger at the human rate", r->taggerAtHumanRate);
    row(("tagger in " + std::to_string(r->passages) + " passages (p >= 0.5)").c_str(),
        r->inPassages);
    if (!r->lm.empty()) {
        row("LM surprisal at the tagger rate", r->surprisal);
        row("LM surprisal at the human rate", r->surprisalAtHumanRate);
    } else {
        std::printf("%-34s (no LM: pass --lm)\n", "LM surprisal");
    }
    row("all but stopwords", r->stopwords);
    row("keep everything", r->keepAll);
    std::printf("%.1f s\n", r->seconds);
    return kExitOk;
}
} // namespace

int runEval(int argc, char **argv)
{
    CLI::App app("Measures Terse's models.", "terse eval");
    configureApp(app);
    app.require_subcommand(1);
    EvalArgs a;
    CLI::App *lm = app.add_subcommand(
        "lm", "Bits per byte of a causal LM (default: Terse's bundled LM) on the first M MB of "
              "a\ntext file, next to zstd -19 on the same text.");
    lm->add_option("--model", a.model, "the causal LM (default: the bundled terse-lm)")
        ->type_name("PATH");
    lm->add_option("--data", a.data, "the text, plain or .zst")->type_name("FILE")->required();
    lm->add_option("--max-mb", a.maxMb, "read at most M MB of the text")
        ->type_name("M")
        ->check(numberIn(0, 1e6, true))
        ->capture_default_str();
    addThreadsOption(*lm, a.threads);
    lm->add_flag("--json", a.json, "machine-readable output");
    lm->add_flag("--quiet", a.quiet, "no progress line on standard error");
    CLI::App *tagger = app.add_subcommand(
        "tagger", "Word-level keep precision/recall/F1 of a keep/drop tagger (default: Terse's "
                  "bundled\ntagger) on the held-out human compressions of --data, next to "
                  "keep-by-LM-surprisal at\nthe tagger's and the human rate (--lm, default: the "
                  "bundled LM), keep-all-but-stopwords\nand keep-everything; and the tagger on "
                  "running text (consecutive held-out sentences\njoined into passages of its "
                  "context length, as LLMLingua-2 reads a prompt in chunks).");
    tagger->add_option("--model", a.model, "the tagger (default: the bundled terse-tagger)")
        ->type_name("PATH");
    tagger
        ->add_option("--data", a.data,
                     "a folder of .jsonl files or comma-separated .jsonl files ({\"text\", "
                     "\"summaries\"} records)")
        ->type_name("DIR|FILE[,FILE...]")
        ->required();
    tagger->add_option("--lm", a.lm, "the causal LM of the surprisal baseline (default: bundled)")
        ->type_name("PATH");
    tagger
        ->add_option("--heldout-every", a.heldoutEvery,
                     "every Nth pair is held out (as in terse train tagger)")
        ->type_name("N")
        ->transform(integerIn(1, 1000000))
        ->capture_default_str();
    addThreadsOption(*tagger, a.threads);
    tagger->add_flag("--json", a.json, "machine-readable output");
    tagger->add_flag("--quiet", a.quiet, "no progress line on standard error");
    if (auto rc = parseCommandLine(app, argc, argv, 2))
        return *rc;
    return lm->parsed() ? evalLm(a) : evalTaggerVerb(a);
}

} // namespace terse::cli
