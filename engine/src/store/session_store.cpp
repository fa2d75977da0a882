// SessionStore: opening a database file (path checks, damage and foreign-file refusal, schema
// version, migration), the store's state accessors, the integrity check and the default database
// path.
#include "terse/session_store.h"

#include "store/schema.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

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

// Copies a damaged file aside before the caller decides what to do; returns the copy's path. The
// copy is named by a hash of the file's content, so running commands against the same damaged file
// keeps one copy (issue 17), while a file damaged differently later gets its own.
std::string backupDamagedFile(const std::string &path)
{
    std::uint64_t h = 1469598103934665603ull; // FNV-1a 64 over the bytes
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
        return target; // this very content was saved by an earlier command
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
        // Refused files are never modified (issue 17): check the version before anything is
        // written, even the journal mode.
        if (version < 0 && tables > 0)
            throwError(ErrorCode::FormatError,
                       inQuotes(path) + " has schema version " + std::to_string(version) +
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

// ---- maintenance ------------------------------------------------------------------------------

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
