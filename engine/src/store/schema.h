#pragma once
// The session database schema as a list of migration steps (PRAGMA user_version 1, 2, 3, ...).
// A step is never edited once released: a new schema is a new step, so every older file migrates.

#include <string>
#include <vector>

struct sqlite3;

namespace terse::store {

struct Migration {
    int version;     // user_version after this step
    const char *sql; // statements run inside the migration transaction
};

// All steps in order; the last one's version is kSessionSchemaVersion.
const std::vector<Migration> &migrations();

// Brings a database at `fromVersion` (0: empty) to the newest version in one IMMEDIATE
// transaction, re-reading user_version inside it so concurrent openers migrate only once.
// Sets application_id. Throws StoreException.
void migrate(sqlite3 *db);

} // namespace terse::store
