// Training of the default models on tiny data: word labels from deletion-based compressions
// (hand-computed), a short LM run lowers the loss and its saved folder, loaded through
// terse::Model, reproduces the trainer's own numbers; the same for the keep/drop tagger, whose
// evaluation beats the stopword baseline on a rule the stopword list does not know.
#include "terse/model.h"
#include "terse/runtime.h"
#include "terse/tokenizer.h"
#include "terse/train.h"
#include "train/step_threads.h"
#include "train/time_budget.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <random>

using namespace terse;

namespace {
ScoreRequest noEntropy()
{
    ScoreRequest r;
    r.wantEntropy = false;
    return r;
}

void writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(data);
}

// Sentences of content words with filler words ("really", "basically", ...) that the "human"
// dropped.
// Largest |p(keep) of the loaded model - the trainer's| over the trainer's sample sentence (1 when
// scoring fails).
double keepProbGap(const Model &model, const TaggerTrainReport &r)
{
    auto scored = model.score({r.sampleIds}, noEntropy());
    if (!scored)
        return 1.0;
    double gap = 0;
    for (std::size_t t = 0; t < r.sampleIds.size(); ++t)
        gap =
            std::max(gap, std::abs(static_cast<double>(scored->sequences[0].classProbs[t * 2 + 1]) -
                                   r.sampleKeepProbs[t]));
    return gap;
}

// True when trainTagger refuses `o` with `code` and a message holding `says` ("" = any).
bool refused(const TaggerTrainOptions &o, ErrorCode code, const std::string &says = {})
{
    const auto r = trainTagger(o, JobContext::none());
    if (r) {
        qWarning("trainTagger trained where a refusal was expected");
        return false;
    }
    qInfo("refused: %s", r.error().detail.c_str());
    return r.error().code == code && r.error().detail.find(says) != std::string::npos;
}

QByteArray syntheticCompressions(int count, std::uint32_t seed)
{
    const char *content[] = {"river",  "engine", "garden", "market", "teacher", "window",
                             "planet", "doctor", "bridge", "coffee", "forest",  "pencil",
                             "castle", "rocket", "signal", "harbor"};
    const char *filler[] = {"really", "basically", "actually", "literally", "honestly", "totally"};
    std::mt19937 rng(seed);
    QByteArray out;
    for (int i = 0; i < count; ++i) {
        QStringList text, kept;
        const int n = 5 + static_cast<int>(rng() % 8);
        for (int w = 0; w < n; ++w) {
            if (rng() % 3 == 0) {
                text << filler[rng() % 6];
            } else {
                const QString c = content[rng() % 16];
                text << c;
                kept << c;
            }
        }
        if (kept.isEmpty()) {
            text << "river";
            kept << "river";
        }
        QJsonObject o{{"id", i},
                      {"text", text.join(' ') + " ."},
                      {"summaries", QJsonArray{kept.join(' ') + " ."}}};
        out += QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n";
    }
    return out;
}
} // namespace

class TestTrainModels : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_tokenizer;

    // A 2-layer LM on the fixture corpus, a minute's worth of steps.
    LmTrainOptions tinyLm(const QString &out, int vocab) const
    {
        LmTrainOptions o;
        o.corpus = m_dir.filePath("corpus.txt").toStdString();
        o.outputDir = m_dir.filePath(out).toStdString();
        o.vocabSize = vocab;
        o.hidden = 32;
        o.layers = 2;
        o.heads = 2;
        o.kvHeads = 1;
        o.intermediate = 64;
        o.maxPositions = 128;
        o.seqLen = 48;
        o.batchSize = 8;
        o.steps = 60;
        o.warmupSteps = 5;
        o.lr = 1e-2;
        o.checkpointEvery = 1000;
        return o;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // A small byte-level BPE trained on the fixture text, shared by both models.
        QByteArray corpus;
        for (int i = 0; i < 40; ++i)
            corpus += syntheticCompressions(20, static_cast<std::uint32_t>(i)) + "<|doc|>\n";
        writeFile(m_dir.filePath("corpus.txt"), corpus);
        TokenizerTrainOptions t;
        t.corpus = m_dir.filePath("corpus.txt").toStdString();
        t.outputDir = m_dir.filePath("tok").toStdString();
        t.vocabSize = 320;
        auto r = trainTokenizer(t, JobContext::none());
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        m_tokenizer = m_dir.filePath("tok");
    }

    // "The cat sat on the mat ." compressed to "cat sat on mat ." -> words The|cat|sat|on|the|mat|.
    void labelsFromDeletionBasedCompressions()
    {
        writeFile(m_dir.filePath("pairs.jsonl"),
                  R"({"text": "The cat sat on the mat.", "summaries": ["cat sat on mat."]})"
                  "\n"
                  R"({"text": "Stocks fell sharply today", "summaries": ["Markets drop"]})"
                  "\n"
                  R"({"text": "Ünïcode wörds stay whole, OK?", "summaries": ["wörds stay whole"]})"
                  "\n");
        auto p = loadCompressionPairs({m_dir.filePath("pairs.jsonl").toStdString()}, 0);
        QVERIFY2(p, p ? "" : p.error().detail.c_str());
        QCOMPARE(p->skipped, 1LL); // the abstractive headline
        QCOMPARE(static_cast<int>(p->train.size()), 2);
        const auto &a = p->train[0];
        QCOMPARE(static_cast<int>(a.words.size()), 7);
        QCOMPARE(a.keep, (std::vector<std::uint8_t>{0, 1, 1, 1, 0, 1, 1}));
        QCOMPARE(a.text.substr(a.words[5].begin, a.words[5].size()), std::string("mat"));
        const auto &b = p->train[1];
        QCOMPARE(b.text.substr(b.words[0].begin, b.words[0].size()), std::string("Ünïcode"));
        QCOMPARE(b.keep, (std::vector<std::uint8_t>{0, 1, 1, 1, 0, 0, 0}));

        writeFile(m_dir.filePath("bad.jsonl"), R"({"text": "a", "summaries": ["a"]})"
                                               "\n\n{broken\n");
        auto bad = loadCompressionPairs({m_dir.filePath("bad.jsonl").toStdString()}, 5);
        QVERIFY(!bad);
        QVERIFY2(bad.error().detail.find("bad.jsonl line 3: not a JSON object") !=
                     std::string::npos,
                 bad.error().detail.c_str());
        auto missing = loadCompressionPairs({m_dir.filePath("nope.jsonl").toStdString()}, 5);
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
    }

    void lmShortRunLowersLossAndReloadsIdentically()
    {
        auto tok = Tokenizer::load(m_tokenizer.toStdString());
        QVERIFY(tok);
        const LmTrainOptions o = tinyLm("lm", static_cast<int>(tok->vocabSize()));
        auto r = trainLanguageModel(o, encoderFor(*tok), JobContext::none());
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        qInfo("LM loss %.3f -> %.3f nats/token", r->firstLoss, r->finalLoss);
        QVERIFY(r->firstLoss >
                std::log(static_cast<double>(o.vocabSize)) - 0.5); // starts near uniform
        QVERIFY(r->finalLoss < r->firstLoss - 1.0);

        // `terse train lm` copies the tokenizer beside the weights; do the same for the tagger's LM
        // baseline.
        for (const char *f : {"tokenizer.json", "tokenizer_config.json"})
            QVERIFY(QFile::copy(m_tokenizer + "/" + f, m_dir.filePath("lm/") + f));
        auto model = Model::load(o.outputDir);
        QVERIFY2(model, model ? "" : model.error().detail.c_str());
        QCOMPARE(model->info().kind, ModelKind::CausalLM);
        QVERIFY(r->sampleIds.size() > 10);
        auto scored = model->score({r->sampleIds});
        QVERIFY(scored);
        const auto &s = scored->sequences[0].surprisal;
        double maxDiff = 0;
        for (std::size_t i = 1; i < r->sampleIds.size(); ++i)
            maxDiff =
                std::max(maxDiff, std::abs(static_cast<double>(s[i]) - r->sampleSurprisal[i]));
        qInfo("max |surprisal(engine) - surprisal(trainer)| = %.2e", maxDiff);
        QVERIFY(maxDiff < 1e-3);
    }

    // A training step's thread count follows the measured speed (made-up timings): on an idle
    // machine the widest count runs all but the probes; when another process makes the wide steps
    // slow, the trainer falls back to one thread within a few steps, and returns when the load
    // goes.
    void stepThreadsFollowTheMeasuredSpeed()
    {
        double wide = 0.5; // seconds per token at 2 threads; 1 thread always takes 1.0
        train::StepThreads t(2, 20);
        int atOne = 0, switchedAt = -1, backAt = -1;
        for (int step = 0; step < 300; ++step) {
            if (step == 100)
                wide = 5.0; // another process takes a core: every barrier waits
            if (step == 200)
                wide = 0.5;
            const int n = t.next();
            QVERIFY(n == 1 || n == 2);
            if (step < 100 && n == 1)
                ++atOne;
            t.done(n == 2 ? wide : 1.0);
            if (step >= 100 && switchedAt < 0 && t.current() == 1)
                switchedAt = step;
            if (step >= 200 && backAt < 0 && t.current() == 2)
                backAt = step;
        }
        qInfo("idle: %d of 100 steps at 1 thread; busy: 1 thread from step %d (load at 100); "
              "idle again: 2 threads from step %d (at 200)",
              atOne, switchedAt, backAt);
        QVERIFY(atOne <= 5);                             // the probes, one in 20
        QVERIFY(switchedAt >= 100 && switchedAt <= 102); // the slow step calls a probe at once
        QVERIFY(backAt >= 200 && backAt <= 252); // the last probe took 5.0: the next waits 50 steps
        QCOMPARE(t.current(), 2);

        // Busy from the start: the probe right after the first counted step finds one thread faster
        // (a 2-thread run with a busy loop beside it ran every step 18x slower than alone).
        train::StepThreads busy(2, 20);
        int firstAtOne = -1;
        for (int step = 0; step < 10; ++step) {
            const int n = busy.next();
            busy.done(n == 2 ? 5.0 : 1.0);
            if (firstAtOne < 0 && busy.current() == 1)
                firstAtOne = step;
        }
        QCOMPARE(firstAtOne, 2);

        // Another process holds a core (measured: 1 of 2 cores free): at one thread no 2-thread
        // probe runs while it does (each took 18x a step); when it lets go, one runs at once.
        train::StepThreads held(2, 20);
        int probesWhileHeld = 0, upAt = -1;
        for (int step = 0; step < 300; ++step) {
            const bool busyNow = step < 200;
            const int n = held.next();
            if (busyNow && step > 2 && n == 2)
                ++probesWhileHeld;
            held.done(n == 2 ? (busyNow ? 18.0 : 0.5) : 1.0);
            held.freeCores(busyNow ? 1.0 : 2.0);
            if (!busyNow && upAt < 0 && held.current() == 2)
                upAt = step;
        }
        QCOMPARE(probesWhileHeld, 0);
        QVERIFY2(upAt >= 200 && upAt <= 202, qPrintable(QString::number(upAt)));

        // Eight cores where four is fastest (more threads than that wait on each other).
        train::StepThreads eight(8, 10);
        for (int step = 0; step < 200; ++step) {
            const int n = eight.next();
            QVERIFY(n >= 1 && n <= 8);
            eight.done(n <= 4 ? 1.0 / n : 0.25 + 0.05 * (n - 4));
        }
        QCOMPARE(eight.current(), 4);

        // One thread allowed: nothing to probe.
        train::StepThreads one(1, 2);
        for (int step = 0; step < 20; ++step) {
            QCOMPARE(one.next(), 1);
            one.done(1.0);
        }
    }

    // --max-seconds with made-up step times: the first fit takes steps 5..25; when the steps
    // slow down for good the schedule shortens so that it ends (the learning rate at its floor)
    // before the deadline; a short slowdown the slack absorbs leaves it alone; a resumed run refits
    // without a first fit; a schedule never grows.
    void timeBudgetShortensTheScheduleWhenStepsSlowDown()
    {
        // Runs a timed loop as the trainer does; `secondsAt(step)` is each step's time.
        auto run = [](double maxSeconds, long long steps, auto secondsAt, long long start = 0,
                      bool fitted = false) {
            train::TimeBudget b(maxSeconds, start, fitted);
            long long scheduled = steps, step = start, longest = 0;
            double used = 0;
            bool grew = false;
            for (; step < scheduled; ++step) {
                const long long s = b.fit(step, used, scheduled);
                grew |= s > scheduled;
                scheduled = s;
                longest = std::max(longest, scheduled);
                if (step >= scheduled || used > 1.05 * maxSeconds)
                    break;
                used += secondsAt(step);
            }
            struct Out {
                long long step, scheduled;
                double used;
                int refits;
                bool grew;
            };
            return Out{step, scheduled, used, b.refits(), grew};
        };
        // Idle: 1 s per step, 1000 s: fitted once to ~930 steps, never refitted, done in time.
        auto idle = run(1000, 100000, [](long long) { return 1.0; });
        QCOMPARE(idle.scheduled, 930LL);
        QCOMPARE(idle.step, idle.scheduled);
        QCOMPARE(idle.refits, 0);
        QVERIFY(idle.used <= 0.95 * 1000);
        // Another process takes a core at step 300: steps take 2.5 s from then on. The schedule
        // shortens within the averaging window and still ends before the deadline.
        auto busy = run(1000, 100000, [](long long s) { return s < 300 ? 1.0 : 2.5; });
        qInfo("busy from step 300: %lld steps, %.0f s of 1000, %d refits", busy.scheduled,
              busy.used, busy.refits);
        QCOMPARE(busy.step, busy.scheduled); // the cosine ran to its end
        QVERIFY(busy.scheduled < 930 && busy.scheduled > 300);
        QVERIFY(busy.used <= 1000);
        QVERIFY(busy.refits >= 1);
        QVERIFY(!busy.grew);
        // Without refits the same run would have needed 300 + 630 x 2.5 = 1875 s (stopped at 1050
        // s with the learning rate mid-way). A 10-step slowdown (3 s) fits the slack: no refit.
        auto blip = run(1000, 100000, [](long long s) { return s >= 400 && s < 410 ? 3.0 : 1.0; });
        QCOMPARE(blip.refits, 0);
        QCOMPARE(blip.scheduled, 930LL);
        // Faster later steps never lengthen the schedule.
        auto faster = run(1000, 100000, [](long long s) { return s < 100 ? 1.0 : 0.5; });
        QCOMPARE(faster.scheduled, 930LL);
        QVERIFY(!faster.grew);
        // A resumed run (its schedule fitted before: 930 steps, resumed at 600) that is now slower
        // than fits in this process's budget refits from its own steps.
        auto resumed = run(
            500, 930, [](long long) { return 1.5; }, 600, true);
        QCOMPARE(resumed.step, resumed.scheduled);
        QVERIFY(resumed.scheduled < 930);
        QVERIFY(resumed.used <= 500);
        // No budget: the schedule is the caller's.
        QCOMPARE(train::TimeBudget(0, 0, false).fit(30, 100, 77), 77LL);
    }

    // Each step says how many threads it ran on, within the count the caller set (`terse train lm
    // --threads 1` ran on every core: the trainer called initRuntime() again).
    void lmStepsKeepTheCallersThreadCount()
    {
        auto tok = Tokenizer::load(m_tokenizer.toStdString());
        QVERIFY(tok);
        LmTrainOptions o = tinyLm("lm-threads", static_cast<int>(tok->vocabSize()));
        o.steps = 3;
        o.batchSize = 128; // ~1 GFLOP a step: above the work that always runs on one thread
        std::vector<std::string> stages;
        initRuntime(1);
        auto r = trainLanguageModel(
            o, encoderFor(*tok),
            JobContext([&](long long, long long, const std::string &s) { stages.push_back(s); }));
        const int after = runtimeThreads();
        initRuntime(0);
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        int steps = 0;
        for (const auto &s : stages)
            if (s.rfind("loss ", 0) == 0) {
                ++steps;
                QVERIFY2(s.find(" threads 1") != std::string::npos, s.c_str());
            }
        QCOMPARE(steps, 3);
        QCOMPARE(after, 1);
    }

    void taggerShortRunLearnsTheRuleAndReloadsIdentically()
    {
        writeFile(m_dir.filePath("tagger.jsonl"), syntheticCompressions(300, 99));
        TaggerTrainOptions o;
        o.data = {m_dir.filePath("tagger.jsonl").toStdString()};
        o.tokenizer = m_tokenizer.toStdString();
        o.outputDir = m_dir.filePath("tagger").toStdString();
        o.hidden = 32;
        o.layers = 1;
        o.heads = 2;
        o.intermediate = 64;
        o.maxPositions = 64;
        o.epochs = 6;
        o.batchSize = 16;
        o.lr = 3e-3;
        o.warmupSteps = 5;
        auto r = trainTagger(o, JobContext::none());
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        QCOMPARE(r->trainSentences, 240);
        QCOMPARE(r->heldoutSentences, 60);
        QCOMPARE(static_cast<int>(r->epochLoss.size()), 6);
        qInfo("tagger loss %.3f -> %.3f, held-out F1 %.3f", r->epochLoss.front(),
              r->epochLoss.back(), r->heldout.f1);
        QVERIFY(r->epochLoss.back() < 0.5 * r->epochLoss.front());

        // The saved folder, loaded like a user model, gives the trainer's probabilities.
        auto model = Model::load(o.outputDir);
        QVERIFY2(model, model ? "" : model.error().detail.c_str());
        QCOMPARE(model->info().kind, ModelKind::TokenClassifier);
        QCOMPARE(model->info().numLabels, 2);
        const double maxDiff = keepProbGap(*model, *r);
        qInfo("max |p(engine) - p(trainer)| = %.2e", maxDiff);
        QVERIFY(maxDiff < 1e-4);

        // Evaluation through the engine: the same held-out F1 as the trainer's, above the stopword
        // baseline (the filler words are not stopwords), and the LM baseline runs when an LM is
        // given.
        auto e = evalTagger(o.outputDir, o.data, m_dir.filePath("lm").toStdString(), o.heldoutEvery,
                            JobContext::none());
        QVERIFY2(e, e ? "" : e.error().detail.c_str());
        QCOMPARE(e->sentences, 60);
        QVERIFY(std::abs(e->tagger.f1 - r->heldout.f1) < 0.01); // a word at p = 0.5 may flip
        QVERIFY2(e->tagger.f1 > 0.95, qPrintable(QString::number(e->tagger.f1)));
        QVERIFY(e->tagger.f1 > e->stopwords.f1);
        QVERIFY(e->tagger.f1 > e->keepAll.f1);
        QVERIFY(std::abs(e->keepAll.f1 - 2 * e->humanRate / (1 + e->humanRate)) < 1e-9);
        QVERIFY(!e->lm.empty());
        QVERIFY(e->surprisal.words == e->tagger.words);
        // The human rate ranks by surprisal keep exactly the human's number of words.
        QCOMPARE(e->surprisalAtHumanRate.words, e->tagger.words);
        QVERIFY(std::abs(e->surprisalAtHumanRate.rate - e->humanRate) < 1e-9);
        // Running text: the 60 held-out sentences in passages of up to 64 tokens (the tagger's
        // context), every word scored once, the rule still learned.
        QVERIFY2(e->passages > 1 && e->passages < 60, qPrintable(QString::number(e->passages)));
        QCOMPARE(e->inPassages.words, e->tagger.words);
        QVERIFY2(e->inPassages.f1 > 0.9, qPrintable(QString::number(e->inPassages.f1)));
        QVERIFY(e->humanRate > 0.5 && e->humanRate < 0.9);

        // A warm start from the LM's token embeddings: the same width copies them, a narrower
        // tagger takes their first principal components (32 -> 16 here) and still learns the rule;
        // a wider one is refused with the shape it needs.
        TaggerTrainOptions w = o;
        w.initFrom = m_dir.filePath("lm").toStdString();
        w.hidden = 16;
        w.outputDir = m_dir.filePath("tagger-warm").toStdString();
        auto warm = trainTagger(w, JobContext::none());
        QVERIFY2(warm, warm ? "" : warm.error().detail.c_str());
        qInfo("warm-started tagger (hidden 16 from the LM's 32): held-out F1 %.3f",
              warm->heldout.f1);
        QVERIFY(warm->heldout.f1 > 0.9);
        w.hidden = 64;
        w.heads = 2;
        QVERIFY(refused(w, ErrorCode::InvalidInput, "H >= 64"));

        // --arch llama: the LM's first layer fine-tuned as a bidirectional
        // LlamaForTokenClassification learns the rule too and reloads with the trainer's numbers.
        TaggerTrainOptions l = o;
        l.arch = "llama";
        l.initFrom = m_dir.filePath("lm").toStdString();
        l.layers = 1;
        l.lr = 3e-3;
        l.passages = true;
        l.outputDir = m_dir.filePath("tagger-llama").toStdString();
        auto lr = trainTagger(l, JobContext::none());
        QVERIFY2(lr, lr ? "" : lr.error().detail.c_str());
        qInfo("llama tagger (1 of the LM's 2 layers): loss %.3f -> %.3f, held-out F1 %.3f",
              lr->epochLoss.front(), lr->epochLoss.back(), lr->heldout.f1);
        QVERIFY(lr->heldout.f1 > 0.9);
        // The 240 training sentences (~30 tokens each here) also travel in passages of up to 64
        // tokens: some joined, none lost.
        QVERIFY2(lr->trainPassages > 240 / 4 && lr->trainPassages < 240,
                 qPrintable(QString::number(lr->trainPassages)));
        QCOMPARE(lr->trainSentences, 240);
        {
            std::ifstream cin(l.outputDir + "/config.json");
            const auto config = nlohmann::json::parse(cin);
            QCOMPARE(config["architectures"][0].get<std::string>(),
                     std::string("LlamaForTokenClassification"));
            QCOMPARE(config["num_hidden_layers"].get<int>(), 1);
            QCOMPARE(config["is_causal"].get<bool>(), false);
        }
        auto lm = Model::load(l.outputDir);
        QVERIFY2(lm, lm ? "" : lm.error().detail.c_str());
        QCOMPARE(lm->info().kind, ModelKind::TokenClassifier);
        QCOMPARE(lm->info().layers, 1);
        const double llamaDiff = keepProbGap(*lm, *lr);
        QVERIFY2(llamaDiff < 1e-4, qPrintable(QString::number(llamaDiff)));
        // More layers than the LM has, no LM, or a model that is not a Llama LM: refused by name.
        l.layers = 3;
        QVERIFY(refused(l, ErrorCode::InvalidArgument, "has 2 layers"));
        l.layers = 1;
        l.initFrom.clear();
        QVERIFY(refused(l, ErrorCode::InvalidArgument));
        l.initFrom = o.outputDir; // the BERT tagger
        QVERIFY(refused(l, ErrorCode::InvalidInput, "config.json"));
    }

    // `terse train encode`: documents index % 2 == 1 of five, each followed by the separator, read
    // back whole; damaged files are refused with what is wrong.
    void tokenFileRoundTripAndDamage()
    {
        auto tok = Tokenizer::load(m_tokenizer.toStdString());
        QVERIFY(tok);
        const std::vector<std::string> docs = {"river engine", "garden market teacher", "window",
                                               "planet doctor", "bridge"};
        QByteArray text;
        for (std::size_t i = 0; i < docs.size(); ++i)
            text +=
                QByteArray::fromStdString(docs[i]) + (i + 1 < docs.size() ? "\n<|doc|>\n" : "\n");
        writeFile(m_dir.filePath("five.txt"), text);
        const EncodeFn encode = encoderFor(*tok);
        TokenFileOptions o;
        o.corpus = m_dir.filePath("five.txt").toStdString();
        o.outputPath = m_dir.filePath("five.tok.gz").toStdString();
        o.keepEvery = 2;
        o.keepOffset = 1;
        o.threads = 3;
        const int sep = 0;
        auto r = encodeCorpusToTokenFile(o, encode, static_cast<int>(tok->vocabSize()), sep,
                                         JobContext::none());
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        std::vector<std::int32_t> expected;
        for (int i : {1, 3}) {
            for (int id : encode(docs[static_cast<std::size_t>(i)]))
                expected.push_back(id);
            expected.push_back(sep);
        }
        QCOMPARE(r->documents, 2LL);
        QCOMPARE(r->tokens, static_cast<long long>(expected.size()));
        QCOMPARE(r->textBytes, static_cast<std::uint64_t>(docs[1].size() + docs[3].size()));
        auto f = readTokenFile(o.outputPath);
        QVERIFY2(f, f ? "" : f.error().detail.c_str());
        QCOMPARE(f->ids, expected);
        QCOMPARE(f->vocabSize, static_cast<int>(tok->vocabSize()));
        QCOMPARE(f->documents, 2LL);
        QCOMPARE(f->textBytes, r->textBytes);
        QVERIFY(!QFile::exists(m_dir.filePath("five.tok.gz.partial")));

        // Not a token file; an id outside the vocabulary the header states.
        writeFile(m_dir.filePath("plain.gz"), "just text, not gzip and not tokens");
        auto bad = readTokenFile(m_dir.filePath("plain.gz").toStdString());
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, ErrorCode::FormatError);
        QVERIFY2(bad.error().detail.find("plain.gz") != std::string::npos,
                 bad.error().detail.c_str());
        std::string raw("TERSETOK", 8);
        for (std::uint32_t v : {1u, 10u, 2u, 0u})
            raw.append(reinterpret_cast<const char *>(&v),
                       4); // version 1, vocab 10, 2-byte ids, separator 0
        for (std::uint16_t id : {std::uint16_t(3), std::uint16_t(12)})
            raw.append(reinterpret_cast<const char *>(&id), 2);
        raw.append(16, '\0');
        writeFile(m_dir.filePath("outside.tok"),
                  QByteArray::fromStdString(raw)); // gzread reads plain files too
        bad = readTokenFile(m_dir.filePath("outside.tok").toStdString());
        QVERIFY(!bad);
        QVERIFY2(bad.error().detail.find("id 12 at position 1") != std::string::npos,
                 bad.error().detail.c_str());

        // The trainer refuses a token file of another vocabulary, naming both sizes.
        LmTrainOptions lo;
        lo.tokens = m_dir.filePath("outside.tok").toStdString();
        lo.outputDir = m_dir.filePath("lm-bad").toStdString();
        lo.vocabSize = 320;
        raw.replace(26, 2, "\x01\x00",
                    2); // make the ids valid: the vocabulary mismatch is what remains
        writeFile(m_dir.filePath("outside.tok"), QByteArray::fromStdString(raw));
        auto tr = trainLanguageModel(lo, encode, JobContext::none());
        QVERIFY(!tr);
        QVERIFY2(tr.error().detail.find("vocabulary of 10, the tokenizer has 320") !=
                     std::string::npos,
                 tr.error().detail.c_str());
    }

    // Training from a token file: seeded random windows (the same seed gives the same first loss),
    // the loss falls, and a time budget fits the schedule instead of running the million steps
    // asked for.
    void lmTrainsOnTokenFileWithinTimeBudget()
    {
        auto tok = Tokenizer::load(m_tokenizer.toStdString());
        QVERIFY(tok);
        const EncodeFn encode = encoderFor(*tok);
        TokenFileOptions to;
        to.corpus = m_dir.filePath("corpus.txt").toStdString();
        to.outputPath = m_dir.filePath("corpus.tok.gz").toStdString();
        auto enc = encodeCorpusToTokenFile(to, encode, static_cast<int>(tok->vocabSize()), 0,
                                           JobContext::none());
        QVERIFY2(enc, enc ? "" : enc.error().detail.c_str());
        LmTrainOptions o;
        o.tokens = to.outputPath;
        o.vocabSize = static_cast<int>(tok->vocabSize());
        o.hidden = 32;
        o.layers = 1;
        o.heads = 2;
        o.kvHeads = 2;
        o.intermediate = 64;
        o.maxPositions = 48;
        o.seqLen = 48; // seq-len may equal max positions
        o.batchSize = 8;
        o.warmupSteps = 5;
        o.lr = 1e-2;
        o.checkpointEvery = 100000;
        double first[2] = {0, 0};
        for (int run = 0; run < 2; ++run) {
            o.outputDir = m_dir.filePath(QString("lm-tok%1").arg(run)).toStdString();
            o.steps = 40;
            auto r = trainLanguageModel(o, encode, JobContext::none());
            QVERIFY2(r, r ? "" : r.error().detail.c_str());
            first[run] = r->firstLoss;
            QVERIFY(r->finalLoss < r->firstLoss - 1.0);
            QCOMPARE(r->steps, 40LL);
        }
        QCOMPARE(first[0], first[1]);

        o.outputDir = m_dir.filePath("lm-timed").toStdString();
        o.steps = 1000000000LL;
        o.maxSeconds = 3;
        auto r = trainLanguageModel(o, encode, JobContext::none());
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        QVERIFY(r->steps > 25 && r->steps < o.steps);
        QVERIFY(QFile::exists(m_dir.filePath("lm-timed/model.safetensors")));
    }

    // --init: a run that starts from a trained model starts at its loss, not at log(vocab), and
    // with a learning rate too small to move a weight it saves the same model (the trainer's own
    // surprisal on the start of the text matches to float rounding). The architecture is the
    // model's, whatever the options said; a wrong vocabulary, a missing model and a tensor that
    // does not fit its config are refused, naming the field or tensor.
    void lmContinuesFromAnInitModel()
    {
        auto tok = Tokenizer::load(m_tokenizer.toStdString());
        QVERIFY(tok);
        const EncodeFn encode = encoderFor(*tok);
        LmTrainOptions a = tinyLm("lm-a", static_cast<int>(tok->vocabSize()));
        a.steps = 40;
        auto ra = trainLanguageModel(a, encode, JobContext::none());
        QVERIFY2(ra, ra ? "" : ra.error().detail.c_str());

        LmTrainOptions b = a;
        b.outputDir = m_dir.filePath("lm-b").toStdString();
        b.initFrom = a.outputDir;
        b.hidden = 64; // overridden by the model's config
        b.layers = 1;
        b.intermediate = 96;
        b.steps = 1;
        b.warmupSteps = 0;
        b.lr = 1e-12;
        auto rb = trainLanguageModel(b, encode, JobContext::none());
        QVERIFY2(rb, rb ? "" : rb.error().detail.c_str());
        QCOMPARE(rb->parameters, ra->parameters);
        qInfo("first loss: from scratch %.3f, from the init model %.3f", ra->firstLoss,
              rb->firstLoss);
        QVERIFY(rb->firstLoss < ra->firstLoss - 1.0);
        std::vector<float> surprisal[2];
        for (int m = 0; m < 2; ++m) {
            const QString dir = m_dir.filePath(m == 0 ? "lm-a" : "lm-b");
            for (const char *f : {"tokenizer.json", "tokenizer_config.json"})
                QVERIFY(QFile::copy(m_tokenizer + "/" + f, dir + "/" + f));
            auto model = Model::load(dir.toStdString());
            QVERIFY2(model, model ? "" : model.error().detail.c_str());
            auto scored = model->score({ra->sampleIds}, noEntropy());
            QVERIFY(scored);
            surprisal[m] = scored->sequences[0].surprisal;
        }
        QVERIFY(ra->sampleIds.size() > 10);
        double maxDiff = 0;
        for (std::size_t i = 1; i < ra->sampleIds.size(); ++i)
            maxDiff =
                std::max(maxDiff, std::abs(static_cast<double>(surprisal[0][i]) - surprisal[1][i]));
        qInfo("max |surprisal(continued) - surprisal(init)| = %.2e", maxDiff);
        QVERIFY(maxDiff < 1e-4);

        LmTrainOptions bad = b;
        bad.outputDir = m_dir.filePath("lm-bad").toStdString();
        bad.vocabSize = b.vocabSize + 1;
        auto wrongVocab = trainLanguageModel(bad, encode, JobContext::none());
        QVERIFY(!wrongVocab);
        QVERIFY2(wrongVocab.error().detail.find("'vocab_size'") != std::string::npos,
                 wrongVocab.error().detail.c_str());
        bad.vocabSize = b.vocabSize;
        bad.initFrom = m_dir.filePath("no-such-model").toStdString();
        auto missing = trainLanguageModel(bad, encode, JobContext::none());
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        // A config that promises a wider MLP than the weights hold.
        const QString damaged = m_dir.filePath("lm-damaged");
        QVERIFY(QDir().mkpath(damaged));
        QVERIFY(
            QFile::copy(m_dir.filePath("lm-a/model.safetensors"), damaged + "/model.safetensors"));
        std::ifstream in(m_dir.filePath("lm-a/config.json").toStdString());
        auto cfg = nlohmann::json::parse(in);
        cfg["intermediate_size"] = 72;
        writeFile(damaged + "/config.json", QByteArray::fromStdString(cfg.dump()));
        bad.initFrom = damaged.toStdString();
        auto misshaped = trainLanguageModel(bad, encode, JobContext::none());
        QVERIFY(!misshaped);
        QVERIFY2(misshaped.error().detail.find("lm-damaged") != std::string::npos &&
                     misshaped.error().detail.find("mlp.gate_proj.weight") != std::string::npos,
                 misshaped.error().detail.c_str());
        // A config claiming a hidden size of 2^20 (an embedding of 320 x 2^20 floats, 1.3 GB, and
        // layers far larger): refused from the file's tensor shapes before anything is allocated.
        cfg =
            nlohmann::json::parse(std::ifstream(m_dir.filePath("lm-a/config.json").toStdString()));
        cfg["hidden_size"] = 1 << 20;
        cfg["intermediate_size"] = 1 << 22;
        cfg.erase("head_dim");
        writeFile(damaged + "/config.json", QByteArray::fromStdString(cfg.dump()));
        auto huge = trainLanguageModel(bad, encode, JobContext::none());
        QVERIFY(!huge);
        QCOMPARE(huge.error().code, ErrorCode::FormatError);
        QVERIFY2(huge.error().detail.find("model.embed_tokens.weight") != std::string::npos,
                 huge.error().detail.c_str());
        // A NaN in the weights (the file's last bf16 element, 0x7fc0): refused by name, as the
        // inference loader does, instead of a "diverged" report after the first step.
        QVERIFY(QFile::remove(damaged + "/config.json"));
        QVERIFY(QFile::copy(m_dir.filePath("lm-a/config.json"), damaged + "/config.json"));
        {
            QFile f(damaged + "/model.safetensors");
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.seek(f.size() - 2));
            QCOMPARE(f.write(QByteArray("\xc0\x7f", 2)), qint64(2));
        }
        auto nan = trainLanguageModel(bad, encode, JobContext::none());
        QVERIFY(!nan);
        QCOMPARE(nan.error().code, ErrorCode::FormatError);
        QVERIFY2(nan.error().detail.find("NaN") != std::string::npos, nan.error().detail.c_str());
    }

    void badTaggerOptions()
    {
        TaggerTrainOptions o;
        o.data = {m_dir.filePath("tagger.jsonl").toStdString()};
        o.tokenizer = m_dir.filePath("no-such-tokenizer").toStdString();
        o.outputDir = m_dir.filePath("t2").toStdString();
        auto r = trainTagger(o, JobContext::none());
        QVERIFY(!r);
        o.tokenizer = m_tokenizer.toStdString();
        o.heads = 5; // 192 is not a multiple of 5
        QVERIFY(refused(o, ErrorCode::InvalidArgument));
        auto e = evalTagger(m_dir.filePath("lm").toStdString(), o.data, "", 5, JobContext::none());
        QVERIFY(!e); // a causal LM is not a tagger
        QCOMPARE(e.error().code, ErrorCode::Unsupported);
    }

    // Each trainer checks where it writes before the work (the LM and tagger wrote their folders at
    // the end: a file named like --out cost the whole run).
    void outputsAreCheckedBeforeTraining()
    {
        const std::string file = m_dir.filePath("a-file").toStdString();
        writeFile(QString::fromStdString(file), "x");
        auto says = [](const Error &e, ErrorCode code, const char *what) {
            qInfo("refused: %s", e.detail.c_str());
            return e.code == code && e.detail.find(what) != std::string::npos;
        };
        auto tok = Tokenizer::load(m_tokenizer.toStdString());
        QVERIFY(tok);
        LmTrainOptions lm = tinyLm("unused", static_cast<int>(tok->vocabSize()));
        lm.outputDir = file;
        auto r = trainLanguageModel(lm, encoderFor(*tok), JobContext::none());
        QVERIFY(!r);
        QVERIFY(says(r.error(), ErrorCode::InvalidArgument, "is a file"));
        lm.outputDir = m_dir.filePath("lm-out").toStdString();
        lm.checkpointDir = file + "/checkpoint"; // under a file: cannot be made
        r = trainLanguageModel(lm, encoderFor(*tok), JobContext::none());
        QVERIFY(!r);
        QVERIFY(says(r.error(), ErrorCode::IoError, "a-file/checkpoint"));

        TaggerTrainOptions tg;
        tg.data = {m_dir.filePath("tagger.jsonl").toStdString()};
        tg.tokenizer = m_tokenizer.toStdString();
        tg.outputDir = file;
        QVERIFY(refused(tg, ErrorCode::InvalidArgument, "is a file"));

        TokenizerTrainOptions tk;
        tk.corpus = m_dir.filePath("corpus.txt").toStdString();
        tk.outputDir = file;
        auto t = trainTokenizer(tk, JobContext::none());
        QVERIFY(!t);
        QVERIFY(says(t.error(), ErrorCode::InvalidArgument, "is a file"));

        TokenFileOptions tf;
        tf.corpus = m_dir.filePath("corpus.txt").toStdString();
        tf.outputPath = m_dir.path().toStdString(); // a folder
        auto e = encodeCorpusToTokenFile(tf, encoderFor(*tok), static_cast<int>(tok->vocabSize()),
                                         0, JobContext::none());
        QVERIFY(!e);
        QVERIFY(says(e.error(), ErrorCode::InvalidArgument, "is a folder"));
        tf.outputPath = m_dir.filePath("no/such/x.tok.gz").toStdString();
        e = encodeCorpusToTokenFile(tf, encoderFor(*tok), static_cast<int>(tok->vocabSize()), 0,
                                    JobContext::none());
        QVERIFY(!e);
        QVERIFY(says(e.error(), ErrorCode::NotFound, "does not exist"));
        QVERIFY(!QFileInfo::exists(m_dir.filePath("no")));
    }
};

QTEST_GUILESS_MAIN(TestTrainModels)
#include "test_train_models.moc"
