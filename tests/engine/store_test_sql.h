#pragma once
// Raw SQL on a session database file, outside the store: how the session store tests build files
// as an older Terse wrote them and look at what the store left behind.

#include <QString>
#include <QtGlobal>

#include <sqlite3.h>

#include <string>

namespace terse::testutil {

// Runs raw SQL on a file the way an older Terse (or a test) would, outside the store.
inline bool rawExec(const QString &path, const std::string &sql)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open(path.toStdString().c_str(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        return false;
    }
    char *err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    if (err) {
        qWarning("sql: %s", err);
        sqlite3_free(err);
    }
    sqlite3_close(db);
    return rc == SQLITE_OK;
}

// The first column of the first row of `sql` on the file at `path`, or -1.
inline qint64 rawInt(const QString &path, const std::string &sql)
{
    sqlite3 *db = nullptr;
    sqlite3_open(path.toStdString().c_str(), &db);
    sqlite3_stmt *st = nullptr;
    qint64 v = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

} // namespace terse::testutil
