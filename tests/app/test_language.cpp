// Interface language (issue 8): the embedded German and Simplified Chinese translations reach the
// real MainWindow and the widgets library, switching at runtime re-translates the main controls,
// the View › Language menu stores the choice, and an unknown language code changes nothing.
#include "engine_terms.h"
#include "language.h"
#include "result_adapter.h"
#include "main_window.h"

#include "terse/compressor.h"
#include "terse/job.h"

#include "terse_widgets/prompt_editor.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QScrollArea>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

using namespace terse::app;

namespace {
QString menuTitle(const MainWindow &w, int i)
{
    return w.menuBar()->actions().at(i)->text();
}
} // namespace

class TestLanguage : public QObject {
    Q_OBJECT
    QTemporaryDir m_home; // the session database and settings of these tests, never the user's

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8());
        qputenv("HF_HUB_CACHE", m_home.filePath(QStringLiteral("hf")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("TerseTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_language"));
        QSettings().clear();
    }

    void cleanup() { QVERIFY(installLanguage(*qApp, QStringLiteral("en"))); }

    void newWindowIsTranslated_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("compress");
        QTest::addColumn<QString>("fileMenu");
        QTest::addColumn<QString>("hintStart"); // terse_widgets' PromptEditor
        // QTest checks column types: every cell is a QString, not a const char *.
        QTest::newRow("en") << QStringLiteral("en") << QStringLiteral("Compress")
                            << QStringLiteral("&File") << QStringLiteral("Paste a prompt here");
        QTest::newRow("de") << QStringLiteral("de") << QStringLiteral("Komprimieren")
                            << QStringLiteral("&Datei")
                            << QString::fromUtf8("Fügen Sie hier einen Prompt ein");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << QString::fromUtf8("压缩")
                               << QString::fromUtf8("文件(&F)")
                               << QString::fromUtf8("在此粘贴提示词");
    }

    void newWindowIsTranslated()
    {
        QFETCH(QString, code);
        QFETCH(QString, compress);
        QFETCH(QString, fileMenu);
        QFETCH(QString, hintStart);
        QVERIFY(installLanguage(*qApp, code));
        QCOMPARE(currentLanguage(*qApp), code);
        MainWindow w;
        QCOMPARE(w.runButton()->text(), compress);
        QCOMPARE(menuTitle(w, 0), fileMenu);
        QVERIFY2(w.promptEditor()->placeholderText().startsWith(hintStart),
                 qPrintable(w.promptEditor()->placeholderText()));
    }

    void switchingAtRuntimeRetranslatesTheWindow()
    {
        MainWindow w;
        w.show();
        QCOMPARE(w.runButton()->text(), QStringLiteral("Compress"));
        // The method list too (the engine's names and descriptions, by key), keeping the method.
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("head_tail")));
        QCOMPARE(w.methodCombo()->currentText(), QStringLiteral("Keep head and tail (baseline)"));
        QVERIFY(installLanguage(*qApp, QStringLiteral("de")));
        QTRY_COMPARE(w.runButton()->text(), QStringLiteral("Komprimieren"));
        QCOMPARE(w.methodCombo()->currentData().toString(), QStringLiteral("head_tail"));
        QCOMPARE(w.methodCombo()->currentText(),
                 QStringLiteral("Anfang und Ende behalten (Basislinie)"));
        QCOMPARE(
            w.methodCombo()->itemData(w.methodCombo()->currentIndex(), Qt::ToolTipRole).toString(),
            QStringLiteral("Behält die ersten und die letzten Wörter, je die Hälfte des Budgets."));
        QCOMPARE(w.methodCombo()->itemText(w.methodCombo()->findData(QStringLiteral("dac"))),
                 QStringLiteral("DAC"));
        QCOMPARE(w.cancelButton()->text(), QStringLiteral("Abbrechen"));
        QCOMPARE(menuTitle(w, 0), QStringLiteral("&Datei"));
        QCOMPARE(w.windowTitle(), QStringLiteral("Terse Studio"));
        // Issue 19: WorkbenchActions retranslates through the window's Retranslator.
        auto *compare = w.findChild<QAction *>(QStringLiteral("compareAction"));
        auto *exportResult = w.findChild<QAction *>(QStringLiteral("exportResultAction"));
        QVERIFY(compare && exportResult);
        QCOMPARE(compare->text(), QString::fromUtf8("&Methoden vergleichen…"));
        QCOMPARE(exportResult->text(), QString::fromUtf8("Ergebnis &exportieren…"));
        QVERIFY(installLanguage(*qApp, QStringLiteral("zh_CN")));
        QTRY_COMPARE(w.runButton()->text(), QString::fromUtf8("压缩"));
        QCOMPARE(menuTitle(w, 1), QString::fromUtf8("编辑(&E)"));
        QCOMPARE(compare->text(), QString::fromUtf8("比较方法(&M)…"));
        QVERIFY(installLanguage(*qApp, QStringLiteral("en")));
        QTRY_COMPARE(w.runButton()->text(), QStringLiteral("Compress"));
        QCOMPARE(menuTitle(w, 0), QStringLiteral("&File"));
        QCOMPARE(compare->text(), QString::fromUtf8("Compare &Methods…"));
    }

    // Issue 20: German labels and buttons are longer; the Parameters dock widens so that nothing is
    // clipped. And a label that wraps gets the height of its lines, beside a check box as well
    // ("Keep compress=False contexts (default true):" lost its second line).
    void parametersDockFitsGerman_data()
    {
        QTest::addColumn<QString>("lang");
        QTest::newRow("en") << QStringLiteral("en");
        QTest::newRow("de") << QStringLiteral("de");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN");
    }

    void parametersDockFitsGerman()
    {
        QFETCH(QString, lang);
        QVERIFY(installLanguage(*qApp, lang)); // before the window: as at a start in that language
        MainWindow w;
        w.resize(1500, 940);
        w.show();
        for (const char *method : {"dac", "llmlingua2", "longllmlingua", "llmlingua"}) {
            w.methodCombo()->setCurrentIndex(
                w.methodCombo()->findData(QString::fromLatin1(method)));
            auto *dock = w.findChild<QDockWidget *>(QStringLiteral("parametersDock"));
            QVERIFY(dock);
            auto *scroll = qobject_cast<QScrollArea *>(dock->widget());
            QVERIFY(scroll);
            QTest::qWait(50);                             // the dock re-measures on the next turn
            w.resizeDocks({dock}, {100}, Qt::Horizontal); // as narrow as the user can drag it
            QCoreApplication::processEvents();
            QTRY_VERIFY2(scroll->widget()->minimumSizeHint().width() <= scroll->viewport()->width(),
                         qPrintable(QStringLiteral("%1: content needs %2 px, the dock shows %3 px")
                                        .arg(QLatin1String(method))
                                        .arg(scroll->widget()->minimumSizeHint().width())
                                        .arg(scroll->viewport()->width())));
            for (const QLabel *l : scroll->widget()->findChildren<QLabel *>()) {
                if (!l->isVisible() || !l->wordWrap())
                    continue;
                QTRY_VERIFY2(l->height() >= l->heightForWidth(l->width()),
                             qPrintable(QStringLiteral("%1: '%2' is %3 px high, its lines take %4")
                                            .arg(QLatin1String(method), l->text())
                                            .arg(l->height())
                                            .arg(l->heightForWidth(l->width()))));
            }
        }
        QVERIFY(installLanguage(*qApp, QStringLiteral("en")));
    }

    // Issue 20: the engine's option labels and help are translated in the app by key.
    void methodOptionsAreTranslated()
    {
        QVERIFY(installLanguage(*qApp, QStringLiteral("de")));
        MainWindow w;
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("dac")));
        const QString english = QStringLiteral("Attention weight α");
        const QString german = QCoreApplication::translate("terse::engine", "Attention weight α");
        QCOMPARE(german, QStringLiteral("Attention-Gewicht α"));
        bool shown = false;
        for (QLabel *l : w.findChild<QDockWidget *>(QStringLiteral("parametersDock"))
                             ->findChildren<QLabel *>()) {
            QVERIFY2(!l->text().startsWith(english), qPrintable(l->text()));
            shown |= l->text().startsWith(german);
        }
        QVERIFY(shown);
        QVERIFY(installLanguage(*qApp, QStringLiteral("en")));
    }

    // Every text the engine gives the app about its methods (names, descriptions, option labels
    // and help) has a translation: app/core/engine_strings.cpp, written by
    // scripts/engine_strings.py, follows the engine. Checked in Chinese, where only proper names
    // and formulas read the same.
    void everyEngineTextIsTranslated()
    {
        QVERIFY(installLanguage(*qApp, QStringLiteral("zh_CN")));
        const QStringList sameInEveryLanguage = {
            QStringLiteral("Selective-Context"), QStringLiteral("LLMLingua-2"),
            QStringLiteral("LLMLingua"), QStringLiteral("LongLLMLingua"), QStringLiteral("DAC"),
            QStringLiteral("PIS"),
            // and a formula
            QStringLiteral("w = attention^(1−γ) · tfidf^γ")};
        int checked = 0;
        QStringList missing;
        for (const terse::MethodInfo &m : terse::availableMethods()) {
            std::vector<std::string> texts = {m.displayName, m.description};
            for (const terse::OptionSpec &o : m.options) {
                texts.push_back(o.label);
                texts.push_back(o.help);
            }
            for (const std::string &t : texts) {
                const QString text = QString::fromStdString(t);
                if (text.isEmpty() || sameInEveryLanguage.contains(text))
                    continue;
                ++checked;
                if (engineText(t) == text)
                    missing << QString::fromStdString(m.name) + QStringLiteral(": ") + text;
            }
        }
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
        QVERIFY(checked >= 100);
        QVERIFY(installLanguage(*qApp, QStringLiteral("en")));
    }

    void engineTermsAreTranslated()
    {
        // Score, stage and warning texts come from the engine in English; the app translates them
        // by key (issue 20).
        QVERIFY(installLanguage(*qApp, QStringLiteral("de")));
        QCOMPARE(EngineTerms::stageName("stage 3"), QStringLiteral("Stufe 3"));
        QCOMPARE(EngineTerms::stageName("window 12"), QStringLiteral("Fenster 12"));
        QCOMPARE(EngineTerms::stageName("token budget"), QStringLiteral("Token-Budget"));
        QCOMPARE(EngineTerms::scoreName("entropy"), QStringLiteral("Entropie"));
        QCOMPARE(EngineTerms::scoreName("a_new_series"),
                 QStringLiteral("a_new_series")); // unknown: as it is
        const terse::Warning chunked{
            "chunked", "the prompt was classified in 35 chunks of at most 160 tokens"};
        QCOMPARE(EngineTerms::warningText(chunked),
                 QStringLiteral(
                     "Der Prompt wurde in 35 Abschnitten zu höchstens 160 Tokens klassifiziert"));
        // A detail that does not fit the code's message, and an unknown code: the engine's own
        // words.
        QCOMPARE(EngineTerms::warningText({"chunked", "chunked differently."}),
                 QStringLiteral("Chunked differently"));
        QCOMPARE(EngineTerms::warningText({"new_code", "something new happened."}),
                 QStringLiteral("Something new happened"));
        // Errors: the code's category translated, the engine's detail (names the field) as it is.
        QCOMPARE(EngineTerms::errorText(terse::ErrorCode::InvalidArgument,
                                        QStringLiteral("dac: alpha must be in [0, 1]")),
                 QStringLiteral("Eine Einstellung ist außerhalb des Bereichs oder widersprüchlich "
                                "— dac: alpha must be in [0, 1]"));
        QCOMPARE(EngineTerms::errorText(terse::Error{terse::ErrorCode::NotFound, ""}),
                 QStringLiteral("Nicht gefunden"));
        QVERIFY(installLanguage(*qApp, QStringLiteral("zh_CN")));
        QCOMPARE(EngineTerms::stageName("stage 2"), QStringLiteral("阶段 2"));
        QVERIFY(installLanguage(*qApp, QStringLiteral("en")));
        QCOMPARE(EngineTerms::warningText(chunked),
                 QStringLiteral("The prompt was classified in 35 chunks of at most 160 tokens"));
        QCOMPARE(EngineTerms::scoreName("self_information"), QStringLiteral("self_information"));

        // The note of a found question, as the engine words it: the question's text and byte
        // offset (numbers of any count) and the command line's option; the app has its own words,
        // with no place for those numbers (QString::arg warned "Argument missing").
        QTest::failOnWarning(QRegularExpression(QStringLiteral("QString::arg")));
        auto head = terse::createCompressor("head");
        QVERIFY(head);
        terse::CompressOptions o;
        o.method = "head";
        const auto r = (*head)->compress(
            terse::Prompt::fromText("Take 12 apples and 7 pears.\n\nQuestion: what is 2 + 2?"), o,
            terse::JobContext());
        QVERIFY(r);
        const auto found = std::find_if(r->warnings.begin(), r->warnings.end(),
                                        [](const auto &w) { return w.code == "question_found"; });
        QVERIFY(found != r->warnings.end());
        QVERIFY(found->detail.find("--no-find-question") != std::string::npos);
        QCOMPARE(EngineTerms::warningText(*found),
                 QStringLiteral("The prompt's last lines ask a question: they are kept whole and "
                                "the question-aware methods rank against them (in the structured "
                                "editor the parts are yours)"));
        QVERIFY(installLanguage(*qApp, QStringLiteral("de")));
        QVERIFY(EngineTerms::warningText(*found).startsWith(
            QStringLiteral("Die letzten Zeilen des Prompts stellen eine Frage")));
        QVERIFY(installLanguage(*qApp, QStringLiteral("en")));
    }

    void everyEngineNameHasATranslationKey()
    {
        // Every score series, stage and warning code the methods produce on real prompts (bundled
        // models, both modes, with and without a question) is one the app translates: a new engine
        // name fails here.
        const QStringList scores = EngineTerms::knownScoreNames(),
                          stages = EngineTerms::knownStageNames(),
                          codes = EngineTerms::knownWarningCodes(),
                          progress = EngineTerms::knownProgressStages();
        QStringList reported;
        auto stageKey = [](const std::string &n) {
            QString s = QString::fromStdString(n);
            s.replace(QRegularExpression(QStringLiteral("^(stage|window) \\d+$")),
                      QStringLiteral("\\1 1"));
            return s;
        };
        QFile f(QStringLiteral(TERSE_SOURCE_DIR "/resources/samples/rag_three_passages.txt"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const std::string context = f.readAll().toStdString();
        int runs = 0;
        std::vector<terse::Warning> warnings;
        for (const auto &m : terse::availableMethods()) {
            for (auto mode : {terse::CompressionMode::Corrected, terse::CompressionMode::Reference})
                for (int variant = 0; variant < 3; ++variant) {
                    const bool question = variant == 1; // 2: the question at the end of one text
                    terse::Prompt p;
                    if (question)
                        p.segments.push_back(
                            {terse::SegmentRole::Instruction, "Answer from the passages."});
                    p.segments.push_back({terse::SegmentRole::Context, context});
                    if (question)
                        p.segments.push_back(
                            {terse::SegmentRole::Question, "When does the ferry leave?"});
                    if (variant == 2)
                        p = terse::Prompt::fromText(context +
                                                    "\n\nQuestion: When does the ferry leave?");
                    terse::CompressOptions o;
                    o.method = m.name;
                    o.rate = 0.3;
                    o.mode = mode;
                    auto c = terse::createCompressor(m.name);
                    QVERIFY(c);
                    terse::JobContext job(
                        [&reported](long long, long long, const std::string &stage) {
                            if (!reported.contains(QString::fromStdString(stage)))
                                reported << QString::fromStdString(stage);
                        });
                    auto r = (*c)->compress(p, o, job);
                    if (!r)
                        continue; // e.g. a question-only ranking without a question
                    ++runs;
                    std::vector<const terse::ScoreSeries *> all;
                    for (const auto &s : r->scores)
                        all.push_back(&s);
                    for (const auto &st : r->stages) {
                        QVERIFY2(stages.contains(stageKey(st.name)), st.name.c_str());
                        for (const auto &s : st.scores)
                            all.push_back(&s);
                    }
                    for (const auto *s : all)
                        QVERIFY2(scores.contains(QString::fromStdString(s->name)),
                                 (m.name + ": " + s->name).c_str());
                    for (const auto &w : r->warnings) {
                        QVERIFY2(codes.contains(QString::fromStdString(w.code)),
                                 (m.name + ": " + w.code).c_str());
                        warnings.push_back(w);
                    }
                }
        }
        QVERIFY(runs >= 30);
        // And the app's words fit each detail (a detail that does not is shown in the engine's
        // English): every note and warning of these runs is translated.
        QVERIFY(std::any_of(warnings.begin(), warnings.end(),
                            [](const auto &w) { return w.code == "question_found"; }));
        QVERIFY(installLanguage(*qApp, QStringLiteral("de")));
        for (const terse::Warning &w : warnings) {
            QString english = QString::fromStdString(w.detail).trimmed();
            english[0] = english[0].toUpper();
            QVERIFY2(!EngineTerms::warningText(w).startsWith(english.left(20)),
                     (w.code + ": " + w.detail).c_str());
        }
        QVERIFY(installLanguage(*qApp, QStringLiteral("en")));
        for (const QString &stage : reported)
            QVERIFY2(progress.contains(stage),
                     qPrintable(QStringLiteral("progress stage: ") + stage));
        QVERIFY(reported.size() >= 5);
    }

    void languageMenuStoresTheChoice()
    {
        MainWindow w;
        auto *menu = w.findChild<QMenu *>(QStringLiteral("languageMenu"));
        QVERIFY(menu);
        QStringList codes;
        QAction *german = nullptr;
        for (QAction *a : menu->actions()) {
            codes << a->data().toString();
            if (a->data().toString() == QLatin1String("de"))
                german = a;
        }
        QCOMPARE(codes, (QStringList{QString(), QStringLiteral("en"), QStringLiteral("de"),
                                     QStringLiteral("zh_CN")}));
        QVERIFY(german);
        german->trigger();
        QCOMPARE(QSettings().value(QLatin1String(kLanguageKey)).toString(), QStringLiteral("de"));
        QCOMPARE(currentLanguage(*qApp), QStringLiteral("de"));
        QTRY_COMPARE(w.runButton()->text(), QStringLiteral("Komprimieren"));
        QSettings().remove(QLatin1String(kLanguageKey));
    }

    void unknownCodeFailsCleanly_data()
    {
        QTest::addColumn<QString>("code");
        QTest::newRow("fr") << QStringLiteral("fr");
        QTest::newRow("path") << QStringLiteral("../../etc/passwd");
        QTest::newRow("zh_TW") << QStringLiteral("zh_TW");
    }

    void unknownCodeFailsCleanly()
    {
        QFETCH(QString, code);
        QVERIFY(installLanguage(*qApp, QStringLiteral("de")));
        QVERIFY(!installLanguage(*qApp, code));
        QCOMPARE(currentLanguage(*qApp), QStringLiteral("de"));
        QCOMPARE(MainWindow::tr("Compress"), QStringLiteral("Komprimieren"));
    }

    void systemLanguageResolvesToASupportedOne()
    {
        QVERIFY(installLanguage(*qApp, QString()));
        QVERIFY(availableLanguages().contains(currentLanguage(*qApp)));
    }
};

QTEST_MAIN(TestLanguage)
#include "test_language.moc"
