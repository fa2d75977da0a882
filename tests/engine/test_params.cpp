// Typed method parameters (issue 19): one table per method binds each OptionSpec to a field of the
// method's params struct, whose initializers are the defaults. Checked on a hand-made table, and on
// every registered method: the defaults the specs show are the ones compress() uses (passing them
// all changes nothing).
#include "compressors/params.h"
#include "terse/compressor.h"

#include <QtTest>

using namespace terse;

namespace {

enum class Shape { Round, Square };

struct Hand {
    double alpha = 0.8;
    int stages = 0;
    long budget = -1;
    bool strict = true;
    std::string level = "phrase";
    Shape shape = Shape::Square;
    std::string note;
    std::vector<int> ids = {0, 2};
};

const detail::ParamTable<Hand> &handTable()
{
    static const auto table =
        detail::ParamTable<Hand>("hand")
            .number("alpha", &Hand::alpha, "Alpha", "a weight", 0, 1, 0.05)
            .number("stages", &Hand::stages, "Stages", "a count", 0, 100, 1)
            .number("budget", &Hand::budget, "Budget", "a long", -1, 1e9, 1)
            .flag("strict", &Hand::strict, "Strict", "a flag")
            .choice("level", &Hand::level, "Level", "a choice", {"token", "phrase", "sent"})
            .choice<Shape>("shape", &Hand::shape, "Shape", "an enum",
                           {{"round", Shape::Round}, {"square", Shape::Square}})
            .text("note", &Hand::note, "Note", "free text")
            .parsed<std::vector<int>>("ids", &Hand::ids, "Ids", "a list", detail::readIndexList,
                                      detail::indexListText);
    return table;
}

const OptionSpec &specNamed(const std::vector<OptionSpec> &specs, const std::string &name)
{
    for (const auto &s : specs)
        if (s.name == name)
            return s;
    qFatal("no option %s", name.c_str());
}

} // namespace

class TestParams : public QObject {
    Q_OBJECT
private slots:
    void specsShowTheStructDefaults()
    {
        const auto specs = handTable().specs();
        QCOMPARE(specs.size(), std::size_t(8));
        QCOMPARE(specNamed(specs, "alpha").defaultValue, std::string("0.8"));
        QCOMPARE(specNamed(specs, "alpha").type, OptionSpec::Type::Double);
        QCOMPARE(specNamed(specs, "stages").defaultValue, std::string("0"));
        QCOMPARE(specNamed(specs, "stages").type, OptionSpec::Type::Int);
        QCOMPARE(specNamed(specs, "budget").defaultValue, std::string("-1"));
        QCOMPARE(specNamed(specs, "budget").maxValue, 1e9);
        QCOMPARE(specNamed(specs, "strict").defaultValue, std::string("true"));
        QCOMPARE(specNamed(specs, "level").defaultValue, std::string("phrase"));
        QCOMPARE(specNamed(specs, "shape").defaultValue, std::string("square"));
        QCOMPARE(specNamed(specs, "shape").choices, (std::vector<std::string>{"round", "square"}));
        QCOMPARE(specNamed(specs, "note").defaultValue, std::string());
        QCOMPARE(specNamed(specs, "ids").defaultValue, std::string("0,2"));
        // Other defaults (a variant's): the specs show those.
        Hand other;
        other.alpha = 0.25;
        other.shape = Shape::Round;
        const auto specs2 = handTable().specs(other);
        QCOMPARE(specNamed(specs2, "alpha").defaultValue, std::string("0.25"));
        QCOMPARE(specNamed(specs2, "shape").defaultValue, std::string("round"));
    }

    void parseFillsTheStruct()
    {
        auto p = handTable().parse({{"alpha", "0.3"},
                                    {"stages", "7"},
                                    {"budget", "123456789"},
                                    {"strict", "false"},
                                    {"level", "sent"},
                                    {"shape", "round"},
                                    {"note", "x y"},
                                    {"ids", "1, 4 9"}});
        QVERIFY2(p, p ? "" : p.error().detail.c_str());
        QCOMPARE(p->alpha, 0.3);
        QCOMPARE(p->stages, 7);
        QCOMPARE(p->budget, 123456789L);
        QCOMPARE(p->strict, false);
        QCOMPARE(p->level, std::string("sent"));
        QVERIFY(p->shape == Shape::Round);
        QCOMPARE(p->note, std::string("x y"));
        QCOMPARE(p->ids, (std::vector<int>{1, 4, 9}));
        // Nothing given: the struct's defaults.
        auto d = handTable().parse({});
        QVERIFY(d);
        QCOMPARE(d->alpha, 0.8);
        QCOMPARE(d->ids, (std::vector<int>{0, 2}));
    }

    void badValuesNameTheOptionAndMethod()
    {
        struct Case {
            std::map<std::string, std::string> params;
            const char *expected;
        };
        const std::vector<Case> cases = {
            {{{"alpha", "1.5"}}, "option alpha of hand must be in [0, 1], got 1.5"},
            {{{"alpha", "x"}}, "option alpha of hand expects a number, got 'x'"},
            {{{"stages", "2.5"}}, "option stages of hand expects an integer, got '2.5'"},
            {{{"strict", "yes"}}, "option strict of hand must be true or false, got 'yes'"},
            {{{"level", "word"}},
             "option level of hand must be one of token, phrase, sent, got 'word'"},
            {{{"shape", "oval"}}, "option shape of hand must be one of round, square, got 'oval'"},
            {{{"ids", "1,x"}}, "option ids of hand: expected context indices (0, 1, ...), got 'x'"},
            {{{"colour", "red"}},
             "unknown option 'colour' for hand (valid: alpha, stages, budget, strict, level, "
             "shape, note, ids)"},
        };
        for (const auto &c : cases) {
            auto p = handTable().parse(c.params);
            QVERIFY(!p);
            QCOMPARE(p.error().code, ErrorCode::InvalidArgument);
            QCOMPARE(p.error().detail, std::string(c.expected));
        }
    }

    // Every method: its spec defaults validate, and passing every option at its shown default gives
    // the same result as passing none (the specs and the struct agree), in both modes.
    void shownDefaultsAreTheDefaultsUsed()
    {
        Prompt prompt = Prompt::fromText("The committee met on Tuesday to review the budget for "
                                         "2027. After a long discussion about the new "
                                         "library, the members agreed to fund the roof repairs "
                                         "first. The vote was 7 to 2, and the chair "
                                         "thanked the volunteers who had counted the ballots.");
        prompt.segments.push_back(
            {SegmentRole::Question, "What did the members agree to fund first?"});
        for (const auto &method : availableMethods()) {
            std::map<std::string, std::string> all;
            for (const auto &o : method.options)
                all[o.name] = o.defaultValue;
            auto valid = validateMethodParams(method, all, "option");
            QVERIFY2(valid, (method.name + ": " + (valid ? "" : valid.error().detail)).c_str());
            for (CompressionMode mode : {CompressionMode::Corrected, CompressionMode::Reference}) {
                auto compressor = createCompressor(method.name);
                QVERIFY(compressor);
                CompressOptions o;
                o.method = method.name;
                o.rate = 0.5;
                o.mode = mode;
                o.dtype = "fp32";
                auto plain = (*compressor)->compress(prompt, o, JobContext{});
                o.params = all;
                auto explicitDefaults = (*compressor)->compress(prompt, o, JobContext{});
                const std::string what = method.name + " (" + modeName(mode) + ")";
                QVERIFY2(plain, (what + ": " + (plain ? "" : plain.error().detail)).c_str());
                QVERIFY2(explicitDefaults,
                         (what + ": " + (explicitDefaults ? "" : explicitDefaults.error().detail))
                             .c_str());
                QVERIFY2(plain->compressedText == explicitDefaults->compressedText, what.c_str());
                QCOMPARE(plain->units.size(), explicitDefaults->units.size());
            }
        }
    }

    // The reference's list defaults written as option text (LLMLingua-2 chunk_end_tokens [".",
    // "\n"]).
    void tokenListDefaultsReadBack()
    {
        auto m = findMethod("llmlingua2");
        QVERIFY(m);
        QCOMPARE(specNamed(m->options, "chunk_end_tokens").defaultValue, std::string(". \\n"));
        QCOMPARE(specNamed(m->options, "force_tokens").defaultValue, std::string());
        auto lg = findMethod("longllmlingua");
        QVERIFY(lg);
        QCOMPARE(specNamed(lg->options, "dynamic_context_compression_ratio").defaultValue,
                 std::string("0.3"));
        QCOMPARE(specNamed(lg->options, "condition_in_question").defaultValue,
                 std::string("after_condition"));
        auto plain = findMethod("llmlingua");
        QVERIFY(plain);
        QCOMPARE(specNamed(plain->options, "dynamic_context_compression_ratio").defaultValue,
                 std::string("0"));
        QCOMPARE(specNamed(plain->options, "rank_method").defaultValue, std::string("auto"));
    }
};

QTEST_APPLESS_MAIN(TestParams)
#include "test_params.moc"
