#pragma once
// ChatClient: asks an OpenAI-compatible chat-completions endpoint (a local llama.cpp server,
// Ollama, vLLM or a hosted API) one question at a time, for the answer check. Asynchronous
// (QNetworkAccessManager): the UI never waits; every request ends in exactly one answered() signal,
// with the reply or an error that says what went wrong (timeout, HTTP status, a body that is not
// chat-completions JSON). GUI thread only.

#include <QObject>
#include <QString>
#include <QUrl>

#include <map>

class QNetworkAccessManager;
class QNetworkReply;

namespace terse::app {

// One answer of the endpoint.
struct ChatReply {
    QString text;               // choices[0].message.content ("" on error)
    QString error;              // why there is no answer ("" when there is one)
    double latencyMs = 0;       // from sending to the complete reply
    long promptTokens = -1;     // usage.prompt_tokens, -1 when not reported
    long completionTokens = -1; // usage.completion_tokens
};

// Where a request goes and how long it may take.
struct ChatSettings {
    QString endpoint; // base URL ("http://127.0.0.1:8080/v1") or the full .../chat/completions URL
    QString model;    // sent as "model"
    QString apiKey;   // sent as "Authorization: Bearer" when not empty
    int timeoutMs = 60000;
};

// The chat-completions URL of an endpoint as the user typed it: "/chat/completions" is appended
// unless the path already ends with it. An invalid URL or one that is not http(s) gives an empty
// QUrl and `why`.
QUrl chatCompletionsUrl(const QString &endpoint, QString *why = nullptr);

// Reads a chat-completions response body (HTTP status `status`); fills text and usage, or error.
ChatReply parseChatReply(const QByteArray &body, int status);

class ChatClient : public QObject {
    Q_OBJECT
public:
    explicit ChatClient(QObject *parent = nullptr);
    ~ChatClient() override;

    // Sends `prompt` as one user message (temperature 0). Returns the request's id (> 0);
    // answered() follows, also for settings that are unusable (then at once, with the reason).
    quint64 ask(const ChatSettings &settings, const QString &prompt);
    // Aborts every request in flight; each ends with answered() carrying "cancelled".
    void cancelAll();
    int inFlight() const { return static_cast<int>(m_replies.size()); }

signals:
    void answered(quint64 id, const terse::app::ChatReply &reply);

private:
    QNetworkAccessManager *m_network;
    std::map<QNetworkReply *, quint64> m_replies;
    quint64 m_next = 0;
};

} // namespace terse::app
