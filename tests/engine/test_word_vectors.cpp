// Issue 15: word vectors for question-aware ranking without a language model. The trainer
// (skip-gram with negative sampling) on a corpus where two words share every context, the file
// format and its refusals, and BM25's soft matching against a score worked by hand.
#include "compressors/context_rank.h"
#include "terse/train.h"
#include "terse/word_vectors.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

using namespace terse;

namespace {

// A word-vector file written byte by byte (safetensors: header length, JSON header, F32 data), so
// the loader is checked against the format itself, not against the trainer's writer.
void writeVectors(const std::string &path, const std::vector<std::string> &words,
                  const std::vector<std::vector<float>> &rows,
                  const std::string &vocabOverride = "", const std::string &counts = "")
{
    const std::size_t dim = rows.empty() ? 0 : rows[0].size();
    std::string vocab;
    for (std::size_t i = 0; i < words.size(); ++i)
        vocab += (i ? "\\n" : "") + words[i];
    if (!vocabOverride.empty())
        vocab = vocabOverride;
    std::string header = "{\"__metadata__\":{\"vocab\":\"" + vocab + "\"" +
                         (counts.empty() ? "" : ",\"counts\":\"" + counts + "\"") +
                         "},\"word_vectors\":{\"dtype\":\"F32\",\"shape\":[" +
                         std::to_string(rows.size()) + "," + std::to_string(dim) +
                         "],\"data_offsets\":[0," + std::to_string(rows.size() * dim * 4) + "]}}";
    std::ofstream f(path, std::ios::binary);
    const std::uint64_t n = header.size();
    f.write(reinterpret_cast<const char *>(&n), 8);
    f << header;
    for (const auto &r : rows)
        f.write(reinterpret_cast<const char *>(r.data()), static_cast<long>(r.size() * 4));
}

// Vectors whose mean is zero (each word has an opposite), so the loader's centring leaves their
// cosines as written: cos(movie, film) = 0.8, cat is orthogonal to both.
std::vector<std::string> kWords = {"movie", "film", "cat", "x1", "x2", "x3"};
std::vector<std::vector<float>> kRows = {{1, 0, 0},  {0.8f, 0.6f, 0},   {0, 0, 1},
                                         {-1, 0, 0}, {-0.8f, -0.6f, 0}, {0, 0, -1}};

} // namespace

class TestWordVectors : public QObject {
    Q_OBJECT

private slots:
    void loadsAndCompares()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("v.safetensors").toStdString();
        writeVectors(path, kWords, kRows, "", "50 40 30 3 2 1");
        auto v = WordVectors::load(path);
        QVERIFY2(v.ok(), v ? "" : v.error().detail.c_str());
        QCOMPARE((*v)->size(), 6);
        QCOMPARE((*v)->dim(), 3);
        QCOMPARE((*v)->find("film"), 1);
        QCOMPARE((*v)->find("dog"), -1);
        QCOMPARE((*v)->count(2), 30LL);
        QVERIFY(std::abs((*v)->similarity(0, 1) - 0.8f) < 1e-6f);
        QVERIFY(std::abs((*v)->similarity(0, 2)) < 1e-6f);
        const auto near = (*v)->nearest("movie", 2);
        QCOMPARE(near.size(), std::size_t(2));
        QCOMPARE(near[0].first, std::string("film"));
        // A folder holding word_vectors.safetensors loads too, and shared loads are one object.
        writeVectors(dir.filePath("word_vectors.safetensors").toStdString(), kWords, kRows);
        auto a = WordVectors::loadShared(dir.path().toStdString());
        auto b = WordVectors::loadShared(dir.path().toStdString());
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->get(), b->get());
    }

    void refusesBrokenFiles_data()
    {
        QTest::addColumn<QString>("vocab");
        QTest::addColumn<QString>("counts");
        QTest::addColumn<QString>("expected");
        QTest::newRow("too few words") << "movie\\nfilm"
                                       << ""
                                       << "2 words for 6 rows";
        QTest::newRow("repeated word") << "movie\\nfilm\\ncat\\nx1\\nx2\\nmovie"
                                       << ""
                                       << "'movie' appears twice";
        QTest::newRow("empty word") << "movie\\n\\ncat\\nx1\\nx2\\nx3"
                                    << ""
                                    << "word 2 is empty";
        QTest::newRow("counts") << ""
                                << "1 2 x"
                                << "'counts' must be non-negative integers";
        QTest::newRow("counts short") << ""
                                      << "1 2"
                                      << "'counts' has 2 numbers for 6 words";
    }
    void refusesBrokenFiles()
    {
        QFETCH(QString, vocab);
        QFETCH(QString, counts);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string path = dir.filePath("v.safetensors").toStdString();
        writeVectors(path, kWords, kRows, vocab.toStdString(), counts.toStdString());
        auto v = WordVectors::load(path);
        QVERIFY(!v.ok());
        QCOMPARE(v.error().code, ErrorCode::FormatError);
        QVERIFY2(v.error().detail.find(expected.toStdString()) != std::string::npos &&
                     v.error().detail.find(path) != std::string::npos,
                 v.error().detail.c_str());
    }

    void refusesOtherFiles()
    {
        QTemporaryDir dir;
        const std::string missing = dir.filePath("none.safetensors").toStdString();
        auto v = WordVectors::load(missing);
        QVERIFY(!v.ok());
        QCOMPARE(v.error().code, ErrorCode::NotFound);
        const std::string nan = dir.filePath("nan.safetensors").toStdString();
        auto rows = kRows;
        rows[2][1] = std::nanf("");
        writeVectors(nan, kWords, rows);
        v = WordVectors::load(nan);
        QVERIFY(!v.ok());
        QVERIFY2(v.error().detail.find("'cat' holds a non-finite value") != std::string::npos,
                 v.error().detail.c_str());
        const std::string junk = dir.filePath("junk.safetensors").toStdString();
        std::ofstream(junk, std::ios::binary) << "not a safetensors file at all";
        v = WordVectors::load(junk);
        QVERIFY(!v.ok());
        QCOMPARE(v.error().code, ErrorCode::FormatError);
    }

    // Soft BM25 by hand. Documents (Search terms): {film, long}, {cat, sat}, {dog, ran}; N = 3,
    // avgdl = 2. Query "movie": no document holds it, film is at cosine 0.8 >= kSoftMatchFloor, so
    // tf(d1) = 0.8, df = 0.8, idf = ln(3 - 0.8 + 0.5) - ln(0.8 + 0.5) = ln(2.7 / 1.3), and
    // score(d1) = idf x 0.8 x 2.5 / (0.8 + 1.5 x (0.25 + 0.75 x 2 / 2)).
    void softBm25ByHand()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("v.safetensors").toStdString();
        writeVectors(path, kWords, kRows);
        auto v = WordVectors::load(path);
        QVERIFY(v.ok());
        const std::vector<std::string> docs = {"The film was long.", "A cat sat.", "A dog ran."};
        const auto plain = detail::bm25Scores(docs, "movie?", detail::TermSplit::Search);
        QCOMPARE(plain, std::vector<double>({0, 0, 0}));
        const auto soft = detail::bm25Scores(docs, "movie?", detail::TermSplit::Search, v->get());
        const double expected = std::log(2.7 / 1.3) * 0.8 * 2.5 / (0.8 + 1.5);
        QVERIFY2(std::abs(soft[0] - expected) < 1e-6 /* float cosines */,
                 std::to_string(soft[0]).c_str());
        QCOMPARE(soft[1], 0.0);
        QCOMPARE(soft[2], 0.0);
        // A word the query holds itself scores as without vectors (exact df, exact idf).
        const auto exact = detail::bm25Scores(docs, "cat", detail::TermSplit::Search, v->get());
        QCOMPARE(exact, detail::bm25Scores(docs, "cat", detail::TermSplit::Search));
        // Reference terms never match softly.
        QCOMPARE(detail::bm25Scores(docs, "movie", detail::TermSplit::Reference, v->get()),
                 std::vector<double>({0, 0, 0}));
    }

    // The bundled terse-words vectors: near-synonyms above the soft-match floor, unrelated words
    // far below it, and a question whose words none of the passages holds finds the passage that
    // says the same thing in other words.
    void bundledVectorsMatchSynonyms()
    {
        auto v = WordVectors::loadDefault();
        QVERIFY2(v.ok(), v ? "" : v.error().detail.c_str());
        const WordVectors &w = **v;
        auto sim = [&](const char *a, const char *b) { return w.similarity(w.find(a), w.find(b)); };
        for (const char *word :
             {"movie", "film", "mainly", "primarily", "start", "begin", "potato"})
            QVERIFY2(w.find(word) >= 0, word);
        QVERIFY(sim("movie", "film") >= detail::kSoftMatchFloor);
        QVERIFY(sim("mainly", "primarily") >= detail::kSoftMatchFloor);
        QVERIFY(sim("movie", "potato") < 0.3f);
        const std::vector<std::string> docs = {
            "The novel was published in 1997 by Bloomsbury in London.",
            "Filming of the adaptation began in 2000; the film premiered in November 2001.",
            "The author was born in 1965 and studied French at Exeter."};
        const std::string q = "When did the movie come out?";
        QCOMPARE(detail::bm25Scores(docs, q, detail::TermSplit::Search),
                 std::vector<double>({0, 0, 0}));
        const auto soft = detail::bm25Scores(docs, q, detail::TermSplit::Search, &w);
        QVERIFY(soft[1] > 0);
        QCOMPARE(soft[0], 0.0);
        QCOMPARE(soft[2], 0.0);
    }

    // Two words that share every context ("cat" and "dog" chase and eat the same things) end up
    // closer to each other than to words of another topic; the file loads back with the words
    // most frequent first.
    void trainerLearnsSharedContexts()
    {
        QTemporaryDir dir;
        const std::string corpus = dir.filePath("corpus.txt").toStdString();
        {
            std::ofstream f(corpus);
            std::mt19937 rng(5);
            const std::vector<std::string> pets = {"cat", "dog"}, money = {"stock", "bond"};
            const std::vector<std::string> petVerb = {"chased", "ate", "watched", "followed"},
                                           petObj = {"mouse", "bird", "ball", "fish"};
            const std::vector<std::string> moneyVerb = {"rose", "fell", "traded", "gained"},
                                           moneyObj = {"sharply", "today", "early", "slowly"};
            for (int d = 0; d < 300; ++d) {
                for (int s = 0; s < 20; ++s) {
                    const bool pet = rng() % 2;
                    const auto &subj = pet ? pets : money;
                    const auto &verb = pet ? petVerb : moneyVerb;
                    const auto &obj = pet ? petObj : moneyObj;
                    f << "the " << subj[rng() % 2] << ' ' << verb[rng() % 4] << ' '
                      << obj[rng() % 4] << ". ";
                }
                f << "\n<|doc|>\n";
            }
        }
        WordVectorTrainOptions o;
        o.corpus = corpus;
        o.outputPath = dir.filePath("v.safetensors").toStdString();
        o.dim = 16;
        o.window = 3;
        o.minCount = 2;
        o.epochs = 5;
        o.sample = 0;
        o.threads = 1;
        auto r = trainWordVectors(o, {});
        QVERIFY2(r.ok(), r ? "" : r.error().detail.c_str());
        QCOMPARE(r->documents, 300LL);
        QCOMPARE(r->corpusWords, 300LL * 20 * 4);
        QCOMPARE(r->vocabSize, 21);
        auto v = WordVectors::load(o.outputPath);
        QVERIFY2(v.ok(), v ? "" : v.error().detail.c_str());
        QCOMPARE((*v)->word(0), std::string("the")); // 6000 times, every sentence
        QCOMPARE((*v)->count(0), 6000LL);
        const int cat = (*v)->find("cat"), dog = (*v)->find("dog"), stock = (*v)->find("stock");
        QVERIFY(cat >= 0 && dog >= 0 && stock >= 0);
        const float same = (*v)->similarity(cat, dog), other = (*v)->similarity(cat, stock);
        QVERIFY2(same > other + 0.3f,
                 (std::to_string(same) + " vs " + std::to_string(other)).c_str());
        QCOMPARE((*v)->nearest("stock", 1).front().first, std::string("bond"));
    }

    void trainerRefusals()
    {
        QTemporaryDir dir;
        WordVectorTrainOptions o;
        o.corpus = dir.filePath("missing.txt").toStdString();
        o.outputPath = dir.filePath("v.safetensors").toStdString();
        auto r = trainWordVectors(o, {});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::NotFound);
        QVERIFY(r.error().detail.find("missing.txt") != std::string::npos);
        const std::string tiny = dir.filePath("tiny.txt").toStdString();
        std::ofstream(tiny) << "one two three";
        o.corpus = tiny;
        r = trainWordVectors(o, {});
        QVERIFY(!r.ok());
        QVERIFY2(r.error().detail.find("fewer than 2 words") != std::string::npos,
                 r.error().detail.c_str());
        o.dim = 2;
        r = trainWordVectors(o, {});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        QVERIFY(r.error().detail.find("dim 2") != std::string::npos);
        QVERIFY(!QFile::exists(QString::fromStdString(o.outputPath)));
    }
};

QTEST_GUILESS_MAIN(TestWordVectors)
#include "test_word_vectors.moc"
