#pragma once
// CompareRunner: runs the Compare window's jobs (one settings row, or one row at one rate) on the
// same prompt through its own EngineWorker, one job at a time and never on the UI thread, and
// measures each result (target tokens, ROUGE, BLEU) on a background thread. Reports every step by
// signal; the window shows them. GUI thread only.

#include "comparison.h"
#include "engine_worker.h"

#include <QObject>

#include <vector>

class QThreadPool;

namespace terse::app {

class CompareRunner : public QObject {
    Q_OBJECT
public:
    struct Job {
        int slot = 0; // comparison slot or sweep curve
        terse::CompressOptions options;
    };

    // `factory` creates compressors (empty: the registry).
    explicit CompareRunner(CompressorFactory factory, QObject *parent = nullptr);
    ~CompareRunner() override; // cancels the running job and waits for metric computations

    // Runs `jobs` on `prompt` in order. `independent`: every job computes its own scores (a
    // comparison reports each row's own time), else a job may re-decide from the previous job's
    // cached scores (a sweep's rates differ only in the threshold). Ends with finished().
    void start(terse::Prompt prompt, std::vector<Job> jobs, bool independent);
    // Drops the queued jobs; the running one ends with cancelled(). Finished results stay. True
    // when a running job is being cancelled (else finished() has been emitted, or nothing runs).
    bool cancel();
    bool isRunning() const { return m_running; }

signals:
    // Job `number` (1-based) of `count` was submitted.
    void jobStarted(int number, int count, const terse::CompressOptions &options);
    // The running job's engine progress; `overall` is the fraction of all jobs done, in [0, 1].
    void progress(int number, int count, double overall, const QString &engineStage, qint64 done,
                  qint64 total);
    void jobFinished(int slot, const ResultHandle &result);
    void jobFailed(int slot, const terse::CompressOptions &options, const QString &message);
    // A finished job's metrics; `requestedRate` is the rate it asked for.
    void measured(int slot, double requestedRate, const ResultHandle &result,
                  const RunMetrics &metrics);
    // The running job was cancelled; the queue is dropped.
    void cancelled();
    // Every job has ended and been measured; `jobsRun`: the jobs started (0 after cancelled()).
    void finished(int jobsRun);

private:
    void submitNext();
    void onFinished(quint64 id, const ResultHandle &result);
    void onFailed(quint64 id, const QString &message);
    void measure(int slot, const ResultHandle &result, const terse::CompressOptions &options);
    void onMeasured(int generation, int slot, double requestedRate, const ResultHandle &result,
                    const RunMetrics &m);
    void maybeFinish();

    EngineWorker *m_worker = nullptr;
    QThreadPool *m_pool = nullptr; // metric computations, one at a time, off the UI thread
    terse::Prompt m_prompt;
    std::vector<Job> m_queue;
    std::size_t m_next = 0;
    bool m_independent = true;
    bool m_running = false;
    quint64 m_activeId = 0;
    int m_generation = 0;
    int m_pendingMeasures = 0;
};

} // namespace terse::app
