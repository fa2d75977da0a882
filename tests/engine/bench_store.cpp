// Session store benchmark (issue 5): save and reload one run over a 10k-word prompt with every
// score (5 series, 10k units, 20 stages). Goal: under 100 ms each. Not a test; prints timings.
#include "store_test_util.h"
#include "terse/session_store.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

using namespace terse;
using Clock = std::chrono::steady_clock;

namespace {
double msSince(Clock::time_point t)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
} // namespace

int main(int argc, char **argv)
{
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("terse_bench_store_" + std::to_string(::getpid()) + ".sqlite3"))
                                 .string();
    auto store = SessionStore::open(path);
    if (!store) {
        std::fprintf(stderr, "bench_store: %s\n", store.error().toString().c_str());
        return 1;
    }
    // 8000 words give about 10k word/punctuation units (every 16th word ends in a comma or full
    // stop).
    const Prompt prompt = testutil::makePrompt(8000);
    const CompressionResult result = testutil::makeResult(prompt, 5, 20);
    const CompressOptions options = testutil::makeOptions();
    const auto sid = *store->createSession("bench");
    std::vector<double> save, load;
    std::int64_t lastId = 0;
    for (int i = 0; i < repeats; ++i) {
        auto t = Clock::now();
        auto id = store->saveRun(sid, prompt, options, {"bench", "", "sha256:0"}, result);
        save.push_back(msSince(t));
        if (!id) {
            std::fprintf(stderr, "bench_store: %s\n", id.error().toString().c_str());
            return 1;
        }
        t = Clock::now();
        auto run = store->loadRun(*id);
        load.push_back(msSince(t));
        if (!run || !testutil::diffResults(result, run->result).empty()) {
            std::fprintf(stderr, "bench_store: the reloaded run differs\n");
            return 1;
        }
        lastId = *id;
    }
    std::size_t stageScores = 0;
    for (const auto &st : result.stages)
        stageScores += st.scores.size();
    std::printf(
        "run: %zu units, %zu score series (+%zu stage series), %zu stages, %zu prompt bytes\n",
        result.units.size(), result.scores.size(), stageScores, result.stages.size(),
        prompt.joined().size());
    std::printf("save: median %.2f ms, first %.2f ms, max %.2f ms (%d runs)\n", median(save),
                save.front(), *std::max_element(save.begin(), save.end()), repeats);
    std::printf("load: median %.2f ms, first %.2f ms, max %.2f ms\n", median(load), load.front(),
                *std::max_element(load.begin(), load.end()));
    std::printf("database: %.1f MiB for %d runs (run %lld last)\n",
                std::filesystem::file_size(path) / 1048576.0, repeats,
                static_cast<long long>(lastId));
    {
        SessionStore closing = std::move(*store);
    } // close before removing the files
    for (const char *suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(path + suffix);
    return 0;
}
