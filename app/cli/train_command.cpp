// `terse train ...`: trains Terse's default models. `terse train tokenizer` trains the byte-level
// BPE.
#include "cli.h"

#include "terse/tokenizer.h"
#include "terse/train.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <functional>
#include <tuple>

#include "terse/runtime.h"

namespace terse::cli {

namespace {

// SIGINT/SIGTERM cancel a training job cleanly (the trainer saves a checkpoint and stops).
JobContext *g_trainJob = nullptr;
extern "C" void onTrainSignal(int)
{
    if (g_trainJob)
        g_trainJob->cancel();
}

// Progress line on stderr with rate and ETA, redrawn in place at most ~4 times a second.
JobContext progressJob()
{
    auto start =
        std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    auto lastDone = std::make_shared<long long>(-1);
    auto lastTotal = std::make_shared<long long>(-1);
    auto firstDone = std::make_shared<long long>(0);
    return JobContext([=](long long done, long long total, const std::string &stage) {
        const auto now = std::chrono::steady_clock::now();
        // A new phase (the count restarts or the total changes) restarts the clock on a new line;
        // the stage text itself may change every step (trainers put the running loss in it).
        if (total != *lastTotal || done < *lastDone) {
            *start = now;
            *firstDone = done; // a resumed run starts part-way: the ETA counts only this run's rate
            if (*lastTotal >= 0)
                std::fprintf(stderr, "\n");
            *lastTotal = total;
        } else if (now - *last < std::chrono::milliseconds(250) && done != total) {
            *lastDone = done;
            return; // throttled
        }
        *lastDone = done;
        *last = now;
        const double secs = std::chrono::duration<double>(now - *start).count();
        const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0;
        const double runFrac = total > *firstDone ? static_cast<double>(done - *firstDone) /
                                                        static_cast<double>(total - *firstDone)
                                                  : 0;
        const double eta = runFrac > 0 ? secs * (1 - runFrac) / runFrac : 0;
        std::fprintf(stderr, "\r%s %6.1f%%  %7.0fs elapsed  ETA %6.0fs ", stage.c_str(), 100 * frac,
                     secs, eta);
        std::fflush(stderr);
    });
}

int trainTokenizerVerb(int argc, char **argv)
{
    auto args = parseArgs(
        argc, argv, 3, {"--corpus", "--out", "--vocab", "--max-mb", "--min-frequency"}, {"--help"});
    if (!args)
        return reportError(args.error().detail + " (see terse train tokenizer --help)", kExitUsage);
    if (args->has("--help") || !args->has("--corpus") || !args->has("--out")) {
        std::printf(
            "usage: terse train tokenizer --corpus FILE[.zst] --out DIR [--vocab N] [--max-mb M]\n"
            "                             [--min-frequency F]\n"
            "Trains a byte-level BPE tokenizer and writes DIR/tokenizer.json (HuggingFace "
            "format).\n"
            "  --vocab N          vocabulary size incl. bytes and special tokens (default 8192)\n"
            "  --max-mb M         read at most M MB of the corpus (default 64)\n"
            "  --min-frequency F  minimum pair count to merge (default 2)\n");
        return args->has("--help") ? kExitOk : kExitUsage;
    }
    TokenizerTrainOptions o;
    o.corpus = args->get("--corpus");
    o.outputDir = args->get("--out");
    if (args->has("--vocab")) {
        auto v = parseLong("--vocab", args->get("--vocab"), 259, 1 << 20);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.vocabSize = static_cast<int>(*v);
    }
    if (args->has("--max-mb")) {
        auto v = parseDouble("--max-mb", args->get("--max-mb"), 0, 1e6, true);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.maxBytes = static_cast<std::uint64_t>(*v * (1 << 20));
    }
    if (args->has("--min-frequency")) {
        auto v = parseLong("--min-frequency", args->get("--min-frequency"), 1, 1L << 40);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.minFrequency = static_cast<int>(*v);
    }
    auto r = trainTokenizer(o, progressJob());
    std::fprintf(stderr, "\n");
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    std::printf("wrote %s: vocab %d (%d merges) from %.1f MB, %llu words (%llu unique) in %.1f s\n",
                r->tokenizerPath.c_str(), r->vocabSize, r->merges,
                static_cast<double>(r->bytesRead) / (1 << 20),
                static_cast<unsigned long long>(r->words),
                static_cast<unsigned long long>(r->uniqueWords), r->seconds);
    return kExitOk;
}

// `terse train encode`: the corpus (or a spread slice of it) as a token file for `train lm
// --tokens`.
int trainEncodeVerb(int argc, char **argv)
{
    auto args = parseArgs(argc, argv, 3,
                          {"--corpus", "--tokenizer", "--out", "--max-mb", "--keep-every",
                           "--keep-offset", "--threads"},
                          {"--help"});
    if (!args)
        return reportError(args.error().detail + " (see terse train encode --help)", kExitUsage);
    if (args->has("--help") || !args->has("--corpus") || !args->has("--tokenizer") ||
        !args->has("--out")) {
        std::printf(
            "usage: terse train encode --corpus FILE[.zst] --tokenizer DIR_OR_FILE --out FILE\n"
            "                          [--max-mb M] [--keep-every N [--keep-offset R]] [--threads "
            "N]\n"
            "Encodes the corpus once into a gzip token file that `terse train lm --tokens FILE` "
            "trains on\n"
            "(no tokenising during training; a slice small enough to carry to a GPU machine).\n"
            "  --max-mb M       stop after M MB of kept text\n"
            "  --keep-every N   keep one document in N (index %% N == R), a slice spread over all "
            "sources\n"
            "  --threads N      encoding threads (default: all cores)\n");
        return args->has("--help") ? kExitOk : kExitUsage;
    }
    auto tok = Tokenizer::load(args->get("--tokenizer"));
    if (!tok)
        return reportError(tok.error().detail, exitCodeFor(tok.error()));
    TokenFileOptions o;
    o.corpus = args->get("--corpus");
    o.outputPath = args->get("--out");
    if (args->has("--max-mb")) {
        auto v = parseDouble("--max-mb", args->get("--max-mb"), 0, 1e7, true);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.maxBytes = static_cast<std::uint64_t>(*v * (1 << 20));
    }
    for (auto [name, dst, lo] : {std::tuple{"--keep-every", &o.keepEvery, 1L},
                                 std::tuple{"--keep-offset", &o.keepOffset, 0L},
                                 std::tuple{"--threads", &o.threads, 0L}}) {
        if (!args->has(name))
            continue;
        auto v = parseLong(name, args->get(name), lo, 1L << 20);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        *dst = static_cast<int>(*v);
    }
    if (o.keepOffset >= o.keepEvery)
        return reportError("--keep-offset must be below --keep-every", kExitUsage);
    const Tokenizer &t = *tok;
    const EncodeFn encode = encoderFor(t);
    const auto sp = t.specialIds();
    const int sep = sp.eos >= 0 ? sp.eos : (sp.bos >= 0 ? sp.bos : 0);
    JobContext job = progressJob();
    g_trainJob = &job;
    std::signal(SIGINT, onTrainSignal);
    std::signal(SIGTERM, onTrainSignal);
    auto r = encodeCorpusToTokenFile(o, encode, static_cast<int>(t.vocabSize()), sep, job);
    g_trainJob = nullptr;
    std::fprintf(stderr, "\n");
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    std::printf(
        "wrote %s: %lld documents, %.1f MB of text, %lld tokens (%.2f bytes/token) in %.1f s\n",
        o.outputPath.c_str(), r->documents, static_cast<double>(r->textBytes) / (1 << 20),
        r->tokens,
        r->tokens > 0 ? static_cast<double>(r->textBytes) / static_cast<double>(r->tokens) : 0,
        r->seconds);
    return kExitOk;
}

int trainLmVerb(int argc, char **argv)
{
    auto args = parseArgs(
        argc, argv, 3,
        {"--corpus",           "--tokens",  "--heldout",       "--tokenizer",  "--out",
         "--checkpoint",       "--hidden",  "--layers",        "--heads",      "--kv-heads",
         "--intermediate",     "--seq-len", "--max-positions", "--batch",      "--steps",
         "--warmup",           "--lr",      "--seed",          "--eval-every", "--eval-mb",
         "--checkpoint-every", "--device",  "--threads",       "--max-seconds"},
        {"--fp32", "--help"});
    if (!args)
        return reportError(args.error().detail + " (see terse train lm --help)", kExitUsage);
    if (args->has("--help") || args->has("--corpus") == args->has("--tokens") ||
        !args->has("--tokenizer") || !args->has("--out")) {
        std::printf(
            "usage: terse train lm (--corpus FILE[.zst] | --tokens FILE) --tokenizer DIR_OR_FILE "
            "--out DIR\n"
            "                      [--heldout FILE] [--hidden 256] [--layers 6] [--heads 8] "
            "[--kv-heads 8]\n"
            "                      [--intermediate 768] [--seq-len 256] [--max-positions N] "
            "[--batch 16]\n"
            "                      [--steps 4000] [--warmup 200] [--lr 2e-3] [--seed 1234] "
            "[--eval-every 500]\n"
            "                      [--eval-mb 1] [--checkpoint-every 200] [--checkpoint DIR]\n"
            "                      [--device cpu|cuda] [--threads N] [--max-seconds S] [--fp32]\n"
            "Trains a Llama-architecture causal LM from scratch and writes DIR/config.json and\n"
            "DIR/model.safetensors. Re-running the same command resumes from the last checkpoint.\n"
            "  --corpus FILE      stream documents from text, tokenising on the fly\n"
            "  --tokens FILE      train on a token file (terse train encode) in seeded random "
            "windows\n"
            "  --max-positions N  max_position_embeddings written to config.json (default: "
            "max(1024, seq-len))\n"
            "  --max-seconds S    fit the number of steps (at most --steps) to S seconds of "
            "training,\n"
            "                     measured on this run's first steps (for a machine lent for a "
            "fixed time)\n");
        return args->has("--help") ? kExitOk : kExitUsage;
    }
    auto tok = Tokenizer::load(args->get("--tokenizer"));
    if (!tok)
        return reportError(tok.error().detail, exitCodeFor(tok.error()));
    LmTrainOptions o;
    o.corpus = args->get("--corpus");
    o.tokens = args->get("--tokens");
    o.heldout = args->get("--heldout");
    o.outputDir = args->get("--out");
    o.checkpointDir = args->get("--checkpoint");
    o.vocabSize = static_cast<int>(tok->vocabSize());
    const auto ids = tok->specialIds();
    o.eosId = ids.eos >= 0 ? ids.eos : (ids.bos >= 0 ? ids.bos : 0);
    o.bosId = ids.bos >= 0 ? ids.bos : o.eosId;
    struct IntOpt {
        const char *name;
        long lo, hi;
        std::function<void(long)> set;
    };
    const std::vector<IntOpt> ints = {
        {"--hidden", 8, 8192, [&](long v) { o.hidden = static_cast<int>(v); }},
        {"--layers", 1, 256, [&](long v) { o.layers = static_cast<int>(v); }},
        {"--heads", 1, 256, [&](long v) { o.heads = static_cast<int>(v); }},
        {"--kv-heads", 1, 256, [&](long v) { o.kvHeads = static_cast<int>(v); }},
        {"--intermediate", 8, 65536, [&](long v) { o.intermediate = static_cast<int>(v); }},
        {"--seq-len", 2, 65536, [&](long v) { o.seqLen = static_cast<int>(v); }},
        {"--max-positions", 2, 1L << 20, [&](long v) { o.maxPositions = static_cast<int>(v); }},
        {"--batch", 1, 65536, [&](long v) { o.batchSize = static_cast<int>(v); }},
        {"--steps", 1, 1L << 40, [&](long v) { o.steps = v; }},
        {"--warmup", 0, 1L << 40, [&](long v) { o.warmupSteps = static_cast<int>(v); }},
        {"--seed", 0, 1L << 62, [&](long v) { o.seed = static_cast<std::uint64_t>(v); }},
        {"--eval-every", 0, 1L << 40, [&](long v) { o.evalEvery = static_cast<int>(v); }},
        {"--checkpoint-every", 1, 1L << 40,
         [&](long v) { o.checkpointEvery = static_cast<int>(v); }},
    };
    for (const auto &io : ints) {
        if (!args->has(io.name))
            continue;
        auto v = parseLong(io.name, args->get(io.name), io.lo, io.hi);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        io.set(*v);
    }
    if (!args->has("--kv-heads"))
        o.kvHeads = o.heads;
    if (!args->has("--max-positions") && o.maxPositions < o.seqLen)
        o.maxPositions = o.seqLen;
    if (o.maxPositions < o.seqLen)
        return reportError("--max-positions " + std::to_string(o.maxPositions) +
                               " is below --seq-len " + std::to_string(o.seqLen),
                           kExitUsage);
    if (args->has("--max-seconds")) {
        auto v = parseDouble("--max-seconds", args->get("--max-seconds"), 1, 1e8, true);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.maxSeconds = *v;
    }
    if (args->has("--lr")) {
        auto v = parseDouble("--lr", args->get("--lr"), 0, 1, true);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.lr = *v;
    }
    if (args->has("--eval-mb")) {
        auto v = parseDouble("--eval-mb", args->get("--eval-mb"), 0, 1e5, true);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.evalBytes = static_cast<std::uint64_t>(*v * (1 << 20));
    }
    o.bf16 = !args->has("--fp32");
    o.device = args->get("--device", "cpu");
    const auto threadsArg = parseThreads(*args);
    if (!threadsArg)
        return reportError(threadsArg.error().detail, kExitUsage);
    const int threads = *threadsArg;
    initRuntime(threads);
    const Tokenizer &t = *tok;
    const EncodeFn encode = encoderFor(t);
    JobContext job = progressJob();
    g_trainJob = &job;
    std::signal(SIGINT, onTrainSignal);
    std::signal(SIGTERM, onTrainSignal);
    auto r = trainLanguageModel(o, encode, job);
    g_trainJob = nullptr;
    std::fprintf(stderr, "\n");
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    // The tokenizer travels with the model so the folder loads on its own.
    {
        namespace fs = std::filesystem;
        const fs::path tp(args->get("--tokenizer"));
        const fs::path dir = fs::is_directory(tp) ? tp : tp.parent_path();
        for (const char *f :
             {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
            std::error_code ec;
            if (fs::exists(dir / f))
                fs::copy_file(dir / f, fs::path(o.outputDir) / f,
                              fs::copy_options::overwrite_existing, ec);
        }
    }
    std::printf("trained %lld parameters for %lld steps (%lld tokens) in %.0f s, %.0f tokens/s\n"
                "final training loss %.4f nats/token",
                r->parameters, r->steps, r->tokens, r->seconds, r->tokensPerSecond, r->finalLoss);
    if (r->heldoutBitsPerByte > 0)
        std::printf(", held-out %.4f bits/byte", r->heldoutBitsPerByte);
    std::printf("\nwrote %s\n", o.outputDir.c_str());
    return kExitOk;
}

int trainPisAgentVerb(int argc, char **argv)
{
    auto args = parseArgs(argc, argv, 3,
                          {"--model", "--data", "--out", "--episodes", "--max-docs",
                           "--heldout-every", "--seed", "--threads"},
                          {"--help"});
    if (!args)
        return reportError(args.error().detail + " (see terse train pis-agent --help)", kExitUsage);
    if (args->has("--help") || !args->has("--model") || !args->has("--data")) {
        std::printf(
            "usage: terse train pis-agent --model PATH --data FILE[,FILE...] [--out "
            "FILE.safetensors]\n"
            "                             [--episodes 40] [--max-docs 150] [--heldout-every 5] "
            "[--seed 7]\n"
            "Trains PIS's Double-DQN ratio agent on documents of .jsonl or text files (document i "
            "is held\n"
            "out when i %% N == N-1) and writes it as safetensors (default: beside the model).\n");
        return args->has("--help") ? kExitOk : kExitUsage;
    }
    PisAgentTrainOptions o;
    o.model = args->get("--model");
    o.outputPath = args->get("--out");
    const std::string data = args->get("--data");
    for (std::size_t b = 0; b <= data.size();) {
        const std::size_t e = std::min(data.find(',', b), data.size());
        if (e > b)
            o.data.push_back(data.substr(b, e - b));
        b = e + 1;
    }
    const std::vector<std::pair<const char *, int *>> ints = {{"--episodes", &o.episodes},
                                                              {"--max-docs", &o.maxDocuments},
                                                              {"--heldout-every", &o.heldoutEvery}};
    for (const auto &[name, target] : ints) {
        if (!args->has(name))
            continue;
        auto v = parseLong(name, args->get(name), 1, 1000000);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        *target = static_cast<int>(*v);
    }
    if (args->has("--seed")) {
        auto v = parseLong("--seed", args->get("--seed"), 0, 1L << 62);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.seed = static_cast<std::uint64_t>(*v);
    }
    const auto threadsArg = parseThreads(*args);
    if (!threadsArg)
        return reportError(threadsArg.error().detail, kExitUsage);
    const int threads = *threadsArg;
    initRuntime(threads);
    JobContext job = progressJob();
    g_trainJob = &job;
    std::signal(SIGINT, onTrainSignal);
    std::signal(SIGTERM, onTrainSignal);
    auto r = trainPisAgent(o, job);
    g_trainJob = nullptr;
    std::fprintf(stderr, "\n");
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    std::printf(
        "trained on %d documents (%d held out), %lld steps in %.1f s\n"
        "mean sentence reward: training %.4f; held-out agent %.4f vs uniform %.4f\nwrote %s\n",
        r->trainDocuments, r->heldoutDocuments, r->steps, r->seconds, r->trainAgentReward,
        r->heldoutAgentReward, r->heldoutUniformReward, r->outputPath.c_str());
    return kExitOk;
}

int trainTaggerVerb(int argc, char **argv)
{
    auto args = parseArgs(argc, argv, 3,
                          {"--data", "--tokenizer", "--out", "--init-from", "--hidden", "--layers",
                           "--heads", "--intermediate", "--max-len", "--epochs", "--batch", "--lr",
                           "--warmup", "--dropout", "--heldout-every", "--seed", "--threads"},
                          {"--help"});
    if (!args)
        return reportError(args.error().detail + " (see terse train tagger --help)", kExitUsage);
    if (args->has("--help") || !args->has("--data") || !args->has("--tokenizer") ||
        !args->has("--out")) {
        std::printf("usage: terse train tagger --data DIR|FILE[,FILE...] --tokenizer DIR_OR_FILE "
                    "--out DIR\n"
                    "                          [--init-from LM_DIR] [--hidden 192] [--layers 3] "
                    "[--heads 4]\n"
                    "                          [--intermediate 512] [--max-len 512] [--epochs 12] "
                    "[--batch 32]\n"
                    "                          [--lr 1e-3] [--warmup 50] [--dropout 0.1] "
                    "[--heldout-every 5]\n"
                    "                          [--seed 1234] [--threads N]\n"
                    "Trains an LLMLingua-2 style keep/drop tagger (BertForTokenClassification) on "
                    "word labels from\n"
                    "human deletion-based compressions ({\"text\", \"summaries\"} JSONL; every 5th "
                    "pair held out) and\n"
                    "writes DIR/config.json, DIR/model.safetensors and the tokenizer. --init-from "
                    "copies a causal\n"
                    "LM's token embeddings (same tokenizer, hidden size) as a warm start.\n");
        return args->has("--help") ? kExitOk : kExitUsage;
    }
    TaggerTrainOptions o;
    o.data = dataFiles(args->get("--data"));
    if (o.data.empty())
        return reportError("no .jsonl files in '" + args->get("--data") + "'", kExitUsage);
    o.tokenizer = args->get("--tokenizer");
    o.outputDir = args->get("--out");
    o.initFrom = args->get("--init-from");
    const std::vector<std::pair<const char *, int *>> ints = {{"--hidden", &o.hidden},
                                                              {"--layers", &o.layers},
                                                              {"--heads", &o.heads},
                                                              {"--intermediate", &o.intermediate},
                                                              {"--max-len", &o.maxPositions},
                                                              {"--epochs", &o.epochs},
                                                              {"--batch", &o.batchSize},
                                                              {"--warmup", &o.warmupSteps},
                                                              {"--heldout-every", &o.heldoutEvery}};
    for (const auto &[name, target] : ints) {
        if (!args->has(name))
            continue;
        auto v = parseLong(name, args->get(name), name == std::string("--warmup") ? 0 : 1, 1000000);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        *target = static_cast<int>(*v);
    }
    for (const auto &[name, target, hi] : std::vector<std::tuple<const char *, double *, double>>{
             {"--lr", &o.lr, 1.0}, {"--dropout", &o.dropout, 0.9}}) {
        if (!args->has(name))
            continue;
        auto v = parseDouble(name, args->get(name), 0, hi, name == std::string("--lr"));
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        *target = *v;
    }
    if (args->has("--seed")) {
        auto v = parseLong("--seed", args->get("--seed"), 0, 1L << 62);
        if (!v)
            return reportError(v.error().detail, kExitUsage);
        o.seed = static_cast<std::uint64_t>(*v);
    }
    const auto threadsArg = parseThreads(*args);
    if (!threadsArg)
        return reportError(threadsArg.error().detail, kExitUsage);
    const int threads = *threadsArg;
    initRuntime(threads);
    JobContext job = progressJob();
    g_trainJob = &job;
    std::signal(SIGINT, onTrainSignal);
    std::signal(SIGTERM, onTrainSignal);
    auto r = trainTagger(o, job);
    g_trainJob = nullptr;
    std::fprintf(stderr, "\n");
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    std::printf(
        "trained %lld parameters on %d sentences (%d held out), %lld steps in %.0f s\n"
        "final training loss %.4f; held-out words (p >= 0.5): precision %.4f recall %.4f F1 %.4f "
        "rate %.3f\nwrote %s\n",
        r->parameters, r->trainSentences, r->heldoutSentences, r->steps, r->seconds, r->finalLoss,
        r->heldout.precision, r->heldout.recall, r->heldout.f1, r->heldout.rate,
        o.outputDir.c_str());
    return kExitOk;
}

} // namespace

int runTrain(int argc, char **argv)
{
    const std::string what = argc > 2 ? argv[2] : "";
    if (what == "tokenizer")
        return trainTokenizerVerb(argc, argv);
    if (what == "lm")
        return trainLmVerb(argc, argv);
    if (what == "encode")
        return trainEncodeVerb(argc, argv);
    if (what == "pis-agent")
        return trainPisAgentVerb(argc, argv);
    if (what == "tagger")
        return trainTaggerVerb(argc, argv);
    if (what == "--help" || what.empty()) {
        std::printf("usage: terse train tokenizer|encode|lm|tagger|pis-agent ...   (see terse "
                    "train WHAT --help)\n");
        return what.empty() ? kExitUsage : kExitOk;
    }
    return reportError("unknown training target '" + what +
                           "' (known: tokenizer, encode, lm, tagger, pis-agent)",
                       kExitUsage);
}

} // namespace terse::cli
