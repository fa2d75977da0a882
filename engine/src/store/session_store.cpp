#include "terse/session_store.h"

#include "store/codec.h"
#include "store/schema.h"
#include "store/store_impl.h"
#include "terse/runtime.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <variant>

namespace terse {

using namespace terse::store;
namespace fs = std::filesystem;

namespace {

std::string inQuotes(const std::string &path)
{
    return "'" + path + "'";
}

// Refuses paths SQLite would fail on with a vague "unable to open database file".
void checkPath(const std::string &path, bool readOnly)
{
    if (path.empty())
        throwError(ErrorCode::InvalidArgument, "no database path given");
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            throwError(ErrorCode::IoError, inQuotes(path) + " is a folder, not a database file");
        if (!S_ISREG(st.st_mode))
            throwError(ErrorCode::IoError, inQuotes(path) + " is not a regular file");
        if (::access(path.c_str(), R_OK) != 0)
            throwError(ErrorCode::IoError,
                       "cannot read " + inQuotes(path) + ": " + std::strerror(errno));
        if (!readOnly && ::access(path.c_str(), W_OK) != 0)
            throwError(ErrorCode::IoError, inQuotes(path) + " is not writable (" +
                                               std::strerror(errno) +
                                               "); open it read-only or fix its permissions");
        return;
    }
    if (errno != ENOENT && errno != ENOTDIR)
        throwError(ErrorCode::IoError,
                   "cannot access " + inQuotes(path) + ": " + std::strerror(errno));
    if (readOnly)
        throwError(ErrorCode::NotFound, "no database file " + inQuotes(path));
    std::string parent = fs::path(path).parent_path().string();
    if (parent.empty())
        parent = ".";
    if (::stat(parent.c_str(), &st) != 0) {
        if (errno == ENOTDIR)
            throwError(ErrorCode::IoError, "cannot create " + inQuotes(path) + ": a part of " +
                                               inQuotes(parent) + " is a file, not a folder");
        throwError(ErrorCode::IoError,
                   "cannot create " + inQuotes(path) + ": folder " + inQuotes(parent) + " " +
                       (errno == ENOENT ? "does not exist" : std::strerror(errno)));
    }
    if (!S_ISDIR(st.st_mode))
        throwError(ErrorCode::IoError, "cannot create " + inQuotes(path) + ": " + inQuotes(parent) +
                                           " is a file, not a folder");
    if (::access(parent.c_str(), W_OK) != 0)
        throwError(ErrorCode::IoError, "cannot create " + inQuotes(path) + ": folder " +
                                           inQuotes(parent) + " is not writable (" +
                                           std::strerror(errno) + ")");
}

// Copies a damaged file aside before the caller decides what to do; returns the copy's path. The copy is
// named by a hash of the file's content, so running commands against the same damaged file keeps one
// copy (issue 17), while a file damaged differently later gets its own.
std::string backupDamagedFile(const std::string &path)
{
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64 over the bytes
    {
        std::ifstream in(path, std::ios::binary);
        char buf[1 << 16];
        while (in) {
            in.read(buf, sizeof buf);
            for (std::streamsize i = 0; i < in.gcount(); ++i) {
                h ^= static_cast<unsigned char>(buf[i]);
                h *= 1099511628211ull;
            }
        }
    }
    char hash[20];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(h));
    const std::string target = path + ".corrupt-" + hash;
    std::error_code ec;
    if (fs::exists(target, ec) && fs::file_size(target, ec) == fs::file_size(path, ec))
        return target;  // this very content was saved by an earlier command
    fs::copy_file(path, target, fs::copy_options::overwrite_existing, ec);
    if (ec)
        throwError(ErrorCode::IoError,
                   inQuotes(path) + " is damaged and could not be copied aside to " +
                       inQuotes(target) + " (" + ec.message() + "); it was not changed");
    // Committed transactions not yet checkpointed live in the WAL: keep them with the copy.
    if (fs::exists(path + "-wal") && fs::file_size(path + "-wal", ec) > 0)
        fs::copy_file(path + "-wal", target + "-wal", fs::copy_options::overwrite_existing, ec);
    return target;
}

[[noreturn]] void failDamaged(const std::string &path, const std::string &why)
{
    const std::string copy = backupDamagedFile(path);
    throwError(ErrorCode::FormatError,
               inQuotes(path) + " is not a usable Terse session database (" + why +
                   "); it was left unchanged and a copy was saved as " + inQuotes(copy));
}

bool sameSegments(const std::vector<PromptSegment> &a, const std::vector<PromptSegment> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const PromptSegment &x, const PromptSegment &y) {
                          return x.role == y.role && x.text == y.text;
                      });
}

std::vector<std::string> normalizedTags(const std::vector<std::string> &tags)
{
    std::set<std::string> unique;
    for (const auto &t : tags) {
        const auto b = t.find_first_not_of(" \t\r\n");
        if (b == std::string::npos)
            continue;
        const auto e = t.find_last_not_of(" \t\r\n");
        unique.insert(t.substr(b, e - b + 1));
    }
    return {unique.begin(), unique.end()};
}

void requireName(const std::string &name)
{
    if (name.find_first_not_of(" \t\r\n") == std::string::npos)
        throwError(ErrorCode::InvalidArgument, "a session name cannot be empty");
}

} // namespace

// ---- Impl -------------------------------------------------------------------------------------

SessionStore::Impl::~Impl()
{
    if (db)
        sqlite3_close_v2(db);
}

void SessionStore::Impl::requireWritable() const
{
    if (newer)
        throwError(ErrorCode::DatabaseError,
                   inQuotes(path) + " is open read-only: its schema version " +
                       std::to_string(version) + " is newer than this Terse knows (" +
                       std::to_string(kSessionSchemaVersion) + "); update Terse to change it");
    if (readOnly)
        throwError(ErrorCode::DatabaseError, inQuotes(path) + " is open read-only");
}

void SessionStore::Impl::requireSession(std::int64_t id) const
{
    Statement st(db, "SELECT 1 FROM sessions WHERE id = ?");
    st.bind(1, id);
    if (!st.step())
        throwError(ErrorCode::NotFound, "no session " + std::to_string(id));
}

std::vector<std::string> SessionStore::Impl::readTags(std::int64_t id) const
{
    Statement st(db, "SELECT tag FROM session_tags WHERE session_id = ? ORDER BY tag");
    st.bind(1, id);
    std::vector<std::string> tags;
    while (st.step())
        tags.push_back(st.text(0));
    return tags;
}

void SessionStore::Impl::writeTags(std::int64_t id, const std::vector<std::string> &tags)
{
    Statement del(db, "DELETE FROM session_tags WHERE session_id = ?");
    del.bind(1, id).run();
    Statement ins(db, "INSERT INTO session_tags(session_id, tag) VALUES (?, ?)");
    for (const auto &t : normalizedTags(tags)) {
        ins.reset();
        ins.bind(1, id).bind(2, t).run();
    }
}

void SessionStore::Impl::touch(std::int64_t sessionId, std::int64_t when)
{
    Statement st(db, "UPDATE sessions SET updated = max(updated, ?) WHERE id = ?");
    st.bind(1, when).bind(2, sessionId).run();
}

namespace {
constexpr const char *kSessionColumns =
    "s.id, s.name, s.created, s.updated, s.is_autosave, s.deleted_at, s.notes, "
    "(SELECT count(*) FROM runs r WHERE r.session_id = s.id)";

SessionInfo sessionFromRow(const Statement &st)
{
    SessionInfo s;
    s.id = st.int64(0);
    s.name = st.text(1);
    s.created = st.int64(2);
    s.updated = st.int64(3);
    s.isAutosave = st.int64(4) != 0;
    s.deletedAt = st.isNull(5) ? 0 : st.int64(5);
    s.notes = st.text(6);
    s.runCount = static_cast<long>(st.int64(7));
    return s;
}
} // namespace

SessionInfo SessionStore::Impl::readSession(std::int64_t id) const
{
    Statement st(db, std::string("SELECT ") + kSessionColumns + " FROM sessions s WHERE s.id = ?");
    st.bind(1, id);
    if (!st.step())
        throwError(ErrorCode::NotFound, "no session " + std::to_string(id));
    SessionInfo s = sessionFromRow(st);
    s.tags = readTags(id);
    return s;
}

std::int64_t SessionStore::Impl::insertRun(std::int64_t sessionId, const Prompt &prompt,
                                           const CompressOptions &o, const ModelIdentity &model,
                                           const CompressionResult &r,
                                           const std::map<std::string, double> &runMetrics,
                                           std::int64_t createdAt, const std::string &version)
{
    const std::int64_t created = createdAt != 0 ? createdAt : nowMs();
    // Encode everything before touching the database, so a bad value fails before any write.
    const std::string promptSegments = dumpJson(segmentsToJson(prompt.segments));
    const std::string params = dumpJson(paramsToJson(o.params));
    const std::string pinned = dumpJson(pinnedToJson(o.pinned));
    const bool ownSegments = !sameSegments(r.segments, prompt.segments);
    const std::string resultSegments =
        ownSegments ? dumpJson(segmentsToJson(r.segments)) : std::string();
    const std::string units = encodeUnits(r.units);
    const std::string thresholds = dumpJson(thresholdsToJson(r.thresholds));
    const std::string warnings = dumpJson(warningsToJson(r.warnings));
    const std::string metrics = dumpJson(metricsToJson(runMetrics));
    if (r.compressedText.find('\0') != std::string::npos)
        throwError(ErrorCode::InvalidInput, "the compressed text contains a NUL byte");

    std::int64_t promptId = 0;
    {
        Statement find(db, "SELECT id FROM prompts WHERE session_id = ? AND segments = ? LIMIT 1");
        find.bind(1, sessionId).bind(2, promptSegments);
        if (find.step()) {
            promptId = find.int64(0);
        } else {
            Statement ins(
                db, "INSERT INTO prompts(session_id, segments, text, created) VALUES (?, ?, ?, ?)");
            ins.bind(1, sessionId)
                .bind(2, promptSegments)
                .bind(3, prompt.joined())
                .bind(4, created)
                .run();
            promptId = sqlite3_last_insert_rowid(db);
        }
    }
    Statement ins(
        db,
        "INSERT INTO runs(session_id, prompt_id, method, rate, target_tokens, mode, seed, params, "
        "pinned, model_name, model_path, model_checksum, engine_version, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, sessionId)
        .bind(2, promptId)
        .bind(3, o.method)
        .bind(4, o.rate)
        .bind(5, static_cast<std::int64_t>(o.targetTokens))
        .bind(6, modeName(o.mode))
        .bind(7, static_cast<std::int64_t>(o.seed)) // two's complement round trip of the uint64
        .bind(8, params)
        .bind(9, pinned)
        .bind(10, model.name)
        .bind(11, model.path)
        .bind(12, model.checksum)
        .bind(13, version.empty() ? std::string(engineVersion()) : version)
        .bind(14, created)
        .run();
    const std::int64_t runId = sqlite3_last_insert_rowid(db);

    Statement res(
        db, "INSERT INTO results(run_id, method, mode, unit_name, segments, compressed_text, "
            "tokens_in, "
            "tokens_out, requested_rate, achieved_rate, forward_ms, total_ms, units, thresholds, "
            "warnings, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    res.bind(1, runId).bind(2, r.method).bind(3, modeName(r.mode)).bind(4, r.unitName);
    if (ownSegments)
        res.bind(5, resultSegments);
    else
        res.bindNull(5);
    res.bind(6, r.compressedText)
        .bind(7, static_cast<std::int64_t>(r.tokensIn))
        .bind(8, static_cast<std::int64_t>(r.tokensOut))
        .bind(9, r.requestedRate)
        .bind(10, r.achievedRate)
        .bind(11, r.forwardMs)
        .bind(12, r.totalMs)
        .bindBlob(13, units)
        .bind(14, thresholds)
        .bind(15, warnings)
        .bind(16, metrics)
        .run();

    Statement series(
        db,
        "INSERT INTO result_series(run_id, stage, position, name, data) VALUES (?, ?, ?, ?, ?)");
    auto writeSeries = [&](int stage, const std::vector<ScoreSeries> &list) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string data = encodeFloats(list[i].values);
            series.reset();
            series.bind(1, runId).bind(2, stage).bind(3, static_cast<int>(i)).bind(4, list[i].name);
            series.bindBlob(5, data).run();
        }
    };
    writeSeries(-1, r.scores);
    Statement stage(db, "INSERT INTO result_stages(run_id, position, name, removed, thresholds, "
                        "first_unit, end_unit) VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < r.stages.size(); ++i) {
        const std::string removed = encodeInts(r.stages[i].removedUnits);
        stage.reset();
        stage.bind(1, runId)
            .bind(2, static_cast<int>(i))
            .bind(3, r.stages[i].name)
            .bindBlob(4, removed);
        stage.bind(5, dumpJson(thresholdsToJson(r.stages[i].thresholds)))
            .bind(6, r.stages[i].firstUnit)
            .bind(7, r.stages[i].endUnit)
            .run();
        writeSeries(static_cast<int>(i), r.stages[i].scores);
    }
    touch(sessionId, created);
    return runId;
}

namespace {
constexpr const char *kRunColumns =
    "r.id, r.session_id, r.prompt_id, r.method, r.mode, r.model_name, r.model_path, "
    "r.model_checksum, "
    "r.engine_version, r.created, x.tokens_in, x.tokens_out, x.achieved_rate";

RunInfo runInfoFromRow(const Statement &st)
{
    RunInfo i;
    i.id = st.int64(0);
    i.sessionId = st.int64(1);
    i.promptId = st.int64(2);
    i.method = st.text(3);
    i.mode = parseModeOrThrow(st.text(4), "run " + std::to_string(i.id) + " mode");
    i.model = {st.text(5), st.text(6), st.text(7)};
    i.engineVersion = st.text(8);
    i.created = st.int64(9);
    i.tokensIn = static_cast<long>(st.int64(10));
    i.tokensOut = static_cast<long>(st.int64(11));
    i.achievedRate = st.real(12);
    return i;
}
} // namespace

std::vector<RunInfo> SessionStore::Impl::readRuns(std::int64_t sessionId) const
{
    Statement st(
        db,
        std::string("SELECT ") + kRunColumns +
            " FROM runs r JOIN results x ON x.run_id = r.id WHERE r.session_id = ? ORDER BY r.id");
    st.bind(1, sessionId);
    std::vector<RunInfo> runs;
    while (st.step())
        runs.push_back(runInfoFromRow(st));
    return runs;
}

StoredRun SessionStore::Impl::readRun(std::int64_t runId) const
{
    const std::string what = "run " + std::to_string(runId);
    Statement st(
        db,
        std::string("SELECT ") + kRunColumns +
            ", r.rate, r.target_tokens, r.seed, r.params, r.pinned, p.segments, x.method, x.mode, "
            "x.unit_name, x.segments, x.compressed_text, x.requested_rate, x.forward_ms, "
            "x.total_ms, "
            "x.units, x.thresholds, x.warnings, x.metrics "
            "FROM runs r JOIN results x ON x.run_id = r.id JOIN prompts p ON p.id = r.prompt_id "
            "WHERE r.id = ?");
    st.bind(1, runId);
    if (!st.step())
        throwError(ErrorCode::NotFound, "no run " + std::to_string(runId));
    StoredRun run;
    run.info = runInfoFromRow(st);
    run.prompt.segments =
        segmentsFromJson(parseJson(st.text(18), what + " prompt"), what + " prompt");
    CompressOptions &o = run.options;
    o.method = run.info.method;
    o.mode = run.info.mode;
    o.rate = st.real(13);
    o.targetTokens = static_cast<long>(st.int64(14));
    o.seed = static_cast<std::uint64_t>(st.int64(15));
    o.params = paramsFromJson(parseJson(st.text(16), what + " params"), what + " params");
    o.pinned =
        pinnedFromJson(parseJson(st.text(17), what + " pinned spans"), what + " pinned spans");
    CompressionResult &r = run.result;
    r.method = st.text(19);
    r.mode = parseModeOrThrow(st.text(20), what + " result mode");
    r.unitName = st.text(21);
    r.segments = st.isNull(22) ? run.prompt.segments
                               : segmentsFromJson(parseJson(st.text(22), what + " segments"),
                                                  what + " segments");
    r.compressedText = st.text(23);
    r.tokensIn = run.info.tokensIn;
    r.tokensOut = run.info.tokensOut;
    r.achievedRate = run.info.achievedRate;
    r.unitRate = r.tokensIn > 0 ? static_cast<double>(r.tokensOut) / static_cast<double>(r.tokensIn) : 1.0;
    r.requestedRate = st.real(24);
    r.forwardMs = st.real(25);
    r.totalMs = st.real(26);
    r.units = decodeUnits(st.blob(27), what + " units");
    r.thresholds =
        thresholdsFromJson(parseJson(st.text(28), what + " thresholds"), what + " thresholds");
    r.warnings = warningsFromJson(parseJson(st.text(29), what + " warnings"), what + " warnings");
    run.metrics = metricsFromJson(parseJson(st.text(30), what + " metrics"), what + " metrics");

    Statement stages(
        db,
        "SELECT name, removed, thresholds, first_unit, end_unit FROM result_stages WHERE run_id = ? "
        "ORDER BY position");
    stages.bind(1, runId);
    while (stages.step()) {
        Stage s;
        s.name = stages.text(0);
        s.removedUnits = decodeInts(stages.blob(1), what + " stage removed units");
        s.thresholds = thresholdsFromJson(parseJson(stages.text(2), what + " stage thresholds"),
                                          what + " stage thresholds");
        s.firstUnit = static_cast<int>(stages.int64(3));
        s.endUnit = static_cast<int>(stages.int64(4));
        r.stages.push_back(std::move(s));
    }
    Statement series(
        db,
        "SELECT stage, name, data FROM result_series WHERE run_id = ? ORDER BY stage, position");
    series.bind(1, runId);
    while (series.step()) {
        const auto stage = series.int64(0);
        ScoreSeries s{series.text(1), decodeFloats(series.blob(2), what + " scores")};
        if (isLegacyBookkeeping(s.name))
            continue;  // saved before issue 19 among the scores
        if (stage < 0)
            r.scores.push_back(std::move(s));
        else if (stage < static_cast<std::int64_t>(r.stages.size()))
            r.stages[static_cast<std::size_t>(stage)].scores.push_back(std::move(s));
        else
            throwError(ErrorCode::FormatError, what + ": scores of a stage that does not exist");
    }
    return run;
}

// ---- open -------------------------------------------------------------------------------------

SessionStore::SessionStore(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
SessionStore::SessionStore(SessionStore &&) noexcept = default;
SessionStore &SessionStore::operator=(SessionStore &&) noexcept = default;
SessionStore::~SessionStore() = default;

namespace {

sqlite3 *openConnection(const std::string &path, bool readOnly, int busyTimeoutMs)
{
    sqlite3 *db = nullptr;
    const int flags =
        readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const Error e = sqliteError(db, rc, "opening " + inQuotes(path));
        sqlite3_close_v2(db);
        throw StoreException{e};
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, std::max(0, busyTimeoutMs));
    return db;
}

// Result code of a probe statement, without throwing: distinguishes "not a database" and
// "corrupt" from ordinary failures.
int probe(sqlite3 *db, const char *sql, std::int64_t *value, std::string *text = nullptr)
{
    sqlite3_stmt *st = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            if (value)
                *value = sqlite3_column_int64(st, 0);
            if (text) {
                const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(st, 0));
                *text = p ? p : "";
            }
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

bool isDamage(int rc)
{
    return (rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT;
}

} // namespace

Result<SessionStore> SessionStore::open(const std::string &path, const OpenOptions &options)
{
    return guarded("opening the session database " + inQuotes(path), [&]() -> SessionStore {
        checkPath(path, options.readOnly);
        auto impl = std::make_unique<Impl>();
        impl->path = path;
        impl->readOnly = options.readOnly;
        impl->db = openConnection(path, options.readOnly, options.busyTimeoutMs);
        sqlite3 *db = impl->db;

        std::int64_t tables = 0, appId = 0, version = 0;
        int rc = probe(db, "SELECT count(*) FROM sqlite_master", &tables);
        if (rc == SQLITE_OK)
            rc = probe(db, "PRAGMA application_id", &appId);
        if (rc == SQLITE_OK)
            rc = probe(db, "PRAGMA user_version", &version);
        if (isDamage(rc))
            failDamaged(path, (rc & 0xff) == SQLITE_NOTADB ? "file is not a database"
                                                           : "the file is corrupt");
        if (rc != SQLITE_OK)
            throw StoreException{sqliteError(db, rc, "")};
        if (static_cast<std::int32_t>(appId) != kSessionApplicationId &&
            (appId != 0 || tables > 0)) {
            char id[16];
            std::snprintf(id, sizeof id, "0x%08x", static_cast<unsigned>(appId));
            throwError(ErrorCode::FormatError,
                       inQuotes(path) +
                           " is an SQLite database of another application (application_id " + id +
                           ", " + std::to_string(tables) +
                           " tables), not a Terse session database; it was "
                           "left unchanged");
        }
        if (options.checkIntegrity && tables > 0) {
            std::string verdict;
            rc = probe(db, "PRAGMA quick_check(1)", nullptr, &verdict);
            if (isDamage(rc))
                failDamaged(path, "the file is corrupt");
            if (rc != SQLITE_OK)
                throw StoreException{sqliteError(db, rc, "")};
            if (verdict != "ok")
                failDamaged(path, "integrity check failed: " + verdict);
        }
        // Refused files are never modified (issue 17): check the version before anything is written,
        // even the journal mode.
        if (version < 0 && tables > 0)
            throwError(ErrorCode::FormatError, inQuotes(path) + " has schema version " + std::to_string(version) +
                                                   ", which no Terse writes; it was left unchanged");
        impl->version = static_cast<int>(version);
        if (version > kSessionSchemaVersion) {
            // A newer Terse wrote this file: reading is safe, writing could break its invariants.
            impl->newer = true;
            impl->readOnly = true;
            if (!options.readOnly) {
                sqlite3_close_v2(db);
                impl->db = nullptr;
                impl->db = db = openConnection(path, true, options.busyTimeoutMs);
            }
        } else if (options.readOnly) {
            if (version < kSessionSchemaVersion)
                throwError(ErrorCode::Unsupported, "schema version " + std::to_string(version) +
                                                       " is older than this Terse reads (" +
                                                       std::to_string(kSessionSchemaVersion) +
                                                       "); open it writable once to migrate it");
        } else {
            // WAL lets readers and one writer of two processes work at once; NORMAL sync keeps
            // every committed transaction across an application crash (only power loss may lose the
            // last).
            std::string mode;
            rc = probe(db, "PRAGMA journal_mode = WAL", nullptr, &mode);
            if (rc != SQLITE_OK)
                throw StoreException{sqliteError(db, rc, "switching to WAL mode")};
            exec(db, "PRAGMA synchronous = NORMAL", "configuring the database");
            if (options.maxPageCount > 0)
                exec(db, "PRAGMA max_page_count = " + std::to_string(options.maxPageCount),
                     "configuring the database");
            migrate(db);
            impl->version = static_cast<int>(queryInt(db, "PRAGMA user_version"));
        }
        exec(db, "PRAGMA foreign_keys = ON", "configuring the database");
        if (impl->readOnly)
            exec(db, "PRAGMA query_only = ON", "configuring the database");
        return SessionStore(std::move(impl));
    });
}

const std::string &SessionStore::path() const
{
    return m_impl->path;
}
bool SessionStore::isReadOnly() const
{
    return m_impl->readOnly;
}
bool SessionStore::schemaIsNewer() const
{
    return m_impl->newer;
}
int SessionStore::schemaVersion() const
{
    return m_impl->version;
}

// ---- sessions ---------------------------------------------------------------------------------

Result<std::int64_t> SessionStore::createSession(const std::string &name, bool isAutosave)
{
    return guarded("creating session '" + name + "'", [&] {
        m_impl->requireWritable();
        requireName(name);
        const auto now = nowMs();
        Statement st(
            m_impl->db,
            "INSERT INTO sessions(name, created, updated, is_autosave) VALUES (?, ?, ?, ?)");
        st.bind(1, name).bind(2, now).bind(3, now).bind(4, isAutosave ? 1 : 0).run();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(m_impl->db));
    });
}

Result<std::int64_t> SessionStore::findOrCreateSession(const std::string &name)
{
    return guarded("opening session '" + name + "'", [&] {
        m_impl->requireWritable();
        requireName(name);
        Transaction tx(m_impl->db, "");
        Statement find(m_impl->db, "SELECT id FROM sessions WHERE name = ? AND deleted_at IS NULL "
                                   "ORDER BY updated DESC, id DESC LIMIT 1");
        find.bind(1, name);
        std::int64_t id = 0;
        if (find.step()) {
            id = find.int64(0);
        } else {
            const auto now = nowMs();
            Statement ins(m_impl->db,
                          "INSERT INTO sessions(name, created, updated) VALUES (?, ?, ?)");
            ins.bind(1, name).bind(2, now).bind(3, now).run();
            id = sqlite3_last_insert_rowid(m_impl->db);
        }
        tx.commit();
        return id;
    });
}

Result<SessionInfo> SessionStore::session(std::int64_t id) const
{
    return guarded("reading session " + std::to_string(id),
                   [&] { return m_impl->readSession(id); });
}

Result<void> SessionStore::renameSession(std::int64_t id, const std::string &name)
{
    return guarded("renaming session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        requireName(name);
        Statement st(m_impl->db,
                     "UPDATE sessions SET name = ?, updated = max(updated, ?) WHERE id = ?");
        st.bind(1, name).bind(2, nowMs()).bind(3, id).run();
        if (sqlite3_changes(m_impl->db) == 0)
            throwError(ErrorCode::NotFound, "no session " + std::to_string(id));
    });
}

Result<void> SessionStore::setTags(std::int64_t id, const std::vector<std::string> &tags)
{
    return guarded("tagging session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        Transaction tx(m_impl->db, "");
        m_impl->requireSession(id);
        m_impl->writeTags(id, tags);
        m_impl->touch(id, nowMs());
        tx.commit();
    });
}

Result<void> SessionStore::setNotes(std::int64_t id, const std::string &notes)
{
    return guarded("writing the notes of session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db,
                     "UPDATE sessions SET notes = ?, updated = max(updated, ?) WHERE id = ?");
        st.bind(1, notes).bind(2, nowMs()).bind(3, id).run();
        if (sqlite3_changes(m_impl->db) == 0)
            throwError(ErrorCode::NotFound, "no session " + std::to_string(id));
    });
}

Result<std::int64_t> SessionStore::duplicateSession(std::int64_t id, const std::string &name)
{
    return guarded("duplicating session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        sqlite3 *db = m_impl->db;
        Transaction tx(db, "");
        const SessionInfo src = m_impl->readSession(id);
        const std::string newName = name.empty() ? src.name + " (copy)" : name;
        requireName(newName);
        const auto now = nowMs();
        Statement ins(db, "INSERT INTO sessions(name, created, updated, is_autosave, notes) "
                          "SELECT ?, ?, ?, is_autosave, notes FROM sessions WHERE id = ?");
        ins.bind(1, newName).bind(2, now).bind(3, now).bind(4, id).run();
        const std::int64_t copy = sqlite3_last_insert_rowid(db);
        Statement tags(db,
                       "INSERT INTO session_tags(session_id, tag) SELECT ?, tag FROM session_tags "
                       "WHERE session_id = ?");
        tags.bind(1, copy).bind(2, id).run();

        std::map<std::int64_t, std::int64_t> promptMap;
        {
            Statement list(db, "SELECT id FROM prompts WHERE session_id = ? ORDER BY id");
            list.bind(1, id);
            Statement cp(db, "INSERT INTO prompts(session_id, segments, text, created) "
                             "SELECT ?, segments, text, created FROM prompts WHERE id = ?");
            while (list.step()) {
                cp.reset();
                cp.bind(1, copy).bind(2, list.int64(0)).run();
                promptMap[list.int64(0)] = sqlite3_last_insert_rowid(db);
            }
        }
        Statement list(db, "SELECT id, prompt_id FROM runs WHERE session_id = ? ORDER BY id");
        list.bind(1, id);
        Statement run(
            db, "INSERT INTO runs(session_id, prompt_id, method, rate, target_tokens, mode, seed, "
                "params, "
                "pinned, model_name, model_path, model_checksum, engine_version, created) "
                "SELECT ?, ?, method, rate, target_tokens, mode, seed, params, pinned, model_name, "
                "model_path, model_checksum, engine_version, created FROM runs WHERE id = ?");
        Statement res(
            db,
            "INSERT INTO results(run_id, method, mode, unit_name, segments, compressed_text, "
            "tokens_in, tokens_out, requested_rate, achieved_rate, forward_ms, total_ms, units, "
            "thresholds, warnings, metrics) SELECT ?, method, mode, unit_name, segments, "
            "compressed_text, tokens_in, tokens_out, requested_rate, achieved_rate, forward_ms, "
            "total_ms, units, thresholds, warnings, metrics FROM results WHERE run_id = ?");
        Statement ser(db,
                      "INSERT INTO result_series(run_id, stage, position, name, data) "
                      "SELECT ?, stage, position, name, data FROM result_series WHERE run_id = ?");
        Statement stg(
            db,
            "INSERT INTO result_stages(run_id, position, name, removed, thresholds, first_unit, "
            "end_unit) SELECT ?, position, name, removed, thresholds, first_unit, end_unit "
            "FROM result_stages WHERE run_id = ?");
        Statement ans(db,
                      "INSERT INTO answers(run_id, variant, endpoint, model, answer, error, latency_ms, "
                      "prompt_tokens, completion_tokens, mark, created) SELECT ?, variant, endpoint, model, "
                      "answer, error, latency_ms, prompt_tokens, completion_tokens, mark, created "
                      "FROM answers WHERE run_id = ? ORDER BY id");
        while (list.step()) {
            const std::int64_t oldRun = list.int64(0);
            run.reset();
            run.bind(1, copy).bind(2, promptMap.at(list.int64(1))).bind(3, oldRun).run();
            const std::int64_t newRun = sqlite3_last_insert_rowid(db);
            for (Statement *st : {&res, &ser, &stg, &ans}) {
                st->reset();
                st->bind(1, newRun).bind(2, oldRun).run();
            }
        }
        tx.commit();
        return copy;
    });
}

Result<void> SessionStore::deleteSession(std::int64_t id)
{
    return guarded("deleting session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db,
                     "UPDATE sessions SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
        st.bind(1, nowMs()).bind(2, id).run();
        if (sqlite3_changes(m_impl->db) == 0) {
            m_impl->requireSession(id);
            throwError(ErrorCode::InvalidArgument,
                       "session " + std::to_string(id) + " is already deleted");
        }
    });
}

Result<void> SessionStore::undoDelete(std::int64_t id)
{
    return guarded("restoring session " + std::to_string(id), [&] {
        m_impl->requireWritable();
        Statement st(
            m_impl->db,
            "UPDATE sessions SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL");
        st.bind(1, id).run();
        if (sqlite3_changes(m_impl->db) == 0) {
            m_impl->requireSession(id);
            throwError(ErrorCode::InvalidArgument,
                       "session " + std::to_string(id) + " is not deleted");
        }
    });
}

Result<long> SessionStore::purgeDeleted(std::int64_t deletedBefore)
{
    return guarded("purging deleted sessions", [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db,
                     deletedBefore > 0
                         ? "DELETE FROM sessions WHERE deleted_at IS NOT NULL AND deleted_at <= ?"
                         : "DELETE FROM sessions WHERE deleted_at IS NOT NULL");
        if (deletedBefore > 0)
            st.bind(1, deletedBefore);
        Transaction tx(m_impl->db, "");
        st.run();
        const long n = sqlite3_changes(m_impl->db);
        tx.commit();
        return n;
    });
}

Result<std::vector<SessionInfo>> SessionStore::listSessions(const SessionQuery &q) const
{
    return guarded("listing sessions", [&] {
        std::string sql = std::string("SELECT ") + kSessionColumns + " FROM sessions s WHERE 1";
        std::vector<std::variant<std::int64_t, std::string>> args;
        if (!q.includeDeleted)
            sql += " AND s.deleted_at IS NULL";
        if (!q.text.empty()) {
            sql += " AND (instr(lower(s.name), lower(?)) > 0 OR EXISTS (SELECT 1 FROM prompts p "
                   "WHERE p.session_id = s.id AND instr(lower(p.text), lower(?)) > 0))";
            args.insert(args.end(), {q.text, q.text});
        }
        if (!q.method.empty()) {
            sql += " AND EXISTS (SELECT 1 FROM runs r WHERE r.session_id = s.id AND r.method = ?)";
            args.emplace_back(q.method);
        }
        if (!q.model.empty()) {
            sql += " AND EXISTS (SELECT 1 FROM runs r WHERE r.session_id = s.id AND "
                   "(r.model_name = ? OR (r.model_checksum <> '' AND r.model_checksum = ?)))";
            args.insert(args.end(), {q.model, q.model});
        }
        if (!q.tag.empty()) {
            sql += " AND EXISTS (SELECT 1 FROM session_tags t WHERE t.session_id = s.id AND t.tag "
                   "= ?)";
            args.emplace_back(q.tag);
        }
        if (q.updatedFrom > 0) {
            sql += " AND s.updated >= ?";
            args.emplace_back(q.updatedFrom);
        }
        if (q.updatedTo > 0) {
            sql += " AND s.updated <= ?";
            args.emplace_back(q.updatedTo);
        }
        switch (q.sort) {
        case SessionSort::UpdatedDesc:
            sql += " ORDER BY s.updated DESC, s.id DESC";
            break;
        case SessionSort::UpdatedAsc:
            sql += " ORDER BY s.updated ASC, s.id ASC";
            break;
        case SessionSort::CreatedDesc:
            sql += " ORDER BY s.created DESC, s.id DESC";
            break;
        case SessionSort::CreatedAsc:
            sql += " ORDER BY s.created ASC, s.id ASC";
            break;
        case SessionSort::NameAsc:
            sql += " ORDER BY s.name COLLATE NOCASE ASC, s.id ASC";
            break;
        case SessionSort::NameDesc:
            sql += " ORDER BY s.name COLLATE NOCASE DESC, s.id DESC";
            break;
        }
        sql += " LIMIT ? OFFSET ?";
        args.emplace_back(static_cast<std::int64_t>(q.limit < 0 ? -1 : q.limit));
        args.emplace_back(static_cast<std::int64_t>(std::max(0, q.offset)));
        Statement st(m_impl->db, sql);
        for (std::size_t i = 0; i < args.size(); ++i)
            std::visit([&](const auto &v) { st.bind(static_cast<int>(i + 1), v); }, args[i]);
        std::vector<SessionInfo> out;
        while (st.step())
            out.push_back(sessionFromRow(st));
        for (auto &s : out)
            s.tags = m_impl->readTags(s.id);
        return out;
    });
}

// ---- runs -------------------------------------------------------------------------------------

Result<std::int64_t> SessionStore::saveRun(std::int64_t sessionId, const Prompt &prompt,
                                           const CompressOptions &options,
                                           const ModelIdentity &model,
                                           const CompressionResult &result,
                                           const std::map<std::string, double> &metrics)
{
    return guarded("saving the run in session " + std::to_string(sessionId), [&] {
        m_impl->requireWritable();
        Transaction tx(m_impl->db, "");
        const SessionInfo s = m_impl->readSession(sessionId);
        if (s.deletedAt != 0)
            throwError(ErrorCode::InvalidArgument,
                       "session " + std::to_string(sessionId) + " is deleted");
        const std::int64_t id =
            m_impl->insertRun(sessionId, prompt, options, model, result, metrics, 0, {});
        tx.commit();
        return id;
    });
}

Result<StoredRun> SessionStore::loadRun(std::int64_t runId) const
{
    return guarded("loading run " + std::to_string(runId), [&] { return m_impl->readRun(runId); });
}

Result<std::vector<RunInfo>> SessionStore::listRuns(std::int64_t sessionId) const
{
    return guarded("listing the runs of session " + std::to_string(sessionId), [&] {
        m_impl->requireSession(sessionId);
        return m_impl->readRuns(sessionId);
    });
}

Result<void> SessionStore::deleteRun(std::int64_t runId)
{
    return guarded("deleting run " + std::to_string(runId), [&] {
        m_impl->requireWritable();
        sqlite3 *db = m_impl->db;
        Transaction tx(db, "");
        Statement find(db, "SELECT session_id, prompt_id FROM runs WHERE id = ?");
        find.bind(1, runId);
        if (!find.step())
            throwError(ErrorCode::NotFound, "no run " + std::to_string(runId));
        const auto sessionId = find.int64(0), promptId = find.int64(1);
        Statement del(db, "DELETE FROM runs WHERE id = ?");
        del.bind(1, runId).run();
        // A prompt lives only as long as a run uses it.
        Statement orphan(db, "DELETE FROM prompts WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs "
                             "WHERE prompt_id = ?)");
        orphan.bind(1, promptId).bind(2, promptId).run();
        m_impl->touch(sessionId, nowMs());
        tx.commit();
    });
}

// ---- answers ------------------------------------------------------------------------------------

std::int64_t SessionStore::Impl::insertAnswer(const AnswerRecord &a)
{
    if (a.variant != "original" && a.variant != "compressed")
        throwError(ErrorCode::InvalidArgument,
                   "answer variant must be 'original' or 'compressed', got '" + a.variant + "'");
    if (a.mark < -1 || a.mark > 1)
        throwError(ErrorCode::InvalidArgument,
                   "answer mark must be -1 (none), 0 (incorrect) or 1 (correct), got " + std::to_string(a.mark));
    Statement find(db, "SELECT session_id FROM runs WHERE id = ?");
    find.bind(1, a.runId);
    if (!find.step())
        throwError(ErrorCode::NotFound, "no run " + std::to_string(a.runId));
    const std::int64_t sessionId = find.int64(0);
    Statement ins(db, "INSERT INTO answers(run_id, variant, endpoint, model, answer, error, latency_ms, "
                      "prompt_tokens, completion_tokens, mark, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    const std::int64_t created = a.created > 0 ? a.created : nowMs();
    ins.bind(1, a.runId).bind(2, a.variant).bind(3, a.endpoint).bind(4, a.model).bind(5, a.answer);
    ins.bind(6, a.error).bind(7, a.latencyMs).bind(8, static_cast<std::int64_t>(a.promptTokens));
    ins.bind(9, static_cast<std::int64_t>(a.completionTokens)).bind(10, a.mark).bind(11, created).run();
    const std::int64_t id = sqlite3_last_insert_rowid(db);
    touch(sessionId, nowMs());
    return id;
}

std::vector<AnswerRecord> SessionStore::Impl::readAnswers(std::int64_t runId) const
{
    Statement st(db, "SELECT id, run_id, variant, endpoint, model, answer, error, latency_ms, prompt_tokens, "
                     "completion_tokens, mark, created FROM answers WHERE run_id = ? ORDER BY id");
    st.bind(1, runId);
    std::vector<AnswerRecord> out;
    while (st.step()) {
        AnswerRecord a;
        a.id = st.int64(0);
        a.runId = st.int64(1);
        a.variant = st.text(2);
        a.endpoint = st.text(3);
        a.model = st.text(4);
        a.answer = st.text(5);
        a.error = st.text(6);
        a.latencyMs = st.real(7);
        a.promptTokens = static_cast<long>(st.int64(8));
        a.completionTokens = static_cast<long>(st.int64(9));
        a.mark = static_cast<int>(st.int64(10));
        a.created = st.int64(11);
        out.push_back(std::move(a));
    }
    return out;
}

Result<std::int64_t> SessionStore::saveAnswer(const AnswerRecord &answer)
{
    return guarded("saving an answer of run " + std::to_string(answer.runId), [&] {
        m_impl->requireWritable();
        Transaction tx(m_impl->db, "");
        const std::int64_t id = m_impl->insertAnswer(answer);
        tx.commit();
        return id;
    });
}

Result<void> SessionStore::setAnswerMark(std::int64_t answerId, int mark)
{
    return guarded("marking answer " + std::to_string(answerId), [&] {
        m_impl->requireWritable();
        if (mark < -1 || mark > 1)
            throwError(ErrorCode::InvalidArgument,
                       "answer mark must be -1 (none), 0 (incorrect) or 1 (correct), got " + std::to_string(mark));
        Statement st(m_impl->db, "UPDATE answers SET mark = ? WHERE id = ?");
        st.bind(1, mark).bind(2, answerId).run();
        if (sqlite3_changes(m_impl->db) == 0)
            throwError(ErrorCode::NotFound, "no answer " + std::to_string(answerId));
    });
}

Result<std::vector<AnswerRecord>> SessionStore::answers(std::int64_t runId) const
{
    return guarded("reading the answers of run " + std::to_string(runId),
                   [&] { return m_impl->readAnswers(runId); });
}

// ---- working state and settings ---------------------------------------------------------------

Result<void> SessionStore::saveWorkingState(const WorkingState &state)
{
    return guarded("autosaving the working state", [&] {
        m_impl->requireWritable();
        if (state.instance.empty())
            throwError(ErrorCode::InvalidArgument, "the working state needs an instance name");
        const std::string prompt = dumpJson(segmentsToJson(state.prompt.segments));
        const std::string options = dumpJson(optionsToJson(state.options));
        Transaction tx(m_impl->db, "");
        if (state.sessionId != 0)
            m_impl->requireSession(state.sessionId);
        Statement st(m_impl->db,
                     "INSERT OR REPLACE INTO working_state(instance, session_id, prompt, options, "
                     "ui_state, saved) VALUES (?, ?, ?, ?, ?, ?)");
        st.bind(1, state.instance);
        if (state.sessionId != 0)
            st.bind(2, state.sessionId);
        else
            st.bindNull(2);
        st.bind(3, prompt).bind(4, options).bind(5, state.uiState).bind(6, nowMs()).run();
        tx.commit();
    });
}

Result<WorkingState> SessionStore::loadWorkingState(const std::string &instance) const
{
    return guarded("reading the autosaved working state", [&] {
        Statement st(m_impl->db,
                     "SELECT session_id, prompt, options, ui_state, saved FROM working_state "
                     "WHERE instance = ?");
        st.bind(1, instance);
        if (!st.step())
            throwError(ErrorCode::NotFound,
                       "no working state saved for instance '" + instance + "'");
        WorkingState w;
        w.instance = instance;
        w.sessionId = st.isNull(0) ? 0 : st.int64(0);
        w.prompt.segments = segmentsFromJson(parseJson(st.text(1), "prompt"), "prompt");
        w.options = optionsFromJson(parseJson(st.text(2), "options"), "options");
        w.uiState = st.text(3);
        w.savedAt = st.int64(4);
        return w;
    });
}

Result<void> SessionStore::clearWorkingState(const std::string &instance)
{
    return guarded("clearing the autosaved working state", [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db, "DELETE FROM working_state WHERE instance = ?");
        st.bind(1, instance).run();
    });
}

Result<void> SessionStore::setSetting(const std::string &key, const std::string &value)
{
    return guarded("saving setting '" + key + "'", [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db, "INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)");
        st.bind(1, key).bind(2, value).run();
    });
}

Result<std::optional<std::string>> SessionStore::setting(const std::string &key) const
{
    return guarded("reading setting '" + key + "'", [&] {
        Statement st(m_impl->db, "SELECT value FROM settings WHERE key = ?");
        st.bind(1, key);
        return st.step() ? std::optional<std::string>(st.text(0)) : std::nullopt;
    });
}

Result<void> SessionStore::removeSetting(const std::string &key)
{
    return guarded("removing setting '" + key + "'", [&] {
        m_impl->requireWritable();
        Statement st(m_impl->db, "DELETE FROM settings WHERE key = ?");
        st.bind(1, key).run();
    });
}

Result<std::string> SessionStore::integrityCheck() const
{
    return guarded("checking the database", [&] {
        Statement st(m_impl->db, "PRAGMA integrity_check");
        std::string out;
        while (st.step()) {
            if (!out.empty())
                out += "\n";
            out += st.text(0);
        }
        return out;
    });
}

Result<std::string> defaultDatabasePath()
{
    return guarded("finding the default database path", [] {
        fs::path dir;
        if (const char *xdg = std::getenv("XDG_DATA_HOME");
            xdg && *xdg && fs::path(xdg).is_absolute())
            dir = fs::path(xdg) / "terse";
        else if (const char *home = std::getenv("HOME"); home && *home)
            dir = fs::path(home) / ".local" / "share" / "terse";
        else
            throwError(ErrorCode::IoError, "neither XDG_DATA_HOME nor HOME is set");
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec)
            throwError(ErrorCode::IoError,
                       "cannot create folder '" + dir.string() + "': " + ec.message());
        return (dir / "sessions.sqlite3").string();
    });
}

} // namespace terse
