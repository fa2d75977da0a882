// The demonstration format of few-shot prompts (engine/src/compressors/prompt_format.h): line leads
// and the spans kept first, against hand-worked prompts.
#include "compressors/prompt_format.h"

#include <QtTest>

#include <string>
#include <vector>

using namespace terse;
using terse::detail::demonstrationFormat;
using terse::detail::lineLead;

namespace {

// The texts of the spans of segment s.
std::vector<std::string> texts(const std::vector<PromptSegment> &segments,
                               const detail::DemonstrationFormat &format, std::size_t s)
{
    std::vector<std::string> out;
    for (const Span &sp : format.spans[s])
        out.push_back(segments[s].text.substr(sp.begin, sp.size()));
    return out;
}

std::string demo(int trees, int more)
{
    const std::string t = std::to_string(trees), m = std::to_string(more),
                      sum = std::to_string(trees + more);
    return "Q: A grove has " + t + " trees. Workers plant " + m +
           " more trees today. How many trees are in the grove now?\nLet's think step by step\n"
           "There were " +
           t + " trees before the workers came.\nThen " + m + " more were planted.\nSo there are " +
           t + " + " + m + " = " + sum + " trees.\nThe answer is " + sum + ".";
}

} // namespace

class TestPromptFormat : public QObject {
    Q_OBJECT

private slots:
    void leads_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("lead");
        QTest::newRow("words before the number") << "The answer is 6."
                                                 << "The answer is";
        QTest::newRow("a label ends the lead") << "Question: There are 15 trees"
                                               << "Question:";
        QTest::newRow("a short label") << "A: yes"
                                       << "A:";
        QTest::newRow("at most four words") << "Let's think step by step"
                                            << "Let's think step by";
        QTest::newRow("one word without a colon") << "Total 5"
                                                  << "";
        QTest::newRow("a number first") << "42 is the answer"
                                        << "";
        QTest::newRow("a lone word") << "So"
                                     << "";
        QTest::newRow("a digit inside a word") << "Room 2B: free"
                                               << "";
        QTest::newRow("leading spaces are part of it") << "  The answer is 7"
                                                       << "  The answer is";
    }

    void leads()
    {
        QFETCH(QString, line);
        QFETCH(QString, lead);
        const std::string l = line.toStdString();
        QCOMPARE(QString::fromStdString(l.substr(0, lineLead(l))), lead);
    }

    void demonstrationsAsContexts()
    {
        std::vector<PromptSegment> segments{{SegmentRole::Instruction, "Solve these.\n"}};
        for (auto [a, b] : {std::pair{15, 6}, {3, 2}, {32, 42}, {20, 12}})
            segments.push_back({SegmentRole::Context, demo(a, b) + "\n\n"});
        segments.push_back({SegmentRole::Question, "Q: There are 7 trees and 1 more.\n"});
        const auto spans = demonstrationFormat(segments);
        QCOMPARE(spans.spans.size(), segments.size());
        QCOMPARE(spans.demonstrations, 4);
        QVERIFY(spans.spans[0].empty()); // the instruction is not a demonstration
        QVERIFY(spans.spans[5].empty()); // nor the question
        // The label, the repeated line, the shared leads of two reasoning lines ("Then" is one
        // word: no lead) and the answer line whole.
        const std::vector<std::string> want{"Q:", "Let's think step by step", "There were",
                                            "So there are", "The answer is 21."};
        QCOMPARE(texts(segments, spans, 1), want);
        QCOMPARE(texts(segments, spans, 2).back(), std::string("The answer is 5."));
    }

    void demonstrationsAsParagraphsOfOneText()
    {
        std::string text;
        for (auto [a, b] : {std::pair{15, 6}, {3, 2}, {32, 42}, {20, 12}})
            text += demo(a, b) + "\n \n"; // a line of spaces separates them too
        const std::vector<PromptSegment> segments{{SegmentRole::Context, text}};
        const auto spans = demonstrationFormat(segments);
        const auto got = texts(segments, spans, 0);
        QCOMPARE(got.size(), std::size_t{20});
        QCOMPARE(got[4], std::string("The answer is 21."));
        QCOMPARE(got[19], std::string("The answer is 32."));
    }

    void aLeadMustStartMostDemonstrations()
    {
        // Five demonstrations; "Hence the total is" ends only two of them (< half): not format.
        std::vector<PromptSegment> segments;
        for (int i = 0; i < 5; ++i)
            segments.push_back(
                {SegmentRole::Context, "Q: what does item " + std::to_string(i) +
                                           " cost in the shop on the corner today?\n" +
                                           (i < 2 ? "Hence the total is " : "It comes to ") +
                                           std::to_string(i * 3) + "\n"});
        const auto spans = demonstrationFormat(segments);
        QCOMPARE(texts(segments, spans, 0), (std::vector<std::string>{"Q:"}));
        QCOMPARE(texts(segments, spans, 4), (std::vector<std::string>{"Q:", "It comes to 12"}));
    }

    void tooFewDemonstrationsHaveNoFormat()
    {
        const std::vector<PromptSegment> segments{{SegmentRole::Context, demo(1, 2)},
                                                  {SegmentRole::Context, demo(3, 4)}};
        for (const auto &s : demonstrationFormat(segments).spans)
            QVERIFY(s.empty());
    }

    void aListWhoseLinesAllStartAlikeIsNotAFormat()
    {
        // Every block is a label and a value: kept whole it would be the whole text (> a third).
        std::string text;
        for (const char *name : {"Alice", "Bob", "Carol", "Dave"})
            text += std::string("Name: ") + name + "\n\n";
        const std::vector<PromptSegment> segments{{SegmentRole::Context, text}};
        QVERIFY(demonstrationFormat(segments).spans[0].empty());
    }

    void qaPairsKeepTheShortAnswerLine()
    {
        std::vector<PromptSegment> segments;
        for (int i = 0; i < 4; ++i)
            segments.push_back(
                {SegmentRole::Context, "Q: How many legs do " + std::to_string(i + 2) +
                                           " spiders on the old wooden fence have in total?\nA: " +
                                           std::to_string(8 * (i + 2)) + "\n\n"});
        const auto spans = demonstrationFormat(segments);
        QCOMPARE(texts(segments, spans, 3), (std::vector<std::string>{"Q:", "A: 40"}));
    }

    void anAnswerAtTheEndOfTheLastLine()
    {
        // BIG-Bench Hard's chain-of-thought demonstrations end their reasoning line with the answer
        // sentence; the line's own lead ("Plugging in") is shared by only two of them.
        std::vector<PromptSegment> segments;
        const char *last[] = {"Plugging in A, we get: Z = not ( ( A ) ) = not True = False. So the "
                              "answer is False.",
                              "Plugging in A and B, we get: Z = A and B = False and False = False. "
                              "So the answer is False.",
                              "Then Z = not ( not ( False ) ) = not True = False. So the answer is "
                              "True."};
        for (const char *l : last)
            segments.push_back(
                {SegmentRole::Context,
                 std::string("Q: not ( ( not not True ) ) and ( False or True ) is\nA: Let's "
                             "think step by step.\nZ = not ( ( not not True ) ) = not ( ( A ) ) "
                             "where A = not not True = not ( not True ) = True.\n") +
                     l + "\n\n"});
        const auto spans = demonstrationFormat(segments);
        QCOMPARE(texts(segments, spans, 0),
                 (std::vector<std::string>{"Q:", "A: Let's think step by step.",
                                           "So the answer is False."}));
        QCOMPARE(texts(segments, spans, 2).back(), std::string("So the answer is True."));
    }

    void aChatKeepsItsSpeakerLabelsOnly()
    {
        // One line per turn: each is its block's last line, but far longer than an answer.
        std::string text;
        for (int i = 0; i < 3; ++i)
            text += "human: how do I add column " + std::to_string(i) +
                    " to this table in the query editor please\n\ngpt: Open the editor, choose "
                    "Add Column, then give column " +
                    std::to_string(i) + " a name and a formula.\n\n";
        const std::vector<PromptSegment> segments{{SegmentRole::Context, text}};
        const auto got = texts(segments, demonstrationFormat(segments), 0);
        QCOMPARE(got.size(), std::size_t{6});
        QCOMPARE(got[0], std::string("human:"));
        QCOMPARE(got[1], std::string("gpt:"));
    }

    void codeAndRepeatedLinesAreNotFormat()
    {
        // Code lines repeat across the blocks but hold symbols; "See the note below" repeats
        // inside each block (content, not a template).
        std::string text;
        for (int i = 0; i < 4; ++i)
            text += "function f" + std::to_string(i) +
                    "() {\n  return $output;\n}\n"
                    "See the note below\nSee the note below\n\n";
        const std::vector<PromptSegment> segments{{SegmentRole::Context, text}};
        QVERIFY(demonstrationFormat(segments).spans[0].empty());
    }

    void prose()
    {
        // Paragraphs of running text share no lead.
        const std::vector<PromptSegment> segments{
            {SegmentRole::Context,
             "The river rose in March.\n\nFarmers moved their herds uphill.\n\nBy May the water "
             "had gone.\n\nThe harvest was late that year.\n"}};
        QVERIFY(demonstrationFormat(segments).spans[0].empty());
    }
};

QTEST_GUILESS_MAIN(TestPromptFormat)
#include "test_prompt_format.moc"
