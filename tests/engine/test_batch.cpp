// The JSONL batch format (terse/batch.h): promptLine writes what parseBatchLine reads back, for a
// plain prompt and a structured one, with the id and extra keys (terse bench's prompts.jsonl).
#include "terse/batch.h"

#include <nlohmann/json.hpp>

#include <QtTest>

using namespace terse;

class TestBatch : public QObject {
    Q_OBJECT

private slots:
    void plainPromptRoundTrips()
    {
        const Prompt p = Prompt::fromText("Über \"quoted\" text\nline two");
        const std::string line = promptLine(p, "doc-1");
        QCOMPARE(
            line,
            std::string("{\"id\":\"doc-1\",\"prompt\":\"Über \\\"quoted\\\" text\\nline two\"}"));
        const BatchLine back = parseBatchLine(line, 7);
        QVERIFY2(back.error.empty(), back.error.c_str());
        QCOMPARE(back.idJson, std::string("\"doc-1\""));
        QCOMPARE(back.prompt.segments.size(), std::size_t(1));
        QCOMPARE(back.prompt.segments[0].text, p.segments[0].text);
    }

    void structuredPromptRoundTrips()
    {
        Prompt p;
        p.segments = {{SegmentRole::Instruction, "Answer briefly."},
                      {SegmentRole::Context, "Doc one."},
                      {SegmentRole::Context, "Doc two."},
                      {SegmentRole::Question, "Which doc?"}};
        const std::string line =
            promptLine(p, "", {{"dataset", "\"nq\""}, {"answers", "[[\"one\"]]"}});
        QCOMPARE(line,
                 std::string("{\"instruction\":\"Answer briefly.\",\"contexts\":[\"Doc one.\","
                             "\"Doc two.\"],\"question\":\"Which doc?\",\"dataset\":\"nq\","
                             "\"answers\":[[\"one\"]]}"));
        const BatchLine back = parseBatchLine(line, 1);
        QVERIFY2(back.error.empty(), back.error.c_str());
        QCOMPARE(back.prompt.segments.size(), p.segments.size());
        for (std::size_t i = 0; i < p.segments.size(); ++i) {
            QCOMPARE(back.prompt.segments[i].role, p.segments[i].role);
            QCOMPARE(back.prompt.segments[i].text, p.segments[i].text);
        }
        // No instruction or question, one context: still structured only when it has to be.
        Prompt two;
        two.segments = {{SegmentRole::Context, "A."}, {SegmentRole::Context, "B."}};
        QCOMPARE(promptLine(two), std::string("{\"contexts\":[\"A.\",\"B.\"]}"));
    }
};

QTEST_APPLESS_MAIN(TestBatch)
#include "test_batch.moc"
