// Session store schema (issue 5): a fresh database, migrations from every earlier version, schema
// versions a Terse refuses or only reads, and the default database path.
#include "store_test_sql.h"
#include "store_test_fixture.h"
#include "terse/session_store.h"

#include <QtTest>

#include <cstring>

using namespace terse;
using namespace terse::testutil;

namespace {

// The schema exactly as version 1 of Terse created it (frozen: never edit).
const char *kSchemaV1 = R"sql(
CREATE TABLE sessions (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL,
  updated INTEGER NOT NULL, is_autosave INTEGER NOT NULL DEFAULT 0);
CREATE TABLE prompts (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  segments TEXT NOT NULL, text TEXT NOT NULL, created INTEGER NOT NULL);
CREATE INDEX prompts_session ON prompts(session_id);
CREATE TABLE runs (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE, method TEXT NOT NULL, rate REAL,
  target_tokens INTEGER NOT NULL, mode TEXT NOT NULL, seed INTEGER NOT NULL, params TEXT NOT NULL,
  pinned TEXT NOT NULL, model_name TEXT NOT NULL, model_path TEXT NOT NULL, model_checksum TEXT NOT NULL,
  engine_version TEXT NOT NULL, created INTEGER NOT NULL);
CREATE INDEX runs_session ON runs(session_id);
CREATE INDEX runs_prompt ON runs(prompt_id);
CREATE TABLE results (run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE, method TEXT NOT NULL,
  mode TEXT NOT NULL, unit_name TEXT NOT NULL, segments TEXT, compressed_text TEXT NOT NULL,
  tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL, requested_rate REAL, achieved_rate REAL,
  forward_ms REAL, total_ms REAL, units BLOB NOT NULL, thresholds TEXT NOT NULL, warnings TEXT NOT NULL,
  metrics TEXT NOT NULL);
CREATE TABLE result_series (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, stage INTEGER NOT NULL,
  position INTEGER NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (run_id, stage, position))
  WITHOUT ROWID;
CREATE TABLE result_stages (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  position INTEGER NOT NULL, name TEXT NOT NULL, removed BLOB NOT NULL, thresholds TEXT NOT NULL,
  PRIMARY KEY (run_id, position)) WITHOUT ROWID;
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
PRAGMA application_id = 1414681413;
PRAGMA user_version = 1;
)sql";

// Version 2 on top of version 1 (frozen).
const char *kSchemaV2 = R"sql(
ALTER TABLE sessions ADD COLUMN deleted_at INTEGER;
ALTER TABLE sessions ADD COLUMN notes TEXT NOT NULL DEFAULT '';
CREATE TABLE session_tags (session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  tag TEXT NOT NULL, PRIMARY KEY (session_id, tag)) WITHOUT ROWID;
CREATE INDEX session_tags_tag ON session_tags(tag);
PRAGMA user_version = 2;
)sql";

// Version 3 on top of version 2 (frozen).
const char *kSchemaV3 = R"sql(
CREATE TABLE working_state (instance TEXT PRIMARY KEY,
  session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL, prompt TEXT NOT NULL, options TEXT NOT NULL,
  ui_state TEXT NOT NULL, saved INTEGER NOT NULL);
CREATE INDEX runs_method ON runs(method);
CREATE INDEX runs_model ON runs(model_name);
CREATE INDEX sessions_updated ON sessions(updated);
PRAGMA user_version = 3;
)sql";

const char *kSchemaV4 = R"sql(
ALTER TABLE result_stages ADD COLUMN first_unit INTEGER NOT NULL DEFAULT -1;
ALTER TABLE result_stages ADD COLUMN end_unit INTEGER NOT NULL DEFAULT -1;
PRAGMA user_version = 4;
)sql";

// One session with one run of "Hello world" as a version-1 Terse wrote it: two units (the
// second dropped in stage 0), a series [1.5, NaN], one stage removing unit 1.
const char *kDataV1 = R"sql(
INSERT INTO sessions VALUES (1, 'old session', 1000, 2000, 0);
INSERT INTO prompts VALUES (1, 1, '[{"role":"context","text":"Hello world"}]', 'Hello world', 1000);
INSERT INTO runs VALUES (1, 1, 1, 'random', 0.5, -1, 'corrected', 42, '{"k":"v"}', '[]', 'm', '/m', 'sha256:ab',
  '0.0.9', 1500);
INSERT INTO results VALUES (1, 'random', 'corrected', 'word', NULL, 'Hello', 2, 1, 0.5, 0.5, 0.0, 1.25,
  X'02000000000000000000000006000000ffffffff0100000000060000000b0000000000000000',
  '[{"series":"surprisal","value":"inf","label":"t"}]', '[]', '{"rouge_l":0.25}');
INSERT INTO result_series VALUES (1, -1, 0, 'surprisal', X'0000c03f0000c07f');
INSERT INTO result_stages VALUES (1, 0, 'window 1', X'01000000', '[]');
INSERT INTO settings VALUES ('theme', 'dark');
)sql";

} // namespace

class TestSessionSchema : public StoreTestBase {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void freshDatabaseHasCurrentSchema()
    {
        const QString path = freshPath();
        {
            auto s = SessionStore::open(path.toStdString());
            QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
            QCOMPARE(s->schemaVersion(), kSessionSchemaVersion);
            QVERIFY(!s->isReadOnly());
            QVERIFY(!s->schemaIsNewer());
            QCOMPARE(QString::fromStdString(*s->integrityCheck()), QStringLiteral("ok"));
        }
        QCOMPARE(rawInt(path, "PRAGMA user_version"), qint64(kSessionSchemaVersion));
        QCOMPARE(rawInt(path, "PRAGMA application_id"), qint64(kSessionApplicationId));
        QCOMPARE(
            rawInt(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"),
            qint64(1));
        // Reopening an up-to-date file changes nothing.
        auto again = SessionStore::open(path.toStdString());
        QVERIFY(again.ok());
        QCOMPARE(again->schemaVersion(), kSessionSchemaVersion);
    }

    void migratesFromEveryEarlierVersion_data()
    {
        QTest::addColumn<int>("version");
        for (int v = 0; v < kSessionSchemaVersion; ++v)
            QTest::addRow("v%d", v) << v;
    }

    void migratesFromEveryEarlierVersion()
    {
        QFETCH(int, version);
        const QString path = freshPath();
        if (version == 0) {
            QFile f(path); // a zero-byte file: SQLite sees an empty database
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        if (version >= 1)
            QVERIFY(rawExec(path, std::string(kSchemaV1) + kDataV1));
        if (version >= 2)
            QVERIFY(rawExec(path, std::string(kSchemaV2) +
                                      "UPDATE sessions SET notes = 'kept notes';"
                                      "INSERT INTO session_tags VALUES (1, 'legacy');"));
        if (version >= 3)
            QVERIFY(rawExec(path, kSchemaV3));
        if (version >= 4)
            QVERIFY(rawExec(path, kSchemaV4));
        QCOMPARE(rawInt(path, "PRAGMA user_version"), qint64(version));

        auto store = SessionStore::open(path.toStdString());
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().toString().c_str());
        QCOMPARE(store->schemaVersion(), kSessionSchemaVersion);
        QCOMPARE(rawInt(path, "PRAGMA user_version"), qint64(kSessionSchemaVersion));
        QCOMPARE(QString::fromStdString(*store->integrityCheck()), QStringLiteral("ok"));

        if (version >= 1) {
            auto info = store->session(1);
            QVERIFY(info.ok());
            QCOMPARE(QString::fromStdString(info->name), QStringLiteral("old session"));
            QCOMPARE(info->created, qint64(1000));
            QCOMPARE(info->deletedAt, qint64(0));
            QCOMPARE(info->runCount, 1L);
            QCOMPARE(QString::fromStdString(info->notes),
                     version >= 2 ? QStringLiteral("kept notes") : QString());
            QCOMPARE(info->tags.size(), std::size_t(version >= 2 ? 1 : 0));
            auto run = store->loadRun(1);
            QVERIFY2(run.ok(), run.ok() ? "" : run.error().toString().c_str());
            QCOMPARE(QString::fromStdString(run->prompt.joined()), QStringLiteral("Hello world"));
            QCOMPARE(run->result.units.size(), std::size_t(2));
            QCOMPARE(run->result.units[1].span, (Span{6, 11}));
            QVERIFY(!run->result.units[1].kept);
            QCOMPARE(run->result.units[1].stage, 0);
            QCOMPARE(run->result.scores.size(), std::size_t(1));
            QCOMPARE(run->result.scores[0].values[0], 1.5f);
            QVERIFY(std::isnan(run->result.scores[0].values[1]));
            QVERIFY(std::isinf(run->result.thresholds[0].value));
            QCOMPARE(run->result.stages[0].removedUnits, std::vector<int>{1});
            QCOMPARE(run->result.stages[0].firstUnit, -1); // v4 column: not recorded before
            QCOMPARE(run->result.stages[0].endUnit, -1);
            QCOMPARE(run->metrics.at("rouge_l"), 0.25);
            QCOMPARE(run->options.params.at("k"), std::string("v"));
            QCOMPARE(QString::fromStdString(run->info.model.checksum), QStringLiteral("sha256:ab"));
            QCOMPARE(QString::fromStdString(store->setting("theme")->value_or("")),
                     QStringLiteral("dark"));
        }
        // Every feature of the newest schema works on the migrated file.
        const auto id = store->createSession("new");
        QVERIFY(id.ok());
        QVERIFY(store->setTags(*id, {"a", "b"}).ok());
        QVERIFY(store->deleteSession(*id).ok());
        WorkingState w;
        w.instance = "main";
        w.prompt = Prompt::fromText("draft");
        QVERIFY(store->saveWorkingState(w).ok());
        if (version >= 1) { // v5: answers hang off the migrated run
            AnswerRecord a;
            a.runId = 1;
            a.variant = "original";
            a.answer = "ok";
            QVERIFY(store->saveAnswer(a).ok());
            QCOMPARE(store->answers(1)->size(), std::size_t(1));
        }
    }

    // Issue 17: a database refused for its schema version is not modified, not even its journal
    // mode.
    void negativeVersionIsRefusedUntouched()
    {
        const QString path = m_dir.filePath("negative.sqlite3");
        QVERIFY(rawExec(
            path,
            "PRAGMA application_id = " + std::to_string(kSessionApplicationId) +
                "; CREATE TABLE sessions(id INTEGER PRIMARY KEY); PRAGMA user_version = -5;"));
        QCOMPARE(
            rawInt(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'delete'"),
            qint64(1));
        auto store = SessionStore::open(path.toStdString());
        QVERIFY(!store.ok());
        QVERIFY2(store.error().detail.find("schema version -5") != std::string::npos,
                 store.error().detail.c_str());
        QCOMPARE(
            rawInt(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'delete'"),
            qint64(1));
        QCOMPARE(rawInt(path, "PRAGMA user_version"), qint64(-5));
    }

    void newerSchemaOpensReadOnly()
    {
        const QString path = freshPath();
        std::int64_t sid = 0;
        {
            auto s = SessionStore::open(path.toStdString());
            QVERIFY(s.ok());
            sid = *s->createSession("from the future");
        }
        QVERIFY(
            rawExec(path, "PRAGMA user_version = " + std::to_string(kSessionSchemaVersion + 1)));
        auto s = SessionStore::open(path.toStdString());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
        QVERIFY(s->schemaIsNewer());
        QVERIFY(s->isReadOnly());
        QCOMPARE(s->schemaVersion(), kSessionSchemaVersion + 1);
        QCOMPARE(s->listSessions()->size(), std::size_t(1)); // reading works
        auto w = s->createSession("nope");
        QVERIFY(!w.ok());
        QCOMPARE(w.error().code, ErrorCode::DatabaseError);
        QVERIFY2(w.error().detail.find("newer than this Terse") != std::string::npos,
                 w.error().detail.c_str());
        QVERIFY(!s->renameSession(sid, "x").ok());
        QCOMPARE(rawInt(path, "PRAGMA user_version"),
                 qint64(kSessionSchemaVersion + 1)); // untouched
    }

    void defaultPathFollowsXdg()
    {
        const QByteArray old = qgetenv("XDG_DATA_HOME");
        qputenv("XDG_DATA_HOME", m_dir.filePath("xdg/data").toUtf8());
        const auto p = defaultDatabasePath();
        QVERIFY(p.ok());
        QCOMPARE(QString::fromStdString(*p), m_dir.filePath("xdg/data/terse/sessions.sqlite3"));
        QVERIFY(QFileInfo(m_dir.filePath("xdg/data/terse")).isDir());
        qputenv("XDG_DATA_HOME", "relative/ignored");
        const QByteArray oldHome = qgetenv("HOME");
        qputenv("HOME", m_dir.filePath("home").toUtf8());
        QCOMPARE(QString::fromStdString(*defaultDatabasePath()),
                 m_dir.filePath("home/.local/share/terse/sessions.sqlite3"));
        qputenv("HOME", oldHome);
        if (old.isEmpty())
            qunsetenv("XDG_DATA_HOME");
        else
            qputenv("XDG_DATA_HOME", old);
    }
};

QTEST_GUILESS_MAIN(TestSessionSchema)
#include "test_session_schema.moc"
