#include "store/schema.h"

#include "store/sqlite_db.h"
#include "terse/session_store.h"

namespace terse::store {

const std::vector<Migration> &migrations()
{
    // Times are Unix milliseconds. Score series and unit tables are little-endian BLOBs
    // (blob_codec.h); small structured fields are JSON text.
    static const std::vector<Migration> steps = {
        {1, R"sql(
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  is_autosave INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE prompts (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  segments TEXT NOT NULL,
  text TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE INDEX prompts_session ON prompts(session_id);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
  method TEXT NOT NULL,
  rate REAL,
  target_tokens INTEGER NOT NULL,
  mode TEXT NOT NULL,
  seed INTEGER NOT NULL,
  params TEXT NOT NULL,
  pinned TEXT NOT NULL,
  model_name TEXT NOT NULL,
  model_path TEXT NOT NULL,
  model_checksum TEXT NOT NULL,
  engine_version TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE INDEX runs_session ON runs(session_id);
CREATE INDEX runs_prompt ON runs(prompt_id);
CREATE TABLE results (
  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  method TEXT NOT NULL,
  mode TEXT NOT NULL,
  unit_name TEXT NOT NULL,
  segments TEXT,
  compressed_text TEXT NOT NULL,
  tokens_in INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  requested_rate REAL,
  achieved_rate REAL,
  forward_ms REAL,
  total_ms REAL,
  units BLOB NOT NULL,
  thresholds TEXT NOT NULL,
  warnings TEXT NOT NULL,
  metrics TEXT NOT NULL
);
CREATE TABLE result_series (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  stage INTEGER NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (run_id, stage, position)
) WITHOUT ROWID;
CREATE TABLE result_stages (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  removed BLOB NOT NULL,
  thresholds TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
        // v2: undoable delete, notes and tags.
        {2, R"sql(
ALTER TABLE sessions ADD COLUMN deleted_at INTEGER;
ALTER TABLE sessions ADD COLUMN notes TEXT NOT NULL DEFAULT '';
CREATE TABLE session_tags (
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (session_id, tag)
) WITHOUT ROWID;
CREATE INDEX session_tags_tag ON session_tags(tag);
)sql"},
        // v3: the app's autosave slot, and indexes for search by method/model and date sorting.
        {3, R"sql(
CREATE TABLE working_state (
  instance TEXT PRIMARY KEY,
  session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
  prompt TEXT NOT NULL,
  options TEXT NOT NULL,
  ui_state TEXT NOT NULL,
  saved INTEGER NOT NULL
);
CREATE INDEX runs_method ON runs(method);
CREATE INDEX runs_model ON runs(model_name);
CREATE INDEX sessions_updated ON sessions(updated);
)sql"},
        // v4: the units each stage decided on (LLMLingua windows), -1 where not recorded.
        {4, R"sql(
ALTER TABLE result_stages ADD COLUMN first_unit INTEGER NOT NULL DEFAULT -1;
ALTER TABLE result_stages ADD COLUMN end_unit INTEGER NOT NULL DEFAULT -1;
)sql"},
        // v5: target-LLM answers to a run's original and compressed prompts (the answer check).
        {5, R"sql(
CREATE TABLE answers (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  variant TEXT NOT NULL CHECK (variant IN ('original', 'compressed')),
  endpoint TEXT NOT NULL,
  model TEXT NOT NULL,
  answer TEXT NOT NULL,
  error TEXT NOT NULL,
  latency_ms REAL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  mark INTEGER NOT NULL DEFAULT -1,
  created INTEGER NOT NULL
);
CREATE INDEX answers_run ON answers(run_id);
)sql"},
    };
    return steps;
}

void migrate(sqlite3 *db)
{
    Transaction tx(db, "migrating the database schema");
    const int from = static_cast<int>(queryInt(db, "PRAGMA user_version"));
    if (from >= kSessionSchemaVersion)
        return; // another process migrated while we waited for the lock
    for (const auto &m : migrations()) {
        if (m.version <= from)
            continue;
        exec(db, m.sql, "migrating the database to schema version " + std::to_string(m.version));
        exec(db, "PRAGMA user_version = " + std::to_string(m.version), "migrating the database");
    }
    exec(db, "PRAGMA application_id = " + std::to_string(kSessionApplicationId),
         "migrating the database");
    tx.commit();
}

} // namespace terse::store
