#pragma once
// Thin RAII helpers over the sqlite3 C API for the session store. Failures throw StoreException
// (inside the engine only); SessionStore converts it to a terse::Error at its public edge.

#include "core/engine_error.h"
#include "terse/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace terse::store {

// An Error travelling up through the store's internals: the engine's one internal exception type
// (core/engine_error.h).
using StoreException = detail::EngineError;

[[noreturn]] void throwError(ErrorCode code, std::string detail);

// Maps an SQLite result code to an Error with a clear English detail (disk full, locked,
// read-only, corrupt, ...). `what` names the operation, e.g. "saving the run".
Error sqliteError(sqlite3 *db, int rc, const std::string &what);

// An owned prepared statement. bind*() indices start at 1; column*() indices at 0.
class Statement {
public:
    Statement(sqlite3 *db, std::string_view sql);
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement();

    Statement &bind(int i, std::int64_t v);
    Statement &bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement &bind(int i, double v); // NaN is stored as NULL
    Statement &bind(int i, std::string_view text);
    Statement &bind(int i, const char *text) { return bind(i, std::string_view(text)); }
    Statement &bind(int i, const std::string &text) { return bind(i, std::string_view(text)); }
    Statement &bindBlob(int i, const std::string &bytes);
    Statement &bindNull(int i);

    // Steps once: true when a row is available, false when done. Throws on errors.
    bool step();
    // Steps to completion (for statements without rows); returns the number of rows an INSERT,
    // UPDATE or DELETE changed.
    int run();
    // Runs an INSERT to completion and returns the new row's id.
    std::int64_t insert();
    void reset();

    bool isNull(int col) const;
    std::int64_t int64(int col) const;
    double real(int col) const; // NULL reads as NaN
    std::string text(int col) const;
    std::string blob(int col) const;

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    std::string m_sql;
};

// Executes one or more statements without results.
void exec(sqlite3 *db, const std::string &sql, const std::string &what);
// Runs a single-value query ("PRAGMA user_version") and returns the integer.
std::int64_t queryInt(sqlite3 *db, const std::string &sql);

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed. IMMEDIATE takes the
// write lock up front so two processes wait on the busy timeout instead of deadlocking. A Read
// transaction (plain BEGIN) takes no write lock: a consistent snapshot, also on a read-only store.
class Transaction {
public:
    enum class Mode { Write, Read };

    Transaction(sqlite3 *db, std::string what, Mode mode = Mode::Write);
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    ~Transaction();
    void commit();

private:
    sqlite3 *m_db;
    std::string m_what;
    bool m_done = false;
};

// Current time as Unix milliseconds.
std::int64_t nowMs();

} // namespace terse::store
