// Pinned spans are honoured by every registered method (issue #8, click-to-pin): a unit overlapping
// a keep pin is kept and marked forced, a unit overlapping a drop pin is dropped, in a full run and
// after re-thresholding. Model-based methods use the tiny parity models in TERSE_SHARED_DIR.
#include "whole_words_check.h"
#include "terse/compressor.h"

#include <QtTest>

#include <filesystem>
#include <string>

using namespace terse;

namespace {

const std::string kText =
    "Alpha ships on Monday. The harbour crew loads twelve crates of apples, then the captain "
    "checks the "
    "weather report and signs the manifest before noon. Everyone agrees the voyage will be short "
    "and calm, "
    "so the cook packs only bread, cheese and tea for the three days at sea. Omega";

std::string modelsDir()
{
    return std::string(TERSE_SHARED_DIR) + "/parity/models/";
}

bool overlaps(const Unit &u, const Span &s)
{
    return u.segment == 0 && u.span.begin < s.end && s.begin < u.span.end;
}

} // namespace

class TestPins : public QObject {
    Q_OBJECT

private slots:
    void everyMethodHonoursPins_data() { testing::addMethodRows(); }

    void everyMethodHonoursPins()
    {
        QFETCH(QString, method);
        const std::string name = method.toStdString();
        if (!std::filesystem::exists(modelsDir() + "tiny-gpt2-pos2048"))
            QSKIP("the tiny parity models are not in TERSE_SHARED_DIR/parity/models");
        auto c = createCompressor(name);
        QVERIFY2(c, c ? "" : c.error().detail.c_str());
        CompressOptions o;
        o.method = name;
        o.rate = 0.3;
        o.model =
            modelsDir() + (name == "llmlingua2" ? "tinybert-llmlingua2" : "tiny-gpt2-pos2048");
        // Drop the first word, keep the last: the opposite of what "head" would do on its own.
        const Span drop{0, 5}; // "Alpha"
        const std::size_t at = kText.rfind("Omega");
        const Span keep{at, at + 5};
        o.pinned.push_back({0, keep, true});
        o.pinned.push_back({0, drop, false});
        // A context and a question (LongLLMLingua ranks contexts by it); the pins lie in the
        // context.
        Prompt prompt = Prompt::fromText(kText);
        prompt.segments.push_back({SegmentRole::Question, "Which crew loads the crates?"});
        auto r = (*c)->compress(prompt, o, JobContext::none());
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        int keptSeen = 0, droppedSeen = 0;
        auto check = [&](const CompressionResult &res) {
            for (const auto &u : res.units) {
                if (overlaps(u, keep)) {
                    QVERIFY2(u.kept, "a unit of the keep pin was dropped");
                    QVERIFY(u.forced);
                    ++keptSeen;
                }
                if (overlaps(u, drop)) {
                    QVERIFY2(!u.kept, "a unit of the drop pin was kept");
                    QVERIFY(u.forced);
                    ++droppedSeen;
                }
            }
            QVERIFY(res.compressedText.find("Omega") != std::string::npos);
            QVERIFY(res.compressedText.find("Alpha") == std::string::npos);
        };
        check(*r);
        QVERIFY(keptSeen > 0 && droppedSeen > 0);
        // Re-deciding from cached scores keeps the pins too.
        CompressOptions next = o;
        next.rate = 0.6;
        if ((*c)->canRethreshold(*r, o, next)) {
            auto again = (*c)->rethreshold(*r, next);
            QVERIFY2(again, again ? "" : again.error().detail.c_str());
            check(*again);
        }
    }
};

QTEST_GUILESS_MAIN(TestPins)
#include "test_pins.moc"
