// Issue 20: the answer check. A chat-completions server started by the test on 127.0.0.1 answers
// normally, too slowly, with HTTP 500 or with malformed JSON; the client reports each clearly and
// never blocks; the panel shows both answers side by side, marks them (also blind), and saves
// answers and marks with the run in the session database, where restoring the run brings them back.
#include "answer_panel.h"
#include "app_test_support.h"
#include "chat_client.h"
#include "fake_chat_server.h"
#include "main_window.h"
#include "session_manager.h"

#include "terse/session_store.h"
#include "terse_widgets/prompt_editor.h"

#include <QComboBox>
#include <QDockWidget>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

using namespace terse;
using namespace terse::app;

namespace {

ChatReply askOnce(ChatClient &client, const ChatSettings &s, const QString &prompt)
{
    QSignalSpy spy(&client, &ChatClient::answered);
    const quint64 id = client.ask(s, prompt);
    if (!spy.wait(15000))
        return ChatReply{{}, QStringLiteral("test: no answered() signal"), 0, -1, -1};
    const auto args = spy.takeFirst();
    if (args.at(0).toULongLong() != id)
        return ChatReply{{}, QStringLiteral("test: wrong id"), 0, -1, -1};
    return args.at(1).value<ChatReply>();
}

const char *kPrompt =
    "Passage: the ferry leaves at 07:40 on weekdays and at 09:15 on Saturdays, and cars must be "
    "booked at the harbour office a day ahead. Question: when does it leave on Saturday?";

} // namespace

Q_DECLARE_METATYPE(terse::app::ChatReply)

class TestAnswerCheck : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;
    terse::test::FakeChatServer *m_server = nullptr;

    // A window that has compressed kPrompt with "head" and saved the run; returns the run id.
    qint64 compressAndSave(MainWindow &w)
    {
        terse::test::waitReady(w);
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("head")));
        w.promptEditor()->setPlainText(QString::fromLatin1(kPrompt));
        QSignalSpy saved(&w, &MainWindow::runSaved);
        w.runCompression();
        if (!saved.wait(20000))
            return 0;
        QCoreApplication::processEvents(); // the panel takes the result on the next turn
        return saved.takeLast().at(0).toLongLong();
    }

    // The window's answer panel pointed at the test server's `mode` ("ok", "fail"), blind or not.
    AnswerPanel *configure(MainWindow &w, const char *mode, bool blind)
    {
        AnswerPanel *panel = w.answerPanel();
        panel->setSettings({m_server->url(mode), QStringLiteral("local-llm"), QString(), 5000});
        panel->setBlind(blind);
        return panel;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<ChatReply>();
        QVERIFY(m_home.isValid());
        terse::test::isolateHome(m_home, QStringLiteral("test_answer_check"));
        m_server = new terse::test::FakeChatServer;
    }
    void cleanupTestCase() { delete m_server; }

    void urlsAreCompletedAndChecked()
    {
        QCOMPARE(chatCompletionsUrl("http://127.0.0.1:8080/v1").toString(),
                 QStringLiteral("http://127.0.0.1:8080/v1/chat/completions"));
        QCOMPARE(chatCompletionsUrl("http://localhost:11434/v1/").toString(),
                 QStringLiteral("http://localhost:11434/v1/chat/completions"));
        QCOMPARE(chatCompletionsUrl("https://api.example.com/v1/chat/completions").toString(),
                 QStringLiteral("https://api.example.com/v1/chat/completions"));
        QString why;
        QVERIFY(chatCompletionsUrl("ftp://host/v1", &why).isEmpty());
        QVERIFY(why.contains("ftp://host/v1"));
        QVERIFY(chatCompletionsUrl("", &why).isEmpty());
    }

    void repliesAreParsed_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("promptTokens");
        QTest::newRow("answer with usage")
            << QByteArray(
                   R"({"choices":[{"message":{"content":"09:15"}}],"usage":{"prompt_tokens":42,"completion_tokens":3}})")
            << 200 << "09:15"
            << "" << 42;
        QTest::newRow("answer without usage")
            << QByteArray(R"({"choices":[{"message":{"content":"yes"}}]})") << 200 << "yes"
            << "" << -1;
        QTest::newRow("server error")
            << QByteArray(R"({"error":{"message":"model crashed"}})") << 500 << ""
            << "HTTP 500 from the endpoint: model crashed" << -1;
        QTest::newRow("plain 404") << QByteArray("no such route") << 404 << ""
                                   << "HTTP 404 from the endpoint: no such route" << -1;
        QTest::newRow("not json") << QByteArray("<html>") << 200 << ""
                                  << "the reply is not chat-completions JSON" << -1;
        QTest::newRow("no content") << QByteArray(R"({"choices":[]})") << 200 << ""
                                    << "the reply has no choices[0].message.content" << -1;
    }

    void repliesAreParsed()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, text);
        QFETCH(QString, error);
        QFETCH(int, promptTokens);
        const ChatReply r = parseChatReply(body, status);
        QCOMPARE(r.text, text);
        QVERIFY2(error.isEmpty() ? r.error.isEmpty() : r.error.startsWith(error),
                 qPrintable(r.error));
        QCOMPARE(r.promptTokens, long(promptTokens));
    }

    void clientAgainstALocalServer()
    {
        ChatClient client;
        ChatSettings s{m_server->url("ok"), QStringLiteral("local-llm"), QStringLiteral("sk-test"),
                       5000};
        const ChatReply ok = askOnce(client, s, QString::fromLatin1(kPrompt));
        QVERIFY2(ok.error.isEmpty(), qPrintable(ok.error));
        QCOMPARE(ok.text, QStringLiteral("Answer to: Passage: the ferry leaves"));
        QCOMPARE(ok.completionTokens, 5L);
        QVERIFY(ok.latencyMs > 0);
        // The request is chat-completions: model, one user message, temperature 0, bearer key.
        const QJsonObject req = m_server->requests.last();
        QCOMPARE(req.value("model").toString(), QStringLiteral("local-llm"));
        QCOMPARE(req.value("temperature").toInt(), 0);
        QCOMPARE(req.value("messages").toArray().at(0).toObject().value("role").toString(),
                 QStringLiteral("user"));
        QCOMPARE(m_server->authorizations.last(), QByteArray("Bearer sk-test"));

        // Slower than the timeout: an error that names the wait, well before the server would
        // answer.
        QElapsedTimer t;
        t.start();
        const ChatReply slow = askOnce(client, {m_server->url("slow"), "m", {}, 1000}, "hi");
        QVERIFY2(slow.error.contains(QStringLiteral("within 1 s")), qPrintable(slow.error));
        QVERIFY(t.elapsed() < 2900);
        const ChatReply failed = askOnce(client, {m_server->url("fail"), "m", {}, 5000}, "hi");
        QCOMPARE(failed.error, QStringLiteral("HTTP 500 from the endpoint: model crashed"));
        const ChatReply garbage = askOnce(client, {m_server->url("garbage"), "m", {}, 5000}, "hi");
        QVERIFY2(garbage.error.startsWith(QStringLiteral("the reply is not chat-completions JSON")),
                 qPrintable(garbage.error));
        QVERIFY(garbage.error.contains(QStringLiteral("<html>not json</html>")));
        // Nothing listens: a clear error, not a hang.
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        const ChatReply refused = askOnce(
            client, {QStringLiteral("http://127.0.0.1:%1/v1").arg(port), "m", {}, 5000}, "hi");
        QVERIFY2(refused.error.startsWith(QStringLiteral("cannot reach")),
                 qPrintable(refused.error));
        // Unusable settings are answered too.
        QVERIFY(askOnce(client, {QStringLiteral("not a url"), "m", {}, 5000}, "hi")
                    .error.contains("not an http(s) URL"));
        QVERIFY(askOnce(client, {m_server->url("ok"), QString(), {}, 5000}, "hi")
                    .error.contains("no model name"));
    }

    void panelAsksSavesAndRestores()
    {
        MainWindow w;
        const qint64 run = compressAndSave(w);
        QVERIFY(run > 0);
        AnswerPanel *panel = configure(w, "ok", false);
        QSignalSpy ready(panel, &AnswerPanel::answersReady);
        panel->ask();
        QVERIFY(panel->isAsking());
        QVERIFY(ready.wait(15000));
        // Side by side: the original prompt's answer and the compressed prompt's, different texts.
        QCOMPARE(panel->answerText(AnswerPanel::Original),
                 QStringLiteral("Answer to: Passage: the ferry leaves"));
        const QString compressed = QString::fromStdString(w.lastResult()->compressedText);
        QCOMPARE(panel->answerText(AnswerPanel::Compressed),
                 QStringLiteral("Answer to: ") + compressed.section(QLatin1Char(' '), 0, 3));
        QVERIFY(panel->metaText(AnswerPanel::Original).contains(QStringLiteral("answer tokens")));
        QCOMPARE(panel->headerText(AnswerPanel::Original), QStringLiteral("Original prompt"));
        panel->setMark(AnswerPanel::Original, 1);
        panel->setMark(AnswerPanel::Compressed, 0);

        // Saved with the run: answers, usage and marks.
        auto stored = w.sessions()->store()->answers(run);
        QVERIFY(stored.ok());
        QCOMPARE(stored->size(), std::size_t(2));
        QCOMPARE((*stored)[0].variant, std::string("original"));
        QCOMPARE((*stored)[0].mark, 1);
        QCOMPARE((*stored)[1].mark, 0);
        QCOMPARE((*stored)[0].model, std::string("local-llm"));
        QCOMPARE((*stored)[0].completionTokens, 5L);

        // Another result replaces the answers; restoring the run brings them back.
        w.promptEditor()->setPlainText(
            QStringLiteral("Something else entirely, with several words to keep."));
        QSignalSpy saved(&w, &MainWindow::runSaved);
        w.runCompression();
        QVERIFY(saved.wait(20000));
        QTRY_VERIFY(panel->answerText(AnswerPanel::Original).isEmpty());
        QVERIFY(w.restoreRun(run));
        QTRY_COMPARE(panel->answerText(AnswerPanel::Original),
                     QStringLiteral("Answer to: Passage: the ferry leaves"));
        QCOMPARE(panel->mark(AnswerPanel::Original), 1);
        QCOMPARE(panel->mark(AnswerPanel::Compressed), 0);
    }

    void blindOrderHidesWhichIsWhichUntilMarked()
    {
        MainWindow w;
        QVERIFY(compressAndSave(w) > 0);
        AnswerPanel *panel = configure(w, "ok", true);
        QSignalSpy ready(panel, &AnswerPanel::answersReady);
        panel->ask();
        QVERIFY(ready.wait(15000));
        const QStringList headers{panel->headerText(AnswerPanel::Original),
                                  panel->headerText(AnswerPanel::Compressed)};
        QVERIFY(headers.contains(QStringLiteral("Answer A")) &&
                headers.contains(QStringLiteral("Answer B")));
        panel->setMark(AnswerPanel::Original, 1);
        QVERIFY(panel->headerText(AnswerPanel::Original).startsWith(QStringLiteral("Answer")));
        panel->setMark(AnswerPanel::Compressed, 1);
        QCOMPARE(panel->headerText(AnswerPanel::Original), QStringLiteral("Original prompt"));
        QCOMPARE(panel->headerText(AnswerPanel::Compressed), QStringLiteral("Compressed prompt"));
    }

    void endpointErrorsAppearInThePanel()
    {
        MainWindow w;
        QVERIFY(compressAndSave(w) > 0);
        AnswerPanel *panel = configure(w, "fail", false);
        QSignalSpy ready(panel, &AnswerPanel::answersReady);
        // Through the menu action, as a user would: the dock appears and the question goes out.
        QAction *ask = w.findChild<QAction *>(QStringLiteral("askTargetAction"));
        QVERIFY(ask);
        ask->trigger();
        QVERIFY(w.answerDock()->isVisible() || !w.isVisible());
        QVERIFY(ready.wait(15000));
        QCOMPARE(panel->errorText(AnswerPanel::Original),
                 QStringLiteral("HTTP 500 from the endpoint: model crashed"));
        QVERIFY(panel->statusText().contains(QStringLiteral("did not answer")));
        panel->setMark(AnswerPanel::Original, 1); // a failed request cannot be marked
        QCOMPARE(panel->mark(AnswerPanel::Original), -1);
    }
};

QTEST_MAIN(TestAnswerCheck)
#include "test_answer_check.moc"
