// terse-studio-app: the desktop workbench (thin: the window lives in terse_appcore), started by the
// terse-studio launcher (launcher.cpp). It links only the torch-free engine core: the window maps
// first, then the engine module (libtorch) loads in the background (issue 16).
#include "language.h"
#include "main_window.h"

#include "terse/runtime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QComboBox>
#include <QSettings>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

QtMessageHandler g_qtHandler = nullptr;

// While the application starts: Qt's fatal "no platform plugin could be initialized" (no display,
// or one that cannot be reached) ends in abort(); say what is wrong and exit 1 instead.
void startupMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type != QtFatalMsg) {
        if (g_qtHandler != nullptr) // Qt's default one, unless something installed another
            g_qtHandler(type, context, message);
        return;
    }
    auto env = [](const char *name) {
        const char *v = std::getenv(name);
        return v != nullptr && *v != '\0' ? v : "not set";
    };
    std::fprintf(stderr,
                 "terse-studio: cannot open a window: no usable display (DISPLAY %s, "
                 "WAYLAND_DISPLAY %s): start it in a desktop session, or use the command line "
                 "(terse --help)\n",
                 env("DISPLAY"), env("WAYLAND_DISPLAY"));
    std::fflush(stderr);
    std::_Exit(1);
}

// --help and --version print text only: without a display they use Qt's offscreen platform.
void helpWithoutDisplay(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY") ||
        qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        return;
    for (int i = 1; i < argc; ++i)
        for (const char *flag : {"-h", "--help", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], flag) == 0) {
                qputenv("QT_QPA_PLATFORM", "offscreen");
                return;
            }
}

} // namespace

int main(int argc, char **argv)
{
    // Before anything else: the engine thread shares the CPU with the UI. A no-op when started by
    // the launcher (it set the variable); run directly, the app restarts itself once with it.
    terse::preferPassiveOpenMP(argv);
    helpWithoutDisplay(argc, argv);
    g_qtHandler = qInstallMessageHandler(startupMessages);
    QApplication app(argc, argv);
    qInstallMessageHandler(g_qtHandler);
    QApplication::setOrganizationName(QStringLiteral("Terse"));
    QApplication::setApplicationName(QStringLiteral("Terse Studio"));
    QApplication::setApplicationVersion(QString::fromUtf8(terse::engineVersion()));
    // Before any translated text is made (the --help strings included); an unknown stored code
    // falls back to the system language.
    if (!terse::app::installLanguage(
            app, QSettings().value(QLatin1String(terse::app::kLanguageKey)).toString()))
        terse::app::installLanguage(app, QString());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Terse Studio: a workbench for prompt compression."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QApplication::translate("main", "A prompt file to open."));
    QCommandLineOption method(QStringLiteral("method"),
                              QApplication::translate("main", "Method to select."),
                              QStringLiteral("name"));
    QCommandLineOption rate(QStringLiteral("rate"),
                            QApplication::translate("main", "Rate to select (0, 1]."),
                            QStringLiteral("rate"));
    QCommandLineOption run(QStringLiteral("run"),
                           QApplication::translate("main", "Compress right after start."));
    parser.addOptions({method, rate, run});
    parser.process(app);

    terse::app::MainWindow window;
    window.show();
    // TERSE_EXIT_WHEN_SHOWN=1 (bench_model's start section): exit once the first frame is drawn,
    // so the parent times "start to first window" against /bin/true.
    if (qEnvironmentVariableIsSet("TERSE_EXIT_WHEN_SHOWN"))
        QTimer::singleShot(0, &window, [&window] {
            window.repaint();
            std::fflush(nullptr);
            std::_Exit(0);
        });
    // A file that cannot be opened keeps its error in the window, so --run does not start on an
    // empty prompt (whose own message would replace it).
    const bool opened = parser.positionalArguments().isEmpty() ||
                        window.openFile(parser.positionalArguments().first());
    if (parser.isSet(rate)) {
        bool ok = false;
        const double r = parser.value(rate).toDouble(&ok);
        if (ok && r > 0 && r <= 1)
            window.setRate(r);
        else
            std::fprintf(stderr, "terse-studio: --rate '%s' is not a number in (0, 1]; ignored\n",
                         qPrintable(parser.value(rate)));
    }
    // The method list comes with the engine (loading now, after the window): --method and --run
    // apply then.
    window.whenEngineReady([&window, &parser, &method, &run, opened] {
        if (parser.isSet(method)) {
            const int i = window.methodCombo()->findData(parser.value(method));
            if (i >= 0) {
                window.methodCombo()->setCurrentIndex(i);
            } else {
                QStringList names;
                for (int k = 0; k < window.methodCombo()->count(); ++k)
                    names << window.methodCombo()->itemData(k).toString();
                std::fprintf(stderr, "terse-studio: unknown method '%s' (known: %s); ignored\n",
                             qPrintable(parser.value(method)), qPrintable(names.join(", ")));
            }
        }
        if (parser.isSet(run) && opened)
            window.runCompression();
    });
    return app.exec();
}
