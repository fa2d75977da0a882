// Session store (issue 5): exact round trips of runs, answers, shared prompts, the sessions API,
// search, working state and settings.
#include "store_test_fixture.h"
#include "terse/session_store.h"

#include <QtTest>

using namespace terse;
using namespace terse::testutil;

class TestSessionStore : public StoreTestBase {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // Issue 19: a method's bookkeeping is not a score. Runs saved by earlier versions kept it among
    // the scores; loading or importing them drops it; a result's own internals are never saved.
    void bookkeepingIsNotStoredAsScores()
    {
        SessionStore store = openFresh();
        const auto sid = *store.createSession("old");
        const Prompt p = makePrompt(30);
        CompressionResult r = makeResult(p, 1, 2);
        const std::vector<float> perUnit(r.units.size(), 1.0f);
        r.scores.push_back({"piece_offset", perUnit}); // as an earlier version stored it
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
};

QTEST_GUILESS_MAIN(TestSessionStore)
#include "test_session_store.moc"
