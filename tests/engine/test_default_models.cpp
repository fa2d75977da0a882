// The bundled default models (resources/models, issue 7): they load through the same path as user
// models, every method compresses a prompt with no model chosen, the LM prefers real English to the
// same words shuffled, and the tagger beats chance and the stopword baseline on held-out human
// compressions.
#include "terse/compressor.h"
#include "terse/model.h"
#include "terse/resources.h"
#include "terse/tokenizer.h"
#include "terse/train.h"

#include "file_util.h"
#include "real_prompts.h"
#include "whole_words_check.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

using namespace terse;

namespace {

double meanSurprisal(const Model &m, const Tokenizer &t, const std::string &text)
{
    std::vector<int> ids{t.specialIds().bos};
    auto e = t.encodeIds(text);
    ids.insert(ids.end(), e->begin(), e->end());
    auto r = m.score({ids});
    double s = 0;
    for (std::size_t i = 1; i < ids.size(); ++i)
        s += r->sequences[0].surprisal[i];
    return s / static_cast<double>(ids.size() - 1);
}

bool isBaseline(const QString &method)
{
    return method == "random" || method == "head" || method == "tail" || method == "head_tail";
}

// `text` compressed by `method` with its bundled model (if any) at `rate`.
Result<CompressionResult> compressText(const QString &method, const std::string &text, double rate,
                                       CompressionMode mode = CompressionMode::Corrected)
{
    auto c = createCompressor(method.toStdString());
    if (!c)
        return c.error();
    CompressOptions o;
    o.method = method.toStdString();
    o.rate = rate;
    o.mode = mode;
    return (*c)->compress(Prompt::fromText(text), o, JobContext::none());
}
} // namespace

class TestDefaultModels : public QObject {
    Q_OBJECT
    std::string m_lm, m_tagger;

private slots:
    void initTestCase()
    {
        auto lm = defaultModelPath(DefaultModel::CausalLM);
        auto tagger = defaultModelPath(DefaultModel::Tagger);
        QVERIFY2(lm, lm ? "" : lm.error().detail.c_str());
        QVERIFY2(tagger, tagger ? "" : tagger.error().detail.c_str());
        m_lm = *lm;
        m_tagger = *tagger;
    }

    void loadLikeUserModels()
    {
        auto lm = Model::load(m_lm);
        QVERIFY2(lm, lm ? "" : lm.error().detail.c_str());
        QCOMPARE(lm->info().kind, ModelKind::CausalLM);
        auto tagger = Model::load(m_tagger);
        QVERIFY2(tagger, tagger ? "" : tagger.error().detail.c_str());
        QCOMPARE(tagger->info().kind, ModelKind::TokenClassifier);
        QCOMPARE(tagger->info().numLabels, 2);
        auto tl = Tokenizer::load(m_lm), tt = Tokenizer::load(m_tagger);
        QVERIFY(tl && tt);
        QCOMPARE(tl->vocabSize(), static_cast<std::size_t>(lm->info().vocabSize));
    }

    void lmPrefersEnglishToShuffledWords()
    {
        auto lm = Model::load(m_lm);
        auto tok = Tokenizer::load(m_lm);
        QVERIFY(lm && tok);
        const std::string text =
            "The children walked to school in the morning and their teacher was waiting at "
            "the door with a smile on her face.";
        std::vector<std::string> words;
        std::istringstream in(text);
        for (std::string w; in >> w;)
            words.push_back(w);
        std::mt19937 rng(3);
        std::shuffle(words.begin(), words.end(), rng);
        std::string shuffled;
        for (const auto &w : words)
            shuffled += (shuffled.empty() ? "" : " ") + w;
        const double a = meanSurprisal(*lm, *tok, text), b = meanSurprisal(*lm, *tok, shuffled);
        qInfo("mean surprisal: English %.3f, shuffled %.3f nats/token", a, b);
        QVERIFY(a < b - 0.5);
    }

    // Issue 16: corrected mode computes in bf16 on CPUs with native bf16 ("auto"). The documented
    // bound (README, Models; model.h resolveDtype), on the committed samples with the bundled LM:
    // bf16 surprisal and entropy differ from fp32 by at most 0.03 nats on average and 0.2 at the
    // 99th percentile.
    void bf16StaysWithinTheDocumentedBound()
    {
        QCOMPARE(parseDtype("bf16").value(), ComputeDtype::BFloat16);
        QCOMPARE(parseDtype("float32").value(), ComputeDtype::Float32);
        QCOMPARE(parseDtype("auto").value(), ComputeDtype::Auto);
        QCOMPARE(parseDtype("fp16").error().code, ErrorCode::InvalidArgument);
        QCOMPARE(resolveDtype(ComputeDtype::Auto, "cpu"),
                 cpuHasNativeBf16() ? ComputeDtype::BFloat16 : ComputeDtype::Float32);
        QCOMPARE(resolveDtype(ComputeDtype::Auto, "cuda"), ComputeDtype::Float32);
        QCOMPARE(resolveDtype(ComputeDtype::Float32, "cpu"), ComputeDtype::Float32);
        auto f = Model::load(m_lm, ModelLoadOptions{ComputeDtype::Float32, "cpu", 0});
        auto b = Model::load(m_lm, ModelLoadOptions{ComputeDtype::BFloat16, "cpu", 0});
        auto tok = Tokenizer::load(m_lm);
        QVERIFY(f && b && tok);
        QCOMPARE(b->info().dtype, std::string("bfloat16"));
        std::vector<double> ds, de;
        for (const char *sample :
             {"meeting_notes.txt", "rag_three_passages.txt", "support_ticket.txt"}) {
            std::ifstream in(std::string(TERSE_SOURCE_DIR) + "/resources/samples/" + sample);
            std::stringstream ss;
            ss << in.rdbuf();
            auto ids = tok->encodeIds(ss.str());
            QVERIFY(ids && ids->size() > 100);
            const std::vector<int> v(ids->begin(), ids->end());
            auto rf = f->score({v}), rb = b->score({v});
            QVERIFY(rf && rb);
            for (std::size_t t = 1; t < v.size(); ++t) {
                ds.push_back(
                    std::fabs(rf->sequences[0].surprisal[t] - rb->sequences[0].surprisal[t]));
                de.push_back(std::fabs(rf->sequences[0].entropy[t] - rb->sequences[0].entropy[t]));
            }
        }
        for (auto *d : {&ds, &de}) {
            double mean = 0;
            for (double x : *d)
                mean += x / static_cast<double>(d->size());
            std::sort(d->begin(), d->end());
            const double p99 = (*d)[d->size() * 99 / 100];
            qInfo("%s: mean |bf16 - fp32| %.4f, 99th percentile %.4f, largest %.4f nats over %zu "
                  "tokens",
                  d == &ds ? "surprisal" : "entropy", mean, p99, d->back(), d->size());
            QVERIFY(mean < 0.03);
            QVERIFY(p99 < 0.2);
        }
    }

    // On held-out human compressions the tagger's ranking beats chance at the human rate (random
    // keeping at rate h has F1 = h) and its decisions beat the stopword baseline, measured by the
    // engine's evaluator.
    void taggerBeatsChanceAndStopwordsOnHumanCompressions()
    {
        const std::string dir = std::string(TERSE_SHARED_DIR) + "/data/sentence_compression";
        if (!std::ifstream(dir + "/google.jsonl"))
            QSKIP("TERSE_SHARED_DIR has no data/sentence_compression");
        std::vector<std::string> files;
        for (const char *f : {"google", "broadcast", "bnc", "newsroom"})
            files.push_back(dir + "/" + f + ".jsonl");
        auto e = evalTagger(m_tagger, files, "", 5, JobContext::none());
        QVERIFY2(e, e ? "" : e.error().detail.c_str());
        qInfo("held-out F1: tagger %.3f, at the human rate %.3f (chance %.3f), stopwords %.3f, "
              "keep-all %.3f",
              e->tagger.f1, e->taggerAtHumanRate.f1, e->humanRate, e->stopwords.f1, e->keepAll.f1);
        QVERIFY(e->taggerAtHumanRate.f1 > e->humanRate + 0.1);
        QVERIFY(e->tagger.f1 > e->stopwords.f1);
        QVERIFY(e->tagger.f1 >= 0.75);
    }

    void everyMethodRunsWithoutChoosingAModel_data() { testing::addMethodRows(); }

    void everyMethodRunsWithoutChoosingAModel()
    {
        QFETCH(QString, method);
        const std::string text = testing::readFileBytes(std::string(TERSE_SOURCE_DIR) +
                                                        "/resources/samples/meeting_notes.txt");
        QVERIFY(!text.empty());
        auto r = compressText(method, text, 0.5);
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        QVERIFY(r->tokensOut < r->tokensIn);
        QVERIFY(testing::piecesSubsequence(r->compressedText, text));
        if (!isBaseline(method))
            QVERIFY2(!r->model.empty(), "a model-based method reports the model it used");
        if (method ==
            "longllmlingua") { // a plain prompt has no question: corrected mode says so and goes on
            QVERIFY(std::any_of(r->warnings.begin(), r->warnings.end(),
                                [](const Warning &w) { return w.code == "no_question"; }));
            QVERIFY(!compressText(method, text, 0.5, CompressionMode::Reference));
        }
    }

    // Few-shot prompts keep their format (prompt_format.h): the GSM8K 8-shot prompt pasted as one
    // text with a new question, rate 0.33. Every model method keeps each demonstration's answer
    // line ("The answer is 6.") and says so in the "format" series; the baselines keep none of it
    // on purpose (random drops most answer lines).
    void fewShotAnswerLinesSurvive_data() { testing::addMethodRows(); }

    void fewShotAnswerLinesSurvive()
    {
        QFETCH(QString, method);
        const std::string demos = testing::gsm8kCotPrompt();
        if (demos.empty())
            QSKIP("TERSE_SHARED_DIR has no data/gsm8k_cot_prompts/prompt_original.txt");
        const std::string text = demos + "\n\nQuestion: A farmer has 12 cows and buys 5 more. "
                                         "How many cows does he have?\nLet's think step by step\n";
        std::vector<std::string> answers;
        for (std::size_t at = text.find("The answer is "); at != std::string::npos;
             at = text.find("The answer is ", at + 1))
            answers.push_back(text.substr(at, text.find('\n', at) - at));
        QCOMPARE(answers.size(), std::size_t{8});
        auto r = compressText(method, text, 0.33);
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        QVERIFY(testing::piecesSubsequence(r->compressedText, text));
        QVERIFY2(std::abs(r->achievedRate - 0.33) < 0.02, std::to_string(r->achievedRate).c_str());
        long kept = 0;
        for (const auto &a : answers)
            kept += r->compressedText.find(a) != std::string::npos ? 1 : 0;
        const bool hasSeries = std::any_of(r->scores.begin(), r->scores.end(),
                                           [](const ScoreSeries &s) { return s.name == "format"; });
        if (isBaseline(method)) {
            QVERIFY(!hasSeries);
            if (method == "random")
                QVERIFY2(kept < 4, std::to_string(kept).c_str());
        } else {
            QVERIFY(hasSeries);
            QVERIFY(std::any_of(r->warnings.begin(), r->warnings.end(), [](const Warning &w) {
                return w.code == "demonstration_format" &&
                       w.detail.find("reads as 8 demonstrations") != std::string::npos;
            }));
            QVERIFY2(
                kept == 8,
                (std::to_string(kept) + " of 8 answer lines kept:\n" + r->compressedText).c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestDefaultModels)
#include "test_default_models.moc"
