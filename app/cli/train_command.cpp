// `terse train ...`: trains Terse's default models. `terse train tokenizer` trains the byte-level
// BPE.
#include "cli.h"
#include "command_line.h"
#include "progress_line.h"

#include "terse/model.h"
#include "terse/tokenizer.h"
#include "terse/train.h"
#include "terse/word_vectors.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <limits>

#include "terse/runtime.h"

namespace terse::cli {

namespace {

// The command line of `terse train ...` (runTrain declares it): the engine's option structs,
// filled by CLI11, plus the values the CLI converts (MB, flags).
struct TrainArgs {
    TokenizerTrainOptions tokenizer;
    TokenFileOptions encode;
    LmTrainOptions lm;
    TaggerTrainOptions tagger;
    PisAgentTrainOptions pis;
    WordVectorTrainOptions vectors;
    std::string probe;       // vectors --probe
    double vectorsMaxMb = 0; // vectors --max-mb (absent: all)
    CLI::Option *vectorsMaxMbOpt = nullptr;
    std::string tokenizerPath; // --tokenizer of encode and lm
    std::string data;          // --data of tagger and pis-agent
    double maxMb =
        static_cast<double>(TokenizerTrainOptions{}.maxBytes >> 20); // tokenizer --max-mb
    double encodeMaxMb = 0; // encode --max-mb (absent: no limit)
    double evalMb = static_cast<double>(LmTrainOptions{}.evalBytes >> 20); // lm --eval-mb
    bool fp32 = false;                                                     // lm --fp32
    bool bf16 = false;                                                     // lm --bf16
    int threads = 0;
    bool quiet = false; // --quiet: no progress line
    CLI::Option *kvHeads = nullptr, *maxPositions = nullptr, *encodeMaxMbOpt = nullptr;
};

constexpr long long kIntMax = std::numeric_limits<int>::max();

int trainTokenizerVerb(TrainArgs &a)
{
    TokenizerTrainOptions &o = a.tokenizer;
    o.maxBytes = static_cast<std::uint64_t>(a.maxMb * (1 << 20));
    auto r = runCancellable([&](const JobContext &job) { return trainTokenizer(o, job); }, a.quiet);
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
int trainEncodeVerb(TrainArgs &a)
{
    TokenFileOptions &o = a.encode;
    if (a.encodeMaxMbOpt->count() > 0)
        o.maxBytes = static_cast<std::uint64_t>(a.encodeMaxMb * (1 << 20));
    if (o.keepOffset >= o.keepEvery)
        return reportError("--keep-offset must be below --keep-every", kExitUsage);
    auto tok = Tokenizer::load(a.tokenizerPath);
    if (!tok)
        return reportError(tok.error().detail, exitCodeFor(tok.error()));
    const Tokenizer &t = *tok;
    const EncodeFn encode = encoderFor(t);
    const auto sp = t.specialIds();
    const int sep = sp.eos >= 0 ? sp.eos : (sp.bos >= 0 ? sp.bos : 0);
    auto r = runCancellable(
        [&](const JobContext &job) {
            return encodeCorpusToTokenFile(o, encode, static_cast<int>(t.vocabSize()), sep, job);
        },
        a.quiet);
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

int trainLmVerb(TrainArgs &a)
{
    LmTrainOptions &o = a.lm;
    if (a.kvHeads->count() == 0)
        o.kvHeads = o.heads;
    if (a.maxPositions->count() == 0 && o.maxPositions < o.seqLen)
        o.maxPositions = o.seqLen;
    if (a.tokenizerPath.empty()) { // --init-from's own tokenizer
        namespace fs = std::filesystem;
        std::error_code ec;
        if (!o.initFrom.empty() && !fs::exists(o.initFrom, ec))
            return reportError("--init-from model '" + o.initFrom + "' not found", kExitNotFound);
        if (o.initFrom.empty() || !fs::is_directory(o.initFrom, ec))
            return reportError(
                "--tokenizer is required (or --init-from a model folder that holds its "
                "tokenizer)",
                kExitUsage);
        a.tokenizerPath = o.initFrom;
    }
    if (o.initFrom.empty() && o.maxPositions < o.seqLen)
        return reportError("--max-positions " + std::to_string(o.maxPositions) +
                               " is below --seq-len " + std::to_string(o.seqLen),
                           kExitUsage);
    o.evalBytes = static_cast<std::uint64_t>(a.evalMb * (1 << 20));
    // bf16 matmuls where they are native (a GPU, a CPU with AVX512-BF16 or AMX); elsewhere libtorch
    // emulates bf16, many times slower than fp32.
    const bool gpu = o.device.rfind("cuda", 0) == 0;
    o.bf16 = a.fp32 ? false : a.bf16 || gpu || cpuHasNativeBf16();
    if (!a.fp32 && !a.bf16 && !o.bf16)
        std::fprintf(stderr, "terse: note: training in fp32: this CPU has no native bf16 (--bf16 "
                             "forces it, emulated and many times slower)\n");
    auto tok = Tokenizer::load(a.tokenizerPath);
    if (!tok)
        return reportError(tok.error().detail, exitCodeFor(tok.error()));
    o.vocabSize = static_cast<int>(tok->vocabSize());
    const auto ids = tok->specialIds();
    o.eosId = ids.eos >= 0 ? ids.eos : (ids.bos >= 0 ? ids.bos : 0);
    o.bosId = ids.bos >= 0 ? ids.bos : o.eosId;
    initRuntime(a.threads);
    const Tokenizer &t = *tok;
    const EncodeFn encode = encoderFor(t);
    auto r = runCancellable(
        [&](const JobContext &job) { return trainLanguageModel(o, encode, job); }, a.quiet);
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    // The tokenizer travels with the model so the folder loads on its own.
    {
        namespace fs = std::filesystem;
        const fs::path tp(a.tokenizerPath);
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

int trainPisAgentVerb(TrainArgs &a)
{
    PisAgentTrainOptions &o = a.pis;
    const std::string &data = a.data;
    for (std::size_t b = 0; b <= data.size();) {
        const std::size_t e = std::min(data.find(',', b), data.size());
        if (e > b)
            o.data.push_back(data.substr(b, e - b));
        b = e + 1;
    }
    initRuntime(a.threads);
    auto r = runCancellable([&](const JobContext &job) { return trainPisAgent(o, job); }, a.quiet);
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    std::printf(
        "trained on %d documents (%d held out), %lld steps in %.1f s\n"
        "mean sentence reward: training %.4f; held-out agent %.4f vs uniform %.4f\nwrote %s\n",
        r->trainDocuments, r->heldoutDocuments, r->steps, r->seconds, r->trainAgentReward,
        r->heldoutAgentReward, r->heldoutUniformReward, r->outputPath.c_str());
    return kExitOk;
}

int trainVectorsVerb(TrainArgs &a)
{
    WordVectorTrainOptions &o = a.vectors;
    if (a.vectorsMaxMbOpt->count() > 0)
        o.maxBytes = static_cast<std::uint64_t>(a.vectorsMaxMb * (1 << 20));
    o.threads = a.threads;
    auto r =
        runCancellable([&](const JobContext &job) { return trainWordVectors(o, job); }, a.quiet);
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    std::printf("wrote %s: %d words x %d from %.1f MB (%lld documents, %lld words, %lld distinct) "
                "in %.1f s (%.0f words/s)\n",
                r->outputPath.c_str(), r->vocabSize, o.dim,
                static_cast<double>(r->bytesRead) / (1 << 20), r->documents, r->corpusWords,
                r->uniqueWords, r->seconds, r->wordsPerSecond);
    if (a.probe.empty())
        return kExitOk;
    auto vectors = WordVectors::load(r->outputPath);
    if (!vectors)
        return reportError(vectors.error().detail, exitCodeFor(vectors.error()));
    for (std::size_t b = 0; b <= a.probe.size();) {
        const std::size_t e = std::min(a.probe.find(',', b), a.probe.size());
        const std::string w = a.probe.substr(b, e - b);
        b = e + 1;
        if (w.empty())
            continue;
        std::printf("%s:", w.c_str());
        const auto near = (*vectors)->nearest(w, 8);
        if (near.empty())
            std::printf(" (not in the vocabulary)");
        for (const auto &[n, s] : near)
            std::printf(" %s %.2f", n.c_str(), s);
        std::printf("\n");
    }
    return kExitOk;
}

int trainTaggerVerb(TrainArgs &a)
{
    TaggerTrainOptions &o = a.tagger;
    o.data = dataFiles(a.data);
    if (o.data.empty())
        return reportError("no .jsonl files in '" + a.data + "'", kExitUsage);
    initRuntime(a.threads);
    auto r = runCancellable([&](const JobContext &job) { return trainTagger(o, job); }, a.quiet);
    if (!r)
        return reportError(r.error().detail, exitCodeFor(r.error()));
    std::printf(
        "trained %lld parameters on %d sentences (%d held out) and %d passages, %lld steps in "
        "%.0f s\nfinal training loss %.4f; held-out words (p >= 0.5): precision %.4f recall %.4f "
        "F1 %.4f rate %.3f\nwrote %s\n",
        r->parameters, r->trainSentences, r->heldoutSentences, r->trainPassages, r->steps,
        r->seconds, r->finalLoss, r->heldout.precision, r->heldout.recall, r->heldout.f1,
        r->heldout.rate, o.outputDir.c_str());
    return kExitOk;
}

} // namespace

int runTrain(int argc, char **argv)
{
    CLI::App app("Trains Terse's default models.", "terse train");
    configureApp(app);
    app.require_subcommand(1);
    TrainArgs a;
    // Integer options: bound to the engine's option fields, whose defaults --help shows.
    auto integer = [](CLI::App *sub, const std::string &name, auto &field, long long lo,
                      long long hi, const std::string &what) {
        return sub->add_option(name, field, what)
            ->type_name("N")
            ->transform(integerIn(lo, hi))
            ->capture_default_str();
    };

    auto required = [](CLI::App *sub, const std::string &name, std::string &field,
                       const std::string &type, const std::string &what) {
        return sub->add_option(name, field, what)->type_name(type)->required();
    };

    CLI::App *tok = app.add_subcommand(
        "tokenizer", "Trains a byte-level BPE tokenizer and writes DIR/tokenizer.json "
                     "(HuggingFace format).");
    required(tok, "--corpus", a.tokenizer.corpus, "FILE", "the training text, plain or .zst");
    required(tok, "--out", a.tokenizer.outputDir, "DIR", "the output folder");
    integer(tok, "--vocab", a.tokenizer.vocabSize, 259, 1 << 20,
            "vocabulary size incl. bytes and special tokens");
    tok->add_option("--max-mb", a.maxMb, "read at most M MB of the corpus")
        ->type_name("M")
        ->check(numberIn(0, 1e6, true))
        ->capture_default_str();
    integer(tok, "--min-frequency", a.tokenizer.minFrequency, 1, kIntMax,
            "minimum pair count to merge");

    CLI::App *enc = app.add_subcommand(
        "encode", "Encodes the corpus once into a gzip token file that `terse train lm --tokens "
                  "FILE` trains on\n(no tokenising during training; a slice small enough to carry "
                  "to a GPU machine).");
    required(enc, "--corpus", a.encode.corpus, "FILE", "the text, plain or .zst");
    required(enc, "--tokenizer", a.tokenizerPath, "DIR_OR_FILE", "the tokenizer (folder or file)");
    required(enc, "--out", a.encode.outputPath, "FILE", "the token file to write");
    a.encodeMaxMbOpt =
        enc->add_option("--max-mb", a.encodeMaxMb, "stop after M MB of kept text (default: all)")
            ->type_name("M")
            ->check(numberIn(0, 1e7, true));
    integer(enc, "--keep-every", a.encode.keepEvery, 1, 1 << 20,
            "keep one document in N (index % N == R), a slice spread over all sources");
    integer(enc, "--keep-offset", a.encode.keepOffset, 0, 1 << 20, "R, below --keep-every");
    integer(enc, "--threads", a.encode.threads, 0, 1 << 20, "encoding threads (0: all cores)");

    CLI::App *lm = app.add_subcommand(
        "lm",
        "Trains a Llama-architecture causal LM from scratch, or on from --init-from MODEL, and "
        "writes\nDIR/config.json and DIR/model.safetensors. Re-running the same command "
        "resumes from the\nlast checkpoint.");
    CLI::Option_group *input = lm->add_option_group("input", "the training text: one of");
    input->add_option("--corpus", a.lm.corpus, "stream documents from text, tokenising on the fly")
        ->type_name("FILE[.zst]");
    input
        ->add_option("--tokens", a.lm.tokens,
                     "train on a token file (terse train encode) in seeded random windows")
        ->type_name("FILE");
    input->require_option(1);
    lm->add_option("--tokenizer", a.tokenizerPath,
                   "the tokenizer (folder or file; default: the --init-from model's folder)")
        ->type_name("DIR_OR_FILE");
    required(lm, "--out", a.lm.outputDir, "DIR", "the output folder");
    auto *init = lm->add_option("--init-from", a.lm.initFrom,
                                "start from this Llama model's weights (folder, .safetensors, "
                                ".gguf or llama2.c .bin; e.g. resources/models/terse-lm) instead "
                                "of random ones: continued pre-training or adaptation to your "
                                "domain's text; the architecture is the model's, the optimizer "
                                "starts fresh")
                     ->type_name("MODEL");
    lm->add_option("--heldout", a.lm.heldout, "held-out text for bits per byte (default: none)")
        ->type_name("FILE");
    lm->add_option("--checkpoint", a.lm.checkpointDir,
                   "checkpoints for resuming (default: DIR/checkpoint)")
        ->type_name("DIR");
    for (CLI::Option *arch :
         {integer(lm, "--hidden", a.lm.hidden, 8, 8192, "hidden size"),
          integer(lm, "--layers", a.lm.layers, 1, 256, "layers"),
          integer(lm, "--heads", a.lm.heads, 1, 256, "attention heads"),
          a.kvHeads =
              integer(lm, "--kv-heads", a.lm.kvHeads, 1, 256, "key/value heads (default: --heads)")
                  ->default_str(""),
          integer(lm, "--intermediate", a.lm.intermediate, 8, 65536, "intermediate size (SwiGLU)")})
        arch->excludes(init); // the --init-from model fixes them
    integer(lm, "--seq-len", a.lm.seqLen, 2, 65536, "tokens per training sequence");
    a.maxPositions = integer(lm, "--max-positions", a.lm.maxPositions, 2, 1 << 20,
                             "max_position_embeddings written to config.json (default: "
                             "max(1024, seq-len))")
                         ->default_str("")
                         ->excludes(init);
    integer(lm, "--batch", a.lm.batchSize, 1, 65536, "sequences per step");
    integer(lm, "--steps", a.lm.steps, 1, 1LL << 40, "optimizer steps");
    integer(lm, "--warmup", a.lm.warmupSteps, 0, kIntMax, "warm-up steps");
    lm->add_option("--lr", a.lm.lr, "peak learning rate")
        ->check(numberIn(0, 1, true))
        ->capture_default_str();
    addSeedOption(*lm, a.lm.seed, "random seed");
    integer(lm, "--eval-every", a.lm.evalEvery, 0, kIntMax,
            "steps between held-out evaluations (0: none)");
    lm->add_option("--eval-mb", a.evalMb, "held-out MB per evaluation")
        ->type_name("M")
        ->check(numberIn(0, 1e5, true))
        ->capture_default_str();
    integer(lm, "--checkpoint-every", a.lm.checkpointEvery, 1, kIntMax,
            "steps between checkpoints");
    lm->add_option("--device", a.lm.device, "cpu, cuda or cuda:N (CUDA builds)")
        ->type_name("DEVICE")
        ->capture_default_str();
    addThreadsOption(*lm, a.threads);
    lm->add_option("--max-seconds", a.lm.maxSeconds,
                   "fit the number of steps (at most --steps) to S seconds of training, measured "
                   "on this run's first steps and shortened when later steps slow down (for a "
                   "machine lent for a fixed time)")
        ->type_name("S")
        ->check(numberIn(1, 1e8, true));
    auto *fp32 = lm->add_flag("--fp32", a.fp32,
                              "fp32 matmuls (default: bf16 with fp32 master weights on a GPU or a "
                              "CPU with native bf16, fp32 elsewhere)");
    lm->add_flag("--bf16", a.bf16,
                 "bf16 matmuls even on a CPU without native bf16 (libtorch emulates them there, "
                 "many times slower)")
        ->excludes(fp32);

    CLI::App *tagger = app.add_subcommand(
        "tagger",
        "Trains an LLMLingua-2 style keep/drop tagger (BertForTokenClassification from scratch, "
        "or\nLlamaForTokenClassification from a Llama LM with --arch llama) on word labels from "
        "human\ndeletion-based compressions ({\"text\", \"summaries\"} JSONL) and writes "
        "DIR/config.json,\nDIR/model.safetensors and the tokenizer.");
    required(tagger, "--data", a.data, "DIR|FILE[,FILE...]",
             "a folder of .jsonl files or comma-separated .jsonl files");
    required(tagger, "--tokenizer", a.tagger.tokenizer, "DIR_OR_FILE",
             "the tokenizer (folder or file)");
    required(tagger, "--out", a.tagger.outputDir, "DIR", "the output folder");
    tagger
        ->add_option("--init-from", a.tagger.initFrom,
                     "a causal LM (same tokenizer): --arch bert copies its token embeddings (a "
                     "wider LM's projected on their first --hidden principal components) as a "
                     "warm start; --arch llama fine-tunes the LM itself")
        ->type_name("LM_DIR");
    tagger
        ->add_option(
            "--arch", a.tagger.arch,
            "bert: an encoder trained from scratch; llama: the --init-from LM's first "
            "--layers layers fine-tuned as a LlamaForTokenClassification (its hidden size, "
            "heads and intermediate size are the LM's)")
        ->check(CLI::IsMember({"bert", "llama"}))
        ->capture_default_str();
    tagger->add_flag("--causal", a.tagger.causal,
                     "--arch llama: keep the LM's causal attention (default: every token sees the "
                     "whole sentence, saved as \"is_causal\": false)");
    tagger->add_flag("--bf16", a.tagger.bf16, "bf16 matmuls over fp32 master weights");
    tagger->add_flag("--passages", a.tagger.passages,
                     "also train on running text: the sentences, shuffled, joined into passages of "
                     "up to --max-len tokens (the chunks LLMLingua-2 classifies)");
    integer(tagger, "--hidden", a.tagger.hidden, 1, 1000000, "hidden size");
    integer(tagger, "--layers", a.tagger.layers, 1, 1000000, "layers");
    integer(tagger, "--heads", a.tagger.heads, 1, 1000000, "attention heads");
    integer(tagger, "--intermediate", a.tagger.intermediate, 1, 1000000, "intermediate size");
    integer(tagger, "--max-len", a.tagger.maxPositions, 1, 1000000,
            "max_position_embeddings; longer sentences are cut for training");
    integer(tagger, "--epochs", a.tagger.epochs, 1, 1000000, "passes over the training pairs");
    integer(tagger, "--batch", a.tagger.batchSize, 1, 1000000, "sentences per step");
    tagger->add_option("--lr", a.tagger.lr, "peak learning rate")
        ->check(numberIn(0, 1, true))
        ->capture_default_str();
    integer(tagger, "--warmup", a.tagger.warmupSteps, 0, 1000000, "warm-up steps");
    tagger->add_option("--dropout", a.tagger.dropout, "hidden and attention dropout")
        ->check(numberIn(0, 0.9))
        ->capture_default_str();
    integer(tagger, "--heldout-every", a.tagger.heldoutEvery, 1, 1000000,
            "every Nth pair is held out");
    addSeedOption(*tagger, a.tagger.seed, "random seed");
    addThreadsOption(*tagger, a.threads);

    CLI::App *pis = app.add_subcommand(
        "pis-agent", "Trains PIS's Double-DQN ratio agent on documents of .jsonl or text files "
                     "and writes it\nas safetensors.");
    required(pis, "--model", a.pis.model, "PATH", "the causal LM the agent works with");
    required(pis, "--data", a.data, "FILE[,FILE...]", "comma-separated .jsonl or text files");
    pis->add_option("--out", a.pis.outputPath, "the agent file (default: beside the model)")
        ->type_name("FILE.safetensors");
    integer(pis, "--episodes", a.pis.episodes, 1, 1000000, "passes over the training documents");
    integer(pis, "--max-docs", a.pis.maxDocuments, 1, 1000000, "documents read in all");
    integer(pis, "--heldout-every", a.pis.heldoutEvery, 1, 1000000,
            "document i is held out when i % N == N-1");
    addSeedOption(*pis, a.pis.seed, "random seed");
    addThreadsOption(*pis, a.threads);

    CLI::App *vec = app.add_subcommand(
        "vectors", "Trains word vectors (skip-gram with negative sampling, as word2vec) on the "
                   "corpus's lower-cased words\nand writes them as one .safetensors file; "
                   "corrected-mode BM25 ranking uses them to match a\nquestion's words to their "
                   "near-synonyms (compress and bench --word-vectors).");
    required(vec, "--corpus", a.vectors.corpus, "FILE", "the training text, plain or .zst");
    required(vec, "--out", a.vectors.outputPath, "FILE.safetensors", "the file to write");
    a.vectorsMaxMbOpt = vec->add_option("--max-mb", a.vectorsMaxMb,
                                        "read at most M MB of the corpus (default: all)")
                            ->type_name("M")
                            ->check(numberIn(0, 1e7, true));
    integer(vec, "--dim", a.vectors.dim, 4, 1024, "vector size");
    integer(vec, "--window", a.vectors.window, 1, 50, "largest context distance");
    integer(vec, "--negative", a.vectors.negative, 1, 100, "negative samples per context word");
    integer(vec, "--min-count", a.vectors.minCount, 1, kIntMax, "drop rarer words");
    integer(vec, "--max-vocab", a.vectors.maxVocab, 2, kIntMax, "keep the N most frequent words");
    integer(vec, "--epochs", a.vectors.epochs, 1, 1000, "passes over the corpus");
    vec->add_option("--sample", a.vectors.sample, "subsampling threshold of frequent words")
        ->check(numberIn(0, 1))
        ->capture_default_str();
    vec->add_option("--lr", a.vectors.lr, "starting learning rate (decays linearly)")
        ->check(numberIn(0, 1, true))
        ->capture_default_str();
    vec->add_option("--probe", a.probe,
                    "comma-separated words whose nearest neighbours are printed after training")
        ->type_name("WORD[,WORD...]");
    addSeedOption(*vec, a.vectors.seed, "random seed");
    addThreadsOption(*vec, a.threads);
    for (CLI::App *sub : {tok, enc, lm, tagger, pis, vec})
        sub->add_flag("--quiet", a.quiet, "no progress line on standard error");

    if (auto rc = parseCommandLine(app, argc, argv, 2))
        return *rc;
    if (tok->parsed())
        return trainTokenizerVerb(a);
    if (enc->parsed())
        return trainEncodeVerb(a);
    if (lm->parsed())
        return trainLmVerb(a);
    if (tagger->parsed())
        return trainTaggerVerb(a);
    if (vec->parsed())
        return trainVectorsVerb(a);
    return trainPisAgentVerb(a);
}

} // namespace terse::cli
