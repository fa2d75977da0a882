#pragma once
// AnswerPanel: "Ask the target model". Sends the shown result's original and compressed prompt to
// an OpenAI-compatible chat-completions endpoint the user configures (ChatClient), shows both
// answers side by side with latency and token usage, lets the user mark each correct or incorrect
// (optionally blind: the two answers appear as A and B in random order until both are marked or
// revealed), and saves answers and marks with the run in the session database. Endpoint, model,
// timeout and key are kept in the settings file (this build has no system keychain access; the
// panel says so). GUI thread only.

#include "chat_client.h"

#include <QWidget>

#include <array>
#include <cstdint>
#include <random>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QGroupBox;

namespace terse::app {

class SessionManager;

// The endpoint, model, key and timeout the Answer Check panel keeps in the settings (also used by
// the Compare window's per-row check).
ChatSettings storedChatSettings();

class AnswerPanel : public QWidget {
    Q_OBJECT
public:
    enum Variant { Original = 0, Compressed = 1 };

    explicit AnswerPanel(SessionManager *sessions, QWidget *parent = nullptr);

    // The result on screen: its original and compressed prompt and its saved run (0: not saved
    // yet). A different result clears the answers and shows those saved with `runId`.
    void setResult(const QString &original, const QString &compressed, std::int64_t runId);
    // The shown result was saved as `runId`: answers already received are saved with it.
    void setRunId(std::int64_t runId);

    // Sends both prompts (no-op without a result). Errors appear in the panel, never as a dialog.
    void ask();
    void cancel();
    bool isAsking() const;

    ChatSettings settings() const;
    void setSettings(const ChatSettings &settings); // also stored in the settings file
    void setBlind(bool blind);

    // For tests and the app shell.
    QString answerText(Variant v) const;
    QString metaText(Variant v) const;
    QString errorText(Variant v) const;
    QString headerText(Variant v) const; // "Original" / "Compressed", or "Answer A/B" while blind
    int mark(Variant v) const;           // -1 none, 0 incorrect, 1 correct
    void setMark(Variant v, int mark);   // as clicking the buttons
    QString statusText() const;
    QPushButton *askButton() const { return m_ask; }
    std::int64_t savedAnswerId(Variant v) const { return m_state[v].answerId; }

signals:
    // Both requests of ask() have ended (answered or failed).
    void answersReady();

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Pane {
        QGroupBox *box = nullptr;
        QPlainTextEdit *text = nullptr;
        QLabel *meta = nullptr;
        QRadioButton *correct = nullptr;
        QRadioButton *incorrect = nullptr;
    };
    struct State {
        ChatReply reply;
        bool has = false;
        std::int64_t answerId = 0; // saved answer, 0 when not saved
        int mark = -1;
        quint64 request = 0;
        QString endpoint, model;
    };

    void retranslate();
    void onAnswered(quint64 id, const ChatReply &reply);
    // Saves the answers that are in and not saved yet: original first, compressed once the original
    // is in.
    void saveReady();
    void save(Variant v);
    void refresh();
    void loadSaved();
    int paneOf(Variant v) const { return m_swapped ? 1 - v : v; }
    Variant variantOf(int pane) const { return static_cast<Variant>(m_swapped ? 1 - pane : pane); }
    void storeSettings() const;

    SessionManager *m_sessions;
    ChatClient *m_client;
    QLineEdit *m_endpoint = nullptr;
    QLineEdit *m_model = nullptr;
    QLineEdit *m_key = nullptr;
    QSpinBox *m_timeout = nullptr;
    QCheckBox *m_blind = nullptr;
    QPushButton *m_ask = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_reveal = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_keyNote = nullptr;
    QLabel *m_endpointLabel = nullptr, *m_modelLabel = nullptr, *m_keyLabel = nullptr,
           *m_timeoutLabel = nullptr;
    std::array<Pane, 2> m_panes;
    std::array<State, 2> m_state;
    QString m_original, m_compressed;
    std::int64_t m_runId = 0;
    bool m_swapped = false; // blind order: pane 0 shows the compressed answer
    bool m_revealed = true;
    QString m_statusMessage;
    std::mt19937 m_rng{std::random_device{}()};
};

} // namespace terse::app
