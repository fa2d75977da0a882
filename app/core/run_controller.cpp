#include "run_controller.h"

#include "document_controller.h"
#include "engine_terms.h"
#include "main_window.h"
#include "result_adapter.h"
#include "result_inspector.h"
#include "session_controller.h"

#include "terse/text_units.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QTimer>

namespace terse::app {

RunController::RunController(MainWindow *window, EngineWorker *worker, const Widgets &widgets)
    : QObject(window), m_window(window), m_worker(worker), m_w(widgets)
{
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(120); // design.md rule 7: slider changes debounced ~120 ms
    connect(m_debounce, &QTimer::timeout, this, &RunController::runCompression);
    m_progressDelay = new QTimer(this);
    m_progressDelay->setSingleShot(true);
    m_progressDelay->setInterval(300); // show progress only for work longer than ~300 ms
    connect(m_progressDelay, &QTimer::timeout, this, [this] {
        if (isBusy())
            m_w.progress->show();
    });
    connect(m_w.run, &QPushButton::clicked, this, &RunController::runCompression);
    connect(m_w.cancel, &QPushButton::clicked, this, &RunController::cancelCompression);
    connect(m_w.inspector, &ResultInspector::attentionRequested, this,
            &RunController::requestAttention);
    connect(m_worker, &EngineWorker::attentionReady, this,
            [this](quint64 id, AttentionHandle row, const QString &error) {
                if (id == m_attentionId)
                    m_w.inspector->setAttention(row, error);
            });

    connect(m_worker, &EngineWorker::progress, this,
            [this](quint64 id, qint64 done, qint64 total, const QString &engineStage) {
                if (id != m_activeId)
                    return;
                const QString stage = EngineTerms::progressStage(engineStage);
                m_w.progress->setRange(0, total > 0 ? 1000 : 0);
                if (total > 0)
                    m_w.progress->setValue(static_cast<int>(1000.0 * static_cast<double>(done) /
                                                            static_cast<double>(total)));
                // Stage, step and, once the pace is known, the time left (issue 20).
                QString text =
                    total > 0 ? tr("Compressing: %1 (%2 of %3)").arg(stage).arg(done).arg(total)
                              : tr("Compressing: %1…").arg(stage);
                const double elapsed = static_cast<double>(m_jobTimer.elapsed());
                if (total > 0 && done > 0 && done < total && elapsed > 1500)
                    text += QStringLiteral(" · ") +
                            tr("about %1 left")
                                .arg(formatDuration(elapsed * static_cast<double>(total - done) /
                                                    static_cast<double>(done)));
                m_window->setStatusText(text);
            });
    // A long iterative run shows each stage's result as it completes (issue 20); the last complete
    // result stays what Copy, Export, the answer check and the cost panel use until the run ends.
    connect(m_worker, &EngineWorker::partialResult, this,
            [this](quint64 id, ResultHandle r, int done, int total) {
                if (id != m_activeId || !r)
                    return;
                m_partial = r;
                m_partialDone = done;
                m_partialTotal = total;
                m_w.inspector->setResult(r, m_window->pins(), total);
                updateOutdated();
                emit partialShown(done, total);
            });
    connect(m_worker, &EngineWorker::finished, this,
            [this](quint64 id, ResultHandle r, bool rethresholded) {
                if (id != m_activeId)
                    return; // a newer request is on its way
                m_partial.reset();
                setBusy(false);
                m_window->setShownRunId(0);
                showResult(r, m_activeOptions);
                m_window->setStatusText(rethresholded ? tr("Re-decided from cached scores.")
                                                      : tr("Done."));
                emit completed(m_activePrompt, m_activeOptions, r, rethresholded);
            });
    connect(m_worker, &EngineWorker::failed, this,
            [this](quint64 id, int code, const QString &message) {
                if (id != m_activeId)
                    return;
                setBusy(false);
                dropPartial();
                m_window->showError(
                    tr("Compression failed: %1")
                        .arg(EngineTerms::errorText(static_cast<terse::ErrorCode>(code), message)));
                m_window->setStatusText(tr("Failed."));
                emit jobEnded();
            });
    connect(m_worker, &EngineWorker::cancelled, this, [this](quint64 id) {
        if (id != m_activeId)
            return;
        setBusy(false);
        dropPartial();
        m_window->setStatusText(tr("Cancelled."));
        emit jobEnded();
    });
}

void RunController::runCompression()
{
    m_debounce->stop();
    m_window->documentController()->editDebounce()->stop();
    m_window->clearError();
    terse::Prompt prompt = m_window->currentPrompt();
    const std::string joined = prompt.joined();
    if (auto v = terse::validatePromptText(joined); !v) {
        m_window->showError(QString::fromStdString(joined).trimmed().isEmpty()
                                ? tr("The prompt is empty: paste or open some text first.")
                                : tr("The prompt cannot be compressed: %1")
                                      .arg(QString::fromStdString(v.error().detail)));
        return;
    }
    m_activeOptions = m_window->currentOptions();
    m_activePrompt = std::move(prompt);
    m_activeId = m_worker->submit(m_activePrompt, m_activeOptions);
    m_jobTimer.start();
    setBusy(true);
    dropPartial(); // the superseded run's stages are not this run's
    m_window->setStatusText(tr("Compressing…"));
}

void RunController::cancelCompression()
{
    if (!isBusy())
        return;
    m_worker->cancel();
    m_window->setStatusText(tr("Cancelling…"));
}

void RunController::scheduleRerun()
{
    if (m_window->isRestoring())
        return;
    m_window->sessionController()->markDirty();
    // Only re-run automatically once the user has a result to update.
    rerunSoon();
}

void RunController::rerunSoon()
{
    if (m_result || isBusy())
        m_debounce->start();
}

void RunController::abandon()
{
    m_debounce->stop();
    if (isBusy()) {
        m_worker->cancel();
        setBusy(false); // its result, if any, is ignored
    }
}

void RunController::setBusy(bool busy)
{
    if (!busy)
        m_activeId = 0;
    m_w.cancel->setEnabled(busy);
    if (busy) {
        m_w.progress->setRange(0, 0);
        m_progressDelay->start();
    } else {
        m_progressDelay->stop();
        m_w.progress->hide();
    }
    updateOutdated();
}

void RunController::showResult(const ResultHandle &r, const terse::CompressOptions &options)
{
    m_shownOptions = options;
    m_result = r;
    m_w.inspector->setResult(r, m_window->pins());
    showWarnings(r->warnings);
    updateOutdated();
    emit resultShown();
}

void RunController::showWarnings(const std::vector<terse::Warning> &warnings)
{
    QStringList notes, problems;
    for (const auto &w : warnings) {
        const QString detail = EngineTerms::warningText(w);
        if (warningKind(w.code) == NoteKind::Info)
            notes << tr("Note: %1.").arg(detail);
        else
            problems << tr("Warning: %1.").arg(detail);
    }
    m_w.notes->setText(notes.join(QLatin1Char('\n')));
    m_w.notes->setVisible(!notes.isEmpty());
    m_w.warnings->setText(problems.join(QLatin1Char('\n')));
    m_w.warnings->setVisible(!problems.isEmpty());
}

std::string RunController::optionsKey(const terse::CompressOptions &o)
{
    std::string k;
    auto add = [&k](const std::string &field) {
        k += std::to_string(field.size());
        k += ':';
        k += field;
    };
    add(o.method);
    add(std::to_string(o.rate));
    add(std::to_string(o.targetTokens));
    add(terse::modeName(o.mode));
    add(std::to_string(o.seed));
    add(o.model);
    add(o.device);
    add(o.targetTokenizer);
    for (const auto &[name, value] : o.params) {
        add(name);
        add(value);
    }
    for (const auto &p : o.pinned)
        add(std::to_string(p.segment) + "," + std::to_string(p.span.begin) + "," +
            std::to_string(p.span.end) + (p.keep ? "+" : "-"));
    return k;
}

void RunController::updateOutdated()
{
    if (m_partial) {
        m_w.inspector->setOutdated(
            tr("Partial result: %1 of %2 stages done, the run goes on. The stage slider fills as "
               "stages finish; Cancel keeps the last complete result.")
                .arg(m_partialDone)
                .arg(m_partialTotal),
            false);
        return;
    }
    QString why;
    if (m_result) {
        if (isBusy())
            why = tr("Outdated: a new result is being computed.");
        else if (!resultMatchesPrompt())
            why = tr("Outdated: the prompt changed after this result. Compress to update it.");
        else if (optionsKey(m_shownOptions) != optionsKey(m_window->currentOptions()))
            why = tr("Outdated: this result was computed with other settings (%1 at rate %2). "
                     "Compress to update it.")
                      .arg(QString::fromStdString(m_shownOptions.method))
                      .arg(m_shownOptions.rate, 0, 'f', 2);
    }
    m_w.inspector->setOutdated(why);
}

ResultHandle RunController::shownResult() const
{
    return m_partial ? m_partial : m_result;
}

void RunController::dropPartial()
{
    if (!m_partial)
        return;
    // A run that did not finish leaves the last complete result (or none) on screen.
    m_partial.reset();
    m_w.inspector->setResult(m_result, m_window->pins());
    updateOutdated();
}

bool RunController::resultMatchesPrompt() const
{
    const ResultHandle shown = shownResult();
    if (!shown)
        return false;
    const terse::Prompt p = m_window->currentPrompt();
    if (p.segments.size() != shown->segments.size())
        return false;
    for (std::size_t i = 0; i < p.segments.size(); ++i)
        if (p.segments[i].text != shown->segments[i].text ||
            p.segments[i].role != shown->segments[i].role)
            return false;
    return true;
}

void RunController::requestAttention(int unit, int layer, int head)
{
    const ResultHandle shown = shownResult();
    if (!shown || unit < 0 || unit >= static_cast<int>(shown->units.size()))
        return;
    std::string joined;
    for (std::size_t i = 0; i < shown->segments.size(); ++i)
        joined += (i ? "\n\n" : "") + shown->segments[i].text;
    const std::size_t byte = joinedOffset(*shown, shown->units[static_cast<std::size_t>(unit)]);
    QString model = QString::fromStdString(shown->model);
    if (model.isEmpty())
        model = QString::fromStdString(m_window->currentOptions().model);
    m_attentionId = m_worker->requestAttention(model, QString::fromStdString(joined),
                                               static_cast<qint64>(byte), layer, head);
}

void RunController::copyCompressed()
{
    if (m_result)
        QApplication::clipboard()->setText(QString::fromStdString(m_result->compressedText));
}

void RunController::saveCompressed()
{
    if (!m_result) {
        m_window->showError(tr("Nothing to save yet: compress a prompt first."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        m_window, tr("Save compressed text"), QString(), tr("Text files (*.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) ||
        f.write(QByteArray::fromStdString(m_result->compressedText)) < 0 || !f.commit())
        m_window->showError(
            tr("Cannot save “%1”: %2").arg(QFileInfo(path).fileName(), f.errorString()));
}

} // namespace terse::app
