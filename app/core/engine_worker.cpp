#include "engine_worker.h"

#include "engine_host.h"
#include "terse/runtime.h"

#include <QElapsedTimer>
#include <QMetaObject>

#include <atomic>
#include <mutex>

namespace terse::app {

// Lives on the worker thread; owns the compressors (and through them the models).
class WorkerBackend : public QObject {
    Q_OBJECT
public:
    explicit WorkerBackend(CompressorFactory factory) : m_factory(std::move(factory)) {}

    std::atomic<quint64> latest{0};

    void cancelCurrent()
    {
        std::lock_guard lock(m_jobMutex);
        if (m_job)
            m_job->cancel();
    }

public slots:
    void run(quint64 id, const terse::Prompt &prompt, const terse::CompressOptions &options)
    {
        if (id < latest.load()) { // superseded before it started: the latest request wins
            emit cancelled(id);
            return;
        }
        emit started(id);
        if (m_invalidate.exchange(false))
            m_cache.reset();
        // A change that only moves a threshold re-decides from cached scores (design.md section 1).
        if (m_cache && m_cacheCompressor && m_cachePrompt == prompt.joined() &&
            m_cacheRoles(prompt) &&
            m_cacheCompressor->canRethreshold(*m_cache, m_cacheOptions, options)) {
            auto r = m_cacheCompressor->rethreshold(*m_cache, options);
            if (r) {
                auto handle =
                    std::make_shared<const terse::CompressionResult>(std::move(r.value()));
                m_cache = handle;
                m_cacheOptions = options;
                emit finished(id, handle, true);
                return;
            }
        }
        auto compressor = m_factory ? m_factory(options.method) : createCompressor(options.method);
        if (!compressor) {
            emit failed(id, static_cast<int>(compressor.error().code),
                        QString::fromStdString(compressor.error().detail));
            return;
        }
        QElapsedTimer throttle;
        throttle.start();
        auto job = std::make_shared<terse::JobContext>(
            [this, id, &throttle](long long done, long long total, const std::string &stage) {
                if (throttle.elapsed() < 40 && done != total)
                    return; // at most ~25 progress signals a second
                throttle.restart();
                emit progress(id, done, total, QString::fromStdString(stage));
            });
        // Iterative methods report each stage's result while the run goes (issue 20); a superseded
        // run's are dropped.
        job->onPartial([this, id](const terse::CompressionResult &partial, int done, int total) {
            if (id == latest.load())
                emit partialResult(id, std::make_shared<const terse::CompressionResult>(partial),
                                   done, total);
        });
        {
            std::lock_guard lock(m_jobMutex);
            m_job = job;
            if (id < latest.load())
                job->cancel();
        }
        terse::Result<terse::CompressionResult> r = fail(ErrorCode::Internal, "not run");
        try {
            r = (*compressor)->compress(prompt, options, *job);
        } catch (const std::exception &e) { // containment: nothing escapes the worker thread
            r = fail(ErrorCode::Internal, std::string("unexpected error: ") + e.what());
        }
        {
            std::lock_guard lock(m_jobMutex);
            m_job.reset();
        }
        // The run's freed working memory back to the system while the app waits for the next one.
        terse::releaseFreeMemory();
        if (!r) {
            if (r.error().code == ErrorCode::Cancelled)
                emit cancelled(id);
            else
                emit failed(id, static_cast<int>(r.error().code),
                            QString::fromStdString(r.error().detail));
            return;
        }
        auto handle = std::make_shared<const terse::CompressionResult>(std::move(r.value()));
        m_cache = handle;
        m_cacheOptions = options;
        m_cachePrompt = prompt.joined();
        m_cacheRoleList.clear();
        for (const auto &s : prompt.segments)
            m_cacheRoleList.push_back(static_cast<int>(s.role));
        m_cacheCompressor = std::move(compressor.value());
        emit finished(id, handle, false);
    }

    // Loads the model to describe it (architecture, parameters); runs between compressions.
    void describeModel(const QString &path)
    {
        QString text;
        bool ok = false;
        try {
            const terse::EngineApi *engine = EngineHost::require(); // loads it if needed
            auto model = engine
                             ? engine->describeModel(path.toStdString(), {})
                             : terse::Result<terse::ModelInfo>(terse::fail(
                                   ErrorCode::Unsupported, EngineHost::loadError().toStdString()));
            if (model) {
                const auto &i = *model;
                text = QStringLiteral(
                           "%1 · %2 · %3M parameters · %4 layers · %5 heads · hidden %6 · vocab %7")
                           .arg(QString::fromStdString(i.architecture),
                                QString::fromStdString(i.format))
                           .arg(static_cast<double>(i.parameters) / 1e6, 0, 'f', 1)
                           .arg(i.layers)
                           .arg(i.heads)
                           .arg(i.hidden)
                           .arg(i.vocabSize);
                ok = true;
            } else {
                text = QString::fromStdString(model.error().detail);
            }
        } catch (const std::exception &e) { // containment: nothing escapes the worker thread
            text = QString::fromUtf8(e.what());
        }
        emit modelDescribed(path, ok, text);
    }

    // The attention row of one layer/head from the query byte (design.md rule 7: model work off the
    // UI thread).
    void attention(quint64 id, const QString &modelPath, const QString &text, qint64 queryByte,
                   int layer, int head)
    {
        if (id < latestAttention.load())
            return; // superseded by a newer selection
        QString error;
        AttentionHandle row;
        try {
            const QByteArray utf8 = text.toUtf8();
            const terse::EngineApi *engine = EngineHost::require(); // loads it if needed
            auto r = engine ? engine->textAttentionRow(
                                  modelPath.toStdString(), utf8.toStdString(),
                                  static_cast<std::size_t>(std::max<qint64>(0, queryByte)), layer,
                                  head, terse::JobContext::none())
                            : terse::Result<terse::TextAttention>(terse::fail(
                                  ErrorCode::Unsupported, EngineHost::loadError().toStdString()));
            if (r)
                row = std::make_shared<const terse::TextAttention>(std::move(r.value()));
            else
                error = QString::fromStdString(r.error().detail);
        } catch (const std::exception &e) { // containment: nothing escapes the worker thread
            error = QString::fromUtf8(e.what());
        }
        emit attentionReady(id, row, error);
    }

public:
    std::atomic<bool> m_invalidate{false};
    std::atomic<quint64> latestAttention{0};

signals:
    void modelDescribed(const QString &path, bool ok, const QString &text);
    void attentionReady(quint64 id, terse::app::AttentionHandle row, const QString &error);
    void started(quint64 id);
    void progress(quint64 id, qint64 done, qint64 total, const QString &stage);
    void partialResult(quint64 id, terse::app::ResultHandle result, int stagesDone,
                       int stagesTotal);
    void finished(quint64 id, terse::app::ResultHandle result, bool rethresholded);
    void failed(quint64 id, int errorCode, const QString &message);
    void cancelled(quint64 id);

private:
    // The registry's compressor, from the engine module (loaded here first if the window has not
    // loaded it yet: the worker thread may wait, the UI does not).
    static terse::Result<std::unique_ptr<terse::Compressor>>
    createCompressor(const std::string &name)
    {
        if (const terse::EngineApi *engine = EngineHost::require())
            return engine->createCompressor(name);
        return terse::fail(ErrorCode::Unsupported, EngineHost::loadError().toStdString());
    }

    bool m_cacheRoles(const terse::Prompt &p) const
    {
        if (p.segments.size() != m_cacheRoleList.size())
            return false;
        for (std::size_t i = 0; i < p.segments.size(); ++i)
            if (static_cast<int>(p.segments[i].role) != m_cacheRoleList[i])
                return false;
        return true;
    }

    CompressorFactory m_factory;
    std::mutex m_jobMutex;
    std::shared_ptr<terse::JobContext> m_job;
    ResultHandle m_cache;
    terse::CompressOptions m_cacheOptions;
    std::string m_cachePrompt;
    std::vector<int> m_cacheRoleList;
    std::unique_ptr<terse::Compressor> m_cacheCompressor;
};

EngineWorker::EngineWorker(CompressorFactory factory, QObject *parent) : QObject(parent)
{
    qRegisterMetaType<terse::app::ResultHandle>("terse::app::ResultHandle");
    qRegisterMetaType<terse::Prompt>("terse::Prompt");
    qRegisterMetaType<terse::CompressOptions>("terse::CompressOptions");
    qRegisterMetaType<terse::app::AttentionHandle>("terse::app::AttentionHandle");
    m_thread.setObjectName(QStringLiteral("terse-engine"));
    m_backend = new WorkerBackend(std::move(factory));
    m_backend->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_backend, &QObject::deleteLater);
    connect(m_backend, &WorkerBackend::started, this, &EngineWorker::started);
    connect(m_backend, &WorkerBackend::progress, this, &EngineWorker::progress);
    // Relayed from the engine thread as it happens (Qt queues it for receivers on other threads): a
    // direct receiver sees the partial result before the job goes on.
    connect(m_backend, &WorkerBackend::partialResult, this, &EngineWorker::partialResult,
            Qt::DirectConnection);
    connect(m_backend, &WorkerBackend::modelDescribed, this, &EngineWorker::modelDescribed);
    connect(m_backend, &WorkerBackend::attentionReady, this, &EngineWorker::attentionReady);
    auto done = [this] { m_pending = std::max(0, m_pending - 1); };
    connect(m_backend, &WorkerBackend::finished, this,
            [this, done](quint64 id, ResultHandle r, bool re) {
                done();
                emit finished(id, r, re);
            });
    connect(m_backend, &WorkerBackend::failed, this,
            [this, done](quint64 id, int code, const QString &m) {
                done();
                emit failed(id, code, m);
            });
    connect(m_backend, &WorkerBackend::cancelled, this, [this, done](quint64 id) {
        done();
        emit cancelled(id);
    });
    m_thread.start();
}

EngineWorker::~EngineWorker()
{
    m_backend->latest = ~0ull; // everything still queued is superseded
    m_backend->cancelCurrent();
    m_thread.quit();
    m_thread.wait();
}

quint64 EngineWorker::submit(const terse::Prompt &prompt, const terse::CompressOptions &options)
{
    const quint64 id = m_nextId++;
    m_backend->latest = id;
    m_backend->cancelCurrent(); // the latest request wins
    ++m_pending;
    QMetaObject::invokeMethod(m_backend, "run", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(terse::Prompt, prompt), Q_ARG(terse::CompressOptions, options));
    return id;
}

void EngineWorker::describeModel(const QString &path)
{
    QMetaObject::invokeMethod(m_backend, "describeModel", Qt::QueuedConnection,
                              Q_ARG(QString, path));
}

quint64 EngineWorker::requestAttention(const QString &modelPath, const QString &text,
                                       qint64 queryByte, int layer, int head)
{
    const quint64 id = m_nextAttentionId++;
    m_backend->latestAttention = id;
    QMetaObject::invokeMethod(m_backend, "attention", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(QString, modelPath), Q_ARG(QString, text),
                              Q_ARG(qint64, queryByte), Q_ARG(int, layer), Q_ARG(int, head));
    return id;
}

void EngineWorker::cancel()
{
    m_backend->cancelCurrent();
}

void EngineWorker::invalidateCache()
{
    m_backend->m_invalidate = true;
}

} // namespace terse::app

#include "engine_worker.moc"
