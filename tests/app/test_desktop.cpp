// Issue #8 desktop manners: light/dark theme persisted in QSettings and applied at start, the
// structured prompt editor mapped to prompt segments (and back), the Samples menu, Save Prompt, and
// window state.
#include "app_test_util.h"

#include "appearance.h"

#include "terse_widgets/prompt_editor.h"
#include "document_controller.h"
#include "terse_widgets/structured_prompt_editor.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>

using namespace terse;
using namespace terse::app;
using namespace terse::testutil;

class TestDesktop : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        usePrivateHome(m_home, "test_desktop");
    }

    void themeSwitchPersists()
    {
        {
            MainWindow w;
            const auto actions = w.themeActions();
            QCOMPARE(actions.size(), 3);
            QAction *dark = actions[2];
            QCOMPARE(dark->objectName(), QStringLiteral("theme_dark"));
            dark->trigger();
            QVERIFY(paletteIsDark());
            QCOMPARE(QSettings().value(QLatin1String(kThemeKey)).toString(),
                     QStringLiteral("dark"));
        }
        applyTheme(Theme::System); // as a fresh start would be
        {
            MainWindow w; // reads the stored theme
            QVERIFY(paletteIsDark());
            QVERIFY(w.themeActions()[2]->isChecked());
            // The notice banners (styled with palette colours) follow the switch at once (issue 20:
            // the partial / outdated notice stayed dark on the light theme).
            w.resize(1000, 700);
            w.show();
            QList<QLabel *> banners{w.findChild<QLabel *>(QStringLiteral("noteBanner")),
                                    w.findChild<QLabel *>(QStringLiteral("outdatedLabel"))};
            for (QLabel *b : banners) {
                QVERIFY(b);
                b->setText(QStringLiteral("A notice on the current theme."));
                b->show();
            }
            QCoreApplication::processEvents();
            auto background = [](QLabel *b) {
                return b->grab().toImage().pixelColor(4, b->height() / 2).lightness();
            };
            for (QLabel *b : banners)
                QVERIFY2(background(b) < 100, qPrintable(b->objectName()));
            w.themeActions()[1]->trigger();
            QVERIFY(!paletteIsDark());
            QCOMPARE(storedTheme(), Theme::Light);
            QCoreApplication::processEvents();
            for (QLabel *b : banners)
                QVERIFY2(
                    background(b) > 180,
                    qPrintable(QStringLiteral("%1: %2").arg(b->objectName()).arg(background(b))));
        }
        applyTheme(Theme::System);
    }

    void structuredEditorMapsToSegments()
    {
        MainWindow w;
        w.show();
        QVERIFY(selectMethod(w, QStringLiteral("head")));
        w.promptEditor()->setPlainText(QStringLiteral("Passage one is about ferries."));
        w.setStructured(true);
        auto *s = w.structuredEditor();
        QCOMPARE(s->contextCount(), 1);
        QCOMPARE(s->contextEditor(0)->toPlainText(),
                 QStringLiteral("Passage one is about ferries."));
        s->instructionEditor()->setPlainText(QStringLiteral("Answer from the passages."));
        s->addContext(QStringLiteral("Passage two is about storms."));
        s->questionEditor()->setPlainText(QStringLiteral("When does the ferry leave?"));
        const Prompt p = w.currentPrompt();
        QCOMPARE(p.segments.size(), std::size_t(4));
        QCOMPARE(p.segments[0].role, SegmentRole::Instruction);
        QCOMPARE(p.segments[1].role, SegmentRole::Context);
        QCOMPARE(p.segments[2].text, std::string("Passage two is about storms."));
        QCOMPARE(p.segments[3].role, SegmentRole::Question);
        QVERIFY(runAndWait(w));
        QCOMPARE(w.lastResult()->segments.size(), std::size_t(4));
        // Removing a context removes its segment; back to plain text joins the parts.
        s->removeContext(0);
        QCOMPARE(w.currentPrompt().segments.size(), std::size_t(3));
        w.setStructured(false);
        QCOMPARE(w.promptEditor()->toPlainText(),
                 QStringLiteral("Answer from the passages.\n\nPassage two is about storms.\n\nWhen "
                                "does the ferry leave?"));
        QCOMPARE(w.currentPrompt().segments.size(), std::size_t(1));
    }

    // A plain prompt whose last paragraph asks becomes context + question when it goes structured
    // (question-aware methods then rank against it and keep it); back to plain gives the same text.
    void structuredFindsTheTrailingQuestion()
    {
        MainWindow w;
        w.show();
        QVERIFY(selectMethod(w, QStringLiteral("head")));
        const QString text = QStringLiteral(
            "Passage 1: The ferry leaves at 07:40.\n\nPassage 2: Book cars at the office.\n\n"
            "Question: When does the ferry leave?");
        w.promptEditor()->setPlainText(text);
        // The plain editor's run reads the same parts in the engine (findQuestion): the question
        // survives head truncation, and the result is over the one text.
        QVERIFY(w.currentOptions().findQuestion);
        w.setRate(0.5);
        QVERIFY(runAndWait(w));
        QCOMPARE(w.lastResult()->segments.size(), std::size_t(1));
        QVERIFY2(QString::fromStdString(w.lastResult()->compressedText)
                     .endsWith(QStringLiteral("\n\nQuestion: When does the ferry leave?")),
                 w.lastResult()->compressedText.c_str());
        w.setStructured(true);
        QVERIFY(!w.currentOptions().findQuestion); // the structured editor's parts are the user's
        Prompt p = w.currentPrompt();
        QCOMPARE(p.segments.size(), std::size_t(2));
        QCOMPARE(p.segments[0].role, SegmentRole::Context);
        QCOMPARE(p.segments[0].text, std::string("Passage 1: The ferry leaves at 07:40.\n\nPassage "
                                                 "2: Book cars at the office."));
        QCOMPARE(p.segments[1].role, SegmentRole::Question);
        QCOMPARE(p.segments[1].text, std::string("Question: When does the ferry leave?"));
        w.setStructured(false);
        QCOMPARE(w.promptEditor()->toPlainText(), text);
    }

    // A RAG prompt (instruction, three passages, question) goes structured as the parts the
    // engine reads the plain text as, so LLMLingua-2's result is the same in both editors.
    void structuredAsTheEngineReadsIt()
    {
        MainWindow w;
        w.show();
        QVERIFY(selectMethod(w, QStringLiteral("llmlingua2")));
        const QString text = QStringLiteral(
            "Answer from the passages.\n\nPassage 1: The ferry leaves at 07:40 on weekdays and "
            "at 09:15 on Saturdays.\n\nPassage 2: Cars are booked at the harbour office next to "
            "the bus station.\n\nPassage 3: Storms closed the north pier for eleven days.\n\n"
            "Question: When does the ferry leave on a Saturday?");
        w.promptEditor()->setPlainText(text);
        w.setRate(0.6);
        QVERIFY(runAndWait(w));
        const std::string plain = w.lastResult()->compressedText;
        QVERIFY2(plain.find("09:15") != std::string::npos, plain.c_str());
        w.setStructured(true);
        const Prompt p = w.currentPrompt();
        QCOMPARE(p.segments.size(), std::size_t(5));
        QCOMPARE(p.segments[0].role, SegmentRole::Instruction);
        QCOMPARE(p.segments[0].text, std::string("Answer from the passages."));
        QCOMPARE(p.segments[2].role, SegmentRole::Context);
        QCOMPARE(p.segments[2].text, std::string("Passage 2: Cars are booked at the harbour "
                                                 "office next to the bus station."));
        QCOMPARE(p.segments[4].role, SegmentRole::Question);
        QVERIFY(runAndWait(w));
        QCOMPARE(w.lastResult()->segments.size(), std::size_t(5));
        QVERIFY2(w.lastResult()->compressedText == plain,
                 (w.lastResult()->compressedText + "\n---\n" + plain).c_str());
        w.setStructured(false);
        QCOMPARE(w.promptEditor()->toPlainText(), text);
    }

    void samplesMenuOpensEverySample()
    {
        MainWindow w;
        const QStringList samples = MainWindow::samplePaths();
        QVERIFY2(samples.size() >= 4, qPrintable(samples.join(QLatin1Char(','))));
        QCOMPARE(w.samplesMenu()->actions().size(), samples.size());
        for (QAction *a : w.samplesMenu()->actions()) {
            a->trigger();
            QVERIFY(w.errorText().isEmpty());
            QVERIFY(!w.promptEditor()->toPlainText().trimmed().isEmpty());
        }
    }

    void savePromptWritesTheTextAndGeometryIsRestored()
    {
        const QString path = m_home.filePath(QStringLiteral("saved.txt"));
        QSize size;
        {
            MainWindow w;
            w.show();
            w.promptEditor()->setPlainText(QStringLiteral("Grüße aus Köln."));
            QVERIFY(w.savePromptTo(path));
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(QString::fromUtf8(f.readAll()), QStringLiteral("Grüße aus Köln."));
            QVERIFY(!w.savePromptTo(m_home.filePath(QStringLiteral("missing/dir/x.txt"))));
            QVERIFY(w.errorText().contains(QStringLiteral("x.txt")));
            w.resize(1700, 1000);
            size = w.size();
            w.close();
        }
        MainWindow again;
        QCOMPARE(again.size(), size);
    }
};

QTEST_MAIN(TestDesktop)
#include "test_desktop.moc"
