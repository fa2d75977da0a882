// Session store safety (issue 5): damaged, foreign and unusable files, a full disk, two processes
// writing at once, and a writer killed in the middle of a save.
#include "store_test_sql.h"
#include "store_test_util.h"
#include "terse/session_store.h"

#include <QtTest>

#include <sys/wait.h>
#include <csignal>
#include <unistd.h>

#include <random>

using namespace terse;
using namespace terse::testutil;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(data), data.size());
}

QStringList backupsOf(const QString &path)
{
    const QFileInfo fi(path);
    QStringList copies =
        QDir(fi.absolutePath()).entryList({fi.fileName() + ".corrupt-*"}, QDir::Files);
    copies.removeIf([](const QString &name) { return name.endsWith("-wal"); });
    return copies;
}

// A database with a few runs, closed cleanly (WAL checkpointed into the main file).
void makeDatabase(const QString &path, int runs)
{
    auto store = SessionStore::open(path.toStdString());
    QVERIFY(store.ok());
    const auto sid = *store->createSession("precious");
    const Prompt p = makePrompt(800);
    for (int i = 0; i < runs; ++i)
        QVERIFY(store->saveRun(sid, p, makeOptions(), {}, makeResult(p, 5, 4)).ok());
}

} // namespace

class TestSessionStoreSafety : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_counter = 0;
    QString freshPath() { return m_dir.filePath(QStringLiteral("s%1.sqlite3").arg(++m_counter)); }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void damagedFilesAreReportedAndCopied_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("reason");
        QTest::newRow("random bytes") << "random"
                                      << "file is not a database";
        QTest::newRow("text file") << "text"
                                   << "file is not a database";
        QTest::newRow("sqlite header, garbage after") << "header"
                                                      << "";
        QTest::newRow("damaged pages") << "pages"
                                       << "";
    }

    void damagedFilesAreReportedAndCopied()
    {
        QFETCH(QString, kind);
        QFETCH(QString, reason);
        const QString path = freshPath();
        std::mt19937 rng(3);
        QByteArray bytes;
        if (kind == "random") {
            for (int i = 0; i < 16384; ++i)
                bytes += char(rng());
        } else if (kind == "text") {
            bytes = "These are my notes, not a database.\n";
        } else if (kind == "header") {
            bytes = QByteArray("SQLite format 3", 16);
            for (int i = 0; i < 8192; ++i)
                bytes += char(rng());
        } else {
            makeDatabase(path, 6);
            bytes = readAll(path);
            QVERIFY(bytes.size() > 16 * 4096);
            // Overwrite pages in the middle (b-tree pages of the results) with garbage.
            for (int i = 4 * 4096; i < 12 * 4096; ++i)
                bytes[i] = char(rng());
        }
        writeAll(path, bytes);
        QVERIFY(backupsOf(path).isEmpty());

        auto store = SessionStore::open(path.toStdString());
        QVERIFY(!store.ok());
        QCOMPARE(store.error().code, ErrorCode::FormatError);
        const QString detail = QString::fromStdString(store.error().detail);
        QVERIFY2(detail.contains("not a usable Terse session database"), qPrintable(detail));
        QVERIFY2(reason.isEmpty() || detail.contains(reason), qPrintable(detail));
        QVERIFY2(detail.contains("left unchanged"), qPrintable(detail));
        // The original is untouched and a byte-identical copy sits next to it, named in the error.
        QCOMPARE(readAll(path), bytes);
        const QStringList backups = backupsOf(path);
        QCOMPARE(backups.size(), 1);
        QVERIFY(QRegularExpression(R"(\.corrupt-[0-9a-f]{16}$)").match(backups[0]).hasMatch());
        QVERIFY2(detail.contains(backups[0]), qPrintable(detail));
        QCOMPARE(readAll(QFileInfo(path).dir().filePath(backups[0])), bytes);
        // Issue 17: opening the same damaged file again keeps one copy (named by its content) ...
        QVERIFY(!SessionStore::open(path.toStdString()).ok());
        QVERIFY(!SessionStore::open(path.toStdString()).ok());
        QCOMPARE(backupsOf(path).size(), 1);
        // ... and a file damaged differently later gets its own, never overwriting the first.
        QByteArray changed = bytes;
        changed[changed.size() - 1] = char(changed[changed.size() - 1] ^ 0x5a);
        writeAll(path, changed);
        QVERIFY(!SessionStore::open(path.toStdString()).ok());
        QCOMPARE(backupsOf(path).size(), 2);
        QCOMPARE(readAll(QFileInfo(path).dir().filePath(backups[0])), bytes);
    }

    void foreignDatabaseIsLeftAlone_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::newRow("tables, no application id")
            << "CREATE TABLE contacts(name TEXT); INSERT INTO contacts VALUES ('x');";
        QTest::newRow("other application id") << "PRAGMA application_id = 1234;";
        QTest::newRow("other id and a sessions table")
            << "PRAGMA application_id = 99; CREATE TABLE sessions(id INTEGER PRIMARY KEY);";
    }

    void foreignDatabaseIsLeftAlone()
    {
        QFETCH(QString, sql);
        const QString path = freshPath();
        QVERIFY(rawExec(path, sql.toStdString()));
        const QByteArray before = readAll(path);
        auto store = SessionStore::open(path.toStdString());
        QVERIFY(!store.ok());
        QCOMPARE(store.error().code, ErrorCode::FormatError);
        const QString detail = QString::fromStdString(store.error().detail);
        QVERIFY2(detail.contains("SQLite database of another application"), qPrintable(detail));
        QVERIFY2(detail.contains("left unchanged"), qPrintable(detail));
        QCOMPARE(readAll(path), before);
        QVERIFY(!QFile::exists(path + "-wal"));
    }

    void zeroByteFileBecomesANewDatabase()
    {
        const QString path = freshPath();
        writeAll(path, {});
        auto store = SessionStore::open(path.toStdString());
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().toString().c_str());
        QCOMPARE(store->schemaVersion(), kSessionSchemaVersion);
        QVERIFY(store->createSession("first").ok());
        QVERIFY(backupsOf(path).isEmpty());
    }

    void unusablePathsGiveClearErrors_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("readOnly");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("reason");
        QTest::newRow("parent is a file")
            << "under-file" << false << int(ErrorCode::IoError) << "is a file, not a folder";
        QTest::newRow("path is a folder")
            << "folder" << false << int(ErrorCode::IoError) << "is a folder, not a database file";
        QTest::newRow("parent folder missing")
            << "no-parent" << false << int(ErrorCode::IoError) << "does not exist";
        QTest::newRow("read-only open of a missing file")
            << "missing" << true << int(ErrorCode::NotFound) << "no database file";
        QTest::newRow("empty path")
            << "empty" << false << int(ErrorCode::InvalidArgument) << "no database path";
        QTest::newRow("device file")
            << "device" << false << int(ErrorCode::IoError) << "not a regular file";
    }

    void unusablePathsGiveClearErrors()
    {
        QFETCH(QString, kind);
        QFETCH(bool, readOnly);
        QFETCH(int, code);
        QFETCH(QString, reason);
        QString path;
        if (kind == "under-file") {
            // Even root cannot create a file below a regular file (ENOTDIR): a meaningful
            // "unwritable location" in a test that runs as root.
            const QString file = m_dir.filePath("plain.txt");
            writeAll(file, "x");
            path = file + "/sessions.sqlite3";
        } else if (kind == "folder") {
            path = m_dir.filePath("a-folder");
            QVERIFY(QDir().mkpath(path));
        } else if (kind == "no-parent") {
            path = m_dir.filePath("nowhere/deeper/sessions.sqlite3");
        } else if (kind == "missing") {
            path = m_dir.filePath("missing.sqlite3");
        } else if (kind == "device") {
            path = "/dev/null";
        }
        StoreOpenOptions options;
        options.readOnly = readOnly;
        auto store = SessionStore::open(path.toStdString(), options);
        QVERIFY(!store.ok());
        QCOMPARE(int(store.error().code), code);
        const QString detail = QString::fromStdString(store.error().detail);
        QVERIFY2(detail.contains(reason), qPrintable(detail));
        if (!path.isEmpty() && kind != "device")
            QVERIFY2(detail.contains(path), qPrintable(detail));
    }

    void unwritableFolderForNonRoot()
    {
        if (::geteuid() == 0)
            QSKIP("root ignores permission bits; the parent-is-a-file row covers the root case");
        const QString dir = m_dir.filePath("locked");
        QVERIFY(QDir().mkpath(dir));
        QFile::setPermissions(dir, QFile::ReadOwner | QFile::ExeOwner);
        auto store = SessionStore::open((dir + "/s.sqlite3").toStdString());
        QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QVERIFY(!store.ok());
        QVERIFY2(store.error().detail.find("is not writable") != std::string::npos,
                 store.error().detail.c_str());
    }

    void fullDiskRollsBackAndKeepsEverything()
    {
        const QString path = freshPath();
        StoreOpenOptions options;
        options.maxPageCount = 160; // 640 KiB with 4 KiB pages
        auto store = SessionStore::open(path.toStdString(), options);
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().toString().c_str());
        const auto sid = *store->createSession("almost full");
        const Prompt p = makePrompt(1500);
        const CompressionResult r = makeResult(p, 5, 10);
        std::vector<std::int64_t> saved;
        Error failure;
        for (int i = 0; i < 50; ++i) {
            auto id = store->saveRun(sid, p, makeOptions(), {}, r);
            if (!id) {
                failure = id.error();
                break;
            }
            saved.push_back(*id);
        }
        QVERIFY2(!saved.empty(), "the cap is too small for even one run");
        QVERIFY2(saved.size() < 50, "the cap never filled");
        QCOMPARE(failure.code, ErrorCode::DatabaseError);
        QVERIFY2(failure.detail.find("the disk is full") != std::string::npos,
                 failure.detail.c_str());
        QVERIFY2(failure.detail.find("saving the run") != std::string::npos,
                 failure.detail.c_str());
        // The failed save left nothing behind, everything before it is intact, and the store still
        // works.
        QCOMPARE(QString::fromStdString(*store->integrityCheck()), QStringLiteral("ok"));
        QCOMPARE(store->listRuns(sid)->size(), saved.size());
        for (auto id : saved)
            QCOMPARE(QString::fromStdString(diffResults(r, store->loadRun(id)->result)), QString());
        QVERIFY(store->setSetting("small", "still fits").ok());
        // An import that does not fit imports nothing.
        const auto before = store->listSessions()->size();
        auto exported = store->exportSessions({sid});
        QVERIFY(exported.ok());
        auto imported = store->importSessions(*exported);
        QVERIFY(!imported.ok());
        QCOMPARE(store->listSessions()->size(), before);
        // With room again (no cap), saving succeeds.
        store = std::move(SessionStore::open(path.toStdString())).value();
        QVERIFY(store->saveRun(sid, p, makeOptions(), {}, r).ok());
        QCOMPARE(store->listRuns(sid)->size(), saved.size() + 1);
    }

    void twoProcessesSaveAtOnceThroughTheCli()
    {
        const QString path = freshPath();
        const QString prompt = m_dir.filePath("prompt.txt");
        writeAll(
            prompt,
            "Two processes write to one session database at the same time, and both succeed.\n");
        constexpr int kProcs = 6;
        std::vector<std::unique_ptr<QProcess>> procs;
        for (int i = 0; i < kProcs; ++i) {
            auto p = std::make_unique<QProcess>();
            p->start(TERSE_CLI_PATH,
                     {"compress", "--method", "random", "--seed", QString::number(i), "--save",
                      "--db", path, "--session", "shared", prompt});
            procs.push_back(std::move(p));
        }
        for (auto &p : procs) {
            QVERIFY(p->waitForFinished(60000));
            QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
        }
        auto store = SessionStore::open(path.toStdString());
        QVERIFY(store.ok());
        SessionQuery q;
        q.text = "shared";
        const auto sessions = *store->listSessions(q);
        QCOMPARE(sessions.size(), std::size_t(1)); // find-or-create is atomic across processes
        QCOMPARE(sessions[0].runCount, long(kProcs));
        QCOMPARE(QString::fromStdString(*store->integrityCheck()), QStringLiteral("ok"));
    }

    void twoForkedWritersInterleave()
    {
        const QString path = freshPath();
        QVERIFY(SessionStore::open(path.toStdString()).ok()); // create the schema once
        constexpr int kChildren = 2, kRuns = 15;
        std::vector<pid_t> pids;
        for (int c = 0; c < kChildren; ++c) {
            const pid_t pid = ::fork();
            QVERIFY(pid >= 0);
            if (pid == 0) {
                int failures = 0;
                auto store = SessionStore::open(path.toStdString());
                if (!store)
                    ::_exit(10);
                const auto sid = store->createSession("writer " + std::to_string(c));
                const Prompt p = makePrompt(400, c);
                const CompressionResult r = makeResult(p, 5, 5, c);
                for (int i = 0; sid && i < kRuns; ++i)
                    failures += store->saveRun(*sid, p, makeOptions(), {}, r).ok() ? 0 : 1;
                ::_exit(sid ? failures : 11);
            }
            pids.push_back(pid);
        }
        for (pid_t pid : pids) {
            int status = 0;
            QCOMPARE(::waitpid(pid, &status, 0), pid);
            QVERIFY(WIFEXITED(status));
            QCOMPARE(WEXITSTATUS(status), 0);
        }
        auto store = SessionStore::open(path.toStdString());
        const auto sessions = *store->listSessions();
        QCOMPARE(sessions.size(), std::size_t(kChildren));
        for (const auto &s : sessions)
            QCOMPARE(s.runCount, long(kRuns));
    }

    void killedWriterLosesNothingCommitted_data()
    {
        QTest::addColumn<int>("runsBeforeKill");
        QTest::addColumn<int>("delayUs");
        QTest::newRow("right after a commit") << 2 << 0;
        QTest::newRow("early in a save") << 3 << 2000;
        QTest::newRow("late in a save") << 4 << 9000;
    }

    void killedWriterLosesNothingCommitted()
    {
        QFETCH(int, runsBeforeKill);
        QFETCH(int, delayUs);
        const QString path = freshPath();
        const Prompt prompt = makePrompt(6000);
        const CompressionResult result = makeResult(prompt, 5, 20);
        int fds[2];
        QCOMPARE(::pipe(fds), 0);
        const pid_t pid = ::fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            auto store = SessionStore::open(path.toStdString());
            if (!store)
                ::_exit(10);
            const auto sid = store->createSession("killed");
            for (;;) {
                auto id = store->saveRun(*sid, prompt, makeOptions(), {}, result);
                if (!id)
                    ::_exit(12);
                const std::int64_t v = *id;
                if (::write(fds[1], &v, sizeof v) != sizeof v)
                    ::_exit(13);
            }
        }
        ::close(fds[1]);
        std::vector<std::int64_t> committed;
        while (static_cast<int>(committed.size()) < runsBeforeKill) {
            std::int64_t v = 0;
            QCOMPARE(::read(fds[0], &v, sizeof v), ssize_t(sizeof v));
            committed.push_back(v);
        }
        ::usleep(static_cast<useconds_t>(delayUs));
        QCOMPARE(::kill(pid, SIGKILL), 0);
        int status = 0;
        QCOMPARE(::waitpid(pid, &status, 0), pid);
        QVERIFY(WIFSIGNALED(status));
        std::int64_t v = 0;
        while (::read(fds[0], &v, sizeof v) == ssize_t(sizeof v))
            committed.push_back(v); // commits reported just before the kill
        ::close(fds[0]);

        auto store = SessionStore::open(path.toStdString());
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().toString().c_str());
        QCOMPARE(QString::fromStdString(*store->integrityCheck()), QStringLiteral("ok"));
        const auto sessions = *store->listSessions();
        QCOMPARE(sessions.size(), std::size_t(1));
        const auto runs = *store->listRuns(sessions[0].id);
        QVERIFY(runs.size() >= committed.size());
        QVERIFY(runs.size() <= committed.size() + 1); // one commit may precede its report
        for (auto id : committed) {
            auto run = store->loadRun(id);
            QVERIFY2(run.ok(), run.ok() ? "" : run.error().toString().c_str());
            QCOMPARE(QString::fromStdString(diffResults(result, run->result)), QString());
        }
    }
};

QTEST_GUILESS_MAIN(TestSessionStoreSafety)
#include "test_session_store_safety.moc"
