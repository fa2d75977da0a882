// Byte-level BPE training (Sennrich et al. 2016 as implemented by GPT-2 and HF tokenizers'
// BpeTrainer): pre-tokenise with the GPT-2 regex, start from the 256 bytes, repeatedly merge the
// most frequent pair.
#include "terse/train.h"

#include "terse/text_units.h"

#include "core/output_paths.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace terse {

namespace {

// The GPT-2 pre-tokenisation pattern (also the one HF's ByteLevel pre-tokenizer uses).
constexpr const char *kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 upwards.
std::vector<std::string> byteAlphabet()
{
    std::vector<int> cps(256, -1);
    int next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable =
            (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        cps[b] = printable ? b : next++;
    }
    std::vector<std::string> out(256);
    for (int b = 0; b < 256; ++b) {
        const int cp = cps[b];
        std::string s;
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else {
            s += static_cast<char>(0xC0 | (cp >> 6));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        }
        out[b] = s;
    }
    return out;
}

struct Regex {
    pcre2_code *code = nullptr;
    pcre2_match_data *md = nullptr;
    ~Regex()
    {
        if (md)
            pcre2_match_data_free(md);
        if (code)
            pcre2_code_free(code);
    }
};

std::uint64_t pairKey(int a, int b)
{
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) |
           static_cast<std::uint32_t>(b);
}

struct Word {
    std::vector<int> symbols;
    std::int64_t count = 0;
};

} // namespace

Result<TokenizerTrainReport> trainTokenizer(const TokenizerTrainOptions &opt, const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    const int nSpecial = static_cast<int>(opt.specialTokens.size());
    if (opt.vocabSize < 256 + nSpecial + 1 || opt.vocabSize > 1 << 20)
        return fail(ErrorCode::InvalidArgument,
                    "vocabulary size must be between " + std::to_string(257 + nSpecial) +
                        " and 1048576, got " + std::to_string(opt.vocabSize));
    if (opt.outputDir.empty())
        return fail(ErrorCode::InvalidArgument, "no output folder given");
    if (auto made = detail::makeOutputFolder(opt.outputDir); !made)
        return made.error();

    Regex re;
    int errCode = 0;
    PCRE2_SIZE errOffset = 0;
    re.code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kGpt2Pattern), PCRE2_ZERO_TERMINATED,
                            PCRE2_UTF | PCRE2_UCP, &errCode, &errOffset, nullptr);
    if (!re.code)
        return fail(ErrorCode::Internal, "cannot compile the pre-tokenisation regex");
    pcre2_jit_compile(re.code, PCRE2_JIT_COMPLETE);
    re.md = pcre2_match_data_create_from_pattern(re.code, nullptr);

    // 1. Count pre-tokenised words.
    std::unordered_map<std::string, std::int64_t> counts;
    TokenizerTrainReport report;
    std::uint64_t seen = 0;
    bool cancelled = false;
    auto read = readCorpus(opt.corpus, opt.maxBytes, [&](std::string_view doc) {
        if (job.isCancelled()) {
            cancelled = true;
            return false;
        }
        const auto *subject = reinterpret_cast<PCRE2_SPTR>(doc.data());
        PCRE2_SIZE pos = 0;
        // Validate once per document; matching then skips PCRE2's per-call UTF check (quadratic
        // otherwise).
        if (!isValidUtf8(doc))
            return true;
        while (pos < doc.size()) {
            const int rc =
                pcre2_match(re.code, subject, doc.size(), pos, PCRE2_NO_UTF_CHECK, re.md, nullptr);
            if (rc < 0)
                break;
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re.md);
            if (ov[1] == ov[0]) {
                ++pos;
                continue;
            }
            ++counts[std::string(doc.substr(ov[0], ov[1] - ov[0]))];
            ++report.words;
            pos = ov[1];
        }
        seen += doc.size();
        job.report(static_cast<long long>(std::min<std::uint64_t>(seen, opt.maxBytes)),
                   static_cast<long long>(opt.maxBytes), "counting words");
        return true;
    });
    if (cancelled)
        return fail(ErrorCode::Cancelled, "tokenizer training cancelled");
    if (!read)
        return read.error();
    report.bytesRead = *read;
    report.uniqueWords = counts.size();
    if (counts.empty())
        return fail(ErrorCode::InvalidInput, "corpus '" + opt.corpus + "' contains no text");

    // 2. Words as byte symbols; ids: specials, then bytes, then merges.
    std::vector<Word> words;
    words.reserve(counts.size());
    for (auto &[w, c] : counts) {
        Word word;
        word.count = c;
        for (unsigned char b : w)
            word.symbols.push_back(nSpecial + b);
        words.push_back(std::move(word));
    }
    counts.clear();
    std::unordered_map<std::uint64_t, std::int64_t> pairCount;
    std::unordered_map<std::uint64_t, std::unordered_set<int>> where;
    for (int wi = 0; wi < static_cast<int>(words.size()); ++wi) {
        const auto &s = words[wi].symbols;
        for (std::size_t i = 0; i + 1 < s.size(); ++i) {
            const auto k = pairKey(s[i], s[i + 1]);
            pairCount[k] += words[wi].count;
            where[k].insert(wi);
        }
    }
    using Entry = std::pair<std::int64_t, std::uint64_t>;
    // Highest count first; ties: the smaller pair key (HF breaks ties by pair order too).
    auto cmp = [](const Entry &a, const Entry &b) {
        return a.first != b.first ? a.first < b.first : a.second > b.second;
    };
    std::priority_queue<Entry, std::vector<Entry>, decltype(cmp)> heap(cmp);
    for (const auto &[k, c] : pairCount)
        heap.push({c, k});

    const auto alphabet = byteAlphabet();
    std::vector<std::string> tokenText;
    for (const auto &s : opt.specialTokens)
        tokenText.push_back(s);
    for (int b = 0; b < 256; ++b)
        tokenText.push_back(alphabet[b]);
    std::vector<std::pair<int, int>> merges;
    const int targetMerges = opt.vocabSize - static_cast<int>(tokenText.size());

    // 3. Merge loop.
    std::unordered_map<std::uint64_t, std::int64_t> delta;
    while (static_cast<int>(merges.size()) < targetMerges && !heap.empty()) {
        if ((merges.size() & 63) == 0) {
            if (job.isCancelled())
                return fail(ErrorCode::Cancelled, "tokenizer training cancelled");
            job.report(static_cast<long long>(merges.size()), targetMerges, "merging pairs");
        }
        const auto [cnt, key] = heap.top();
        heap.pop();
        auto it = pairCount.find(key);
        if (it == pairCount.end() || it->second != cnt)
            continue; // stale heap entry
        if (cnt < opt.minFrequency)
            break;
        const int a = static_cast<int>(key >> 32), b = static_cast<int>(key & 0xffffffffu);
        const int c = static_cast<int>(tokenText.size());
        tokenText.push_back(tokenText[a] + tokenText[b]);
        merges.emplace_back(a, b);
        delta.clear();
        const std::vector<int> affected(where[key].begin(), where[key].end());
        for (int wi : affected) {
            auto &s = words[wi].symbols;
            const std::int64_t wc = words[wi].count;
            std::vector<int> merged;
            merged.reserve(s.size());
            for (std::size_t i = 0; i < s.size();) {
                if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) {
                    merged.push_back(c);
                    i += 2;
                } else {
                    merged.push_back(s[i]);
                    ++i;
                }
            }
            // Recount this word's pairs: subtract the old ones, add the new ones.
            for (std::size_t i = 0; i + 1 < s.size(); ++i)
                delta[pairKey(s[i], s[i + 1])] -= wc;
            for (std::size_t i = 0; i + 1 < merged.size(); ++i) {
                const auto k = pairKey(merged[i], merged[i + 1]);
                delta[k] += wc;
                where[k].insert(wi);
            }
            s = std::move(merged);
        }
        for (const auto &[k, d] : delta) {
            if (d == 0)
                continue;
            auto &pc = pairCount[k];
            pc += d;
            if (pc <= 0)
                pairCount.erase(k);
            else
                heap.push({pc, k});
        }
        pairCount.erase(key);
        where.erase(key);
    }
    report.merges = static_cast<int>(merges.size());
    report.vocabSize = static_cast<int>(tokenText.size());

    // 4. Write tokenizer.json (HF format: ByteLevel pre-tokenizer/decoder, BPE model) and
    // tokenizer_config.json.
    using nlohmann::json;
    json vocab = json::object();
    for (int i = nSpecial; i < static_cast<int>(tokenText.size()); ++i)
        vocab[tokenText[i]] = i;
    json added = json::array();
    for (int i = 0; i < nSpecial; ++i) {
        vocab[tokenText[i]] = i;
        added.push_back({{"id", i},
                         {"content", tokenText[i]},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", true}});
    }
    json mergeList = json::array();
    for (const auto &[a, b] : merges)
        mergeList.push_back(tokenText[a] + " " + tokenText[b]);
    json byteLevel = {{"type", "ByteLevel"},
                      {"add_prefix_space", false},
                      {"trim_offsets", true},
                      {"use_regex", true}};
    json tok = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", added},
        {"normalizer", nullptr},
        {"pre_tokenizer", byteLevel},
        {"post_processor", byteLevel},
        {"decoder", byteLevel},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", nullptr},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", false},
          {"byte_fallback", false},
          {"ignore_merges", false},
          {"vocab", vocab},
          {"merges", mergeList}}},
    };
    std::error_code ec;
    std::filesystem::create_directories(opt.outputDir, ec);
    if (ec)
        return fail(ErrorCode::IoError, "cannot create '" + opt.outputDir + "': " + ec.message());
    const std::string tokPath = (std::filesystem::path(opt.outputDir) / "tokenizer.json").string();
    {
        std::ofstream f(tokPath, std::ios::binary);
        f << tok.dump(1, ' ', false, json::error_handler_t::replace);
        if (!f)
            return fail(ErrorCode::IoError, "cannot write '" + tokPath + "'");
    }
    const std::string eos = nSpecial > 0 ? opt.specialTokens[0] : "";
    json cfg = {{"tokenizer_class", "PreTrainedTokenizerFast"},
                {"bos_token", eos},
                {"eos_token", eos},
                {"unk_token", nullptr},
                {"pad_token", nSpecial > 1 ? opt.specialTokens[1] : eos},
                {"model_max_length", 2048},
                {"clean_up_tokenization_spaces", false}};
    {
        const std::string cfgPath =
            (std::filesystem::path(opt.outputDir) / "tokenizer_config.json").string();
        std::ofstream f(cfgPath, std::ios::binary);
        f << cfg.dump(2);
        if (!f)
            return fail(ErrorCode::IoError, "cannot write '" + cfgPath + "'");
    }
    report.tokenizerPath = tokPath;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    job.report(targetMerges, targetMerges, "done");
    return report;
}

} // namespace terse
