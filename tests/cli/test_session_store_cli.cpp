// `terse sessions` and `terse compress --save` (issue 5): exact exit codes and messages, run
// through the built CLI.
#include "cli_test_util.h"

#include <QtTest>

using namespace cli_test;

class TestSessionStoreCli : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    QString m_prompt;

    // Substitutes the markers DB, PROMPT and DIR in a row's arguments.
    QStringList expand(const QStringList &args) const
    {
        QStringList out;
        for (QString a : args)
            out << a.replace("DB", m_db).replace("PROMPT", m_prompt).replace("DIR", m_dir.path());
        return out;
    }

    void writeFile(const QString &name, const QByteArray &data)
    {
        QFile f(m_dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(data);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath("sessions.sqlite3");
        m_prompt = m_dir.filePath("prompt.txt");
        writeFile("prompt.txt",
                  "Sessions keep every run: the prompt, the options and all the scores.\n");
        writeFile("notes.txt", "just some notes\n");
        writeFile("garbage.json", "{ this is not json");
        // Session 1 "demo" with two runs, session 2 "other" with one.
        for (const QStringList &a :
             {QStringList{"--session", "demo"}, QStringList{"--session", "demo", "--rate", "0.3"},
              QStringList{"--session", "other"}}) {
            const Run r =
                terse(QStringList{"compress", "--method", "random", "--save", "--db", m_db} + a +
                      QStringList{m_prompt});
            QCOMPARE(r.code, 0);
            QVERIFY2(r.err.contains("terse: saved run"), qPrintable(r.err));
            QVERIFY(!r.out.trimmed().isEmpty()); // the compressed text still reaches stdout
        }
    }

    void verbs_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("out"); // substring of stdout ("" = anything)
        QTest::addColumn<QString>("err"); // substring of stderr ("" = must be empty)
        const QString db = "DB";
        QTest::newRow("list") << QStringList{"sessions", "list", "--db", db} << 0 << "demo"
                              << "";
        QTest::newRow("list by name")
            << QStringList{"sessions", "list", "--sort", "name", "--db", db} << 0 << "other"
            << "";
        QTest::newRow("list json")
            << QStringList{"sessions", "list", "--json", "--db", db} << 0 << "\"name\": \"demo\""
            << "";
        QTest::newRow("search") << QStringList{"sessions", "list", "--search", "SCORES",
                                               "--limit",  "1",    "--db",     db}
                                << 0 << "  1  "
                                << "";
        QTest::newRow("search nothing")
            << QStringList{"sessions", "list", "--search", "zzz", "--db", db} << 0 << "no sessions"
            << "";
        QTest::newRow("show") << QStringList{"sessions", "show", "1", "--db", db} << 0
                              << "session 1: demo"
                              << "";
        QTest::newRow("show runs")
            << QStringList{"sessions", "show", "1", "--db", db} << 0 << "runs     2"
            << "";
        QTest::newRow("show json") << QStringList{"sessions", "show", "2", "--json", "--db", db}
                                   << 0 << "\"method\": \"random\""
                                   << "";
        QTest::newRow("rename") << QStringList{"sessions", "rename", "2", "renamed", "--db", db}
                                << 0 << "renamed session 2 to 'renamed'"
                                << "";
        QTest::newRow("delete") << QStringList{"sessions", "delete", "2", "--db", db} << 0
                                << "deleted session 2 (undo: terse sessions undelete 2)"
                                << "";
        QTest::newRow("delete twice")
            << QStringList{"sessions", "delete", "2", "--db", db} << 2 << ""
            << "terse: deleting session 2: session 2 is already deleted\n";
        QTest::newRow("listed as deleted")
            << QStringList{"sessions", "list", "--deleted", "--db", db} << 0 << "renamed (deleted)"
            << "";
        QTest::newRow("undelete") << QStringList{"sessions", "undelete", "2", "--db", db} << 0
                                  << "restored session 2"
                                  << "";
        QTest::newRow("export") << QStringList{"sessions", "export",       "1",    "2",
                                               "--out",    "DIR/out.json", "--db", db}
                                << 0 << "exported 2 sessions to"
                                << "";
        QTest::newRow("import") << QStringList{"sessions", "import", "DIR/out.json", "--db",
                                               "DIR/other.sqlite3"}
                                << 0 << "imported 'demo' as session 1 (2 runs)"
                                << "";

        // Bad input: exact exit codes and messages.
        // Command-line errors come from CLI11 (issue 19) and name the subcommand and the option.
        QTest::newRow("no command")
            << QStringList{"sessions"} << 2 << ""
            << "terse: sessions: A subcommand is required (see terse sessions --help)\n";
        QTest::newRow("unknown command")
            << QStringList{"sessions", "frob"} << 2 << ""
            << "terse: sessions: unknown subcommand 'frob' (known: list, show, export, import, "
               "delete, undelete, rename; see terse sessions --help)\n";
        QTest::newRow("unknown option")
            << QStringList{"sessions", "list", "--frob", "--db", db} << 2 << ""
            << "terse: sessions list: The following argument was not expected: --frob (see terse "
               "sessions list --help)\n";
        QTest::newRow("option of another subcommand")
            << QStringList{"sessions", "show", "1", "--deleted", "--db", db} << 2 << ""
            << "terse: sessions show: The following argument was not expected: --deleted (see "
               "terse sessions show --help)\n";
        QTest::newRow("id not a number")
            << QStringList{"sessions", "show", "abc", "--db", db} << 2 << ""
            << "terse: sessions show: ID: expects an integer, got 'abc' (see terse sessions show "
               "--help)\n";
        QTest::newRow("id zero")
            << QStringList{"sessions", "show", "0", "--db", db} << 2 << ""
            << "terse: sessions show: ID: must be in [1, 9223372036854775807], got 0 (see terse "
               "sessions show --help)\n";
        QTest::newRow("two ids")
            << QStringList{"sessions", "delete", "1", "2", "--db", db} << 2 << ""
            << "terse: sessions delete: The following argument was not expected: 2 (see terse "
               "sessions delete --help)\n";
        QTest::newRow("missing id") << QStringList{"sessions", "show", "99", "--db", db} << 4 << ""
                                    << "terse: reading session 99: no session 99\n";
        QTest::newRow("show without id")
            << QStringList{"sessions", "show", "--db", db} << 2 << ""
            << "terse: sessions show: ID is required (see terse sessions show --help)\n";
        QTest::newRow("rename without name")
            << QStringList{"sessions", "rename", "1", "--db", db} << 2 << ""
            << "terse: sessions rename: NAME is required (see terse sessions rename --help)\n";
        QTest::newRow("rename to blank")
            << QStringList{"sessions", "rename", "1", " ", "--db", db} << 2 << ""
            << "terse: renaming session 1: a session name cannot be empty\n";
        QTest::newRow("delete missing")
            << QStringList{"sessions", "delete", "77", "--db", db} << 4 << ""
            << "terse: deleting session 77: no session 77\n";
        QTest::newRow("export without out")
            << QStringList{"sessions", "export", "--db", db} << 2 << ""
            << "terse: sessions export: --out is required (see terse sessions export --help)\n";
        QTest::newRow("export missing id")
            << QStringList{"sessions", "export", "42", "--out", "DIR/x.json", "--db", db} << 4 << ""
            << "terse: exporting sessions: no session 42\n";
        QTest::newRow("bad sort") << QStringList{"sessions", "list", "--sort", "size", "--db", db}
                                  << 2 << ""
                                  << "terse: sessions list: --sort: size not in {date,name} (see "
                                     "terse sessions list --help)\n";
        QTest::newRow("bad limit")
            << QStringList{"sessions", "list", "--limit", "-1", "--db", db} << 2 << ""
            << "terse: sessions list: --limit: must be in [0, 2147483647], got -1 (see terse "
               "sessions list --help)\n";
        QTest::newRow("import missing file")
            << QStringList{"sessions", "import", "DIR/none.json", "--db", db} << 4 << ""
            << "none.json': No such file or directory";
        QTest::newRow("import a folder") // read through a stream buffer, it threw and aborted
            << QStringList{"sessions", "import", "DIR", "--db", db} << 3 << ""
            << "is a folder; expected a terse-sessions JSON file";
        QTest::newRow("import not json")
            << QStringList{"sessions", "import", "DIR/garbage.json", "--db", db} << 3 << ""
            << "invalid JSON at byte";
        QTest::newRow("db is a text file")
            << QStringList{"sessions", "list", "--db", "DIR/notes.txt"} << 3 << ""
            << "is not a usable Terse session database (file is not a database)";
        QTest::newRow("db below a file")
            << QStringList{"sessions", "list", "--db", "DIR/notes.txt/s.sqlite3"} << 1 << ""
            << "is a file, not a folder";
        QTest::newRow("compress --db without --save")
            << QStringList{"compress", "--method", "random", "--db", db, "PROMPT"} << 2 << ""
            << "terse: compress: --db requires --save (see terse compress --help)\n";
    }

    void verbs()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, out);
        QFETCH(QString, err);
        const Run r = terse(expand(args));
        QVERIFY2(r.code == code,
                 qPrintable(QStringLiteral("exit %1, stderr: %2").arg(r.code).arg(r.err)));
        QVERIFY2(out.isEmpty() || r.out.contains(out), qPrintable(r.out));
        if (err.isEmpty())
            QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
        else if (err.startsWith("terse: ") && err.endsWith('\n'))
            QCOMPARE(r.err, err);
        else
            QVERIFY2(r.err.contains(err), qPrintable(r.err));
    }

    void importReportsSkippedSessions()
    {
        QVERIFY(
            terse({"sessions", "export", "--out", m_dir.filePath("all.json"), "--db", m_db}).code ==
            0);
        QFile f(m_dir.filePath("all.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
        QJsonArray sessions = doc["sessions"].toArray();
        QJsonObject broken = sessions[0].toObject();
        broken["created"] = "yesterday";
        sessions[0] = broken;
        doc["sessions"] = sessions;
        writeFile("partly.json", QJsonDocument(doc).toJson());
        const Run r = terse({"sessions", "import", m_dir.filePath("partly.json"), "--db",
                             m_dir.filePath("third.sqlite3")});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.out.contains("1 imported, 1 skipped"), qPrintable(r.out));
        QVERIFY2(
            r.err.contains("terse: skipped session 0 'demo': sessions[0].created: expected a time"),
            qPrintable(r.err));
        writeFile("future.json", R"({"format":"terse-sessions","version":9,"sessions":[]})");
        const Run future =
            terse({"sessions", "import", m_dir.filePath("future.json"), "--db", m_db});
        QCOMPARE(future.code, 3);
        QVERIFY2(future.err.contains(
                     "export format version 9 is not supported (this Terse reads version 1)"),
                 qPrintable(future.err));
    }

    // Issue 17: a save that fails for lack of space says so and leaves no empty session behind. The
    // file size limit (ulimit -f, SIGXFSZ ignored) stands in for a full disk.
    void failedSaveLeavesNoEmptySession()
    {
        const QString db = m_dir.filePath("full.sqlite3");
        QCOMPARE(terse({"sessions", "list", "--db", db}).code, 0);
        QString words;
        for (int i = 0; i < 3000; ++i)
            words += QStringLiteral("word%1 ").arg(i);
        writeFile("big.txt", words.toUtf8());
        QProcess p;
        p.start("bash",
                {"-c", QStringLiteral(
                           "trap '' XFSZ; ulimit -f 40; exec '%1' compress --method random --save "
                           "--db '%2' '%3'")
                           .arg(TERSE_CLI_PATH, db, m_dir.filePath("big.txt"))});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("no space left on the device"), qPrintable(err));
        const Run list = terse({"sessions", "list", "--db", db});
        QCOMPARE(list.code, 0);
        QVERIFY2(list.err.contains("no sessions") || list.out.contains("no sessions"),
                 qPrintable(list.out + list.err));
    }

    void unnamedSaveCreatesASessionPerRun()
    {
        const QString db = m_dir.filePath("unnamed.sqlite3");
        for (int i = 0; i < 2; ++i)
            QCOMPARE(terse({"compress", "--method", "random", "--save", "--db", db, m_prompt}).code,
                     0);
        const Run r = terse({"sessions", "list", "--json", "--db", db});
        QCOMPARE(r.code, 0);
        const QJsonArray list = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list[0].toObject()["name"].toString(),
                 QStringLiteral("random: Sessions keep every run: the prompt, the"));
    }

    // The name of an unnamed run's session: the prompt's first 40 bytes with each run of
    // whitespace one space, none at either end, and no UTF-8 sequence cut in two (a whole one at
    // the end is kept).
    void unnamedSessionName_data()
    {
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<QString>("name");
        const QString words = QStringLiteral("\n\n  One   two\n\tthree ");
        QTest::newRow("a whole 'ö' in bytes 39-40")
            << words + QString(24, 'x') + QStringLiteral("ö and more words.")
            << "random: One two three " + QString(24, 'x') + QStringLiteral("ö");
        QTest::newRow("'ö' across byte 40")
            << words + QString(25, 'x') + QStringLiteral("ö and more words.")
            << "random: One two three " + QString(25, 'x');
        QTest::newRow("a space at byte 40")
            << words + QString(25, 'x') + QStringLiteral("   and more words.")
            << "random: One two three " + QString(25, 'x');
    }

    void unnamedSessionName()
    {
        QFETCH(QString, prompt);
        QFETCH(QString, name);
        const QString db = m_dir.filePath("named.sqlite3");
        QFile::remove(db);
        writeFile("named.txt", prompt.toUtf8());
        QCOMPARE(terse({"compress", "--method", "random", "--save", "--db", db,
                        m_dir.filePath("named.txt")})
                     .code,
                 0);
        const Run r = terse({"sessions", "list", "--json", "--db", db});
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).array()[0].toObject()["name"].toString(),
                 name);
    }
};

QTEST_GUILESS_MAIN(TestSessionStoreCli)
#include "test_session_store_cli.moc"
