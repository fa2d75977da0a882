#include "store/sqlite_db.h"

#include <sqlite3.h>
#include <cstring>
#include <cerrno>

#include <chrono>
#include <cmath>
#include <limits>

namespace terse::store {

void throwError(ErrorCode code, std::string detail)
{
    throw StoreException{Error{code, std::move(detail)}};
}

Error sqliteError(sqlite3 *db, int rc, const std::string &what)
{
    const std::string prefix = what.empty() ? std::string() : what + ": ";
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return fail(ErrorCode::DatabaseError,
                    prefix + "the disk is full or the database reached its size limit; the change "
                             "was rolled back and nothing that was saved before is lost");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return fail(ErrorCode::DatabaseError,
                    prefix + "the database is locked by another process (still busy after the "
                             "busy timeout); try again");
    case SQLITE_READONLY:
        return fail(ErrorCode::DatabaseError,
                    prefix + "the database is read-only (file or folder not writable, or opened "
                             "read-only)");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return fail(ErrorCode::FormatError, prefix + "the database file is damaged (" + msg + ")");
    case SQLITE_CANTOPEN:
        return fail(ErrorCode::IoError, prefix + "cannot open the database file (" + msg + ")");
    case SQLITE_IOERR: {
        // A write that hit a full disk or the file size limit surfaces as an I/O error: say so.
        const int sys = db ? sqlite3_system_errno(db) : 0;
        const int ext = db ? sqlite3_extended_errcode(db) : rc;
        if (sys == ENOSPC || sys == EFBIG || sys == EDQUOT || ext == SQLITE_IOERR_WRITE ||
            ext == SQLITE_IOERR_FSYNC)
            return fail(
                ErrorCode::IoError,
                prefix +
                    "could not write the database file (no space left on the device, the file size "
                    "limit reached, or a device error" +
                    (sys ? std::string(": ") + std::strerror(sys) : std::string()) +
                    "); the change was rolled back and nothing that was saved before is lost");
        return fail(ErrorCode::IoError,
                    prefix + "disk I/O error (" + msg +
                        (sys ? std::string(", ") + std::strerror(sys) : std::string()) +
                        ", SQLite code " + std::to_string(db ? sqlite3_extended_errcode(db) : rc) +
                        ")");
    }
    case SQLITE_NOMEM:
        return fail(ErrorCode::DatabaseError, prefix + "out of memory");
    default:
        return fail(ErrorCode::DatabaseError, prefix + msg);
    }
}

Statement::Statement(sqlite3 *db, std::string_view sql) : m_db(db), m_sql(sql)
{
    const int rc =
        sqlite3_prepare_v2(db, m_sql.data(), static_cast<int>(m_sql.size()), &m_stmt, nullptr);
    if (rc != SQLITE_OK)
        throw StoreException{sqliteError(db, rc, "")};
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

namespace {
void check(sqlite3 *db, int rc)
{
    if (rc != SQLITE_OK)
        throw StoreException{sqliteError(db, rc, "")};
}
} // namespace

Statement &Statement::bind(int i, std::int64_t v)
{
    check(m_db, sqlite3_bind_int64(m_stmt, i, v));
    return *this;
}

Statement &Statement::bind(int i, double v)
{
    // SQLite would store NaN as NULL anyway; make it explicit so reads map NULL back to NaN.
    check(m_db, std::isnan(v) ? sqlite3_bind_null(m_stmt, i) : sqlite3_bind_double(m_stmt, i, v));
    return *this;
}

Statement &Statement::bind(int i, std::string_view text)
{
    check(m_db,
          sqlite3_bind_text64(m_stmt, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}

Statement &Statement::bindBlob(int i, const std::string &bytes)
{
    // Bind the bytes without a copy: callers keep `bytes` alive until the statement has run.
    check(m_db, sqlite3_bind_blob64(m_stmt, i, bytes.data(), bytes.size(), SQLITE_STATIC));
    return *this;
}

Statement &Statement::bindNull(int i)
{
    check(m_db, sqlite3_bind_null(m_stmt, i));
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    throw StoreException{sqliteError(m_db, rc, "")};
}

int Statement::run()
{
    while (step()) {
    }
    return sqlite3_changes(m_db);
}

std::int64_t Statement::insert()
{
    run();
    return sqlite3_last_insert_rowid(m_db);
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::isNull(int col) const
{
    return sqlite3_column_type(m_stmt, col) == SQLITE_NULL;
}

std::int64_t Statement::int64(int col) const
{
    return sqlite3_column_int64(m_stmt, col);
}

double Statement::real(int col) const
{
    if (isNull(col))
        return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(m_stmt, col);
}

std::string Statement::text(int col) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
    const int n = sqlite3_column_bytes(m_stmt, col);
    return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

std::string Statement::blob(int col) const
{
    const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, col));
    const int n = sqlite3_column_bytes(m_stmt, col);
    return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

void exec(sqlite3 *db, const std::string &sql, const std::string &what)
{
    char *err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK)
        throw StoreException{sqliteError(db, rc, what)};
}

std::int64_t queryInt(sqlite3 *db, const std::string &sql)
{
    Statement st(db, sql);
    return st.step() ? st.int64(0) : 0;
}

Transaction::Transaction(sqlite3 *db, std::string what, Mode mode)
    : m_db(db), m_what(std::move(what))
{
    exec(m_db, mode == Mode::Write ? "BEGIN IMMEDIATE" : "BEGIN", m_what);
}

Transaction::~Transaction()
{
    if (!m_done)
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    exec(m_db, "COMMIT", m_what);
    m_done = true;
}

std::int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace terse::store
