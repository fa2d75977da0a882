// Screenshot tool (not a test): drives the real workbench and saves PNGs of the result views with
// QWidget::grab, for the README and for checking the look by eye. Run under Xvfb or offscreen:
//   xvfb-run -a build/tests/app/shot_workbench OUT_DIR MODEL_DIR [PROMPT_FILE]
// Saves: first_run.png (a fresh start: empty editor offering the samples, no plots yet),
// llmlingua2_note.png (the preselected LLMLingua-2 on the sample, its chunking note),
// heatmap_scores.png (DAC, coloured by the fused score, two pins, score plot),
// dac_stage_scrubber.png (stage 2 of the dynamic DAC replay with its entropy shift), attention.png
// (one word's attention row), llmlingua_windows.png (window boundaries), histogram_dark.png (dark
// theme), structured_editor.png, warning_banner.png (a result that misses the rate: amber, not
// red), answer_check.png (both answers of a local chat-completions server, marked), cost_panel.png,
// dac_partial.png (a dynamic DAC run after 3 of its 6 stages, still running); with a few-shot
// PROMPT_FILE also format.png (the first run coloured by its demonstration format).
#include "appearance.h"
#include "answer_panel.h"
#include "cost_panel.h"
#include "fake_chat_server.h"
#include "language.h"
#include "main_window.h"
#include "model_picker.h"
#include "parameter_panel.h"
#include "result_inspector.h"
#include "session_manager.h"

#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/stage_scrubber.h"
#include "terse_widgets/structured_prompt_editor.h"
#include "terse_widgets/token_heatmap_view.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

#include <cctype>
#include <cstdio>

using terse::app::MainWindow;

namespace {

bool run(MainWindow &w)
{
    QSignalSpy shown(&w, &MainWindow::resultShown);
    w.runCompression();
    if (!shown.wait(120000)) {
        std::fprintf(stderr, "no result: %s\n", qPrintable(w.errorText()));
        return false;
    }
    return true;
}

void settle(int ms = 300)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

bool save(QWidget &w, const QDir &out, const QString &name)
{
    settle();
    const QString path = out.filePath(name);
    const bool ok = w.grab().save(path);
    std::printf("%s %s\n", ok ? "saved" : "FAILED", qPrintable(path));
    return ok;
}

void setParam(MainWindow &w, const char *name, const char *value)
{
    auto p = w.parameterPanel()->values();
    p[name] = value;
    w.parameterPanel()->setValues(p);
}

// The first unit from `from` on whose text (without leading space) starts with `word` ("" = any
// word of at least two letters; the tiny test models have short tokens) and whose decision is
// `kept`; -1 if none.
int unitOf(const terse::CompressionResult &r, const std::string &word, bool kept,
           std::size_t from = 0)
{
    for (std::size_t i = from; i < r.units.size(); ++i) {
        const auto &u = r.units[i];
        std::string t = r.segments[u.segment].text.substr(u.span.begin, u.span.size());
        t.erase(0, t.find_first_not_of(" \n"));
        const bool match = word.empty()
                               ? t.size() >= 2 && std::isalpha(static_cast<unsigned char>(t[0]))
                               : t.rfind(word, 0) == 0;
        if (match && u.kept == kept)
            return static_cast<int>(i);
    }
    return -1;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    if (argc < 3) {
        std::fprintf(stderr, "usage: shot_workbench OUT_DIR MODEL_DIR [PROMPT_FILE]\n");
        return 2;
    }
    QTemporaryDir home;
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toUtf8());
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("TerseShots"));
    QCoreApplication::setApplicationName(QStringLiteral("shot_workbench"));
    const QDir out(QString::fromLocal8Bit(argv[1]));
    QDir().mkpath(out.absolutePath());
    const QString model = QString::fromLocal8Bit(argv[2]);
    const QString prompt =
        argc > 3 ? QString::fromLocal8Bit(argv[3])
                 : QStringLiteral(TERSE_SOURCE_DIR "/resources/samples/meeting_notes.txt");

    // TERSE_SHOT_LANG=de or zh_CN: the same shots in that language.
    const QString lang = qEnvironmentVariable("TERSE_SHOT_LANG", QStringLiteral("en"));
    if (!terse::app::installLanguage(app, lang))
        return 2;
    terse::app::applyTheme(terse::app::Theme::Light);
    MainWindow w;
    w.resize(1500, 940);
    w.show();
    w.sessions()->waitForOpen();
    save(w, out, QStringLiteral("first_run.png"));
    if (!w.openFile(prompt))
        return 3;
    if (!run(w)) // the method a first run preselects (LLMLingua-2) with the bundled tagger
        return 1;
    QStringList choices;
    for (int i = 0; i < w.inspector()->colorCombo()->count(); ++i)
        choices << w.inspector()->colorCombo()->itemText(i);
    std::printf("colour choices: %s\n", qPrintable(choices.join(QStringLiteral(", "))));
    save(w, out, QStringLiteral("llmlingua2_note.png"));
    if (choices.contains(QStringLiteral("format"))) { // a few-shot prompt: its kept format
        w.inspector()->setColorSeries(QStringLiteral("format"));
        save(w, out, QStringLiteral("format.png"));
        w.inspector()->setColorSeries(QStringLiteral("probability"));
    }
    w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("dac")));
    w.modelPicker()->setCurrentModelPath(model);
    w.setRate(0.5);
    if (!run(w))
        return 1;
    auto *in = w.inspector();
    // Two pins: keep a dropped word, drop a kept one.
    const auto r = w.lastResult();
    const int keep = unitOf(*r, "", false, 60);
    const int drop = unitOf(*r, "", true, 30);
    std::printf("pinning units %d (keep) and %d (drop) of %zu\n", keep, drop, r->units.size());
    QSignalSpy shown(&w, &MainWindow::resultShown);
    if (keep >= 0) {
        w.cyclePin(keep);
        shown.wait(60000);
    }
    if (drop >= 0) {
        w.setPin(drop, -1);
        shown.wait(60000);
    }
    std::printf("%zu pins; %s\n", w.pins().size(), qPrintable(w.statusText()));
    in->setColorSeries(QStringLiteral("fused"));
    in->tabs()->setCurrentIndex(0);
    save(w, out, QStringLiteral("heatmap_scores.png"));

    in->scrubber()->setPosition(1);
    in->tabs()->setCurrentIndex(2);
    save(w, out, QStringLiteral("dac_stage_scrubber.png"));

    in->scrubber()->setPosition(in->scrubber()->stageCount());
    QSignalSpy ready(w.worker(), &terse::app::EngineWorker::attentionReady);
    const int query = unitOf(*w.lastResult(), "freezes", true) >= 0
                          ? unitOf(*w.lastResult(), "freezes", true)
                          : unitOf(*w.lastResult(), "freezes", false);
    in->selectUnit(query >= 0 ? query : 40);
    ready.wait(60000);
    in->layerSpin()->setValue(1);
    ready.wait(60000);
    save(w, out, QStringLiteral("attention.png"));

    terse::app::applyTheme(terse::app::Theme::Dark);
    settle();
    in->refresh();
    in->tabs()->setCurrentIndex(1);
    save(w, out, QStringLiteral("histogram_dark.png"));
    terse::app::applyTheme(terse::app::Theme::Light);

    w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("llmlingua")));
    setParam(w, "iterative_size", "60");
    if (!run(w))
        return 1;
    in->setColorSeries(QStringLiteral("surprisal"));
    in->tabs()->setCurrentIndex(0);
    in->refresh();
    save(w, out, QStringLiteral("llmlingua_windows.png"));

    w.openFile(QStringLiteral(TERSE_SOURCE_DIR "/resources/samples/rag_three_passages.txt"));
    // The editor reads the sample as the engine does: the first paragraph the instruction, the
    // passages the contexts, the last paragraph ("Question: ...") the question.
    w.setStructured(true);
    w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("longllmlingua")));
    if (!run(w))
        return 1;
    save(w, out, QStringLiteral("structured_editor.png"));

    // Sentence units cannot meet the rate: a warning (amber), not an error (red).
    w.setStructured(false);
    w.promptEditor()->setPlainText(QStringLiteral(
        "Short one. This second sentence is much longer than the first one and carries most of "
        "the tokens in this prompt."));
    w.methodCombo()->setCurrentIndex(
        w.methodCombo()->findData(QStringLiteral("selective_context")));
    setParam(w, "reduce_level", "sent");
    w.setRate(0.3);
    if (!run(w))
        return 1;
    save(w, out, QStringLiteral("warning_banner.png"));

    // The answer check against a local chat-completions server (the test's fake one), both answers
    // marked.
    terse::test::FakeChatServer server;
    w.setStructured(false);
    if (!w.openFile(prompt))
        return 3;
    w.methodCombo()->setCurrentIndex(
        w.methodCombo()->findData(QStringLiteral("selective_context")));
    setParam(w, "reduce_level", "phrase");
    w.setRate(0.5);
    if (!run(w))
        return 1;
    settle();
    w.answerDock()->show();
    w.resizeDocks({w.answerDock()}, {260}, Qt::Vertical);
    w.answerPanel()->setSettings(
        {server.url("ok"), QStringLiteral("llama3.1:8b"), QString(), 30000});
    w.answerPanel()->setBlind(false);
    QSignalSpy answered(w.answerPanel(), &terse::app::AnswerPanel::answersReady);
    w.answerPanel()->ask();
    if (!answered.wait(30000)) {
        std::fprintf(stderr, "no answers: %s\n", qPrintable(w.answerPanel()->statusText()));
        return 1;
    }
    w.answerPanel()->setMark(terse::app::AnswerPanel::Original, 1);
    w.answerPanel()->setMark(terse::app::AnswerPanel::Compressed, 1);
    save(w, out, QStringLiteral("answer_check.png"));

    // The cost panel for the same result, with a local CPU model as the target.
    w.costDock()->show();
    w.costDock()->raise();
    w.costPanel()->selectPreset(w.costPanel()->presets().size() - 1);
    settle();
    save(w, out, QStringLiteral("cost_panel.png"));
    w.costDock()->hide();

    // A long dynamic DAC run mid-way: the stages done are on screen while the next ones run
    // (TERSE_SHOT_LONG_PROMPT: a long prompt file; default the same prompt).
    const QString longPrompt = qEnvironmentVariable("TERSE_SHOT_LONG_PROMPT", prompt);
    if (!w.openFile(longPrompt))
        return 3;
    w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("dac")));
    w.modelPicker()->setCurrentModelPath(model);
    setParam(w, "variant", "dynamic_attn_ppl");
    setParam(w, "stages", "6");
    w.setRate(0.4);
    bool grabbed = false;
    QObject::connect(&w, &MainWindow::partialShown, &w, [&](int done, int) {
        if (done == 3 && !grabbed) {
            grabbed = true;
            w.inspector()->tabs()->setCurrentIndex(0);
            // Grabbed at once (layouts settled, no event loop): the run must not finish before the
            // picture.
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
            const QString path = out.filePath(QStringLiteral("dac_partial.png"));
            std::printf("%s %s\n", w.grab().save(path) ? "saved" : "FAILED", qPrintable(path));
        }
    });
    if (!run(w) || !grabbed)
        return 1;
    return 0;
}
