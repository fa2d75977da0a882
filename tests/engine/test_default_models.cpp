// The bundled default models (resources/models, issue 7): they load through the same path as user models,
// every method compresses a prompt with no model chosen, the LM prefers real English to the same words
// shuffled, and the tagger keeps content words more readily than function words.
#include "terse/compressor.h"
#include "terse/model.h"
#include "terse/resources.h"
#include "terse/tokenizer.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

using namespace terse;

namespace {
std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool isSubsequence(const std::string &small, const std::string &big)
{
    std::size_t j = 0;
    for (char c : big)
        if (j < small.size() && small[j] == c)
            ++j;
    return j == small.size();
}

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
}  // namespace

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
        const std::string text = "The children walked to school in the morning and their teacher was waiting at "
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

    void taggerKeepsContentWordsMoreThanFunctionWords()
    {
        auto m = Model::load(m_tagger);
        auto tok = Tokenizer::load(m_tagger);
        QVERIFY(m && tok);
        const std::string text = "The government announced on Tuesday that the new bridge across the river will "
                                 "open to traffic in March.";
        auto enc = tok->encode(text, false);
        QVERIFY(enc);
        std::vector<int> ids{tok->specialIds().bos};
        ids.insert(ids.end(), enc->ids.begin(), enc->ids.end());
        ids.push_back(tok->specialIds().eos);
        ScoreRequest req;
        req.wantEntropy = false;
        auto r = m->score({ids}, req);
        QVERIFY(r);
        double content = 0, function = 0;
        int nc = 0, nf = 0;
        for (std::size_t t = 0; t < enc->size(); ++t) {
            std::string w = text.substr(enc->spans[t].begin, enc->spans[t].size());
            w.erase(0, w.find_first_not_of(' '));
            const double p = r->sequences[0].classProbs[(t + 1) * 2 + 1];
            if (w == "the" || w == "The" || w == "on" || w == "that" || w == "to" || w == "in" || w == "will") {
                function += p;
                ++nf;
            } else if (w == "government" || w == "bridge" || w == "river" || w == "traffic" || w == "March") {
                content += p;
                ++nc;
            }
        }
        QVERIFY(nc >= 3 && nf >= 5);
        qInfo("mean p(keep): content words %.3f, function words %.3f", content / nc, function / nf);
        QVERIFY(content / nc > function / nf);
    }

    void everyMethodRunsWithoutChoosingAModel_data()
    {
        QTest::addColumn<QString>("method");
        for (const auto &m : availableMethods())
            QTest::newRow(m.name.c_str()) << QString::fromStdString(m.name);
    }

    void everyMethodRunsWithoutChoosingAModel()
    {
        QFETCH(QString, method);
        const std::string text = readFile(std::string(TERSE_SOURCE_DIR) + "/resources/samples/meeting_notes.txt");
        QVERIFY(!text.empty());
        auto c = createCompressor(method.toStdString());
        QVERIFY(c);
        CompressOptions o;
        o.method = method.toStdString();
        o.rate = 0.5;
        auto r = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        QVERIFY(r->tokensOut < r->tokensIn);
        QVERIFY(isSubsequence(r->compressedText, text));
        if (method != "random" && method != "head" && method != "tail" && method != "head_tail")
            QVERIFY2(!r->model.empty(), "a model-based method reports the model it used");
    }
};

QTEST_GUILESS_MAIN(TestDefaultModels)
#include "test_default_models.moc"
