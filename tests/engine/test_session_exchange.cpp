// Session store export and import (issue 5): the JSON round trip, bad items reported and skipped,
// files that are not a Terse export refused.
#include "store_test_fixture.h"
#include "terse/session_store.h"

#include <QtTest>

using namespace terse;
using namespace terse::testutil;

class TestSessionExchange : public StoreTestBase {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

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

    // Issue 19: the export's read transaction is the store's Transaction (Read mode): it works on a
    // read-only store, and a failed export leaves no transaction open on the connection.
    void exportRunsInOneReadTransaction()
    {
        const QString path = freshPath();
        {
            auto rw = SessionStore::open(path.toStdString());
            QVERIFY(rw.ok());
            QVERIFY(rw->createSession("kept").ok());
        }
        StoreOpenOptions options;
        options.readOnly = true;
        auto ro = SessionStore::open(path.toStdString(), options);
        QVERIFY(ro.ok());
        const auto text = ro->exportSessions();
        QVERIFY2(text.ok(), text.ok() ? "" : text.error().toString().c_str());
        QCOMPARE(exportedCount(*text), 1);

        SessionStore store = openFresh();
        const auto id = *store.createSession("one");
        QCOMPARE(store.exportSessions({id, 777}).error().code, ErrorCode::NotFound);
        // BEGIN IMMEDIATE would fail inside a transaction left open by the failed export.
        const auto next = store.findOrCreateSession("two");
        QVERIFY2(next.ok(), next.ok() ? "" : next.error().toString().c_str());
        QCOMPARE(exportedCount(*store.exportSessions()), 2);
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

QTEST_GUILESS_MAIN(TestSessionExchange)
#include "test_session_exchange.moc"
