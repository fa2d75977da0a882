// Issue 15: a plain prompt whose end asks a question ("...\n\nQuestion: ...?\nAnswer:") is
// compressed in corrected mode as its context plus a Question part, for every method: the question
// is kept whole, the question-aware methods rank against it, and the result is over the prompt
// the caller gave (one segment). The rule against hand-made texts; every method's result against
// the same method run on the parts given explicitly (the independent truth: the structured
// prompt); rethreshold and pins through the split; reference mode and findQuestion=false unchanged.
#include "compressors/question_split.h"
#include "whole_words_check.h"
#include "terse/compressor.h"
#include "terse/runtime.h"

#include <QtTest>

#include <algorithm>
#include <string>
#include <vector>

using namespace terse;

namespace {

constexpr std::size_t npos = std::string::npos;

const std::string kInstruction = "Answer the question from the documents.\n\n";
const std::vector<std::string> kDocuments = {
    "Document 1: The Eiffel Tower was completed in 1889 and stands in Paris. Millions of visitors "
    "climb its stairs every year to see the city. The tower was designed by the engineering "
    "company of Gustave Eiffel and was the tallest structure in the world for decades.\n\n",
    "Document 2: Bananas grow in warm climates and are rich in potassium. They were cultivated in "
    "Southeast Asia thousands of years ago and spread along trade routes to Africa and the "
    "Americas. Most bananas sold today belong to a single variety.\n\n",
    "Document 3: Mount Everest was first climbed on 29 May 1953 by Edmund Hillary and Tenzing "
    "Norgay, who reached the summit together.\n\n",
    "Document 4: The Great Wall of China was built over many centuries to protect the northern "
    "borders of the Chinese states. Its walls, towers and fortresses stretch across mountains and "
    "deserts, and large sections were rebuilt during the Ming dynasty with bricks and stone.\n\n",
    "Document 5: Jazz music was recorded in New Orleans, where brass bands played at parades, "
    "funerals and dances. Musicians such as Louis Armstrong carried the style to Chicago and New "
    "York, where it grew into swing and, later, bebop.\n\n"};
const std::string kContext = [] {
    std::string c = kInstruction;
    for (const auto &d : kDocuments)
        c += d;
    return c;
}();
const std::string kQuestion = "Question: When was Mount Everest first climbed?\nAnswer:";

std::string keptMask(const CompressionResult &r, const std::vector<std::size_t> &offsets)
{
    // "begin:k" per unit, in the one text (each segment shifted by its offset). Where a unit ends
    // differs: in the plain result the whitespace between two parts belongs to the unit before.
    std::string out;
    for (const auto &u : r.units)
        out += std::to_string(u.span.begin + offsets[static_cast<std::size_t>(u.segment)]) +
               (u.kept ? "k " : "d ");
    return out;
}

// `s` without its trailing whitespace: a part as the structured editor holds it.
std::string trimmed(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

} // namespace

class TestQuestionSplit : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { initRuntime(1); }

    void theRule_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("start"); // -1: no question
        QTest::newRow("blank line, label") << "Doc.\n\nQuestion: Who?\nAnswer:" << 6;
        QTest::newRow("one line break, label") << "Doc one.\nQuestion: Who?" << 9;
        QTest::newRow("label in any case, query") << "Doc.\nQUERY: ferry times" << 5;
        QTest::newRow("q label") << "Doc.\n\nQ: why?\nA:" << 6;
        QTest::newRow("unlabelled one-line paragraph asking") << "A.\n\nIs it?" << 4;
        QTest::newRow("blank line holding spaces") << "A.\n \t\nIs it?  \n" << 6;
        QTest::newRow("trailing lines of the question") << "D.\n\nQuestion: a?\nLet's think\n" << 4;
        QTest::newRow("nothing before it") << "Question: who?" << -1;
        QTest::newRow("only a question paragraph") << "\n\nIs it?" << -1;
        QTest::newRow("no question") << "A.\n\nB." << -1;
        QTest::newRow("two unlabelled lines") << "A.\n\nWhat?\nMore?" << -1;
        QTest::newRow("label in an earlier paragraph") << "Q: one\nA: two\n\nA passage." << -1;
        QTest::newRow("a demonstration with its worked answer")
            << "Q: 1+1?\nA: 2\n\nQuestion: 2+3?\nStep one.\nStep two.\nThe answer is 5." << -1;
        QTest::newRow("a label inside a line is not one") << "A.\n\nThe question: who" << -1;
        QTest::newRow("one paragraph") << "What is it?" << -1;
        // The question marks of Chinese and Japanese (fullwidth, U+FF1F) and of Arabic (U+061F).
        QTest::newRow("fullwidth mark")
            << QString::fromUtf8("東京は首都です。\n\n質問：東京の旧称は何ですか？") << 26;
        QTest::newRow("arabic mark") << QString::fromUtf8("نص.\n\nما هذا؟") << 7;
        QTest::newRow("fullwidth full stop") << QString::fromUtf8("A.\n\n質問です。") << -1;
        // A question typed without its mark (leval_nq's queries): one short line that opens with
        // an interrogative word and does not end as a statement.
        QTest::newRow("bare query")
            << "Doc.\n\nA b.\n\nwhen did season 2 of handmaid's tale start" << 12;
        QTest::newRow("bare query, capitalised") << "Doc.\n\nWho wrote it" << 6;
        QTest::newRow("a statement opening with what") << "A.\n\nWhat follows is a summary." << -1;
        QTest::newRow("a heading opening with how") << "A.\n\nHow we built it:" << -1;
        QTest::newRow("an exclamation") << "A.\n\nWhat a day!" << -1;
        QTest::newRow("one word") << "A.\n\nWhy" << -1;
        QTest::newRow("a contraction") << "A.\n\nWho's there" << -1;
        QTest::newRow("an instruction") << "A.\n\nSummarize the text above" << -1;
        QTest::newRow("two lines") << "A.\n\nwho is it\nand why" << -1;
        QTest::newRow("over 200 bytes")
            << QString::fromStdString("A.\n\nwho " + std::string(197, 'x')) << -1;
        QTest::newRow("200 bytes")
            << QString::fromStdString("A.\n\nwho " + std::string(196, 'x')) << 4;
    }

    void theRule()
    {
        QFETCH(QString, text);
        QFETCH(int, start);
        const std::size_t got = trailingQuestionStart(text.toStdString());
        QCOMPARE(got == npos ? -1 : static_cast<int>(got), start);
    }

    void longQuestionIsNotOne()
    {
        const std::string q = "Question: " + std::string(1995, 'x') + "?";
        QCOMPARE(trailingQuestionStart("Doc.\n\n" + q), npos);                     // 2006 bytes
        QCOMPARE(trailingQuestionStart("Doc.\n\n" + q.substr(5)), npos);           // 2001 bytes
        QCOMPARE(trailingQuestionStart("Doc.\n\n" + q.substr(6)), std::size_t(6)); // 2000
    }

    // The parts of the methods that rank contexts: paragraphs at blank lines (at least 3), a short
    // first one as the instruction when 3 follow it.
    void paragraphParts()
    {
        using R = SegmentRole;
        auto roles = [](const PromptParts &p) {
            std::string s;
            for (R r : p.roles)
                s += r == R::Instruction ? 'I' : r == R::Context ? 'C' : 'Q';
            return s;
        };
        const std::string four = "Do this.\n\nA a.\n\n  B b.\n \nC c.\n\nQuestion: x?";
        PromptParts p = plainPromptParts(four, true);
        QCOMPARE(roles(p), std::string("ICCCQ"));
        QCOMPARE(p.starts, (std::vector<std::size_t>{0, 10, 18, 25, 31}));
        QCOMPARE(p.ends, (std::vector<std::size_t>{8, 14, 22, 29, four.size()}));
        QCOMPARE(roles(plainPromptParts(four, false)), std::string("CQ"));
        QCOMPARE(roles(plainPromptParts("A a.\n\nB b.\n\nC c.\n\nQ: x?", true)),
                 std::string("CCCQ"));
        QCOMPARE(roles(plainPromptParts("A a.\n\nB b.\n\nQ: x?", true)), std::string("CQ"));
        const std::string longFirst = std::string(501, 'w') + "\n\nA.\n\nB.\n\nC.\n\nQ: x?";
        QCOMPARE(roles(plainPromptParts(longFirst, true)), std::string("CCCCQ"));
        QCOMPARE(roles(plainPromptParts("1\n2\n3\n4\n\nA.\n\nB.\n\nC.\n\nQ: x?", true)),
                 std::string("CCCCQ")); // four lines: not an instruction
        // A first paragraph that starts as most of the others is one of them.
        QCOMPARE(roles(plainPromptParts("Document [1] A.\n\nDocument [2] B.\n\nDocument [3] "
                                        "C.\n\nNotes: D.\n\nQ: x?",
                                        true)),
                 std::string("CCCCQ"));
        QCOMPARE(roles(plainPromptParts("Documents follow.\n\nDocument [1] A.\n\nDocument [2] "
                                        "B.\n\nDocument [3] C.\n\nQ: x?",
                                        true)),
                 std::string("ICCCQ"));
        QVERIFY(plainPromptParts("A.\n\nB.\n\nC.\n\nD.", true).starts.empty()); // no question
    }

    // Every method, corrected mode: the plain prompt compresses as the parts would, the result is
    // over the one text, the question is kept whole and the run says so in a note.
    void everyMethodAsTheParts_data() { testing::addMethodRows(); }

    void everyMethodAsTheParts()
    {
        QFETCH(QString, method);
        const std::string text = kContext + kQuestion;
        const std::size_t at = kContext.size();
        QCOMPARE(trailingQuestionStart(text), at);
        CompressOptions o;
        o.method = method.toStdString();
        o.rate = 0.33;
        auto c = createCompressor(o.method);
        QVERIFY(c);
        auto plain = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
        QVERIFY2(plain, plain ? "" : plain.error().detail.c_str());
        // The parts a user would give: LLMLingua, LongLLMLingua and LLMLingua-2 rank contexts
        // against the question, so for them the paragraphs are the contexts and the short first one
        // the instruction; the other methods get the text before the question as one context.
        const bool paragraphs =
            o.method == "llmlingua" || o.method == "longllmlingua" || o.method == "llmlingua2";
        Prompt parts;
        std::vector<std::size_t> offsets;
        if (paragraphs) {
            parts.segments.push_back({SegmentRole::Instruction, trimmed(kInstruction)});
            offsets.push_back(0);
            std::size_t at = kInstruction.size();
            for (const auto &d : kDocuments) {
                offsets.push_back(at);
                parts.segments.push_back({SegmentRole::Context, trimmed(d)});
                at += d.size();
            }
        } else {
            parts.segments.push_back({SegmentRole::Context, trimmed(kContext)});
            offsets.push_back(0);
        }
        parts.segments.push_back({SegmentRole::Question, kQuestion});
        offsets.push_back(at);
        auto c2 = createCompressor(o.method);
        auto structured = (*c2)->compress(parts, o, JobContext::none());
        QVERIFY2(structured, structured ? "" : structured.error().detail.c_str());

        QCOMPARE(plain->segments.size(), std::size_t(1));
        QCOMPARE(plain->segments[0].text, text);
        QCOMPARE(keptMask(*plain, {0}), keptMask(*structured, offsets));
        // The units cover the text in order, and every unit of the question is kept.
        std::size_t next = 0;
        for (const auto &u : plain->units) {
            QCOMPARE(u.segment, 0);
            QCOMPARE(u.span.begin, next); // no gap, no overlap
            next = u.span.end;
            if (u.span.begin >= at || (paragraphs && u.span.begin < kInstruction.size()))
                QVERIFY(u.kept);
        }
        QCOMPARE(next, text.size()); // the units cover the text, separators included
        QVERIFY2(plain->compressedText.size() >= kQuestion.size() &&
                     plain->compressedText.compare(plain->compressedText.size() - kQuestion.size(),
                                                   npos, kQuestion) == 0,
                 plain->compressedText.c_str());
        // One line break between the context's words and the question, where the prompt had a
        // blank line: "\n\n".
        QVERIFY(plain->compressedText.find("\n\n" + kQuestion) != npos ||
                plain->compressedText == kQuestion);
        QCOMPARE(plain->segmentTexts, std::vector<std::string>{plain->compressedText});
        QCOMPARE(plain->stages.size(), structured->stages.size());
        QVERIFY(testing::hasWarning(*plain, "question_found"));
        QVERIFY(isNote("question_found"));
        for (const auto &w : plain->warnings)
            if (w.code == "question_found")
                QCOMPARE(w.detail.find("its 5 paragraphs as the contexts") != npos, paragraphs);
        QVERIFY(!testing::hasWarning(*structured, "question_found"));
    }

    // Reference mode and findQuestion = false compress the text as one context: the question's
    // words are decided like the rest.
    void referenceModeAndTheSwitchLeaveItOne()
    {
        const std::string text = kContext + kQuestion;
        for (const bool reference : {true, false}) {
            CompressOptions o;
            o.method = "head";
            o.rate = 0.5;
            if (reference)
                o.mode = CompressionMode::Reference;
            else
                o.findQuestion = false;
            auto c = createCompressor(o.method);
            auto r = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
            QVERIFY2(r, r ? "" : r.error().detail.c_str());
            QVERIFY(!testing::hasWarning(*r, "question_found"));
            QVERIFY(r->compressedText.find("Everest first climbed") == npos); // head cut it
        }
        CompressOptions o;
        o.method = "head";
        o.rate = 0.5;
        auto c = createCompressor(o.method);
        auto r = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
        QVERIFY(r);
        QVERIFY(r->compressedText.find("Everest first climbed") != npos);
    }

    // A re-decision from the cached scores goes through the split too, and equals a new run.
    void rethresholdThroughTheSplit()
    {
        const std::string text = kContext + kQuestion;
        CompressOptions o;
        o.method = "llmlingua2";
        o.rate = 0.5;
        auto c = createCompressor(o.method);
        auto first = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
        QVERIFY2(first, first ? "" : first.error().detail.c_str());
        CompressOptions next = o;
        next.rate = 0.3;
        QVERIFY((*c)->canRethreshold(*first, o, next));
        CompressOptions noFind = next;
        noFind.findQuestion = false;
        QVERIFY(!(*c)->canRethreshold(*first, o, noFind)); // the units would differ
        auto again = (*c)->rethreshold(*first, next);
        QVERIFY2(again, again ? "" : again.error().detail.c_str());
        auto fresh = (*c)->compress(Prompt::fromText(text), next, JobContext::none());
        QVERIFY(fresh);
        QCOMPARE(again->segments.size(), std::size_t(1));
        QCOMPARE(keptMask(*again, {0}), keptMask(*fresh, {0}));
        QCOMPARE(again->compressedText, fresh->compressedText);
        QVERIFY(testing::hasWarning(*again, "question_found"));
        QCOMPARE(std::count_if(again->warnings.begin(), again->warnings.end(),
                               [](const Warning &w) { return w.code == "question_found"; }),
                 1L);
    }

    // A pin over the end of the context and the start of the question is cut in two: the words it
    // covers on both sides are dropped, the rest of the question is kept.
    void pinsAcrossTheCut()
    {
        const std::string text = kContext + kQuestion;
        const std::size_t at = kContext.size();
        const std::size_t bebop = text.find("bebop");
        CompressOptions o;
        o.method = "random";
        o.rate = 0.9;
        o.pinned = {{0, {bebop, at + 9}, false}}; // "bebop.\n\nQuestion:"
        auto c = createCompressor(o.method);
        auto r = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        QVERIFY(r->compressedText.find("bebop") == npos);
        QVERIFY(r->compressedText.find("Question:") == npos); // the user's pin wins
        QVERIFY(r->compressedText.find("When was Mount Everest first climbed?\nAnswer:") != npos);
        o.pinned = {{0, {at + 2, at + 2}, true}, {0, {bebop, bebop}, true}}; // empty pins
        QVERIFY((*c)->compress(Prompt::fromText(text), o, JobContext::none()));
        o.pinned = {{0, {at, text.size() + 1}, true}};
        auto bad = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
        QVERIFY(!bad);
        QVERIFY(bad.error().detail.find("pinned span") != npos);
    }

    // The bundled models: the question-aware methods keep the answer of a plain prompt.
    void questionAwareMethodsKeepTheAnswerOfAPlainPrompt()
    {
        const std::string text = kContext + kQuestion;
        for (const char *method : {"llmlingua2", "longllmlingua"}) {
            CompressOptions o;
            o.method = method;
            o.rate = 0.33;
            auto c = createCompressor(o.method);
            auto r = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
            QVERIFY2(r, r ? "" : r.error().detail.c_str());
            QVERIFY2(r->compressedText.find("1953") != npos, r->compressedText.c_str());
            QVERIFY2(r->compressedText.find(kQuestion) != npos, method);
        }
    }
};

QTEST_GUILESS_MAIN(TestQuestionSplit)
#include "test_question_split.moc"
