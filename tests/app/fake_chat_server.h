#pragma once
// A minimal HTTP/1.1 chat-completions server on 127.0.0.1 for the answer check's tests and
// screenshots.

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace terse::test {

// A minimal HTTP/1.1 chat-completions server. The first path segment picks the behaviour: /ok
// answers "Answer to: <first words of the prompt>" with usage, /slow waits 3 s, /fail sends HTTP
// 500 with an OpenAI-style error, /garbage sends 200 with a body that is not JSON.
class FakeChatServer : public QObject {
public:
    FakeChatServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onData(s); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url(const char *mode) const
    {
        return QStringLiteral("http://127.0.0.1:%1/%2/v1")
            .arg(m_server.serverPort())
            .arg(QLatin1String(mode));
    }
    QList<QJsonObject> requests;
    QList<QByteArray> authorizations;

private:
    void onData(QTcpSocket *s)
    {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        const int headerEnd = buf.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QByteArray head = buf.left(headerEnd);
        qsizetype length = 0;
        QByteArray auth;
        for (const QByteArray &line : head.split('\n')) {
            const QByteArray l = line.trimmed();
            if (l.toLower().startsWith("content-length:"))
                length = l.mid(15).trimmed().toLongLong();
            if (l.toLower().startsWith("authorization:"))
                auth = l.mid(14).trimmed();
        }
        if (buf.size() < headerEnd + 4 + length)
            return;
        const QByteArray body = buf.mid(headerEnd + 4, length);
        m_buffers.remove(s);
        const QByteArray path = head.split(' ').value(1);
        const QJsonObject req = QJsonDocument::fromJson(body).object();
        requests << req;
        authorizations << auth;
        const QString prompt =
            req.value("messages").toArray().at(0).toObject().value("content").toString();
        if (path.startsWith("/slow/")) {
            QTimer::singleShot(3000, s, [s] { reply(s, 200, "{}"); });
            return;
        }
        if (path.startsWith("/fail/")) {
            reply(s, 500, R"({"error": {"message": "model crashed", "type": "server_error"}})");
            return;
        }
        if (path.startsWith("/garbage/")) {
            reply(s, 200, "<html>not json</html>");
            return;
        }
        const QString answer =
            QStringLiteral("Answer to: ") + prompt.section(QLatin1Char(' '), 0, 3);
        const QJsonObject out{
            {"choices", QJsonArray{QJsonObject{
                            {"message", QJsonObject{{"role", "assistant"}, {"content", answer}}}}}},
            {"usage", QJsonObject{{"prompt_tokens", static_cast<int>(prompt.size() / 4)},
                                  {"completion_tokens", 5}}}};
        reply(s, 200, QJsonDocument(out).toJson(QJsonDocument::Compact));
    }
    static void reply(QTcpSocket *s, int status, const QByteArray &body)
    {
        const QByteArray reason = status == 200 ? "OK" : "Internal Server Error";
        s->write("HTTP/1.1 " + QByteArray::number(status) + " " + reason +
                 "\r\nContent-Type: application/json\r\n" + "Content-Length: " +
                 QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        s->disconnectFromHost();
    }
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

} // namespace terse::test
