// Pre-tokenised corpora for LM training: the corpus encoded once (in parallel) into a gzip file of
// token ids, so a training machine (a GPU one above all) spends no time tokenising and the slice it
// needs travels small. Format (all little-endian, inside one gzip stream):
//   "TERSETOK" | u32 version=1 | u32 vocab size | u32 bytes per id (2 or 4) | u32 separator id |
//   u64 text bytes | u64 documents | ids...
// Documents are separated by the separator id (<|endoftext|>), as the streaming trainer does.
#include "terse/train.h"

#include "terse/tokenizer.h"

#include "core/output_paths.h"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

namespace terse {

namespace {

constexpr char kMagic[8] = {'T', 'E', 'R', 'S', 'E', 'T', 'O', 'K'};

struct GzClose {
    void operator()(gzFile f) const { gzclose(f); }
};
using GzPtr = std::unique_ptr<std::remove_pointer_t<gzFile>, GzClose>;

template <typename T> void putLe(std::string &out, T v)
{
    for (std::size_t i = 0; i < sizeof(T); ++i)
        out.push_back(static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff));
}

template <typename T> T getLe(const unsigned char *p)
{
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
        v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    return static_cast<T>(v);
}

bool gzWriteAll(gzFile f, const void *data, std::size_t n)
{
    const char *p = static_cast<const char *>(data);
    while (n > 0) {
        const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30));
        if (gzwrite(f, p, chunk) != static_cast<int>(chunk))
            return false;
        p += chunk;
        n -= chunk;
    }
    return true;
}

} // namespace

EncodeFn encoderFor(const Tokenizer &t)
{
    return [&t](std::string_view text) {
        auto r = t.encodeIds(text);
        return r ? std::vector<int>(r->begin(), r->end()) : std::vector<int>{};
    };
}

Result<TokenFileReport> encodeCorpusToTokenFile(const TokenFileOptions &o, const EncodeFn &encode,
                                                int vocabSize, int separatorId,
                                                const JobContext &job)
{
    if (o.outputPath.empty())
        return fail(ErrorCode::InvalidArgument, "no output file given for the token file");
    if (auto ok = detail::checkOutputFile(o.outputPath); !ok)
        return ok.error();
    if (vocabSize <= 0 || separatorId < 0 || separatorId >= vocabSize)
        return fail(ErrorCode::InvalidArgument,
                    "the tokenizer has no usable separator id (vocabulary " +
                        std::to_string(vocabSize) + ")");
    if (o.keepEvery < 1 || o.keepOffset < 0 || o.keepOffset >= o.keepEvery)
        return fail(ErrorCode::InvalidArgument,
                    "--keep-every must be >= 1 and --keep-offset in [0, keep-every)");
    const auto t0 = std::chrono::steady_clock::now();
    const std::string tmp = o.outputPath + ".partial";
    GzPtr gz(gzopen(tmp.c_str(), "wb9"));
    if (!gz)
        return fail(ErrorCode::IoError, "cannot write token file '" + tmp + "'");
    const std::uint32_t width = vocabSize <= 65536 ? 2 : 4;
    std::string header(kMagic, sizeof kMagic);
    putLe<std::uint32_t>(header, 1);
    putLe<std::uint32_t>(header, static_cast<std::uint32_t>(vocabSize));
    putLe<std::uint32_t>(header, width);
    putLe<std::uint32_t>(header, static_cast<std::uint32_t>(separatorId));
    // Counts are unknown until the end; a second header slot would need a seek in a gzip stream, so
    // the counts follow the ids as a trailer instead (the reader knows the width and takes the last
    // 16 bytes).
    if (!gzWriteAll(gz.get(), header.data(), header.size()))
        return fail(ErrorCode::IoError, "write error in token file '" + tmp + "'");

    TokenFileReport rep;
    const int threads = std::max(
        1, o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency()));
    std::vector<std::string> pending;
    std::string writeError;
    long long docIndex = 0;
    std::uint64_t pendingBytes = 0;
    // Encodes the pending documents on `threads` threads and appends their ids (each followed by
    // the separator) in corpus order.
    // Kept text against what is expected to be kept.
    const std::uint64_t progressTotal = corpusProgressTotal(o.corpus, o.maxBytes, o.keepEvery);
    auto flush = [&]() -> bool {
        std::vector<std::vector<int>> ids(pending.size());
        std::atomic<std::size_t> next{0};
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&] {
                for (std::size_t i; (i = next.fetch_add(1)) < pending.size();)
                    ids[i] = encode(pending[i]);
            });
        for (auto &th : pool)
            th.join();
        std::string buf;
        for (auto &v : ids) {
            v.push_back(separatorId);
            for (int id : v) {
                if (id < 0 || id >= vocabSize) {
                    writeError = "the tokenizer produced id " + std::to_string(id) +
                                 " outside its vocabulary of " + std::to_string(vocabSize);
                    return false;
                }
                if (width == 2)
                    putLe<std::uint16_t>(buf, static_cast<std::uint16_t>(id));
                else
                    putLe<std::uint32_t>(buf, static_cast<std::uint32_t>(id));
            }
            rep.tokens += static_cast<long long>(v.size());
        }
        if (!gzWriteAll(gz.get(), buf.data(), buf.size())) {
            writeError = "write error in token file '" + tmp + "' (disk full?)";
            return false;
        }
        pending.clear();
        pendingBytes = 0;
        job.report(
            static_cast<long long>(
                (progressTotal > 0 ? std::min(rep.textBytes, progressTotal) : rep.textBytes) >> 20),
            static_cast<long long>(progressTotal >> 20), "encoding (MB)");
        return true;
    };
    bool failed = false;
    auto r = readCorpus(o.corpus, ~0ull, [&](std::string_view doc) {
        if (job.isCancelled() || rep.textBytes >= o.maxBytes)
            return false;
        const long long index = docIndex++;
        if (index % o.keepEvery != o.keepOffset)
            return true;
        pending.emplace_back(doc);
        pendingBytes += doc.size();
        rep.textBytes += doc.size();
        ++rep.documents;
        if (pendingBytes >= (8u << 20) && !flush()) {
            failed = true;
            return false;
        }
        return true;
    });
    if (!r)
        return r.error();
    if (job.isCancelled()) {
        gz.reset();
        std::remove(tmp.c_str());
        return fail(ErrorCode::Cancelled, "encoding cancelled");
    }
    if (!failed && !pending.empty() && !flush())
        failed = true;
    if (failed) {
        gz.reset();
        std::remove(tmp.c_str());
        return fail(ErrorCode::IoError, writeError);
    }
    if (rep.documents == 0) {
        gz.reset();
        std::remove(tmp.c_str());
        return fail(ErrorCode::InvalidArgument,
                    "corpus '" + o.corpus + "' has no documents to encode");
    }
    std::string trailer;
    putLe<std::uint64_t>(trailer, rep.textBytes);
    putLe<std::uint64_t>(trailer, static_cast<std::uint64_t>(rep.documents));
    if (!gzWriteAll(gz.get(), trailer.data(), trailer.size()) || gzclose(gz.release()) != Z_OK) {
        std::remove(tmp.c_str());
        return fail(ErrorCode::IoError, "write error in token file '" + tmp + "' (disk full?)");
    }
    if (std::rename(tmp.c_str(), o.outputPath.c_str()) != 0) {
        std::remove(tmp.c_str());
        return fail(ErrorCode::IoError, "cannot move the token file to '" + o.outputPath + "'");
    }
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

Result<TokenFile> readTokenFile(const std::string &path)
{
    GzPtr gz(gzopen(path.c_str(), "rb"));
    if (!gz)
        return fail(ErrorCode::NotFound, "cannot open token file '" + path + "'");
    std::vector<unsigned char> data;
    std::vector<unsigned char> buf(1 << 20);
    for (;;) {
        const int n = gzread(gz.get(), buf.data(), static_cast<unsigned>(buf.size()));
        if (n < 0) {
            int err = 0;
            const char *msg = gzerror(gz.get(), &err);
            return fail(ErrorCode::FormatError,
                        "token file '" + path + "' is damaged: " + (msg ? msg : "gzip error"));
        }
        if (n == 0)
            break;
        data.insert(data.end(), buf.begin(), buf.begin() + n);
    }
    constexpr std::size_t kHeader = 8 + 4 * 4, kTrailer = 16;
    if (data.size() < kHeader + kTrailer || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0)
        return fail(ErrorCode::FormatError,
                    "'" + path +
                        "' is not a Terse token file (expected the TERSETOK header "
                        "written by terse train encode)");
    TokenFile f;
    const auto version = getLe<std::uint32_t>(data.data() + 8);
    f.vocabSize = static_cast<int>(getLe<std::uint32_t>(data.data() + 12));
    const auto width = getLe<std::uint32_t>(data.data() + 16);
    f.separatorId = static_cast<int>(getLe<std::uint32_t>(data.data() + 20));
    if (version != 1)
        return fail(ErrorCode::FormatError, "token file '" + path + "' has version " +
                                                std::to_string(version) +
                                                " (this build reads version 1)");
    if ((width != 2 && width != 4) || (data.size() - kHeader - kTrailer) % width != 0 ||
        f.vocabSize <= 0 || f.separatorId >= f.vocabSize)
        return fail(ErrorCode::FormatError, "token file '" + path +
                                                "' has an inconsistent header (id width " +
                                                std::to_string(width) + ", vocabulary " +
                                                std::to_string(f.vocabSize) + ")");
    const unsigned char *tail = data.data() + data.size() - kTrailer;
    f.textBytes = getLe<std::uint64_t>(tail);
    f.documents = static_cast<long long>(getLe<std::uint64_t>(tail + 8));
    const std::size_t n = (data.size() - kHeader - kTrailer) / width;
    f.ids.resize(n);
    const unsigned char *p = data.data() + kHeader;
    for (std::size_t i = 0; i < n; ++i, p += width) {
        const std::uint32_t id = width == 2 ? getLe<std::uint16_t>(p) : getLe<std::uint32_t>(p);
        if (id >= static_cast<std::uint32_t>(f.vocabSize))
            return fail(ErrorCode::FormatError,
                        "token file '" + path + "' holds id " + std::to_string(id) +
                            " at position " + std::to_string(i) + ", outside its vocabulary of " +
                            std::to_string(f.vocabSize));
        f.ids[i] = static_cast<std::int32_t>(id);
    }
    return f;
}

} // namespace terse
