#pragma once
// Helpers of the `terse` CLI tests: run the executable (TERSE_CLI_PATH) with arguments and standard
// input, parse JSON-lines output, and find the tiny GPT-2 of ../shared/parity/models.
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace cli_test {

struct Run {
    int code = -1;
    QString out;
    QString err;
    bool crashed = false; // ended by a signal (abort, segfault): `code` is -1 then
};

// Runs terse with `args`, writes `stdinData` to it and waits (2 minutes at most); `env` replaces
// the environment.
inline Run terse(const QStringList &args, const QByteArray &stdinData = {},
                 const QProcessEnvironment &env = {})
{
    QProcess p;
    if (!env.isEmpty())
        p.setProcessEnvironment(env);
    p.start(QStringLiteral(TERSE_CLI_PATH), args);
    if (!p.waitForStarted(10000)) {
        std::fprintf(stderr, "cannot start %s\n", TERSE_CLI_PATH);
        std::abort();
    }
    p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000)) {
        std::fprintf(stderr, "terse did not finish\n");
        std::abort();
    }
    const bool crashed = p.exitStatus() != QProcess::NormalExit;
    return {crashed ? -1 : p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError()), crashed};
}

// One JSON object per non-empty line; empty when any line is not a JSON object.
inline QList<QJsonObject> jsonLines(const QString &out)
{
    QList<QJsonObject> objects;
    for (const QString &line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        QJsonParseError e;
        const QJsonDocument d = QJsonDocument::fromJson(line.toUtf8(), &e);
        if (e.error != QJsonParseError::NoError || !d.isObject())
            return {};
        objects << d.object();
    }
    return objects;
}

inline QString tinyModel()
{
    return QStringLiteral(TERSE_SHARED_DIR "/parity/models/tiny-gpt2-pos2048");
}

inline bool haveTinyModel()
{
    return std::filesystem::exists((tinyModel() + "/model.safetensors").toStdString());
}

} // namespace cli_test
