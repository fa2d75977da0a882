#include "chat_client.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

#include <memory>

namespace terse::app {

QUrl chatCompletionsUrl(const QString &endpoint, QString *why)
{
    const QUrl url = QUrl::fromUserInput(endpoint.trimmed());
    if (endpoint.trimmed().isEmpty() || !url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        if (why)
            *why = ChatClient::tr("'%1' is not an http(s) URL of a chat-completions endpoint")
                       .arg(endpoint);
        return {};
    }
    QUrl out = url;
    QString path = out.path();
    if (!path.endsWith(QLatin1String("/chat/completions"))) {
        while (path.endsWith(QLatin1Char('/')))
            path.chop(1);
        out.setPath(path + QStringLiteral("/chat/completions"));
    }
    return out;
}

ChatReply parseChatReply(const QByteArray &body, int status)
{
    ChatReply r;
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);
    const QString excerpt = QString::fromUtf8(body.left(200)).simplified();
    if (status < 200 || status >= 300) {
        // OpenAI-style {"error": {"message": ...}} when the server sends one, else the body's
        // start.
        QString message = excerpt;
        if (doc.isObject()) {
            const QJsonValue e = doc.object().value(QStringLiteral("error"));
            if (e.isObject() && e.toObject().value(QStringLiteral("message")).isString())
                message = e.toObject().value(QStringLiteral("message")).toString();
            else if (e.isString())
                message = e.toString();
        }
        r.error = ChatClient::tr("HTTP %1 from the endpoint: %2")
                      .arg(status)
                      .arg(message.isEmpty() ? ChatClient::tr("(no body)") : message);
        return r;
    }
    if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
        r.error = ChatClient::tr("the reply is not chat-completions JSON (%1): %2")
                      .arg(perr.error != QJsonParseError::NoError ? perr.errorString()
                                                                  : ChatClient::tr("not an object"),
                           excerpt.isEmpty() ? ChatClient::tr("(empty body)") : excerpt);
        return r;
    }
    const QJsonObject o = doc.object();
    const QJsonArray choices = o.value(QStringLiteral("choices")).toArray();
    const QJsonValue content = choices.isEmpty() ? QJsonValue()
                                                 : choices.at(0)
                                                       .toObject()
                                                       .value(QStringLiteral("message"))
                                                       .toObject()
                                                       .value(QStringLiteral("content"));
    if (!content.isString()) {
        r.error = ChatClient::tr("the reply has no choices[0].message.content: %1").arg(excerpt);
        return r;
    }
    r.text = content.toString();
    const QJsonObject usage = o.value(QStringLiteral("usage")).toObject();
    if (usage.value(QStringLiteral("prompt_tokens")).isDouble())
        r.promptTokens = static_cast<long>(usage.value(QStringLiteral("prompt_tokens")).toDouble());
    if (usage.value(QStringLiteral("completion_tokens")).isDouble())
        r.completionTokens =
            static_cast<long>(usage.value(QStringLiteral("completion_tokens")).toDouble());
    return r;
}

ChatClient::ChatClient(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this))
{
}

ChatClient::~ChatClient()
{
    for (auto &[reply, id] : m_replies) {
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

quint64 ChatClient::ask(const ChatSettings &settings, const QString &prompt)
{
    const quint64 id = ++m_next;
    QString why;
    const QUrl url = chatCompletionsUrl(settings.endpoint, &why);
    if (url.isEmpty() || settings.model.trimmed().isEmpty()) {
        ChatReply r;
        r.error = url.isEmpty()
                      ? why
                      : tr("no model name: the endpoint needs the name of the model to ask");
        // Queued, so that the caller has the id before the answer arrives.
        QTimer::singleShot(0, this, [this, id, r] { emit answered(id, r); });
        return id;
    }
    QNetworkRequest req(url);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    if (!settings.apiKey.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + settings.apiKey.toUtf8());
    req.setTransferTimeout(std::max(1, settings.timeoutMs));
    const QJsonObject body{{QStringLiteral("model"), settings.model},
                           {QStringLiteral("temperature"), 0},
                           {QStringLiteral("messages"),
                            QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                   {QStringLiteral("content"), prompt}}}}};
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    QNetworkReply *reply = m_network->post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
    m_replies[reply] = id;
    const int timeoutMs = settings.timeoutMs;
    connect(reply, &QNetworkReply::finished, this, [this, reply, timer, timeoutMs, url] {
        auto it = m_replies.find(reply);
        if (it == m_replies.end())
            return;
        const quint64 rid = it->second;
        m_replies.erase(it);
        reply->deleteLater();
        ChatReply r;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::OperationCanceledError ||
            reply->error() == QNetworkReply::TimeoutError) {
            // setTransferTimeout aborts with OperationCanceledError; cancelAll() marks its replies
            // first.
            r.error = reply->property("terseCancelled").toBool()
                          ? tr("cancelled")
                          : tr("no reply from %1 within %2 s")
                                .arg(url.toString())
                                .arg(timeoutMs / 1000.0, 0, 'g', 3);
        } else if (status == 0) {
            r.error = tr("cannot reach %1: %2").arg(url.toString(), reply->errorString());
        } else {
            r = parseChatReply(reply->readAll(), status);
        }
        r.latencyMs = static_cast<double>(timer->nsecsElapsed()) / 1e6;
        emit answered(rid, r);
    });
    return id;
}

void ChatClient::cancelAll()
{
    const auto replies = m_replies;
    for (const auto &[reply, id] : replies) {
        reply->setProperty("terseCancelled", true);
        reply->abort();
    }
}

} // namespace terse::app
