// Issue #8 editing: clicking a word of the result cycles its pin (keep → drop → none) and the next
// result honours it; pins are marked in the heatmap and listed in the Parameters dock; Edit →
// Undo/Redo covers pin toggles and prompt edits (also Ctrl+Z in the editor); prompt edits re-run
// once, debounced.
#include "app_test_util.h"

#include "pin_list.h"

#include "terse/text_units.h"

#include "terse_widgets/prompt_editor.h"

#include <QAction>
#include <QComboBox>
#include <QUndoStack>

using namespace terse;
using namespace terse::app;
using namespace terse::testutil;

namespace {
const char *kText =
    "Alpha ships on Monday and the harbour crew loads twelve crates of apples before noon Omega";

// A token-level method as DAC or PIS are: every word cut into pieces of at most 3 bytes, every
// other piece kept. It honours keep pins, as every method does.
class SubwordCompressor : public Compressor {
public:
    std::string name() const override { return "subword"; }
    std::string displayName() const override { return "Subword"; }
    std::string description() const override { return "pieces of words"; }
    std::vector<OptionSpec> options() const override { return {}; }
    Result<CompressionResult> compress(const Prompt &p, const CompressOptions &o,
                                       const JobContext &) override
    {
        CompressionResult r;
        r.method = "subword";
        r.segments = p.segments;
        r.unitName = "token";
        for (int s = 0; s < static_cast<int>(p.segments.size()); ++s)
            for (const Span &w : splitWords(p.segments[s].text))
                for (std::size_t b = w.begin; b < w.end; b += 3) {
                    Unit u;
                    u.segment = s;
                    u.span = {b, std::min(w.end, b + 3)};
                    if (w.end - u.span.end < 3 && u.span.end < w.end)
                        u.span.end = w.end; // the last piece takes the whitespace
                    u.kept = r.units.size() % 2 == 0;
                    for (const auto &pin : o.pinned)
                        if (pin.segment == s && pin.span.begin < u.span.end &&
                            u.span.begin < pin.span.end)
                            u.kept = pin.keep, u.forced = true;
                    r.units.push_back(u);
                    b = u.span.end - 3;
                }
        r.requestedRate = o.rate;
        finalizeResult(r);
        return r;
    }
};

std::string spanOf(const CompressionResult &r, std::size_t i)
{
    const Unit &u = r.units[i];
    return r.segments[static_cast<std::size_t>(u.segment)].text.substr(u.span.begin, u.span.size());
}

Result<std::unique_ptr<Compressor>> subwordFactory(const std::string &name)
{
    if (name == "subword")
        return std::unique_ptr<Compressor>(std::make_unique<SubwordCompressor>());
    return countingFactory(name);
}
} // namespace

class TestPins : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        usePrivateHome(m_home, "test_pins");
    }

    void clickCyclesPinAndTheNextResultHonoursIt()
    {
        MainWindow w(countingFactory);
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(selectMethod(w, QStringLiteral("head")));
        w.setRate(0.5);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        QVERIFY(runAndWait(w));
        const int last = unitIndex(*w.lastResult(), "Omega");
        const int first = unitIndex(*w.lastResult(), "Alpha");
        QVERIFY(last > 0 && first == 0);
        QVERIFY(!w.lastResult()->units[last].kept); // "head" drops the end
        QVERIFY(w.lastResult()->units[first].kept);

        // Click 1: keep. The next result keeps "Omega", marked green in the heatmap, listed in the
        // dock.
        QSignalSpy shown(&w, &MainWindow::resultShown);
        QVERIFY(clickToken(w.heatmapView(), last));
        QVERIFY(shown.wait(10000));
        QCOMPARE(w.pins().size(), std::size_t(1));
        QVERIFY(w.pins()[0].keep);
        QVERIFY(w.lastResult()->units[last].kept);
        QVERIFY(w.lastResult()->units[last].forced);
        QCOMPARE(w.heatmapView()->data().tokens[last].pin, 1);
        QCOMPARE(w.pinList()->count(), 1);
        QVERIFY(w.heatmapView()->tooltipFor(last).contains(QStringLiteral("pinned")));

        // Click 2: drop.
        QVERIFY(clickToken(w.heatmapView(), last));
        QVERIFY(shown.wait(10000));
        QVERIFY(!w.pins()[0].keep);
        QVERIFY(!w.lastResult()->units[last].kept);
        QCOMPARE(w.heatmapView()->data().tokens[last].pin, -1);

        // Pin the first word as dropped through two clicks on it: "head" would keep it.
        QVERIFY(clickToken(w.heatmapView(), first));
        QVERIFY(shown.wait(10000));
        QVERIFY(clickToken(w.heatmapView(), first));
        QVERIFY(shown.wait(10000));
        QVERIFY(!w.lastResult()->units[first].kept);
        QVERIFY(w.lastResult()->compressedText.find("Alpha") == std::string::npos);
        QCOMPARE(w.pinList()->count(), 2);

        // Click 3 on "Omega": unpinned; "head" decides again.
        QVERIFY(clickToken(w.heatmapView(), last));
        QVERIFY(shown.wait(10000));
        QCOMPARE(w.pins().size(), std::size_t(1));
        QCOMPARE(w.heatmapView()->data().tokens[last].pin, 0);

        // Undo restores the drop pin on "Omega" and re-runs; redo removes it again.
        QUndoStack *undo = w.undoStack();
        QVERIFY(undo->canUndo());
        undo->undo();
        QVERIFY(shown.wait(10000));
        QCOMPARE(w.pins().size(), std::size_t(2));
        QVERIFY(!w.lastResult()->units[last].kept);
        QCOMPARE(w.heatmapView()->data().tokens[last].pin, -1);
        undo->redo();
        QVERIFY(shown.wait(10000));
        QCOMPARE(w.pins().size(), std::size_t(1));

        // Unpin All from the dock, undoable as one step.
        emit w.pinList()->clearRequested();
        QVERIFY(w.pins().empty());
        undo->undo();
        QCOMPARE(w.pins().size(), std::size_t(1));
        QVERIFY(shown.wait(10000));
    }

    // Issue 20: the word is the unit a person pins, also when the method decided on pieces of
    // words.
    void clickingAPieceOfAWordPinsTheWholeWord()
    {
        MainWindow w(subwordFactory);
        w.methodCombo()->addItem(QStringLiteral("Subword"), QStringLiteral("subword"));
        QVERIFY(selectMethod(w, QStringLiteral("subword")));
        w.promptEditor()->setPlainText(QStringLiteral("Open the support ticket queue now"));
        QVERIFY(runAndWait(w));
        const auto &r = *w.lastResult();
        int piece = -1; // "ket" of "ticket"
        for (std::size_t i = 0; i < r.units.size(); ++i)
            if (spanOf(r, i) == "ket ")
                piece = static_cast<int>(i);
        QVERIFY(piece > 0);
        QSignalSpy shown(&w, &MainWindow::resultShown);
        QVERIFY(w.setPin(piece, +1));
        QCOMPARE(w.pins().size(), std::size_t(1));
        const std::string text = r.segments[0].text;
        QCOMPARE(text.substr(w.pins()[0].span.begin, w.pins()[0].span.size()),
                 std::string("ticket"));
        QVERIFY(shown.wait(10000));
        // Every piece of "ticket" is kept now, and none of its neighbours is pinned.
        for (std::size_t i = 0; i < w.lastResult()->units.size(); ++i) {
            const std::string t = spanOf(*w.lastResult(), i);
            if (t == "tic" || t == "ket ")
                QVERIFY2(w.lastResult()->units[i].kept && w.lastResult()->units[i].forced,
                         t.c_str());
            else
                QVERIFY(!w.lastResult()->units[i].forced);
        }
    }

    void ctrlZInTheEditorUndoesPromptEditsAndEditsRerunOnce()
    {
        MainWindow w(countingFactory);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(selectMethod(w, QStringLiteral("head")));
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        QVERIFY(runAndWait(w));
        const QString before = w.promptEditor()->toPlainText();

        // Typing a burst re-runs once, ~400 ms after the last key (latest request wins).
        const int runs = g_fullRuns.load();
        QSignalSpy shown(&w, &MainWindow::resultShown);
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        w.promptEditor()->setFocus();
        w.promptEditor()->moveCursor(QTextCursor::End);
        QTest::keyClicks(w.promptEditor(), QStringLiteral(" and more"));
        QVERIFY(w.editDebounce()->isActive());
        QVERIFY(shown.wait(5000));
        QTest::qWait(800); // nothing else is coming
        QCOMPARE(g_fullRuns.load() - runs, 1);
        QCOMPARE(shown.count(), 1);
        QVERIFY(w.lastResult()->segments[0].text.find("and more") != std::string::npos);

        // Ctrl+Z with the focus in the editor goes to the window's history: the burst is one step.
        QVERIFY(w.undoStack()->canUndo());
        QTest::keyClick(w.promptEditor(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(w.promptEditor()->toPlainText(), before);
        QTest::keyClick(w.promptEditor(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(w.promptEditor()->toPlainText(), before + QStringLiteral(" and more"));
        // The undo re-ran too (debounced), with the restored text.
        QVERIFY(shown.wait(5000));
    }

    void pinsMoveWithTheirWordsWhenTextIsInsertedBefore()
    {
        MainWindow w(countingFactory);
        w.show();
        QVERIFY(selectMethod(w, QStringLiteral("head")));
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        QVERIFY(runAndWait(w));
        const int last = unitIndex(*w.lastResult(), "Omega");
        QVERIFY(w.setPin(last, 1));
        const Span before = w.pins()[0].span;
        QTextCursor c(w.promptEditor()->document());
        c.insertText(QStringLiteral("Über ")); // 6 UTF-8 bytes before every pin
        QCOMPARE(w.pins().size(), std::size_t(1));
        QCOMPARE(w.pins()[0].span.begin, before.begin + 6);
        const std::string text = w.promptEditor()->toPlainText().toUtf8().toStdString();
        QCOMPARE(text.substr(w.pins()[0].span.begin, w.pins()[0].span.size()),
                 std::string("Omega"));
        // Editing the pinned word itself removes its pin.
        QTextCursor end(w.promptEditor()->document());
        end.movePosition(QTextCursor::End);
        end.deletePreviousChar();
        QVERIFY(w.pins().empty());
    }
};

QTEST_MAIN(TestPins)
#include "test_pins.moc"
