// Benchmark (not a test): how quickly the workbench follows the rate slider once a prompt is
// scored. Loads a prompt, compresses it once with a model-based method (a full run: tokenise,
// forward, decide), then moves the rate slider 50 times and measures the time from the slider's
// value change to the heatmap having been rebuilt and repainted from the re-thresholded result
// (cached scores, no model run):
//   - "re-decide + redraw": the path after the slider debounce fires (runCompression right away);
//   - "as the user sees it": including the 120 ms slider debounce of design.md rule 7.
// Usage: QT_QPA_PLATFORM=offscreen bench_rethreshold [MODEL_DIR] [PROMPT_FILE] [METHOD]
// MODEL_DIR defaults to resources/models/terse-lm when it exists; PROMPT_FILE to the meeting-notes
// sample.
#include "main_window.h"

#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/token_heatmap_view.h"

#include "model_picker.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

using terse::app::MainWindow;

namespace {

struct Stats {
    double mean = 0, max = 0;
};

Stats stats(const std::vector<double> &ms)
{
    Stats s;
    if (ms.empty())
        return s;
    s.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
    s.max = *std::max_element(ms.begin(), ms.end());
    return s;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QTemporaryDir home; // never touch the user's settings or session database
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toUtf8());
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("TerseBench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_rethreshold"));

    const QString bundled = QStringLiteral(TERSE_SOURCE_DIR "/resources/models/terse-lm");
    QString model = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (model.isEmpty() && QFileInfo::exists(bundled))
        model = bundled;
    if (model.isEmpty()) {
        std::fprintf(stderr,
                     "usage: bench_rethreshold [MODEL_DIR] [PROMPT_FILE] [METHOD]\n"
                     "resources/models/terse-lm is not trained yet: pass a model folder, e.g.\n"
                     "../shared/parity/models/tiny-gpt2-pos2048\n");
        return 2;
    }
    const QString prompt =
        argc > 2 ? QString::fromLocal8Bit(argv[2])
                 : QStringLiteral(TERSE_SOURCE_DIR "/resources/samples/meeting_notes.txt");
    const QString method =
        argc > 3 ? QString::fromLocal8Bit(argv[3]) : QStringLiteral("selective_context");

    MainWindow w;
    w.resize(1400, 900);
    w.show();
    if (!w.openFile(prompt)) {
        std::fprintf(stderr, "cannot open %s: %s\n", qPrintable(prompt), qPrintable(w.errorText()));
        return 3;
    }
    const int m = w.methodCombo()->findData(method);
    if (m < 0) {
        std::fprintf(stderr, "unknown method %s\n", qPrintable(method));
        return 2;
    }
    w.methodCombo()->setCurrentIndex(m);
    w.modelPicker()->setCurrentModelPath(model);
    w.setRate(0.5);
    // The heatmap counts as updated once it has been repainted with the new result.
    QObject::connect(&w, &MainWindow::resultShown, &w,
                     [&w] { w.heatmapView()->viewport()->repaint(); });

    QSignalSpy shown(&w, &MainWindow::resultShown);
    QSignalSpy ended(&w, &MainWindow::jobEnded);
    QElapsedTimer t;
    t.start();
    w.runCompression();
    if (!shown.wait(600000)) {
        std::fprintf(stderr, "the full compress did not finish: %s\n", qPrintable(w.errorText()));
        return 1;
    }
    const double fullMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    const auto first = w.lastResult();
    std::printf("prompt %s: %ld %ss, method %s, model %s\n",
                qPrintable(QFileInfo(prompt).fileName()), first->tokensIn, first->unitName.c_str(),
                qPrintable(method), qPrintable(model));
    std::printf("full compress (tokenise + forward + decide + show): %.1f ms (engine: %.1f ms, "
                "forward %.1f ms)\n",
                fullMs, first->totalMs, first->forwardMs);
    std::fflush(stdout);

    QSlider *slider = w.rateSlider();
    std::vector<double> direct, debounced;
    int rethresholded = 0;
    for (int i = 0; i < 50; ++i) {
        const int value =
            200 + (i * 137) % 700; // rates between 0.2 and 0.9, a different one each move
        shown.clear();
        t.restart();
        slider->setValue(value == slider->value() ? value + 1 : value);
        w.runCompression(); // what the debounce timer calls
        if (!shown.wait(10000)) {
            std::fprintf(stderr, "move %d: no result\n", i);
            return 1;
        }
        direct.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        rethresholded += w.statusText().contains(QStringLiteral("cached"));
    }
    for (int i = 0; i < 50; ++i) {
        const int value = 250 + (i * 211) % 650;
        shown.clear();
        t.restart();
        slider->setValue(value == slider->value() ? value + 1 : value);
        if (!shown.wait(10000)) {
            std::fprintf(stderr, "debounced move %d: no result\n", i);
            return 1;
        }
        debounced.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
    }
    const Stats d = stats(direct), u = stats(debounced);
    std::printf(
        "rate slider, re-decide from cached scores + redraw (50 moves): mean %.2f ms, max %.2f ms "
        "(%d of 50 re-thresholded without a model run)\n",
        d.mean, d.max, rethresholded);
    std::printf("rate slider as the user sees it, incl. the 120 ms debounce (50 moves): mean %.1f "
                "ms, max %.1f ms\n",
                u.mean, u.max);
    std::printf("full compress / re-decide: %.0fx\n", d.mean > 0 ? fullMs / d.mean : 0.0);
    return 0;
}
