#pragma once
// Training of Terse's default models: the subword tokenizer (and, in later files, the LM, the
// tagger and the PIS agent). Long calls are synchronous, report progress and honour cancellation.

#include "terse/job.h"
#include "terse/result.h"
#include "terse/text_units.h"

#include <cstdint>
#include <functional>
#include <string_view>
#include <string>
#include <vector>

namespace terse {

struct TokenizerTrainOptions {
    std::string corpus;    // text file, optionally .zst; documents separated by "<|doc|>" lines
    std::string outputDir; // written: tokenizer.json, tokenizer_config.json
    int vocabSize = 8192;  // final vocabulary including bytes and special tokens
    std::uint64_t maxBytes = 64ull
                             << 20; // read at most this much text (the first bytes of the corpus)
    int minFrequency = 2;           // a pair must occur this often to be merged
    std::vector<std::string> specialTokens = {"<|endoftext|>",
                                              "<|pad|>"}; // ids 0.., before the bytes
};

struct TokenizerTrainReport {
    std::uint64_t bytesRead = 0;
    std::uint64_t words = 0; // pre-tokenised words counted
    std::uint64_t uniqueWords = 0;
    int merges = 0;
    int vocabSize = 0;
    double seconds = 0;
    std::string tokenizerPath; // the tokenizer.json written
};

// Trains a byte-level BPE tokenizer (GPT-2 pre-tokenisation regex, byte alphabet, greedy
// most-frequent pair merges as in HF tokenizers' BpeTrainer) and writes it as a HuggingFace
// tokenizer.json.
Result<TokenizerTrainReport> trainTokenizer(const TokenizerTrainOptions &options,
                                            const JobContext &job);

// Reads documents from a corpus file (.zst or plain) split at "<|doc|>" separator lines, calling
// `onDocument` for each until it returns false or `maxBytes` were read. Errors name the file.
Result<std::uint64_t> readCorpus(const std::string &path, std::uint64_t maxBytes,
                                 const std::function<bool(std::string_view document)> &onDocument);
// The corpus's text size in bytes where the file tells it (a plain file's size, a .zst frame's
// content size), else 0: the total of the trainers' progress when no byte limit is given.
std::uint64_t corpusTextBytes(const std::string &path);
// What a trainer reading at most `maxBytes` of `path` reports as its total (0: unknown); one that
// keeps every keepEvery-th document expects about that share of the text.
std::uint64_t corpusProgressTotal(const std::string &path, std::uint64_t maxBytes,
                                  int keepEvery = 1);

// A corpus encoded once into token ids (`terse train encode`): a gzip file the LM trainer reads
// with
// --tokens instead of tokenising on the fly. Documents are separated by `separatorId`.
struct TokenFileOptions {
    std::string corpus;             // text (.zst or plain), "<|doc|>"-separated documents
    std::string outputPath;         // the token file (gzip)
    std::uint64_t maxBytes = ~0ull; // stop after this much kept text
    int keepEvery = 1; // keep documents whose index % keepEvery == keepOffset (a spread slice)
    int keepOffset = 0;
    int threads = 0; // encoding threads (0 = all cores)
};

struct TokenFileReport {
    long long documents = 0;
    long long tokens = 0; // ids written, separators included
    std::uint64_t textBytes = 0;
    double seconds = 0;
};

struct TokenFile {
    int vocabSize = 0;
    int separatorId = 0;
    std::uint64_t textBytes = 0;
    long long documents = 0;
    std::vector<std::int32_t> ids;
};

// Architecture and schedule of a Llama-style causal LM trained from scratch (written as a HF Llama
// folder: config.json + model.safetensors, loaded back by terse::Model like any user model).
struct LmTrainOptions {
    std::string corpus;        // training text (.zst or plain), "<|doc|>"-separated documents
    std::string tokens;        // or a token file (`terse train encode`), sampled in random windows
    std::string heldout;       // held-out text for bits-per-byte evaluation ("" = none)
    std::string outputDir;     // final model folder (config.json, model.safetensors)
    std::string checkpointDir; // checkpoints for resume ("" = outputDir/checkpoint)
    // Start from this model's weights instead of random ones (continued pre-training or domain
    // adaptation): a Llama-architecture causal LM that terse::Model loads (HF folder or
    // .safetensors, GGUF, llama2.c). Its config sets the architecture fields below (vocab_size
    // must equal vocabSize, the tokenizer's); the optimizer starts fresh. A checkpoint in
    // checkpointDir still wins (resume).
    std::string initFrom;
    // Architecture (HF LlamaConfig names in comments).
    int vocabSize = 8192;       // vocab_size: must equal the tokenizer's
    int hidden = 256;           // hidden_size
    int layers = 6;             // num_hidden_layers
    int heads = 8;              // num_attention_heads (head_dim = hidden / heads)
    int kvHeads = 8;            // num_key_value_heads
    int intermediate = 768;     // intermediate_size (SwiGLU)
    int maxPositions = 1024;    // max_position_embeddings
    double ropeTheta = 10000.0; // rope_theta
    double rmsNormEps = 1e-5;   // rms_norm_eps
    bool tieEmbeddings = true;  // tie_word_embeddings
    int bosId = 0;              // bos/eos: the "<|endoftext|>" separator between documents
    int eosId = 0;
    // Optimisation.
    int seqLen = 256;       // tokens per training sequence
    int batchSize = 16;     // sequences per step
    long long steps = 4000; // optimizer steps in all
    int warmupSteps = 200;  // linear warm-up, then cosine decay to minLrRatio * lr
    double lr = 2e-3;
    double minLrRatio = 0.1;
    double weightDecay = 0.1; // AdamW, on matrices only
    double beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
    double clipNorm = 1.0; // global gradient-norm clipping
    bool bf16 = true; // bf16 matmuls, fp32 master weights (3.5x faster with native bf16; `terse
                      // train lm` picks fp32 on a CPU without it)
    std::uint64_t seed = 1234;
    int checkpointEvery = 200;          // steps between checkpoints
    int evalEvery = 500;                // steps between held-out evaluations
    std::uint64_t evalBytes = 1u << 20; // held-out bytes per periodic evaluation
    std::string device = "cpu";         // "cuda" in CUDA builds
    double maxSeconds = 0;              // > 0: fit the schedule (steps) to this much training time
};

struct LmTrainReport {
    long long steps = 0;
    long long tokens = 0;
    double finalLoss = 0;          // mean training loss (nats/token) over the last 50 steps
    double heldoutBitsPerByte = 0; // on evalBytes of the held-out text (0 if none)
    double seconds = 0;
    double tokensPerSecond = 0;
    long long parameters = 0;
    double firstLoss = 0; // training loss of the first step of this run
    // The final weights (as saved, bf16-rounded) scored by the trainer's own fp32 forward on the
    // start of the training text: lets a test check that loading the saved folder gives the same
    // numbers.
    std::vector<int> sampleIds;
    std::vector<float> sampleSurprisal; // [t] = -log p(ids[t] | ids[<t]), t >= 1 (index 0 is NaN)
};

// Encodes text into token ids (the trained tokenizer), without special tokens.
using EncodeFn = std::function<std::vector<int>(std::string_view text)>;

class Tokenizer;
// The EncodeFn of a tokenizer (plain encodeIds; text it cannot encode gives no ids). `t` must
// outlive it.
EncodeFn encoderFor(const Tokenizer &t);

// Trains (or resumes from checkpointDir) the LM; writes outputDir on completion. Reports progress
// as "step" with the loss in the stage text. Cancel keeps the last checkpoint.
Result<LmTrainReport> trainLanguageModel(const LmTrainOptions &options, const EncodeFn &encode,
                                         const JobContext &job);

// Writes the token file (documents encoded in parallel, written in corpus order); errors name the
// file.
Result<TokenFileReport> encodeCorpusToTokenFile(const TokenFileOptions &options,
                                                const EncodeFn &encode, int vocabSize,
                                                int separatorId, const JobContext &job);
// Reads a token file whole, checking its header and every id against its vocabulary.
Result<TokenFile> readTokenFile(const std::string &path);

struct LmEvalReport {
    std::uint64_t bytes = 0;  // UTF-8 bytes of text scored
    std::uint64_t tokens = 0; // tokens predicted (each document's tokens after BOS)
    std::uint64_t documents = 0;
    std::uint64_t skippedDocuments = 0; // invalid UTF-8: not scored, not counted
    double bitsPerByte = 0;             // total NLL / ln 2 / bytes
    double nllPerToken = 0;             // nats per token
    double zstdBitsPerByte = 0; // zstd -19 on the same documents (joined with "\n"), for reference
    double seconds = 0;
};

// Bits per byte of a causal LM (folder or file, with its tokenizer) on the first `maxBytes` of a
// text file (.zst or plain, "<|doc|>"-separated documents). Each document starts with BOS and is
// scored in the model's windows (long documents overlap by half a window), so every token gets
// context.
Result<LmEvalReport> evalLanguageModel(const std::string &modelPath, const std::string &textFile,
                                       std::uint64_t maxBytes, const JobContext &job);
// Training of the PIS ratio agent (algorithms.md 2.2 item 6): Double DQN over the sentences of
// documents, scored by the model the agent is for. Documents are split deterministically into
// training and held-out.
struct PisAgentTrainOptions {
    std::string model; // model folder or file the agent is trained for
    std::vector<std::string>
        data;               // .jsonl (input / context / question+answer fields) or text files
    std::string outputPath; // agent .safetensors ("" = pis_agent.safetensors beside the model)
    int maxDocuments = 150; // documents read in all (first ones, in file order)
    int heldoutEvery = 5;   // document i is held out when i % heldoutEvery == heldoutEvery - 1
    std::size_t maxDocumentBytes =
        3000;          // each document is cut to this many bytes (at a UTF-8 boundary)
    int episodes = 40; // passes over the training documents (episode = document)
    int batchSize = 64;
    int replayCapacity = 50000;           // replay buffer size
    int targetSync = 500;                 // steps between target-network syncs
    double lr = 1e-4;                     // Adam
    double discount = 0.9;                // γ_discount
    double epsStart = 1.0, epsEnd = 0.05; // ε-greedy, linear over the first 70% of the steps
    double gamma = 0.5;                   // PIS token weight γ used for the rewards
    double uniformFraction = 0.5; // the uniform allocation the held-out report compares against
    std::uint64_t seed = 7;
};

struct PisAgentTrainReport {
    int trainDocuments = 0;
    int heldoutDocuments = 0;
    long long steps = 0;
    double seconds = 0;
    double trainAgentReward = 0;     // mean per-sentence reward of the greedy agent, training split
    double heldoutAgentReward = 0;   // the same on the held-out split
    double heldoutUniformReward = 0; // every held-out sentence at uniformFraction
    std::string outputPath;          // the file written
    bool reloadedIdentical =
        false; // the file loaded back gives bit-identical Q-values on every state
};

// Trains the agent and writes it as safetensors. Reports "documents" then "steps". Errors:
// data/model loading, InvalidInput when no document has a sentence, Cancelled (nothing written).
Result<PisAgentTrainReport> trainPisAgent(const PisAgentTrainOptions &options,
                                          const JobContext &job);

// ---- LLMLingua-2 style keep/drop tagger (algorithms.md, LLMLingua-2: token classification) ----

// A sentence with word-level keep labels derived from a human deletion-based compression. Words are
// the regex \w+|[^\w\s] (bytes >= 0x80 count as \w), `words[i]` a byte span of `text`.
struct LabeledSentence {
    std::string text;
    std::vector<Span> words;
    std::vector<std::uint8_t> keep; // 1 = the human compression kept word i
    std::string source;             // file stem, e.g. "google"
};

struct CompressionPairs {
    std::vector<LabeledSentence> train, heldout;
    long long skipped = 0; // records whose summaries[0] is not a word subsequence of text
};

// Reads {"text", "summaries": [ref, ...]} JSONL files (shared/data/sentence_compression). A record
// is used when summaries[0], lowercased, is a word subsequence of text (deletion-based); labels
// come from the leftmost alignment. Within each file, extractive record i is held out when i %
// heldoutEvery == heldoutEvery - 1. Errors name the file and line.
Result<CompressionPairs> loadCompressionPairs(const std::vector<std::string> &files,
                                              int heldoutEvery = 5);

struct TaggerTrainOptions {
    std::vector<std::string> data; // sentence-compression JSONL files
    std::string tokenizer; // tokenizer folder or tokenizer.json (its bos/eos act as [CLS]/[SEP])
    std::string outputDir; // written: config.json, model.safetensors (+ the tokenizer files)
    std::string initFrom;  // optional causal LM folder: copy its token embeddings (same vocab;
                           // a wider LM's projected on their first `hidden` principal
                           // components) into the encoder's word embeddings; with arch
                           // "llama" the encoder is the LM itself (required)
    // "bert": a BertForTokenClassification trained from scratch (hidden, heads, intermediate as
    // below). "llama": the Llama LM of initFrom, its first `layers` layers, fine-tuned as a
    // LlamaForTokenClassification (hidden, heads, intermediate are the LM's).
    std::string arch = "bert";
    bool causal = false; // arch llama: keep the LM's causal attention (HF's semantics) instead of
                         // letting every token see the whole sentence ("is_causal": false)
    bool bf16 = false;   // bf16 matmuls (autocast) over fp32 master weights
    // Also train on running text: the training sentences, shuffled, joined into passages of up to
    // maxPositions tokens (each sentence then appears once alone and once in a passage per epoch),
    // so the tagger learns the long chunks LLMLingua-2 feeds it, not only single sentences.
    bool passages = false;
    int hidden = 192;       // hidden_size
    int layers = 3;         // num_hidden_layers
    int heads = 4;          // num_attention_heads
    int intermediate = 512; // intermediate_size (GELU)
    int maxPositions = 512; // max_position_embeddings; longer sentences are cut for training
    int epochs = 12;
    int batchSize = 32; // sentences per step
    double lr = 1e-3;   // AdamW peak, linear warm-up then cosine decay to 10%
    int warmupSteps = 50;
    double weightDecay = 0.01;
    double dropout = 0.1; // hidden and attention dropout while training
    int heldoutEvery = 5; // see loadCompressionPairs
    std::uint64_t seed = 1234;
};

struct TaggerMetrics {
    double precision = 0, recall = 0, f1 = 0; // of the "keep" class, micro-averaged over words
    double rate = 0;                          // kept words / words
    long long words = 0;
};

struct TaggerTrainReport {
    int trainSentences = 0, heldoutSentences = 0;
    int trainPassages = 0; // with TaggerTrainOptions::passages
    long long steps = 0;
    long long parameters = 0;
    double finalLoss = 0;          // mean training loss of the last epoch (nats/token)
    std::vector<double> epochLoss; // mean training loss of each epoch
    TaggerMetrics heldout;         // p(keep) >= 0.5 on the held-out sentences, weights as saved
    std::vector<int> sampleIds;    // the first held-out sentence as [CLS] tokens [SEP] ...
    std::vector<float>
        sampleKeepProbs; // ... and the trainer's p(keep) of each token (saved weights)
    double seconds = 0;
};

// Trains a token classifier (BertForTokenClassification, or LlamaForTokenClassification from a
// Llama LM; 2 labels, label 1 = keep) on word labels spread to the word's tokens. Reports "epoch N"
// progress; Cancelled writes nothing.
Result<TaggerTrainReport> trainTagger(const TaggerTrainOptions &options, const JobContext &job);

struct TaggerEvalReport {
    int sentences = 0;
    double humanRate = 0; // kept words / words in the human compressions
    TaggerMetrics tagger; // p(keep) >= 0.5, loaded through terse::Model like any user model
    TaggerMetrics taggerAtHumanRate; // per sentence, the human's number of words by p(keep)
    TaggerMetrics
        surprisal; // per sentence, the tagger's number of words by LM surprisal (word sum)
    TaggerMetrics surprisalAtHumanRate; // per sentence, the human's number of words by surprisal
    // p(keep) >= 0.5 with the sentences read as running text: consecutive held-out sentences
    // joined into passages of up to the tagger's context (max_position_embeddings, at most 512
    // tokens), as LLMLingua-2 feeds a prompt in chunks.
    TaggerMetrics inPassages;
    int passages = 0;
    TaggerMetrics stopwords; // keep every word that is not an English stopword
    TaggerMetrics keepAll; // keep every word (F1 = 2h / (1 + h) at human rate h): the floor to beat
    std::string lm;        // the LM used for the surprisal baseline ("" = baseline not run)
    double seconds = 0;
};

// Evaluates a tagger on the held-out split of `files` (the same split as training) next to two
// baselines. `lmPath` "" = the bundled LM when present, else the surprisal baseline is skipped.
Result<TaggerEvalReport> evalTagger(const std::string &taggerPath,
                                    const std::vector<std::string> &files,
                                    const std::string &lmPath, int heldoutEvery,
                                    const JobContext &job);

// Word vectors for question-aware ranking without a language model (issue 15: a question's
// "movie" should find a document's "film"): skip-gram with negative sampling (Mikolov et al. 2013,
// word2vec.c) over the corpus's lower-cased words (the words BM25 ranks with). Written as one
// .safetensors file: F16 tensor "word_vectors" [vocab, dim] and the words, most frequent first,
// in the metadata ("vocab", newline-separated; "counts", space-separated).
struct WordVectorTrainOptions {
    std::string corpus;             // text (.zst or plain), "<|doc|>"-separated documents
    std::string outputPath;         // the .safetensors file to write
    std::uint64_t maxBytes = ~0ull; // read at most this much of the corpus
    int dim = 100;                  // vector size (word2vec -size)
    int window = 5;                 // max context distance, shrunk at random per word (-window)
    int negative = 5;               // negative samples per context word (-negative)
    int minCount = 5;               // rarer words are dropped (-min-count)
    int maxVocab = 50000;           // keep at most this many words, most frequent first
    int epochs = 3;                 // passes over the corpus (-iter)
    double sample = 1e-4;           // frequent-word subsampling threshold (-sample)
    double lr = 0.025;              // starting learning rate, decayed linearly (-alpha)
    int threads = 0;                // 0 = every core (Hogwild updates, as word2vec.c)
    std::uint64_t seed = 1234;
};

struct WordVectorTrainReport {
    std::uint64_t bytesRead = 0;
    long long documents = 0;
    long long corpusWords = 0; // words read
    long long trainWords = 0;  // of them, words in the vocabulary (one epoch)
    long long uniqueWords = 0; // distinct words read
    int vocabSize = 0;
    double seconds = 0;
    double wordsPerSecond = 0; // trained words (all epochs) per second
    std::string outputPath;
};

// Trains the vectors and writes options.outputPath atomically; Cancelled writes nothing.
Result<WordVectorTrainReport> trainWordVectors(const WordVectorTrainOptions &options,
                                               const JobContext &job);

} // namespace terse
