// Session store (issue 5): schema and migrations, exact round trips, sessions API, search,
// working state, settings, and JSON export/import.
#include "store_test_util.h"
#include "terse/session_store.h"

#include <QtTest>

#include <sqlite3.h>

#include <cstring>

using namespace terse;
using namespace terse::testutil;

namespace {

// Runs raw SQL on a file the way an older Terse (or a test) would, outside the store.
bool rawExec(const QString &path, const std::string &sql)
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

qint64 rawInt(const QString &path, const std::string &sql)
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

class TestSessionStore : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_counter = 0;

    QString freshPath() { return m_dir.filePath(QStringLiteral("db%1.sqlite3").arg(++m_counter)); }

    SessionStore openFresh()
    {
        auto s = SessionStore::open(freshPath().toStdString());
        if (!s)
            qFatal("open failed: %s", s.error().toString().c_str());
        return std::move(s).value();
    }

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
            QCOMPARE(run->result.stages[0].firstUnit, -1);  // v4 column: not recorded before
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
        if (version >= 1) {  // v5: answers hang off the migrated run
            AnswerRecord a;
            a.runId = 1;
            a.variant = "original";
            a.answer = "ok";
            QVERIFY(store->saveAnswer(a).ok());
            QCOMPARE(store->answers(1)->size(), std::size_t(1));
        }
    }

    // Issue 19: a method's bookkeeping is not a score. Runs saved by earlier versions kept it among the scores;
    // loading or importing them drops it; a result's own internals are never saved.
    void bookkeepingIsNotStoredAsScores()
    {
        SessionStore store = openFresh();
        const auto sid = *store.createSession("old");
        const Prompt p = makePrompt(30);
        CompressionResult r = makeResult(p, 1, 2);
        const std::vector<float> perUnit(r.units.size(), 1.0f);
        r.scores.push_back({"piece_offset", perUnit});  // as an earlier version stored it
        r.scores.push_back({"chunk", perUnit});
        r.internals.push_back({"word_bytes", perUnit});
        const std::string real = r.scores[0].name;
        const auto saved = store.saveRun(sid, p, makeOptions(), {}, r);
        QVERIFY2(saved, saved ? "" : saved.error().toString().c_str());
        const auto loaded = store.loadRun(*saved);
        QVERIFY2(loaded, loaded ? "" : loaded.error().toString().c_str());
        QCOMPARE(loaded->result.scores.size(), std::size_t(1));
        QCOMPARE(loaded->result.scores[0].name, real);
        QVERIFY(loaded->result.internals.empty());
        const QString file = m_dir.filePath("bookkeeping.json");
        QVERIFY(store.exportSessionsToFile(file.toStdString(), {sid}).ok());
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray json = f.readAll();
        QVERIFY(!json.contains("\"word_bytes\""));
        SessionStore other = openFresh();
        const auto report = other.importSessionsFromFile(file.toStdString());
        QVERIFY(report.ok());
        QCOMPARE(report->imported.size(), std::size_t(1));
        const auto back = other.loadRun((*other.listRuns(report->imported[0].id))[0].id);
        QVERIFY(back);
        QCOMPARE(back->result.scores.size(), std::size_t(1));
    }

    // Issue 20: the answer check's answers and marks live with their run.
    void answersLiveWithTheirRun()
    {
        SessionStore store = openFresh();
        const auto s1 = *store.createSession("asked");
        const Prompt p = makePrompt(40);
        const auto run = *store.saveRun(s1, p, makeOptions(), {}, makeResult(p, 2, 3));
        AnswerRecord a;
        a.runId = run;
        a.variant = "original";
        a.endpoint = "http://127.0.0.1:8080/v1/chat/completions";
        a.model = "local-llm";
        a.answer = "The ferry leaves at 09:15 — ünïcode";
        a.latencyMs = 812.5;
        a.promptTokens = 120;
        a.completionTokens = 9;
        const auto first = store.saveAnswer(a);
        QVERIFY2(first.ok(), first.ok() ? "" : first.error().toString().c_str());
        AnswerRecord b = a;
        b.variant = "compressed";
        b.answer.clear();
        b.error = "no reply within 30 s";
        b.promptTokens = b.completionTokens = -1;
        const auto second = *store.saveAnswer(b);
        QVERIFY(store.setAnswerMark(*first, 1).ok());
        QVERIFY(store.setAnswerMark(second, 0).ok());

        auto list = store.answers(run);
        QVERIFY(list.ok());
        QCOMPARE(list->size(), std::size_t(2));
        QCOMPARE((*list)[0].answer, a.answer);
        QCOMPARE((*list)[0].mark, 1);
        QCOMPARE((*list)[0].latencyMs, 812.5);
        QCOMPARE((*list)[0].promptTokens, 120L);
        QVERIFY((*list)[0].created > 0);
        QCOMPARE((*list)[1].variant, std::string("compressed"));
        QCOMPARE((*list)[1].error, b.error);
        QCOMPARE((*list)[1].mark, 0);
        QCOMPARE((*list)[1].completionTokens, -1L);

        // Bad input is refused by name, and changes nothing.
        AnswerRecord bad = a;
        bad.variant = "both";
        QCOMPARE(store.saveAnswer(bad).error().code, ErrorCode::InvalidArgument);
        bad = a;
        bad.runId = 999;
        QCOMPARE(store.saveAnswer(bad).error().code, ErrorCode::NotFound);
        QCOMPARE(store.setAnswerMark(*first, 2).error().code, ErrorCode::InvalidArgument);
        QCOMPARE(store.setAnswerMark(12345, 1).error().code, ErrorCode::NotFound);
        QCOMPARE(store.answers(run)->size(), std::size_t(2));

        // Duplicated with the session; exported and imported with the run.
        const auto copy = *store.duplicateSession(s1);
        const auto copyRun = (*store.listRuns(copy))[0].id;
        QCOMPARE(store.answers(copyRun)->size(), std::size_t(2));
        QCOMPARE((*store.answers(copyRun))[0].mark, 1);
        const QString file = m_dir.filePath("answers.json");
        QVERIFY(store.exportSessionsToFile(file.toStdString(), {s1}).ok());
        SessionStore other = openFresh();
        const auto report = other.importSessionsFromFile(file.toStdString());
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());
        const auto imported = (*other.listRuns(report->imported[0].id))[0].id;
        const auto back = *other.answers(imported);
        QCOMPARE(back.size(), std::size_t(2));
        for (std::size_t i = 0; i < back.size(); ++i) {
            const AnswerRecord &x = (*list)[i], &y = back[i];
            QCOMPARE(y.variant, x.variant);
            QCOMPARE(y.endpoint, x.endpoint);
            QCOMPARE(y.model, x.model);
            QCOMPARE(y.answer, x.answer);
            QCOMPARE(y.error, x.error);
            QCOMPARE(y.latencyMs, x.latencyMs);
            QCOMPARE(y.promptTokens, x.promptTokens);
            QCOMPARE(y.completionTokens, x.completionTokens);
            QCOMPARE(y.mark, x.mark);
            QCOMPARE(y.created, x.created);
        }
        // Deleting the run deletes its answers.
        QVERIFY(store.deleteRun(run).ok());
        QCOMPARE(store.answers(run)->size(), std::size_t(0));
    }

    // Issue 17: a database refused for its schema version is not modified, not even its journal mode.
    void negativeVersionIsRefusedUntouched()
    {
        const QString path = m_dir.filePath("negative.sqlite3");
        QVERIFY(rawExec(path, "PRAGMA application_id = " + std::to_string(kSessionApplicationId) +
                                  "; CREATE TABLE sessions(id INTEGER PRIMARY KEY); PRAGMA user_version = -5;"));
        QCOMPARE(rawInt(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'delete'"), qint64(1));
        auto store = SessionStore::open(path.toStdString());
        QVERIFY(!store.ok());
        QVERIFY2(store.error().detail.find("schema version -5") != std::string::npos, store.error().detail.c_str());
        QCOMPARE(rawInt(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'delete'"), qint64(1));
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

    void roundTripIsExact_data()
    {
        QTest::addColumn<int>("words");
        QTest::addColumn<int>("series");
        QTest::addColumn<int>("stages");
        QTest::addColumn<bool>("ownSegments");
        QTest::newRow("large, all scores") << 3000 << 5 << 20 << false;
        QTest::newRow("no stages") << 50 << 2 << 0 << false;
        QTest::newRow("no scores") << 50 << 0 << 3 << false;
        QTest::newRow("result segments differ from prompt") << 80 << 5 << 2 << true;
        QTest::newRow("empty result") << 0 << 0 << 0 << false;
    }

    void roundTripIsExact()
    {
        QFETCH(int, words);
        QFETCH(int, series);
        QFETCH(int, stages);
        QFETCH(bool, ownSegments);
        SessionStore store = openFresh();
        const Prompt prompt = makePrompt(words);
        CompressionResult result =
            words > 0 ? makeResult(prompt, series, stages) : CompressionResult{};
        if (ownSegments)
            result.segments.back().text += " (normalised)";
        const CompressOptions options = makeOptions();
        const ModelIdentity model{"gpt2-small", "/models/gpt2.safetensors", "sha256:0123abcd"};
        const std::map<std::string, double> metrics{{"rouge_l", 0.4125}, {"bleu", std::nan("")}};
        const auto sid = store.createSession("round trip");
        QVERIFY(sid.ok());
        const auto rid = store.saveRun(*sid, prompt, options, model, result, metrics);
        QVERIFY2(rid.ok(), rid.ok() ? "" : rid.error().toString().c_str());

        auto loaded = store.loadRun(*rid);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().toString().c_str());
        QCOMPARE(QString::fromStdString(diffResults(result, loaded->result)), QString());
        QCOMPARE(QString::fromStdString(diffOptions(options, loaded->options)), QString());
        QCOMPARE(QString::fromStdString(
                     diffSegments(prompt.segments, loaded->prompt.segments, "prompt")),
                 QString());
        QCOMPARE(loaded->info.model.name, model.name);
        QCOMPARE(loaded->info.model.path, model.path);
        QCOMPARE(loaded->info.model.checksum, model.checksum);
        QCOMPARE(loaded->info.sessionId, *sid);
        QCOMPARE(loaded->info.tokensIn, result.tokensIn);
        QCOMPARE(QString::fromStdString(loaded->info.engineVersion), QStringLiteral(TERSE_VERSION));
        QCOMPARE(loaded->metrics.size(), std::size_t(2));
        QCOMPARE(loaded->metrics.at("rouge_l"), 0.4125);
        QVERIFY(std::isnan(loaded->metrics.at("bleu")));

        // A reopened connection reads the same bits.
        const std::string path = store.path();
        store = std::move(SessionStore::open(path)).value();
        auto again = store.loadRun(*rid);
        QVERIFY(again.ok());
        QCOMPARE(QString::fromStdString(diffResults(result, again->result)), QString());
    }

    void promptsAreSharedWithinASession()
    {
        SessionStore store = openFresh();
        const auto sid = *store.createSession("shared");
        const Prompt prompt = makePrompt(40);
        const CompressionResult result = makeResult(prompt, 1, 1);
        const auto r1 = *store.saveRun(sid, prompt, makeOptions(), {}, result);
        CompressOptions other = makeOptions();
        other.rate = 0.9;
        const auto r2 = *store.saveRun(sid, prompt, other, {}, result);
        QCOMPARE(store.loadRun(r1)->info.promptId, store.loadRun(r2)->info.promptId);
        const auto r3 =
            *store.saveRun(sid, makePrompt(41), other, {}, makeResult(makePrompt(41), 1, 1));
        QVERIFY(store.loadRun(r3)->info.promptId != store.loadRun(r1)->info.promptId);
        const auto runs = *store.listRuns(sid);
        QCOMPARE(runs.size(), std::size_t(3));
        QCOMPARE(runs[0].id, r1);
        QCOMPARE(runs[2].id, r3);
        QVERIFY(store.deleteRun(r3).ok());
        QCOMPARE(store.listRuns(sid)->size(), std::size_t(2));
        QCOMPARE(store.loadRun(r3).error().code, ErrorCode::NotFound);
    }

    void sessionLifecycle()
    {
        SessionStore store = openFresh();
        const auto sid = *store.createSession("experiment");
        const Prompt prompt = makePrompt(60);
        const CompressionResult result = makeResult(prompt, 3, 4);
        const auto rid = *store.saveRun(sid, prompt, makeOptions(), {"m", "", ""}, result);
        QVERIFY(store.renameSession(sid, "experiment A").ok());
        QVERIFY(store.setTags(sid, {"zeta", " alpha ", "zeta", ""}).ok());
        QVERIFY(store.setNotes(sid, "first try").ok());
        const SessionInfo info = *store.session(sid);
        QCOMPARE(QString::fromStdString(info.name), QStringLiteral("experiment A"));
        QCOMPARE(info.tags, (std::vector<std::string>{"alpha", "zeta"}));
        QCOMPARE(QString::fromStdString(info.notes), QStringLiteral("first try"));
        QCOMPARE(info.runCount, 1L);

        // Branching: a deep copy that later changes to the original do not reach.
        const auto copy = store.duplicateSession(sid);
        QVERIFY2(copy.ok(), copy.ok() ? "" : copy.error().toString().c_str());
        const SessionInfo c = *store.session(*copy);
        QCOMPARE(QString::fromStdString(c.name), QStringLiteral("experiment A (copy)"));
        QCOMPARE(c.tags, info.tags);
        QCOMPARE(c.notes, info.notes);
        const auto copyRuns = *store.listRuns(*copy);
        QCOMPARE(copyRuns.size(), std::size_t(1));
        QVERIFY(copyRuns[0].id != rid);
        QCOMPARE(QString::fromStdString(diffResults(result, store.loadRun(copyRuns[0].id)->result)),
                 QString());
        QVERIFY(store.deleteRun(rid).ok());
        QCOMPARE(store.listRuns(*copy)->size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(store.session(*store.duplicateSession(sid, "named"))->name),
                 QStringLiteral("named"));

        // Soft delete, undo, purge.
        QVERIFY(store.deleteSession(sid).ok());
        QCOMPARE(store.deleteSession(sid).error().code, ErrorCode::InvalidArgument);
        QVERIFY(store.session(sid)->deletedAt > 0);
        QCOMPARE(store.listSessions()->size(), std::size_t(2));
        SessionQuery all;
        all.includeDeleted = true;
        QCOMPARE(store.listSessions(all)->size(), std::size_t(3));
        QVERIFY(!store.saveRun(sid, prompt, makeOptions(), {}, result)
                     .ok()); // no saving into the trash
        QVERIFY(store.undoDelete(sid).ok());
        QCOMPARE(store.listSessions()->size(), std::size_t(3));
        QVERIFY(store.deleteSession(*copy).ok());
        QCOMPARE(*store.purgeDeleted(), 1L);
        QCOMPARE(store.session(*copy).error().code, ErrorCode::NotFound);
        QCOMPARE(store.loadRun(copyRuns[0].id).error().code, ErrorCode::NotFound); // cascaded

        // Errors name what is missing or wrong.
        auto missing = store.renameSession(9999, "x");
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QVERIFY(missing.error().detail.find("no session 9999") != std::string::npos);
        QCOMPARE(store.createSession("  ").error().code, ErrorCode::InvalidArgument);
        QCOMPARE(store.undoDelete(sid).error().code, ErrorCode::InvalidArgument);
        QCOMPARE(store.saveRun(4242, prompt, {}, {}, result).error().code, ErrorCode::NotFound);
    }

    void search_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("tag");
        QTest::addColumn<int>("sort");
        QTest::addColumn<int>("limit");
        QTest::addColumn<int>("offset");
        QTest::addColumn<QStringList>("expected");
        const int nameAsc = int(SessionSort::NameAsc), updDesc = int(SessionSort::UpdatedDesc);
        QTest::newRow("all, newest first")
            << ""
            << ""
            << ""
            << "" << updDesc << -1 << 0 << QStringList{"delta", "Charlie", "bravo", "alpha"};
        QTest::newRow("by name") << ""
                                 << ""
                                 << ""
                                 << "" << nameAsc << -1 << 0
                                 << QStringList{"alpha", "bravo", "Charlie", "delta"};
        QTest::newRow("by name desc") << ""
                                      << ""
                                      << ""
                                      << "" << int(SessionSort::NameDesc) << -1 << 0
                                      << QStringList{"delta", "Charlie", "bravo", "alpha"};
        QTest::newRow("created asc") << ""
                                     << ""
                                     << ""
                                     << "" << int(SessionSort::CreatedAsc) << -1 << 0
                                     << QStringList{"alpha", "bravo", "Charlie", "delta"};
        QTest::newRow("page") << ""
                              << ""
                              << ""
                              << "" << nameAsc << 2 << 1 << QStringList{"bravo", "Charlie"};
        QTest::newRow("name substring, any case")
            << "CHAR"
            << ""
            << ""
            << "" << nameAsc << -1 << 0 << QStringList{"Charlie"};
        QTest::newRow("prompt substring")
            << "zebra"
            << ""
            << ""
            << "" << nameAsc << -1 << 0 << QStringList{"alpha", "delta"};
        QTest::newRow("percent is literal") << "100%"
                                            << ""
                                            << ""
                                            << "" << nameAsc << -1 << 0 << QStringList{"bravo"};
        QTest::newRow("method") << ""
                                << "llmlingua"
                                << ""
                                << "" << nameAsc << -1 << 0 << QStringList{"bravo"};
        QTest::newRow("model by name") << ""
                                       << ""
                                       << "gpt2"
                                       << "" << nameAsc << -1 << 0 << QStringList{"alpha", "bravo"};
        QTest::newRow("model by checksum") << ""
                                           << ""
                                           << "sha256:ll"
                                           << "" << nameAsc << -1 << 0 << QStringList{"delta"};
        QTest::newRow("tag") << ""
                             << ""
                             << ""
                             << "keep" << nameAsc << -1 << 0 << QStringList{"Charlie", "delta"};
        QTest::newRow("combined") << "zebra"
                                  << ""
                                  << ""
                                  << "keep" << nameAsc << -1 << 0 << QStringList{"delta"};
        QTest::newRow("nothing") << "no such text"
                                 << ""
                                 << ""
                                 << "" << nameAsc << -1 << 0 << QStringList{};
    }

    void search()
    {
        QFETCH(QString, text);
        QFETCH(QString, method);
        QFETCH(QString, model);
        QFETCH(QString, tag);
        QFETCH(int, sort);
        QFETCH(int, limit);
        QFETCH(int, offset);
        QFETCH(QStringList, expected);
        SessionStore store = openFresh();
        auto add = [&](const char *name, const char *promptText, const char *meth, ModelIdentity m,
                       std::vector<std::string> tags) {
            const auto id = *store.createSession(name);
            if (promptText) {
                CompressOptions o;
                o.method = meth;
                const Prompt p = Prompt::fromText(promptText);
                QVERIFY(store.saveRun(id, p, o, m, makeResult(p, 1, 0)).ok());
            }
            QVERIFY(store.setTags(id, tags).ok());
            QTest::qWait(3); // distinct update times
        };
        add("alpha", "a Zebra crossed", "random", {"gpt2", "", "sha256:g"}, {});
        add("bravo", "rate 100% kept", "llmlingua", {"gpt2", "", "sha256:g"}, {"other"});
        add("Charlie", nullptr, "", {}, {"keep"});
        add("delta", "the zebra again", "random", {"llama", "", "sha256:ll"}, {"keep"});
        const auto trash = *store.createSession("zebra in the trash");
        QVERIFY(store.deleteSession(trash).ok());

        SessionQuery q;
        q.text = text.toStdString();
        q.method = method.toStdString();
        q.model = model.toStdString();
        q.tag = tag.toStdString();
        q.sort = static_cast<SessionSort>(sort);
        q.limit = limit;
        q.offset = offset;
        auto found = store.listSessions(q);
        QVERIFY2(found.ok(), found.ok() ? "" : found.error().toString().c_str());
        QStringList names;
        for (const auto &s : *found)
            names << QString::fromStdString(s.name);
        QCOMPARE(names, expected);
    }

    void searchByDateRange()
    {
        SessionStore store = openFresh();
        const auto a = *store.createSession("a");
        QTest::qWait(20);
        const auto b = *store.createSession("b");
        const auto tb = store.session(b)->updated;
        QVERIFY(tb > store.session(a)->updated);
        SessionQuery q;
        q.updatedFrom = tb;
        QCOMPARE(store.listSessions(q)->size(), std::size_t(1));
        q.updatedFrom = 0;
        q.updatedTo = tb - 1;
        QCOMPARE(store.listSessions(q)->front().id, a);
    }

    void workingStateAndSettings()
    {
        SessionStore store = openFresh();
        QCOMPARE(store.loadWorkingState("main").error().code, ErrorCode::NotFound);
        const auto sid = *store.createSession("open one", true);
        QVERIFY(store.session(sid)->isAutosave);
        WorkingState w;
        w.instance = "main";
        w.sessionId = sid;
        w.prompt = makePrompt(30);
        w.options = makeOptions();
        w.uiState = R"({"splitter":[300,700],"tab":"heatmap"})";
        QVERIFY(store.saveWorkingState(w).ok());
        w.uiState = R"({"tab":"compare"})";
        QVERIFY(store.saveWorkingState(w).ok()); // overwrites the slot
        WorkingState second = w;
        second.instance = "window-2";
        second.sessionId = 0;
        QVERIFY(store.saveWorkingState(second).ok());
        const auto got = store.loadWorkingState("main");
        QVERIFY(got.ok());
        QCOMPARE(got->sessionId, sid);
        QCOMPARE(QString::fromStdString(got->uiState), QStringLiteral(R"({"tab":"compare"})"));
        QCOMPARE(QString::fromStdString(diffOptions(w.options, got->options)), QString());
        QCOMPARE(QString::fromStdString(diffSegments(w.prompt.segments, got->prompt.segments, "p")),
                 QString());
        QVERIFY(got->savedAt > 0);
        QCOMPARE(store.loadWorkingState("window-2")->sessionId, std::int64_t(0));
        w.sessionId = 777;
        QCOMPARE(store.saveWorkingState(w).error().code, ErrorCode::NotFound);
        QVERIFY(store.clearWorkingState("main").ok());
        QCOMPARE(store.loadWorkingState("main").error().code, ErrorCode::NotFound);

        QVERIFY(!store.setting("ui/theme")->has_value());
        QVERIFY(store.setSetting("ui/theme", "dark").ok());
        QVERIFY(store.setSetting("ui/theme", "light").ok());
        QCOMPARE(QString::fromStdString(store.setting("ui/theme")->value()),
                 QStringLiteral("light"));
        QVERIFY(store.removeSetting("ui/theme").ok());
        QVERIFY(!store.setting("ui/theme")->has_value());
    }

    void exportImportRoundTrip()
    {
        SessionStore src = openFresh();
        const auto s1 = *src.createSession("first");
        const Prompt p1 = makePrompt(500);
        const CompressionResult r1 = makeResult(p1, 5, 6);
        const ModelIdentity model{"gpt2", "/m/gpt2", "sha256:feed"};
        QVERIFY(src.saveRun(s1, p1, makeOptions(), model, r1, {{"rouge_l", 0.5}}).ok());
        CompressionResult r1b = r1;
        r1b.segments[1].text += "!";
        QVERIFY(src.saveRun(s1, p1, makeOptions(), model, r1b).ok());
        QVERIFY(src.setTags(s1, {"exported"}).ok());
        QVERIFY(src.setNotes(s1, "notes with \"quotes\" and ünïcode").ok());
        const auto s2 = *src.createSession("second, empty");
        const auto gone = *src.createSession("deleted");
        QVERIFY(src.deleteSession(gone).ok());

        const QString file = m_dir.filePath("export.json");
        QVERIFY(src.exportSessionsToFile(file.toStdString()).ok());
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(doc["format"].toString(), QStringLiteral("terse-sessions"));
        QCOMPARE(doc["version"].toInt(), 1);
        QCOMPARE(doc["sessions"].toArray().size(), 2); // the deleted one is not exported

        SessionStore dst = openFresh();
        const auto report = dst.importSessionsFromFile(file.toStdString());
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());
        QCOMPARE(report->imported.size(), std::size_t(2));
        QVERIFY(report->skipped.empty());
        for (const auto &item : report->imported) {
            const std::int64_t oldId = item.index == 0 ? s1 : s2;
            const SessionInfo a = *src.session(oldId), b = *dst.session(item.id);
            QCOMPARE(b.name, a.name);
            QCOMPARE(b.created, a.created);
            QCOMPARE(b.updated, a.updated);
            QCOMPARE(b.tags, a.tags);
            QCOMPARE(b.notes, a.notes);
            QCOMPARE(b.runCount, a.runCount);
            const auto ra = *src.listRuns(oldId), rb = *dst.listRuns(item.id);
            QCOMPARE(rb.size(), ra.size());
            for (std::size_t i = 0; i < ra.size(); ++i) {
                const StoredRun x = *src.loadRun(ra[i].id), y = *dst.loadRun(rb[i].id);
                QCOMPARE(QString::fromStdString(diffResults(x.result, y.result)), QString());
                QCOMPARE(QString::fromStdString(diffOptions(x.options, y.options)), QString());
                QCOMPARE(
                    QString::fromStdString(diffSegments(x.prompt.segments, y.prompt.segments, "p")),
                    QString());
                QCOMPARE(y.info.created, x.info.created);
                QCOMPARE(y.info.model.checksum, x.info.model.checksum);
                QCOMPARE(y.metrics, x.metrics);
            }
        }
        // Exporting selected ids; a missing id is named.
        QCOMPARE(exportedCount(*src.exportSessions({s2})), 1);
        auto missing = src.exportSessions({s1, 5555});
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QVERIFY(missing.error().detail.find("5555") != std::string::npos);
    }

    void importReportsBadItems_data()
    {
        QTest::addColumn<QString>("path");   // JSON pointer-ish: which field to spoil in session 1
        QTest::addColumn<QString>("value");  // the JSON to put there
        QTest::addColumn<QString>("reason"); // expected in the skip reason
        QTest::newRow("name not a string") << "name"
                                           << "42"
                                           << "sessions[1].name: expected a string";
        QTest::newRow("empty name") << "name"
                                    << "\"\""
                                    << "sessions[1].name: a session name cannot be empty";
        QTest::newRow("bad time") << "created"
                                  << "\"yesterday\""
                                  << "sessions[1].created";
        QTest::newRow("bad role") << "runs/0/prompt/0/role"
                                  << "\"narrator\""
                                  << "unknown role 'narrator'";
        QTest::newRow("bad mode") << "runs/0/options/mode"
                                  << "\"fast\""
                                  << "sessions[1].runs[0].options.mode";
        QTest::newRow("unit outside text") << "runs/0/result/units/0"
                                           << "[0, 0, 99999, true, false, -1]"
                                           << "sessions[1].runs[0].result.units[0]: span 0-99999";
        QTest::newRow("bad base64") << "runs/0/result/scores/0/f32"
                                    << "\"@@@@\""
                                    << "invalid base64";
        QTest::newRow("odd float bytes") << "runs/0/result/scores/0/f32"
                                         << "\"AAA=\""
                                         << "not a multiple of 4";
        QTest::newRow("removed unit out of range") << "runs/0/result/stages/0/removed_units"
                                                   << "[123456]"
                                                   << "removed_units";
        QTest::newRow("missing result") << "runs/0/result"
                                        << "null"
                                        << "result: expected an object";
        QTest::newRow("pinned outside prompt") << "runs/0/options/pinned"
                                               << R"([{"segment":9,"begin":0,"end":1,"keep":true}])"
                                               << "pinned[0]: lies outside the prompt";
    }

    void importReportsBadItems()
    {
        QFETCH(QString, path);
        QFETCH(QString, value);
        QFETCH(QString, reason);
        SessionStore src = openFresh();
        for (const char *name : {"good one", "to spoil", "good two"}) {
            const auto id = *src.createSession(name);
            const Prompt p = makePrompt(20);
            QVERIFY(src.saveRun(id, p, makeOptions(), {}, makeResult(p, 2, 2)).ok());
        }
        QJsonObject doc =
            QJsonDocument::fromJson(QByteArray::fromStdString(*src.exportSessions())).object();
        // Sessions export in id order; spoil the second at `path` (keys and indices split by '/').
        QJsonArray sessions = doc["sessions"].toArray();
        const QJsonValue bad = QJsonDocument::fromJson("[" + value.toUtf8() + "]").array().at(0);
        std::function<QJsonValue(QJsonValue, QStringList)> set = [&](QJsonValue node,
                                                                     QStringList keys) {
            if (keys.isEmpty())
                return bad;
            const QString k = keys.takeFirst();
            if (node.isArray()) {
                QJsonArray a = node.toArray();
                a[k.toInt()] = set(a.at(k.toInt()), keys);
                return QJsonValue(a);
            }
            QJsonObject o = node.toObject();
            o[k] = set(o.value(k), keys);
            return QJsonValue(o);
        };
        sessions[1] = set(sessions[1], path.split('/'));
        doc["sessions"] = sessions;

        SessionStore dst = openFresh();
        const auto report = dst.importSessions(QJsonDocument(doc).toJson().toStdString());
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());
        QCOMPARE(report->imported.size(), std::size_t(2));
        QCOMPARE(report->imported[0].index, 0);
        QCOMPARE(report->imported[1].index, 2);
        QCOMPARE(report->skipped.size(), std::size_t(1));
        QCOMPARE(report->skipped[0].index, 1);
        QVERIFY2(QString::fromStdString(report->skipped[0].reason).contains(reason),
                 report->skipped[0].reason.c_str());
        QCOMPARE(dst.listSessions()->size(), std::size_t(2));
    }

    void importRejectsUnknownFiles_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("reason");
        QTest::newRow("not json") << "{oops"
                                  << "invalid JSON at byte";
        QTest::newRow("other format") << R"({"format":"other","version":1,"sessions":[]})"
                                      << "not a Terse sessions export";
        QTest::newRow("newer version")
            << R"({"format":"terse-sessions","version":2,"sessions":[]})"
            << "export format version 2 is not supported (this Terse reads version 1)";
        QTest::newRow("no version") << R"({"format":"terse-sessions","sessions":[]})"
                                    << "no integer \"version\"";
        QTest::newRow("no sessions") << R"({"format":"terse-sessions","version":1})"
                                     << "no \"sessions\" array";
    }

    void importRejectsUnknownFiles()
    {
        QFETCH(QString, text);
        QFETCH(QString, reason);
        SessionStore store = openFresh();
        const auto report = store.importSessions(text.toStdString());
        QVERIFY(!report.ok());
        QCOMPARE(report.error().code, ErrorCode::FormatError);
        QVERIFY2(QString::fromStdString(report.error().detail).contains(reason),
                 report.error().detail.c_str());
        QVERIFY(store.listSessions()->empty());
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

private:
    static int exportedCount(const std::string &json)
    {
        return QJsonDocument::fromJson(QByteArray::fromStdString(json))
            .object()["sessions"]
            .toArray()
            .size();
    }
};

QTEST_GUILESS_MAIN(TestSessionStore)
#include "test_session_store.moc"
