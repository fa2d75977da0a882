#include "terse/train.h"

#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <sys/stat.h>

namespace terse {

namespace {
struct FileCloser {
    void operator()(std::FILE *f) const { std::fclose(f); }
};
struct DStreamFree {
    void operator()(ZSTD_DStream *s) const { ZSTD_freeDStream(s); }
};

bool endsWith(const std::string &s, const char *suffix)
{
    const std::size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}
} // namespace

std::uint64_t corpusTextBytes(const std::string &path)
{
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f)
        return 0;
    if (!endsWith(path, ".zst")) {
        if (std::fseek(f.get(), 0, SEEK_END) != 0)
            return 0;
        const long size = std::ftell(f.get());
        return size > 0 ? static_cast<std::uint64_t>(size) : 0;
    }
    unsigned char head[18]; // ZSTD_FRAMEHEADERSIZE_MAX
    const std::size_t got = std::fread(head, 1, sizeof head, f.get());
    // The first frame's content size: what zstd writes for one input file (a file of several
    // frames, as pzstd writes, holds more; the trainers then stop the count at this total).
    const unsigned long long size = ZSTD_getFrameContentSize(head, got);
    if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR)
        return 0;
    return size;
}

std::uint64_t corpusProgressTotal(const std::string &path, std::uint64_t maxBytes, int keepEvery)
{
    const std::uint64_t known = corpusTextBytes(path);
    if (known > 0)
        return std::min(known / static_cast<std::uint64_t>(std::max(1, keepEvery)), maxBytes);
    return maxBytes < (1ull << 50) ? maxBytes : 0;
}

Result<std::uint64_t> readCorpus(const std::string &path, std::uint64_t maxBytes,
                                 const std::function<bool(std::string_view)> &onDocument)
{
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f)
        return fail(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::IoError,
                    "cannot open corpus '" + path + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(::fileno(f.get()), &st) == 0 && !S_ISREG(st.st_mode))
        return fail(ErrorCode::InvalidInput,
                    "corpus '" + path + "' is " +
                        (S_ISDIR(st.st_mode) ? "a folder" : "not a regular file") +
                        "; expected a text file (plain or .zst)");
    const bool zst = endsWith(path, ".zst");
    std::unique_ptr<ZSTD_DStream, DStreamFree> ds;
    if (zst) {
        ds.reset(ZSTD_createDStream());
        ZSTD_initDStream(ds.get());
    }
    std::vector<char> in(ZSTD_DStreamInSize()), out(ZSTD_DStreamOutSize());
    std::string pending;
    std::uint64_t total = 0;
    bool stop = false;
    static const std::string kSep = "\n<|doc|>\n";

    auto feed = [&](const char *data, std::size_t n) {
        pending.append(data, n);
        total += n;
        std::size_t start = 0;
        for (;;) {
            const std::size_t pos = pending.find(kSep, start);
            if (pos == std::string::npos)
                break;
            if (!onDocument(std::string_view(pending).substr(start, pos - start))) {
                stop = true;
                return;
            }
            start = pos + kSep.size();
        }
        pending.erase(0, start);
    };

    while (!stop && total < maxBytes) {
        const std::size_t got = std::fread(in.data(), 1, in.size(), f.get());
        if (got == 0) {
            if (std::ferror(f.get()))
                return fail(ErrorCode::IoError, "read error in corpus '" + path + "'");
            break;
        }
        if (!zst) {
            feed(in.data(), got);
            continue;
        }
        ZSTD_inBuffer ib{in.data(), got, 0};
        while (ib.pos < ib.size && !stop) {
            ZSTD_outBuffer ob{out.data(), out.size(), 0};
            const std::size_t rc = ZSTD_decompressStream(ds.get(), &ob, &ib);
            if (ZSTD_isError(rc))
                return fail(ErrorCode::FormatError,
                            "corpus '" + path +
                                "' is not valid zstd data: " + ZSTD_getErrorName(rc));
            feed(out.data(), ob.pos);
        }
    }
    if (!stop && !pending.empty()) {
        // The last document (or the text before maxBytes cut it) ends without a separator.
        std::string_view last(pending);
        while (!last.empty() && (last.back() == '\n'))
            last.remove_suffix(1);
        if (!last.empty())
            onDocument(last);
    }
    return total;
}

} // namespace terse
