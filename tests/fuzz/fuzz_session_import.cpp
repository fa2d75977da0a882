// libFuzzer target: session JSON import (SessionStore::importSessions,
// engine/src/store/session_exchange.cpp and codec.cpp). The input is the export file; one store per
// process, in the scratch folder, is recreated every 500 inputs so it stays small. What imports
// must export again.
#include "fuzz_util.h"
#include "terse/session_store.h"

#include <filesystem>
#include <memory>

using namespace terse;

namespace {

std::unique_ptr<SessionStore> g_store;
int g_uses = 0;

SessionStore &store()
{
    if (!g_store || ++g_uses > 500) {
        g_store.reset();
        g_uses = 0;
        const std::string path = (fuzz::scratchDir() / "sessions.sqlite3").string();
        std::error_code ec;
        for (const char *suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(path + suffix, ec);
        StoreOpenOptions options;
        options.checkIntegrity = false;
        auto s = SessionStore::open(path, options);
        if (!s.ok()) {
            std::fprintf(stderr, "fuzz_session_import: cannot open %s: %s\n", path.c_str(),
                         s.error().detail.c_str());
            std::abort();
        }
        g_store = std::make_unique<SessionStore>(std::move(*s));
    }
    return *g_store;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    SessionStore &s = store();
    auto report = s.importSessions(std::string(reinterpret_cast<const char *>(data), size));
    if (!fuzz::ok(report, "importSessions") || report->imported.empty())
        return 0;
    std::vector<std::int64_t> ids;
    for (const auto &imported : report->imported)
        ids.push_back(imported.id);
    auto exported = s.exportSessions(ids);
    if (!exported.ok()) {
        // Accepted input that cannot be written back out is a bug in the exchange code.
        std::fprintf(stderr, "fuzz_session_import: imported sessions do not export: %s\n",
                     exported.error().toString().c_str());
        std::abort();
    }
    return 0;
}
