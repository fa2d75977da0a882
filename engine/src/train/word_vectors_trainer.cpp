// Word vectors by skip-gram with negative sampling (Mikolov et al. 2013, "Distributed
// Representations of Words and Phrases"; the update rules of word2vec.c's skip-gram branch):
// each context word's input vector learns to predict the centre word against `negative` words
// drawn from the unigram distribution raised to 3/4, frequent words are subsampled, the learning
// rate decays linearly, and threads update the shared vectors without locks (Hogwild).
#include "terse/train.h"

#include "compressors/context_rank.h"
#include "core/output_paths.h"
#include "weights/safetensors_writer.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>
#include <unordered_map>

namespace terse {

namespace {

// word2vec.c's fast random numbers (a linear congruential generator), one per thread.
struct Lcg {
    std::uint64_t state;
    std::uint64_t next() { return state = state * 25214903917ull + 11; }
};

Result<void> checkOptions(const WordVectorTrainOptions &o)
{
    auto bad = [](const std::string &what) {
        return fail(ErrorCode::InvalidArgument, "word vectors: " + what);
    };
    if (o.corpus.empty())
        return bad("no corpus given");
    if (o.outputPath.empty())
        return bad("no output file given");
    if (auto ok = detail::checkOutputFile(o.outputPath); !ok)
        return ok.error();
    if (o.dim < 4 || o.dim > 1024)
        return bad("dim " + std::to_string(o.dim) + " is outside 4..1024");
    if (o.window < 1 || o.window > 50)
        return bad("window " + std::to_string(o.window) + " is outside 1..50");
    if (o.negative < 1 || o.negative > 100)
        return bad("negative " + std::to_string(o.negative) + " is outside 1..100");
    if (o.minCount < 1)
        return bad("min count must be at least 1");
    if (o.maxVocab < 2)
        return bad("the vocabulary must allow at least 2 words");
    if (o.epochs < 1 || o.epochs > 1000)
        return bad("epochs " + std::to_string(o.epochs) + " is outside 1..1000");
    if (!(o.sample >= 0) || !(o.lr > 0) || !(o.lr <= 1))
        return bad("sample must be >= 0 and the learning rate in (0, 1]");
    return {};
}

} // namespace

Result<WordVectorTrainReport> trainWordVectors(const WordVectorTrainOptions &o,
                                               const JobContext &job)
{
    if (auto ok = checkOptions(o); !ok)
        return ok.error();
    const auto started = std::chrono::steady_clock::now();
    WordVectorTrainReport report;

    // 1. The corpus as word ids in first-seen order (-1 ends a document), counted on the way.
    std::unordered_map<std::string, int> seen;
    std::vector<long long> seenCount;
    std::vector<std::int32_t> stream;
    bool cancelled = false;
    const std::uint64_t progressTotal = corpusProgressTotal(o.corpus, o.maxBytes);
    auto read = readCorpus(o.corpus, o.maxBytes, [&](std::string_view doc) {
        if ((report.documents & 255) == 0) {
            if (job.isCancelled()) {
                cancelled = true;
                return false;
            }
            job.report(static_cast<long long>((progressTotal > 0
                                                   ? std::min(report.bytesRead, progressTotal)
                                                   : report.bytesRead) >>
                                              20),
                       static_cast<long long>(progressTotal >> 20), "reading the corpus (MB)");
        }
        report.bytesRead += doc.size();
        ++report.documents;
        for (auto &w : detail::bm25Terms(std::string(doc), detail::TermSplit::Words)) {
            auto [it, fresh] = seen.try_emplace(std::move(w), static_cast<int>(seenCount.size()));
            if (fresh)
                seenCount.push_back(0);
            ++seenCount[static_cast<std::size_t>(it->second)];
            stream.push_back(it->second);
        }
        stream.push_back(-1);
        return true;
    });
    if (!read)
        return read.error();
    if (cancelled)
        return fail(ErrorCode::Cancelled, "word vector training cancelled");
    report.corpusWords = static_cast<long long>(stream.size()) - report.documents;
    report.uniqueWords = static_cast<long long>(seenCount.size());

    // 2. The vocabulary: words seen at least minCount times, most frequent first (ties by word).
    std::vector<std::pair<std::string, int>> bySeen(seen.begin(), seen.end());
    seen.clear();
    std::erase_if(bySeen, [&](const auto &e) {
        return seenCount[static_cast<std::size_t>(e.second)] < o.minCount;
    });
    std::sort(bySeen.begin(), bySeen.end(), [&](const auto &a, const auto &b) {
        const long long ca = seenCount[static_cast<std::size_t>(a.second)];
        const long long cb = seenCount[static_cast<std::size_t>(b.second)];
        return ca != cb ? ca > cb : a.first < b.first;
    });
    if (bySeen.size() > static_cast<std::size_t>(o.maxVocab))
        bySeen.resize(static_cast<std::size_t>(o.maxVocab));
    if (bySeen.size() < 2)
        return fail(ErrorCode::InvalidArgument, "word vectors: '" + o.corpus +
                                                    "' has fewer than 2 words seen " +
                                                    std::to_string(o.minCount) + " times or more");
    const int vocab = static_cast<int>(bySeen.size());
    std::vector<int> remap(seenCount.size(), -2); // -2: not in the vocabulary
    std::vector<long long> count(static_cast<std::size_t>(vocab));
    std::vector<std::string> words(static_cast<std::size_t>(vocab));
    for (int v = 0; v < vocab; ++v) {
        const auto &[w, s] = bySeen[static_cast<std::size_t>(v)];
        remap[static_cast<std::size_t>(s)] = v;
        count[static_cast<std::size_t>(v)] = seenCount[static_cast<std::size_t>(s)];
        words[static_cast<std::size_t>(v)] = w;
    }
    bySeen.clear();
    // Out-of-vocabulary words leave the stream (word2vec.c skips them when reading a sentence).
    std::size_t kept = 0;
    for (std::int32_t id : stream) {
        const int v = id < 0 ? -1 : remap[static_cast<std::size_t>(id)];
        if (v != -2)
            stream[kept++] = v;
    }
    stream.resize(kept);
    stream.shrink_to_fit();
    report.trainWords = std::accumulate(count.begin(), count.end(), 0LL);
    report.vocabSize = vocab;

    // 3. Subsampling: a word of frequency f is kept with probability (sqrt(f / (s T)) + 1) s T / f
    // (word2vec.c), and negatives come from a table filled by count^0.75.
    const double total = static_cast<double>(report.trainWords);
    std::vector<double> keepProb(static_cast<std::size_t>(vocab), 1.0);
    if (o.sample > 0)
        for (int v = 0; v < vocab; ++v) {
            const double f = static_cast<double>(count[static_cast<std::size_t>(v)]);
            const double st = o.sample * total;
            keepProb[static_cast<std::size_t>(v)] = std::min(1.0, (std::sqrt(f / st) + 1) * st / f);
        }
    constexpr std::size_t kTable = 10'000'000;
    std::vector<std::int32_t> table(kTable);
    {
        double norm = 0;
        for (long long c : count)
            norm += std::pow(static_cast<double>(c), 0.75);
        std::size_t i = 0;
        double cum = 0;
        for (int v = 0; v < vocab && i < kTable; ++v) {
            cum += std::pow(static_cast<double>(count[static_cast<std::size_t>(v)]), 0.75) / norm;
            const auto upTo = std::min(kTable, static_cast<std::size_t>(cum * kTable + 0.5));
            for (; i < upTo; ++i)
                table[i] = v;
        }
        for (; i < kTable; ++i)
            table[i] = vocab - 1;
    }

    // 4. Training. syn0: the input vectors (what is saved), syn1: the output vectors.
    const int dim = o.dim;
    std::vector<float> syn0(static_cast<std::size_t>(vocab) * dim),
        syn1(static_cast<std::size_t>(vocab) * dim, 0.0f);
    {
        Lcg r{o.seed};
        for (float &x : syn0)
            x = (static_cast<float>((r.next() >> 16) & 0xFFFF) / 65536.0f - 0.5f) /
                static_cast<float>(dim);
    }
    const int threads = std::max(
        1, o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency()));
    const long long planned = report.trainWords * o.epochs;
    std::atomic<long long> done{0};
    std::atomic<bool> stop{false};
    auto worker = [&](int t) {
        Lcg r{o.seed + 7919ull * static_cast<std::uint64_t>(t + 1)};
        std::vector<float> grad(static_cast<std::size_t>(dim));
        const std::size_t from = stream.size() * static_cast<std::size_t>(t) / threads;
        const std::size_t to = stream.size() * static_cast<std::size_t>(t + 1) / threads;
        std::vector<int> sentence;
        for (int epoch = 0; epoch < o.epochs && !stop.load(std::memory_order_relaxed); ++epoch) {
            std::size_t pos = from;
            long long local = 0;
            while (pos < to && !stop.load(std::memory_order_relaxed)) {
                // A sentence: up to 1000 words of one document, after subsampling (word2vec.c's
                // MAX_SENTENCE_LENGTH), so windows widen over the dropped frequent words.
                sentence.clear();
                for (; pos < to && sentence.size() < 1000; ++pos) {
                    const int v = stream[pos];
                    if (v < 0) {
                        ++pos;
                        break;
                    }
                    ++local;
                    if (keepProb[static_cast<std::size_t>(v)] < 1.0 &&
                        static_cast<double>((r.next() & 0xFFFF)) / 65536.0 >=
                            keepProb[static_cast<std::size_t>(v)])
                        continue;
                    sentence.push_back(v);
                }
                const long long progress = done.fetch_add(local) + local;
                local = 0;
                const double alpha =
                    o.lr * std::max(1e-4, 1.0 - static_cast<double>(progress) /
                                                    static_cast<double>(planned + 1));
                const auto n = static_cast<int>(sentence.size());
                for (int i = 0; i < n; ++i) {
                    const int centre = sentence[static_cast<std::size_t>(i)];
                    const int b = static_cast<int>(r.next() % static_cast<std::uint64_t>(o.window));
                    for (int j = i - o.window + b; j <= i + o.window - b; ++j) {
                        if (j < 0 || j >= n || j == i)
                            continue;
                        float *in =
                            &syn0[static_cast<std::size_t>(sentence[static_cast<std::size_t>(j)]) *
                                  dim];
                        std::fill(grad.begin(), grad.end(), 0.0f);
                        for (int d = 0; d <= o.negative; ++d) {
                            int target = centre;
                            float label = 1.0f;
                            if (d > 0) {
                                target = table[(r.next() >> 16) % kTable];
                                if (target == centre)
                                    continue;
                                label = 0.0f;
                            }
                            float *out = &syn1[static_cast<std::size_t>(target) * dim];
                            float f = 0;
                            for (int k = 0; k < dim; ++k)
                                f += in[k] * out[k];
                            // log sigma gradient, clipped at |f| > 6 as word2vec.c's table does.
                            const float p = f > 6    ? 1.0f
                                            : f < -6 ? 0.0f
                                                     : 1.0f / (1.0f + std::exp(-f));
                            const float g = (label - p) * static_cast<float>(alpha);
                            for (int k = 0; k < dim; ++k)
                                grad[static_cast<std::size_t>(k)] += g * out[k];
                            for (int k = 0; k < dim; ++k)
                                out[k] += g * in[k];
                        }
                        for (int k = 0; k < dim; ++k)
                            in[k] += grad[static_cast<std::size_t>(k)];
                    }
                }
                if (t == 0) {
                    if (job.isCancelled())
                        stop = true;
                    job.report(progress, planned,
                               "training word vectors, epoch " + std::to_string(epoch + 1) + "/" +
                                   std::to_string(o.epochs));
                }
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker, t);
    worker(0);
    for (auto &th : pool)
        th.join();
    if (stop || job.isCancelled())
        return fail(ErrorCode::Cancelled, "word vector training cancelled");
    for (float x : syn0)
        if (!std::isfinite(x))
            return fail(ErrorCode::Internal,
                        "word vector training diverged (a non-finite value); lower the "
                        "learning rate");

    // 5. The file: F16 vectors, the words and their counts in the metadata.
    std::string vocabText, countText;
    for (int v = 0; v < vocab; ++v) {
        vocabText += (v ? "\n" : "") + words[static_cast<std::size_t>(v)];
        countText += (v ? " " : "") + std::to_string(count[static_cast<std::size_t>(v)]);
    }
    try {
        torch::Tensor t =
            torch::from_blob(syn0.data(), {vocab, dim}, torch::kFloat32).to(torch::kFloat16);
        auto w = weights::writeSafetensors(o.outputPath, {{"word_vectors", t}},
                                           {{"format", "terse-word-vectors"},
                                            {"vocab", vocabText},
                                            {"counts", countText},
                                            {"method", "skip-gram, negative sampling"},
                                            {"window", std::to_string(o.window)},
                                            {"negative", std::to_string(o.negative)},
                                            {"epochs", std::to_string(o.epochs)},
                                            {"min_count", std::to_string(o.minCount)},
                                            {"corpus_words", std::to_string(report.corpusWords)}});
        if (!w)
            return w.error();
    } catch (const std::exception &e) {
        return fail(ErrorCode::Internal, "writing '" + o.outputPath + "': " + e.what());
    }
    report.outputPath = o.outputPath;
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report.wordsPerSecond = static_cast<double>(planned) / std::max(1e-9, report.seconds);
    return report;
}

} // namespace terse
