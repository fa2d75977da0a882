#pragma once
// Training of Terse's default models: the subword tokenizer (and, in later files, the LM, the tagger
// and the PIS agent). Long calls are synchronous, report progress and honour cancellation.

#include "terse/job.h"
#include "terse/result.h"

#include <cstdint>
#include <functional>
#include <string_view>
#include <string>
#include <vector>

namespace terse {

struct TokenizerTrainOptions {
    std::string corpus;              // text file, optionally .zst; documents separated by "<|doc|>" lines
    std::string outputDir;           // written: tokenizer.json, tokenizer_config.json
    int vocabSize = 8192;            // final vocabulary including bytes and special tokens
    std::uint64_t maxBytes = 64ull << 20;  // read at most this much text (the first bytes of the corpus)
    int minFrequency = 2;            // a pair must occur this often to be merged
    std::vector<std::string> specialTokens = {"<|endoftext|>", "<|pad|>"};  // ids 0.., before the bytes
};

struct TokenizerTrainReport {
    std::uint64_t bytesRead = 0;
    std::uint64_t words = 0;         // pre-tokenised words counted
    std::uint64_t uniqueWords = 0;
    int merges = 0;
    int vocabSize = 0;
    double seconds = 0;
    std::string tokenizerPath;       // the tokenizer.json written
};

// Trains a byte-level BPE tokenizer (GPT-2 pre-tokenisation regex, byte alphabet, greedy most-frequent
// pair merges as in HF tokenizers' BpeTrainer) and writes it as a HuggingFace tokenizer.json.
Result<TokenizerTrainReport> trainTokenizer(const TokenizerTrainOptions &options, const JobContext &job);

// Reads documents from a corpus file (.zst or plain) split at "<|doc|>" separator lines, calling
// `onDocument` for each until it returns false or `maxBytes` were read. Errors name the file.
Result<std::uint64_t> readCorpus(const std::string &path, std::uint64_t maxBytes,
                                 const std::function<bool(std::string_view document)> &onDocument);

}  // namespace terse
