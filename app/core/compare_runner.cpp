#include "compare_runner.h"

#include "engine_terms.h"

#include <QPointer>
#include <QThreadPool>

namespace terse::app {

CompareRunner::CompareRunner(CompressorFactory factory, QObject *parent)
    : QObject(parent), m_worker(new EngineWorker(std::move(factory), this)),
      m_pool(new QThreadPool(this))
{
    m_pool->setMaxThreadCount(1);
    connect(m_worker, &EngineWorker::finished, this,
            [this](quint64 id, ResultHandle r, bool) { onFinished(id, r); });
    connect(m_worker, &EngineWorker::failed, this,
            [this](quint64 id, int code, const QString &message) {
                onFailed(id, EngineTerms::errorText(static_cast<terse::ErrorCode>(code), message));
            });
    connect(m_worker, &EngineWorker::cancelled, this, [this](quint64 id) {
        if (id != m_activeId)
            return;
        m_activeId = 0;
        m_queue.clear();
        m_next = 0;
        emit cancelled();
        maybeFinish();
    });
    connect(m_worker, &EngineWorker::progress, this,
            [this](quint64 id, qint64 done, qint64 total, const QString &stage) {
                if (id != m_activeId || total <= 0 || m_queue.empty())
                    return;
                // Overall progress: finished jobs plus the running job's fraction.
                const double part = static_cast<double>(done) / static_cast<double>(total);
                const double overall =
                    (static_cast<double>(m_next - 1) + part) / static_cast<double>(m_queue.size());
                emit progress(static_cast<int>(m_next), static_cast<int>(m_queue.size()), overall,
                              stage, done, total);
            });
}

CompareRunner::~CompareRunner()
{
    ++m_generation;
    m_pool->clear();
    m_pool->waitForDone(); // the tasks post back to this object: they must end before it does
}

void CompareRunner::start(terse::Prompt prompt, std::vector<Job> jobs, bool independent)
{
    ++m_generation; // metrics still being computed for an earlier run are ignored
    m_pendingMeasures = 0;
    m_prompt = std::move(prompt);
    m_worker->invalidateCache(); // the prompt may have changed since the last run
    m_independent = independent;
    m_running = true;
    m_queue = std::move(jobs);
    m_next = 0;
    submitNext();
}

void CompareRunner::submitNext()
{
    if (m_next >= m_queue.size()) {
        m_activeId = 0;
        maybeFinish();
        return;
    }
    const Job &job = m_queue[m_next++];
    emit jobStarted(static_cast<int>(m_next), static_cast<int>(m_queue.size()), job.options);
    if (m_independent)
        m_worker->invalidateCache();
    m_activeId = m_worker->submit(m_prompt, job.options);
}

void CompareRunner::onFinished(quint64 id, const ResultHandle &result)
{
    if (id != m_activeId)
        return;
    const Job job = m_queue[m_next - 1];
    emit jobFinished(job.slot, result);
    measure(job.slot, result, job.options);
    submitNext();
}

void CompareRunner::onFailed(quint64 id, const QString &message)
{
    if (id != m_activeId)
        return;
    const Job job = m_queue[m_next - 1];
    emit jobFailed(job.slot, job.options, message);
    submitNext();
}

void CompareRunner::measure(int slot, const ResultHandle &result,
                            const terse::CompressOptions &options)
{
    ++m_pendingMeasures;
    const int generation = m_generation;
    const double requestedRate = options.rate;
    const std::string tokenizer = options.targetTokenizer;
    QPointer<CompareRunner> self(this);
    m_pool->start([self, generation, slot, result, requestedRate, tokenizer] {
        const RunMetrics m = measureResult(*result, tokenizer);
        // The destructor waits for this task, so `self` cannot go away between the check and the
        // post.
        if (self)
            QMetaObject::invokeMethod(
                self.data(),
                [self, generation, slot, result, requestedRate, m] {
                    if (self)
                        self->onMeasured(generation, slot, requestedRate, result, m);
                },
                Qt::QueuedConnection);
    });
}

void CompareRunner::onMeasured(int generation, int slot, double requestedRate,
                               const ResultHandle &result, const RunMetrics &m)
{
    if (generation != m_generation)
        return;
    --m_pendingMeasures;
    emit measured(slot, requestedRate, result, m);
    maybeFinish();
}

void CompareRunner::maybeFinish()
{
    if (!m_running || m_activeId != 0 || m_next < m_queue.size() || m_pendingMeasures > 0)
        return;
    m_running = false;
    emit finished(static_cast<int>(m_queue.size()));
}

bool CompareRunner::cancel()
{
    if (!m_running)
        return false;
    m_queue.resize(m_next); // drop the queued jobs; the running one ends with cancelled()
    if (m_activeId != 0) {
        m_worker->cancel();
        return true;
    }
    maybeFinish();
    return false;
}

} // namespace terse::app
