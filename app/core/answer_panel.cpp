#include "answer_panel.h"

#include "session_manager.h"

#include "terse/session_store.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QEvent>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace terse::app {

namespace {

const char *kEndpointKey = "answerCheck/endpoint";
const char *kModelKey = "answerCheck/model";
const char *kApiKeyKey = "answerCheck/apiKey";
const char *kTimeoutKey = "answerCheck/timeoutSeconds";
const char *kBlindKey = "answerCheck/blind";

const char *variantName(AnswerPanel::Variant v)
{
    return v == AnswerPanel::Original ? "original" : "compressed";
}

} // namespace

ChatSettings storedChatSettings()
{
    QSettings s;
    return ChatSettings{s.value(QLatin1String(kEndpointKey)).toString().trimmed(),
                        s.value(QLatin1String(kModelKey)).toString().trimmed(),
                        s.value(QLatin1String(kApiKeyKey)).toString(),
                        s.value(QLatin1String(kTimeoutKey), 60).toInt() * 1000};
}

AnswerPanel::AnswerPanel(SessionManager *sessions, QWidget *parent)
    : QWidget(parent), m_sessions(sessions), m_client(new ChatClient(this))
{
    setObjectName(QStringLiteral("answerPanel"));
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    auto *form =
        new QGridLayout; // two fields per row: the panel sits below the views, wide and short
    m_endpoint = new QLineEdit(this);
    m_endpoint->setObjectName(QStringLiteral("answerEndpoint"));
    m_endpoint->setPlaceholderText(QStringLiteral("http://127.0.0.1:8080/v1"));
    m_model = new QLineEdit(this);
    m_model->setObjectName(QStringLiteral("answerModel"));
    m_key = new QLineEdit(this);
    m_key->setEchoMode(QLineEdit::Password);
    m_timeout = new QSpinBox(this);
    m_timeout->setRange(1, 3600);
    m_endpointLabel = new QLabel(this);
    m_modelLabel = new QLabel(this);
    m_keyLabel = new QLabel(this);
    m_timeoutLabel = new QLabel(this);
    m_keyNote = new QLabel(this);
    m_keyNote->setWordWrap(true);
    m_keyNote->setObjectName(QStringLiteral("noteLabel"));
    form->addWidget(m_endpointLabel, 0, 0);
    form->addWidget(m_endpoint, 0, 1);
    form->addWidget(m_modelLabel, 0, 2);
    form->addWidget(m_model, 0, 3);
    form->addWidget(m_timeoutLabel, 0, 4);
    form->addWidget(m_timeout, 0, 5);
    form->addWidget(m_keyLabel, 1, 0);
    form->addWidget(m_key, 1, 1);
    form->addWidget(m_keyNote, 1, 2, 1, 4);
    form->setColumnStretch(1, 3);
    form->setColumnStretch(3, 2);
    v->addLayout(form);

    auto *buttons = new QHBoxLayout;
    m_blind = new QCheckBox(this);
    m_ask = new QPushButton(this);
    m_ask->setObjectName(QStringLiteral("askButton"));
    m_cancel = new QPushButton(this);
    m_reveal = new QPushButton(this);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    buttons->addWidget(m_blind);
    buttons->addWidget(m_status, 1);
    buttons->addWidget(m_reveal);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_ask);
    v->addLayout(buttons);

    auto *side = new QHBoxLayout;
    for (int p = 0; p < 2; ++p) {
        Pane &pane = m_panes[static_cast<std::size_t>(p)];
        pane.box = new QGroupBox(this);
        auto *pv = new QVBoxLayout(pane.box);
        pane.text = new QPlainTextEdit(pane.box);
        pane.text->setReadOnly(true);
        pane.text->setMinimumHeight(60);
        pane.meta = new QLabel(pane.box);
        pane.meta->setWordWrap(true);
        auto *marks = new QHBoxLayout;
        pane.correct = new QRadioButton(pane.box);
        pane.incorrect = new QRadioButton(pane.box);
        auto *group = new QButtonGroup(pane.box);
        group->addButton(pane.correct);
        group->addButton(pane.incorrect);
        marks->addWidget(pane.correct);
        marks->addWidget(pane.incorrect);
        marks->addStretch(1);
        pv->addWidget(pane.text, 1);
        pv->addWidget(pane.meta);
        pv->addLayout(marks);
        side->addWidget(pane.box, 1);
        connect(pane.correct, &QRadioButton::clicked, this,
                [this, p] { setMark(variantOf(p), 1); });
        connect(pane.incorrect, &QRadioButton::clicked, this,
                [this, p] { setMark(variantOf(p), 0); });
    }
    v->addLayout(side, 1);

    const ChatSettings stored = storedChatSettings();
    m_endpoint->setText(stored.endpoint);
    m_model->setText(stored.model);
    m_key->setText(stored.apiKey);
    m_timeout->setValue(stored.timeoutMs / 1000);
    m_blind->setChecked(QSettings().value(QLatin1String(kBlindKey), false).toBool());
    for (QLineEdit *e : {m_endpoint, m_model, m_key})
        connect(e, &QLineEdit::editingFinished, this, &AnswerPanel::storeSettings);
    connect(m_timeout, &QSpinBox::valueChanged, this, &AnswerPanel::storeSettings);
    connect(m_blind, &QCheckBox::toggled, this, &AnswerPanel::storeSettings);

    connect(m_ask, &QPushButton::clicked, this, &AnswerPanel::ask);
    connect(m_cancel, &QPushButton::clicked, this, &AnswerPanel::cancel);
    connect(m_reveal, &QPushButton::clicked, this, [this] {
        m_revealed = true;
        refresh();
    });
    connect(m_client, &ChatClient::answered, this, &AnswerPanel::onAnswered);
    retranslate();
    refresh();
}

void AnswerPanel::retranslate()
{
    m_endpointLabel->setText(tr("Endpoint:"));
    m_endpoint->setToolTip(
        tr("An OpenAI-compatible chat-completions endpoint: a local llama.cpp server, Ollama, "
           "vLLM or a hosted API. \"/chat/completions\" is added to a base URL."));
    m_modelLabel->setText(tr("Target model:"));
    m_model->setPlaceholderText(tr("e.g. llama3.1:8b"));
    m_keyLabel->setText(tr("API key:"));
    m_key->setPlaceholderText(tr("empty for local servers"));
    m_timeoutLabel->setText(tr("Timeout:"));
    m_timeout->setSuffix(tr(" s"));
    m_keyNote->setText(
        tr("The API key is kept in the settings file in plain text (this build cannot reach a "
           "system keychain)."));
    m_blind->setText(tr("Blind A/B order"));
    m_blind->setToolTip(
        tr("Show the two answers as A and B in random order until both are marked."));
    m_ask->setText(tr("Ask the target model"));
    m_ask->setToolTip(tr("Send the original and the compressed prompt and compare the answers."));
    m_cancel->setText(tr("Cancel"));
    m_reveal->setText(tr("Reveal"));
    for (Pane &p : m_panes) {
        p.correct->setText(tr("Correct"));
        p.incorrect->setText(tr("Incorrect"));
    }
    refresh();
}

void AnswerPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

ChatSettings AnswerPanel::settings() const
{
    return ChatSettings{m_endpoint->text().trimmed(), m_model->text().trimmed(), m_key->text(),
                        m_timeout->value() * 1000};
}

void AnswerPanel::setSettings(const ChatSettings &s)
{
    m_endpoint->setText(s.endpoint);
    m_model->setText(s.model);
    m_key->setText(s.apiKey);
    m_timeout->setValue(std::max(1, (s.timeoutMs + 999) / 1000));
    storeSettings();
}

void AnswerPanel::setBlind(bool blind)
{
    m_blind->setChecked(blind);
}

void AnswerPanel::storeSettings() const
{
    QSettings s;
    s.setValue(QLatin1String(kEndpointKey), m_endpoint->text().trimmed());
    s.setValue(QLatin1String(kModelKey), m_model->text().trimmed());
    s.setValue(QLatin1String(kApiKeyKey), m_key->text());
    s.setValue(QLatin1String(kTimeoutKey), m_timeout->value());
    s.setValue(QLatin1String(kBlindKey), m_blind->isChecked());
}

void AnswerPanel::setResult(const QString &original, const QString &compressed, std::int64_t runId)
{
    if (original == m_original && compressed == m_compressed && (runId == m_runId || runId == 0)) {
        if (runId != 0)
            setRunId(runId);
        return;
    }
    m_client->cancelAll();
    m_original = original;
    m_compressed = compressed;
    m_runId = runId;
    m_state = {};
    m_swapped = false;
    m_revealed = true;
    m_statusMessage.clear();
    loadSaved();
    refresh();
}

void AnswerPanel::setRunId(std::int64_t runId)
{
    if (runId == m_runId)
        return;
    m_runId = runId;
    saveReady();
}

void AnswerPanel::saveReady()
{
    // A fixed order, original then compressed, whichever reply came first (the store lists a run's
    // answers in the order they were saved).
    save(Original);
    if (m_state[Original].request == 0)
        save(Compressed);
}

void AnswerPanel::loadSaved()
{
    terse::SessionStore *store = m_sessions ? m_sessions->store() : nullptr;
    if (!store || m_runId <= 0)
        return;
    auto answers = store->answers(m_runId);
    if (!answers)
        return;
    for (const auto &a : *answers) { // oldest first: the newest of each variant wins
        const Variant v = a.variant == "original" ? Original : Compressed;
        State &s = m_state[v];
        s = {};
        s.has = true;
        s.answerId = a.id;
        s.mark = a.mark;
        s.endpoint = QString::fromStdString(a.endpoint);
        s.model = QString::fromStdString(a.model);
        s.reply.text = QString::fromStdString(a.answer);
        s.reply.error = QString::fromStdString(a.error);
        s.reply.latencyMs = a.latencyMs;
        s.reply.promptTokens = a.promptTokens;
        s.reply.completionTokens = a.completionTokens;
    }
}

void AnswerPanel::ask()
{
    if (m_original.isEmpty()) {
        m_statusMessage =
            tr("Compress a prompt first: the check asks the target model with its original and "
               "its compressed prompt.");
        refresh();
        return;
    }
    storeSettings();
    m_client->cancelAll();
    const ChatSettings s = settings();
    m_state = {};
    m_swapped = m_blind->isChecked() && std::bernoulli_distribution(0.5)(m_rng);
    m_revealed = !m_blind->isChecked();
    for (Variant v : {Original, Compressed}) {
        m_state[v].endpoint = s.endpoint;
        m_state[v].model = s.model;
        m_state[v].request = m_client->ask(s, v == Original ? m_original : m_compressed);
    }
    m_statusMessage = tr("Asking %1…").arg(s.model.isEmpty() ? s.endpoint : s.model);
    refresh();
}

void AnswerPanel::cancel()
{
    m_client->cancelAll();
}

bool AnswerPanel::isAsking() const
{
    return m_client->inFlight() > 0;
}

void AnswerPanel::onAnswered(quint64 id, const ChatReply &reply)
{
    for (Variant v : {Original, Compressed}) {
        State &s = m_state[v];
        if (s.request != id)
            continue;
        s.reply = reply;
        s.has = true;
        s.request = 0;
    }
    // Saved in a fixed order, original then compressed, whichever reply came first (the store lists
    // a run's answers in the order they were saved).
    save(Original);
    if (m_state[Original].request == 0)
        save(Compressed);
    const bool done = m_state[Original].request == 0 && m_state[Compressed].request == 0;
    if (done) {
        const bool anyError =
            !m_state[Original].reply.error.isEmpty() || !m_state[Compressed].reply.error.isEmpty();
        m_statusMessage = anyError ? tr("The endpoint did not answer both prompts; see below.")
                                   : tr("Both answers are in. Mark each as correct or incorrect.");
    }
    refresh();
    if (done)
        emit answersReady();
}

void AnswerPanel::save(Variant v)
{
    terse::SessionStore *store = m_sessions ? m_sessions->store() : nullptr;
    State &s = m_state[v];
    if (!store || !m_sessions->isWritable() || m_runId <= 0 || !s.has || s.answerId != 0)
        return;
    terse::AnswerRecord a;
    a.runId = m_runId;
    a.variant = variantName(v);
    a.endpoint = s.endpoint.toStdString();
    a.model = s.model.toStdString();
    a.answer = s.reply.text.toStdString();
    a.error = s.reply.error.toStdString();
    a.latencyMs = s.reply.latencyMs;
    a.promptTokens = s.reply.promptTokens;
    a.completionTokens = s.reply.completionTokens;
    a.mark = s.mark;
    auto saved = store->saveAnswer(a);
    if (saved)
        s.answerId = *saved;
    else
        m_statusMessage =
            tr("The answer was not saved: %1").arg(QString::fromStdString(saved.error().detail));
}

void AnswerPanel::setMark(Variant v, int mark)
{
    State &s = m_state[v];
    if (!s.has || !s.reply.error.isEmpty())
        return;
    s.mark = mark;
    if (s.answerId != 0)
        if (terse::SessionStore *store = m_sessions ? m_sessions->store() : nullptr;
            store && m_sessions->isWritable())
            if (auto r = store->setAnswerMark(s.answerId, mark); !r)
                m_statusMessage =
                    tr("The mark was not saved: %1").arg(QString::fromStdString(r.error().detail));
    if (m_state[Original].mark >= 0 && m_state[Compressed].mark >= 0)
        m_revealed = true; // blind order ends once both are judged
    refresh();
}

QString AnswerPanel::headerText(Variant v) const
{
    if (!m_revealed)
        return paneOf(v) == 0 ? tr("Answer A") : tr("Answer B");
    return v == Original ? tr("Original prompt") : tr("Compressed prompt");
}

void AnswerPanel::refresh()
{
    for (int p = 0; p < 2; ++p) {
        const Variant v = variantOf(p);
        const State &s = m_state[v];
        Pane &pane = m_panes[static_cast<std::size_t>(p)];
        pane.box->setTitle(headerText(v));
        pane.text->setPlainText(
            s.has
                ? (s.reply.error.isEmpty() ? s.reply.text : tr("No answer: %1").arg(s.reply.error))
                : QString());
        pane.meta->setText(metaText(v));
        const bool markable = s.has && s.reply.error.isEmpty();
        pane.correct->setEnabled(markable);
        pane.incorrect->setEnabled(markable);
        // Exclusive groups cannot show "none" by unchecking a button; toggle exclusivity around it.
        for (QRadioButton *b : {pane.correct, pane.incorrect})
            b->group()->setExclusive(false);
        pane.correct->setChecked(s.mark == 1);
        pane.incorrect->setChecked(s.mark == 0);
        for (QRadioButton *b : {pane.correct, pane.incorrect})
            b->group()->setExclusive(true);
    }
    m_reveal->setVisible(!m_revealed);
    m_cancel->setEnabled(isAsking());
    m_ask->setEnabled(!m_original.isEmpty() && !isAsking());
    m_status->setText(m_statusMessage.isEmpty() && m_original.isEmpty()
                          ? tr("Compress a prompt, then ask the target model with both prompts.")
                          : m_statusMessage);
}

QString AnswerPanel::answerText(Variant v) const
{
    return m_state[v].has ? m_state[v].reply.text : QString();
}

QString AnswerPanel::errorText(Variant v) const
{
    return m_state[v].has ? m_state[v].reply.error : QString();
}

QString AnswerPanel::metaText(Variant v) const
{
    const State &s = m_state[v];
    if (!s.has)
        return s.request ? tr("waiting for the answer…") : QString();
    QString t = s.reply.latencyMs >= 1000 ? tr("%1 s").arg(s.reply.latencyMs / 1000.0, 0, 'f', 1)
                                          : tr("%1 ms").arg(qRound(s.reply.latencyMs));
    if (s.reply.promptTokens >= 0 || s.reply.completionTokens >= 0)
        t += QStringLiteral(" · ") +
             tr("%1 prompt + %2 answer tokens")
                 .arg(s.reply.promptTokens >= 0 ? QString::number(s.reply.promptTokens)
                                                : QStringLiteral("?"))
                 .arg(s.reply.completionTokens >= 0 ? QString::number(s.reply.completionTokens)
                                                    : QStringLiteral("?"));
    if (s.answerId == 0 && s.reply.error.isEmpty())
        t += QStringLiteral(" · ") + tr("not saved (the run is not saved)");
    return t;
}

int AnswerPanel::mark(Variant v) const
{
    return m_state[v].mark;
}

QString AnswerPanel::statusText() const
{
    return m_status->text();
}

} // namespace terse::app
