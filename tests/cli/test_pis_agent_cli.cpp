// `terse train pis-agent` on a training split of GSM8K (train.jsonl, every 5th document held out)
// with tiny-gpt2-pos2048: the trained agent beats uniform allocation on its own reward on the
// held-out split, and the agent file it writes drives `pis` without the no-agent warning.
#include "terse/compressor.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace terse;

namespace {
const QString kShared = TERSE_SHARED_DIR;
const QString kModel = kShared + "/parity/models/tiny-gpt2-pos2048";
} // namespace

class TestPisAgentCli : public QObject {
    Q_OBJECT
private slots:
    void trainBeatsUniform()
    {
        if (!std::filesystem::exists((kModel + "/model.safetensors").toStdString()))
            QSKIP("TERSE_SHARED_DIR has no parity/models/tiny-gpt2-pos2048");
        QTemporaryDir dir;
        const QString out = dir.filePath("pis_agent.safetensors");
        QProcess p;
        p.start(TERSE_CLI_PATH, {"train", "pis-agent", "--model", kModel, "--data",
                                 kShared + "/data/gsm8k/train.jsonl", "--out", out, "--max-docs",
                                 "60", "--episodes", "8", "--seed", "7"});
        QVERIFY(p.waitForFinished(540000));
        const QString stdoutText = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0,
                 qPrintable(stdoutText + QString::fromUtf8(p.readAllStandardError())));
        qInfo("%s", qPrintable(stdoutText.trimmed()));
        const auto m =
            QRegularExpression("held-out agent ([0-9.]+) vs uniform ([0-9.]+)").match(stdoutText);
        QVERIFY(m.hasMatch());
        const double agent = m.captured(1).toDouble(), uniform = m.captured(2).toDouble();
        QVERIFY2(agent > uniform,
                 qPrintable(QString("agent %1, uniform %2").arg(agent).arg(uniform)));

        auto c = createCompressor("pis");
        CompressOptions o;
        o.method = "pis";
        o.model = kModel.toStdString();
        o.rate = 0.5;
        o.params["agent"] = out.toStdString();
        auto r = (*c)->compress(
            Prompt::fromText("Tom has 3 apples. He buys 2 more. How many apples does he have?"), o,
            JobContext::none());
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        QVERIFY(r->warnings.empty());
    }
};

QTEST_GUILESS_MAIN(TestPisAgentCli)
#include "test_pis_agent_cli.moc"
