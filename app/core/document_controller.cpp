#include "document_controller.h"

#include "appearance_controller.h"
#include "edit_commands.h"
#include "main_window.h"
#include "pin_list.h"
#include "result_adapter.h"
#include "result_inspector.h"
#include "run_controller.h"
#include "session_controller.h"

#include "terse/resources.h"
#include "terse/text_units.h"
#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/structured_prompt_editor.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeyEvent>
#include <QMenu>
#include <QSaveFile>
#include <QSettings>
#include <QStackedWidget>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>
#include <cctype>

namespace terse::app {

namespace {
constexpr qint64 kMaxFileBytes = 64ll << 20; // prompts larger than this are refused with a message
constexpr int kMaxRecent = 8;
} // namespace

DocumentController::DocumentController(MainWindow *window, const Widgets &widgets)
    : QObject(window), m_window(window), m_w(widgets)
{
    m_w.editor->setUndoRedoEnabled(false); // Edit → Undo covers prompt edits and pins together
    m_w.editor->installEventFilter(this);
    m_undo = new QUndoStack(this);
    m_undo->setObjectName(QStringLiteral("editUndoStack"));
    m_editDebounce = new QTimer(this);
    m_editDebounce->setSingleShot(true);
    m_editDebounce->setInterval(400); // prompt edits re-run once the user pauses typing
    connect(m_editDebounce, &QTimer::timeout, this, [this] {
        RunController *run = m_window->runController();
        if (run->lastResult() || run->isBusy())
            run->runCompression();
    });

    connect(m_w.editor, &terse::widgets::PromptEditor::filesDropped, this,
            [this](const QStringList &files) { openFile(files.first()); });
    connect(m_w.editor, &QPlainTextEdit::textChanged, this,
            &DocumentController::onPromptTextChanged);
    connect(m_w.structuredEditor, &terse::widgets::StructuredPromptEditor::changed, this,
            &DocumentController::onStructuredChanged);
    connect(m_w.inspector, &ResultInspector::unitClicked, this, &DocumentController::cyclePin);
    connect(m_w.inspector, &ResultInspector::pinRequested, this, &DocumentController::setPin);
    connect(m_w.pinList, &PinList::removeRequested, this, [this](int index) {
        if (index < 0 || index >= static_cast<int>(m_pins.size()))
            return;
        auto pins = m_pins;
        pins.erase(pins.begin() + index);
        pushPins(std::move(pins), tr("Unpin"));
    });
    connect(m_w.pinList, &PinList::clearRequested, this, [this] { pushPins({}, tr("Unpin All")); });
}

void DocumentController::setRecentMenu(QMenu *menu)
{
    m_recentMenu = menu;
    rebuildRecentMenu();
}

void DocumentController::setStructuredAction(QAction *action)
{
    m_structuredAction = action;
    m_structuredAction->setChecked(isStructured());
    connect(m_structuredAction, &QAction::toggled, this, &DocumentController::setStructured);
}

bool DocumentController::eventFilter(QObject *watched, QEvent *event)
{
    // The plain editor would take Ctrl+Z for its own (disabled) history: let the window's actions
    // have it.
    if (watched == m_w.editor && event->type() == QEvent::ShortcutOverride) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo) ||
            key->keyCombination() == QKeyCombination(Qt::CTRL | Qt::SHIFT, Qt::Key_Z)) {
            event->ignore();
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

// ---- files
// ----------------------------------------------------------------------------------------

bool DocumentController::openFile(const QString &path)
{
    m_window->clearError();
    QFile f(path);
    const QString name = QFileInfo(path).fileName();
    if (!f.open(QIODevice::ReadOnly)) {
        m_window->showError(tr("Cannot open “%1”: %2").arg(name, f.errorString()));
        return false;
    }
    if (f.size() > kMaxFileBytes) {
        m_window->showError(tr("“%1” is %2 MB; Terse opens prompts up to %3 MB.")
                                .arg(name)
                                .arg(static_cast<double>(f.size()) / (1 << 20), 0, 'f', 1)
                                .arg(kMaxFileBytes >> 20));
        return false;
    }
    const QByteArray bytes = f.readAll();
    if (f.error() != QFileDevice::NoError) {
        m_window->showError(tr("Cannot read “%1”: %2").arg(name, f.errorString()));
        return false;
    }
    const std::string_view view(bytes.constData(), static_cast<std::size_t>(bytes.size()));
    if (auto nul = view.find('\0'); nul != std::string_view::npos) {
        m_window->showError(
            tr("“%1” looks like a binary file (NUL byte at offset %2); open a text file.")
                .arg(name)
                .arg(nul));
        return false;
    }
    std::size_t bad = 0;
    if (!terse::isValidUtf8(view, &bad)) {
        m_window->showError(tr("“%1” is not valid UTF-8 text (first invalid byte at offset %2). "
                               "Convert it to UTF-8 and try again.")
                                .arg(name)
                                .arg(bad));
        return false;
    }
    setStructured(false);
    m_w.editor->setPlainText(QString::fromUtf8(bytes));
    m_currentFile = path;
    addRecentFile(path);
    m_window->setStatusText(
        tr("Opened %1 (%2 KB).").arg(name).arg(bytes.size() / 1024.0, 0, 'f', 1));
    updateWindowTitle();
    return true;
}

void DocumentController::updateWindowTitle()
{
    m_window->setWindowTitle(
        m_currentFile.isEmpty() ? tr("Terse Studio")
                                : tr("%1 — Terse Studio").arg(QFileInfo(m_currentFile).fileName()));
}

void DocumentController::savePrompt(bool askPath)
{
    QString path = m_currentFile;
    if (askPath || path.isEmpty())
        path = QFileDialog::getSaveFileName(m_window, tr("Save prompt"), m_currentFile,
                                            tr("Text files (*.txt *.md);;All files (*)"));
    if (!path.isEmpty())
        savePromptTo(path);
}

bool DocumentController::savePromptTo(const QString &path)
{
    QSaveFile f(path);
    const std::string text = currentPrompt().joined();
    if (!f.open(QIODevice::WriteOnly) ||
        f.write(text.data(), static_cast<qint64>(text.size())) < 0 || !f.commit()) {
        m_window->showError(
            tr("Cannot save “%1”: %2").arg(QFileInfo(path).fileName(), f.errorString()));
        return false;
    }
    m_currentFile = path;
    addRecentFile(path);
    updateWindowTitle();
    m_window->setStatusText(tr("Saved the prompt to %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

void DocumentController::addRecentFile(const QString &path)
{
    QSettings s;
    QStringList recent = s.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    s.setValue(QStringLiteral("recentFiles"), recent);
    rebuildRecentMenu();
}

void DocumentController::rebuildRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString &p : recent)
        m_recentMenu->addAction(QFileInfo(p).fileName(), this, [this, p] { openFile(p); })
            ->setToolTip(p);
    m_recentMenu->setEnabled(!recent.isEmpty());
}

QStringList DocumentController::samplePaths()
{
    const QString dir = QString::fromStdString(terse::resourcesDir()) + QStringLiteral("/samples");
    QStringList out;
    for (const QFileInfo &f : QDir(dir).entryInfoList(
             {QStringLiteral("*.txt"), QStringLiteral("*.md")}, QDir::Files, QDir::Name))
        out << f.absoluteFilePath();
    return out;
}

void DocumentController::buildSamplesMenu(QMenu *parent)
{
    m_samplesMenu = parent->addMenu(QString());
    m_samplesMenu->setObjectName(QStringLiteral("samplesMenu"));
    m_window->appearanceController()->translated(
        [this] { m_samplesMenu->setTitle(tr("S&amples")); });
    const QStringList samples = samplePaths();
    QStringList titles;
    for (const QString &path : samples) {
        QString name =
            QFileInfo(path).completeBaseName().replace(QLatin1Char('_'), QLatin1Char(' '));
        if (!name.isEmpty())
            name[0] = name[0].toUpper();
        titles << name;
        m_samplesMenu->addAction(name, this, [this, path] { openFile(path); })->setToolTip(path);
    }
    m_samplesMenu->setEnabled(!samples.isEmpty());
    // The same samples, one click away in the empty editor.
    m_w.editor->setSamples(titles);
    connect(m_w.editor, &terse::widgets::PromptEditor::sampleRequested, this,
            [this, samples](int i) {
                if (i >= 0 && i < samples.size())
                    openFile(samples[i]);
            });
}

// ---- the prompt
// -----------------------------------------------------------------------------------

terse::Prompt DocumentController::currentPrompt() const
{
    if (!isStructured())
        return terse::Prompt::fromText(m_w.editor->toPlainText().toUtf8().toStdString());
    terse::Prompt p;
    for (const auto &part : m_w.structuredEditor->parts()) {
        terse::PromptSegment seg;
        seg.role = part.role == terse::widgets::PromptPart::Role::Instruction
                       ? terse::SegmentRole::Instruction
                   : part.role == terse::widgets::PromptPart::Role::Question
                       ? terse::SegmentRole::Question
                       : terse::SegmentRole::Context;
        seg.text = part.text.toUtf8().toStdString();
        p.segments.push_back(std::move(seg));
    }
    if (p.segments.empty())
        p = terse::Prompt::fromText({});
    return p;
}

bool DocumentController::isStructured() const
{
    return m_w.promptStack->currentWidget() == m_w.structuredEditor;
}

void DocumentController::setPromptContent(const terse::Prompt &prompt)
{
    const bool plain =
        prompt.segments.size() <= 1 &&
        (prompt.segments.empty() || prompt.segments.front().role == terse::SegmentRole::Context);
    const bool was = m_window->setRestoring(true);
    if (plain) {
        setStructured(false);
        const QString text = QString::fromStdString(prompt.joined());
        if (m_w.editor->toPlainText() != text)
            m_w.editor->setPlainText(text);
    } else {
        QVector<terse::widgets::PromptPart> parts;
        for (const auto &seg : prompt.segments) {
            terse::widgets::PromptPart part;
            part.role = seg.role == terse::SegmentRole::Instruction
                            ? terse::widgets::PromptPart::Role::Instruction
                        : seg.role == terse::SegmentRole::Question
                            ? terse::widgets::PromptPart::Role::Question
                            : terse::widgets::PromptPart::Role::Context;
            part.text = QString::fromStdString(seg.text);
            parts.push_back(part);
        }
        m_w.structuredEditor->setParts(parts);
        m_w.promptStack->setCurrentWidget(m_w.structuredEditor);
        if (m_structuredAction) {
            const QSignalBlocker block(m_structuredAction);
            m_structuredAction->setChecked(true);
        }
    }
    m_window->setRestoring(was);
}

void DocumentController::setStructured(bool structured)
{
    if (structured == isStructured())
        return;
    const terse::Prompt before = currentPrompt();
    const bool was =
        m_window->setRestoring(true); // a conversion, not an edit: no undo entry, no re-run
    std::vector<terse::PinnedSpan> pins;
    if (structured) {
        // A plain prompt that ends with a question becomes the parts the engine reads it as
        // (terse::plainPromptParts): a short first paragraph the instruction, the paragraphs the
        // contexts, the question; otherwise the text is one context. Pins keep their spans in the
        // part that holds them.
        const QString text = m_w.editor->toPlainText();
        const std::string utf8 = text.toUtf8().toStdString();
        const terse::PromptParts found = terse::plainPromptParts(utf8, true);
        QVector<terse::widgets::PromptPart> parts;
        for (std::size_t i = 0; i < found.starts.size(); ++i) {
            // A part ends at its last non-space byte: the parts join with a blank line.
            const std::size_t b = found.starts[i], e = found.ends[i];
            const auto role = found.roles[i] == terse::SegmentRole::Instruction
                                  ? terse::widgets::PromptPart::Role::Instruction
                              : found.roles[i] == terse::SegmentRole::Question
                                  ? terse::widgets::PromptPart::Role::Question
                                  : terse::widgets::PromptPart::Role::Context;
            parts.push_back({role, QString::fromStdString(utf8.substr(b, e - b))});
            for (auto p : m_pins) {
                if (p.span.begin >= b && p.span.end <= e) {
                    p.segment = static_cast<int>(i);
                    p.span.begin -= b;
                    p.span.end -= b;
                    pins.push_back(p);
                }
            }
        }
        if (found.starts.empty() && !text.trimmed().isEmpty()) {
            parts.push_back({terse::widgets::PromptPart::Role::Context, text});
            pins = m_pins;
        }
        m_w.structuredEditor->setParts(parts);
        m_w.promptStack->setCurrentWidget(m_w.structuredEditor);
    } else {
        // The parts join into one text ("\n\n" between them, as Prompt::joined); pins move with
        // them.
        std::vector<std::size_t> offsets;
        std::size_t at = 0;
        for (const auto &seg : before.segments) {
            offsets.push_back(at);
            at += seg.text.size() + 2;
        }
        for (auto p : m_pins)
            if (p.segment >= 0 && p.segment < static_cast<int>(offsets.size())) {
                p.span.begin += offsets[static_cast<std::size_t>(p.segment)];
                p.span.end += offsets[static_cast<std::size_t>(p.segment)];
                p.segment = 0;
                pins.push_back(p);
            }
        m_w.promptStack->setCurrentWidget(m_w.editor);
        m_w.editor->setPlainText(QString::fromStdString(before.joined()));
    }
    m_window->setRestoring(was);
    if (m_structuredAction) {
        const QSignalBlocker block(m_structuredAction);
        m_structuredAction->setChecked(structured);
    }
    m_undo->clear(); // text edits recorded in one editor do not apply to the other
    m_pins = std::move(pins);
    refreshPinViews();
    m_window->worker()->invalidateCache();
    m_window->sessionController()->markDirty();
}

void DocumentController::onPromptTextChanged()
{
    const QString now = m_w.editor->toPlainText();
    // The edit as one replacement: common prefix and suffix of the old and new text.
    const qsizetype a = m_lastText.size(), b = now.size();
    qsizetype prefix = 0;
    while (prefix < a && prefix < b && m_lastText[prefix] == now[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < a - prefix && suffix < b - prefix &&
           m_lastText[a - 1 - suffix] == now[b - 1 - suffix])
        ++suffix;
    const QString removed = m_lastText.mid(prefix, a - prefix - suffix);
    const QString inserted = now.mid(prefix, b - prefix - suffix);
    if (!m_pins.empty() && !isStructured()) {
        // Pins after the edit move with their words; a pin inside the edited text is dropped.
        const std::size_t at = static_cast<std::size_t>(m_lastText.left(prefix).toUtf8().size());
        const std::size_t gone = static_cast<std::size_t>(removed.toUtf8().size());
        const std::size_t added = static_cast<std::size_t>(inserted.toUtf8().size());
        std::vector<terse::PinnedSpan> moved;
        for (auto p : m_pins) {
            if (p.span.end <= at) {
                moved.push_back(p);
            } else if (p.span.begin >= at + gone) {
                p.span.begin = p.span.begin - gone + added;
                p.span.end = p.span.end - gone + added;
                moved.push_back(p);
            }
        }
        const bool changed =
            moved.size() != m_pins.size() ||
            !std::equal(moved.begin(), moved.end(), m_pins.begin(),
                        [](const auto &x, const auto &y) {
                            return x.span == y.span && x.keep == y.keep && x.segment == y.segment;
                        });
        if (changed) {
            m_pins = std::move(moved);
            refreshPinViews();
        }
    }
    m_lastText = now;
    m_window->worker()->invalidateCache();
    if (m_window->isRestoring()) {
        m_undo->clear(); // programmatic text (restore, conversion): earlier edits no longer apply
        return;
    }
    if (!m_applyingUndo && (!removed.isEmpty() || !inserted.isEmpty()))
        m_undo->push(new PromptEditCommand(m_w.editor, static_cast<int>(prefix), removed, inserted,
                                           &m_applyingUndo));
    m_window->sessionController()->markDirty();
    scheduleEditRerun();
}

void DocumentController::onStructuredChanged()
{
    if (m_window->isRestoring())
        return;
    // Pins whose part no longer holds their span are dropped.
    const terse::Prompt p = currentPrompt();
    std::vector<terse::PinnedSpan> kept;
    for (const auto &pin : m_pins)
        if (pin.segment < static_cast<int>(p.segments.size()) &&
            pin.span.end <= p.segments[static_cast<std::size_t>(pin.segment)].text.size())
            kept.push_back(pin);
    if (kept.size() != m_pins.size()) {
        m_pins = std::move(kept);
        refreshPinViews();
    }
    m_window->worker()->invalidateCache();
    m_window->sessionController()->markDirty();
    scheduleEditRerun();
}

void DocumentController::scheduleEditRerun()
{
    if (m_window->isRestoring())
        return;
    RunController *run = m_window->runController();
    if (run->lastResult() || run->isBusy())
        m_editDebounce->start();
}

// ---- pins
// -----------------------------------------------------------------------------------------

void DocumentController::setPins(const std::vector<terse::PinnedSpan> &pins)
{
    m_pins = pins;
    refreshPinViews();
}

bool DocumentController::cyclePin(int unit)
{
    const ResultHandle shown = m_window->runController()->shownResult();
    if (!shown || unit < 0 || unit >= static_cast<int>(shown->units.size()))
        return false;
    const int now = pinOf(shown->units[static_cast<std::size_t>(unit)], m_pins);
    return setPin(unit, now == 0 ? 1 : (now > 0 ? -1 : 0));
}

bool DocumentController::setPin(int unit, int direction)
{
    const ResultHandle shown = m_window->runController()->shownResult();
    if (!shown || unit < 0 || unit >= static_cast<int>(shown->units.size()))
        return false;
    if (!m_window->runController()->resultMatchesPrompt()) {
        m_window->setStatusText(
            tr("The prompt changed since this result: compress again before pinning."));
        return false;
    }
    const terse::Unit &u = shown->units[static_cast<std::size_t>(unit)];
    // The pin covers the whole word the unit is part of, without its trailing whitespace: the word
    // is the unit a person sees (issue 20: clicking "Ticket" of a token-level method pinned only
    // "et").
    const std::string &text = shown->segments[static_cast<std::size_t>(u.segment)].text;
    auto trimmed = [&text](terse::Span s) {
        while (s.end > s.begin + 1 && std::isspace(static_cast<unsigned char>(text[s.end - 1])))
            --s.end;
        return s;
    };
    terse::Span span = trimmed(u.span);
    for (const terse::Span &w : terse::splitAtomicWords(text))
        if (w.begin <= span.begin && span.begin < w.end) {
            const terse::Span word = trimmed(w);
            span = {std::min(span.begin, word.begin), std::max(span.end, word.end)};
            break;
        }
    std::vector<terse::PinnedSpan> pins;
    for (const auto &p : m_pins)
        if (!(p.segment == u.segment && span.begin < p.span.end && p.span.begin < span.end))
            pins.push_back(p);
    if (direction != 0)
        pins.push_back({u.segment, span, direction > 0});
    const QString word =
        QString::fromUtf8(text.data() + span.begin, static_cast<qsizetype>(span.size())).trimmed();
    pushPins(std::move(pins), direction > 0   ? tr("Pin “%1” (keep)").arg(word)
                              : direction < 0 ? tr("Pin “%1” (drop)").arg(word)
                                              : tr("Unpin “%1”").arg(word));
    return true;
}

void DocumentController::pushPins(std::vector<terse::PinnedSpan> pins, const QString &text)
{
    m_undo->push(new PinCommand([this](const std::vector<terse::PinnedSpan> &p) { installPins(p); },
                                m_pins, std::move(pins), text));
}

void DocumentController::installPins(const std::vector<terse::PinnedSpan> &pins)
{
    m_pins = pins;
    refreshPinViews();
    m_window->sessionController()->markDirty();
    m_window->runController()->rerunSoon(); // latest request wins; rapid clicks are batched
}

void DocumentController::refreshPinViews()
{
    const terse::Prompt p = currentPrompt();
    QList<QPair<QString, bool>> list;
    for (const auto &pin : m_pins) {
        QString text;
        if (pin.segment >= 0 && pin.segment < static_cast<int>(p.segments.size())) {
            const std::string &t = p.segments[static_cast<std::size_t>(pin.segment)].text;
            if (pin.span.end <= t.size())
                text = QString::fromUtf8(t.data() + pin.span.begin,
                                         static_cast<qsizetype>(pin.span.size()));
        }
        list.append({text, pin.keep});
    }
    m_w.pinList->setPins(list);
    if (m_window->runController() && m_window->runController()->lastResult())
        m_w.inspector->setPins(m_pins);
}

} // namespace terse::app
