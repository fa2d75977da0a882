#pragma once
// EngineWorker: runs engine jobs on its own QThread, never on the UI thread (design.md rule 7).
// Requests arrive from the UI thread through submit(); the latest request wins (a newer one cancels
// the running one); results leave through queued signals carrying value types.

#include "terse/attention.h"
#include "terse/compressor.h"

#include <QMetaType>
#include <QObject>
#include <QThread>

#include <functional>
#include <memory>

namespace terse::app {

using ResultHandle = std::shared_ptr<const terse::CompressionResult>;
using AttentionHandle = std::shared_ptr<const terse::TextAttention>;
using CompressorFactory =
    std::function<terse::Result<std::unique_ptr<terse::Compressor>>(const std::string &)>;

class WorkerBackend;

class EngineWorker : public QObject {
    Q_OBJECT
public:
    // `factory` creates compressors by method name (tests inject slow or failing ones); default:
    // the registry.
    explicit EngineWorker(CompressorFactory factory = {}, QObject *parent = nullptr);
    ~EngineWorker() override; // cancels the running job and joins the thread

    // Queues a compression; cancels any running job. Returns the request id. UI thread.
    quint64 submit(const terse::Prompt &prompt, const terse::CompressOptions &options);
    // Cancels the running job (if any); it ends with cancelled(id). Thread-safe.
    void cancel();
    // True between submit() and the matching finished/failed/cancelled.
    bool isBusy() const { return m_pending > 0; }
    // Loads the model at `path` on the worker thread and reports its details with modelDescribed().
    void describeModel(const QString &path);
    // Forgets cached scores so the next request re-runs the model.
    void invalidateCache();
    // Queues an attention row (terse::textAttentionRow) on the worker thread, after any queued
    // compression; a newer request supersedes an older one not yet started. Answers with
    // attentionReady(id, ...).
    quint64 requestAttention(const QString &modelPath, const QString &text, qint64 queryByte,
                             int layer, int head);

signals:
    void started(quint64 id);
    void progress(quint64 id, qint64 done, qint64 total, const QString &stage);
    // The result of the stages done so far of an iterative method's run (dynamic DAC), before
    // finished().
    void partialResult(quint64 id, terse::app::ResultHandle result, int stagesDone,
                       int stagesTotal);
    void finished(quint64 id, terse::app::ResultHandle result, bool rethresholded);
    void failed(quint64 id, int errorCode, const QString &message);
    void cancelled(quint64 id);
    // Details of a model ("llama · safetensors · 12.3M parameters · …"), or the load error when
    // !ok.
    void modelDescribed(const QString &path, bool ok, const QString &text);
    // The answer to requestAttention: `row` on success, else null and `error` says why.
    void attentionReady(quint64 id, terse::app::AttentionHandle row, const QString &error);

private:
    QThread m_thread;
    WorkerBackend *m_backend = nullptr;
    quint64 m_nextId = 1;
    quint64 m_nextAttentionId = 1;
    int m_pending = 0;
};

} // namespace terse::app

Q_DECLARE_METATYPE(terse::app::ResultHandle)
Q_DECLARE_METATYPE(terse::app::AttentionHandle)
Q_DECLARE_METATYPE(terse::Prompt)
Q_DECLARE_METATYPE(terse::CompressOptions)
