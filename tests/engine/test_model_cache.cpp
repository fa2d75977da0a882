// The engine's model cache (issue 16, "models stay loaded"): a model released by every caller stays
// loaded for the next compression (LRU of TERSE_MODEL_CACHE models), concurrent callers share one
// load, a model rewritten on disk is loaded anew, and a cache of 0 keeps nothing beyond its users.
#include "models/model_context.h"
#include "terse/runtime.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace terse;
namespace fs = std::filesystem;

class TestModelCache : public QObject {
    Q_OBJECT
    std::string m_tagger;

private slots:
    void initTestCase()
    {
        auto p = defaultModelPath(DefaultModel::Tagger); // the smallest bundled model
        QVERIFY2(p, p ? "" : p.error().detail.c_str());
        m_tagger = *p;
    }

    void init() { detail::releaseCachedModels(); }

    void releasedModelStaysLoaded()
    {
        qunsetenv("TERSE_MODEL_CACHE");
        std::weak_ptr<const detail::LoadedModel> weak;
        {
            auto a = detail::loadModelWithTokenizer(m_tagger, DefaultModel::Tagger);
            QVERIFY2(a, a ? "" : a.error().detail.c_str());
            weak = *a;
        }
        QVERIFY(!weak.expired()); // nobody holds it, the cache does
        auto b = detail::loadModelWithTokenizer(m_tagger, DefaultModel::Tagger);
        QVERIFY(b);
        QCOMPARE(b->get(), weak.lock().get());
        // Another dtype is another entry.
        auto c =
            detail::loadModelWithTokenizer(m_tagger, DefaultModel::Tagger, ComputeDtype::BFloat16);
        QVERIFY(c);
        QVERIFY(c->get() != b->get());
    }

    void capacityZeroKeepsOnlyWhatIsHeld()
    {
        qputenv("TERSE_MODEL_CACHE", "0");
        std::weak_ptr<const detail::LoadedModel> weak;
        {
            auto a = detail::loadModelWithTokenizer(m_tagger, DefaultModel::Tagger);
            QVERIFY(a);
            weak = *a;
            auto again = detail::loadModelWithTokenizer(m_tagger, DefaultModel::Tagger);
            QCOMPARE(again->get(), a->get()); // held: shared
        }
        QVERIFY(weak.expired());
        qunsetenv("TERSE_MODEL_CACHE");
    }

    void leastRecentIsReleasedBeyondCapacity()
    {
        qputenv("TERSE_MODEL_CACHE", "1");
        std::weak_ptr<const detail::LoadedModel> first;
        {
            auto a = detail::loadModelWithTokenizer(m_tagger, DefaultModel::Tagger);
            QVERIFY(a);
            first = *a;
        }
        QVERIFY(!first.expired());
        {
            auto b = detail::loadModelWithTokenizer(m_tagger, DefaultModel::Tagger,
                                                    ComputeDtype::BFloat16);
            QVERIFY(b);
        }
        QVERIFY(first.expired()); // one slot: the bf16 entry pushed the fp32 one out
        qunsetenv("TERSE_MODEL_CACHE");
    }

    void concurrentCallersShareOneLoad()
    {
        std::shared_ptr<const detail::LoadedModel> got[2];
        std::thread t0([&] {
            got[0] = detail::loadModelWithTokenizer(m_tagger, DefaultModel::Tagger).value();
        });
        std::thread t1([&] {
            got[1] = detail::loadModelWithTokenizer(m_tagger, DefaultModel::Tagger).value();
        });
        t0.join();
        t1.join();
        QVERIFY(got[0] && got[1]);
        QCOMPARE(got[0].get(), got[1].get());
    }

    // Device names (compress/score/bench --device): cpu, auto, cuda[:N]; a CPU-only build refuses
    // cuda saying why, and the cache never hands a CPU model to a cuda request.
    void deviceNames()
    {
        QCOMPARE(resolveDevice("").value(), std::string("cpu"));
        QCOMPARE(resolveDevice("cpu").value(), std::string("cpu"));
        const auto info = initRuntime();
        QCOMPARE(resolveDevice("auto").value(), std::string(info.cudaAvailable ? "cuda" : "cpu"));
        for (const char *bad : {"gpu", "cuda:", "cuda:x", "CPU", "cuda:1a"}) {
            auto r = resolveDevice(bad);
            QVERIFY2(!r, bad);
            QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
            QVERIFY(r.error().detail.find(std::string("'") + bad + "'") != std::string::npos);
        }
        if (!info.cudaAvailable) {
            auto r = resolveDevice("cuda");
            QVERIFY(!r);
            QCOMPARE(r.error().code, ErrorCode::Unsupported);
            auto m = detail::loadModelWithTokenizer(m_tagger, DefaultModel::Tagger,
                                                    ComputeDtype::Float32, "cuda:0");
            QVERIFY(!m);
            QVERIFY2(m.error().detail.find("cuda:0") != std::string::npos,
                     m.error().detail.c_str());
            CompressOptions o;
            o.method = "llmlingua2";
            o.device = "cuda";
            auto c = createCompressor("llmlingua2");
            QVERIFY(c);
            auto res =
                (*c)->compress(Prompt::fromText("The quick brown fox jumps over the lazy dog."), o,
                               JobContext::none());
            QVERIFY(!res);
            QVERIFY2(res.error().detail.find("cuda") != std::string::npos,
                     res.error().detail.c_str());
        }
    }

    void rewrittenModelLoadsAnew()
    {
        QTemporaryDir dir;
        const fs::path copy = fs::path(dir.path().toStdString()) / "tagger";
        fs::copy(m_tagger, copy, fs::copy_options::recursive);
        auto a = detail::loadModelWithTokenizer(copy.string(), DefaultModel::Tagger);
        QVERIFY2(a, a ? "" : a.error().detail.c_str());
        // A retrained model written over the old one: same path, other size and time.
        {
            std::ofstream(copy / "config.json", std::ios::app) << "\n";
        }
        auto b = detail::loadModelWithTokenizer(copy.string(), DefaultModel::Tagger);
        QVERIFY2(b, b ? "" : b.error().detail.c_str());
        QVERIFY(b->get() != a->get());
        // A damaged file is reported, and the next good state loads again.
        fs::resize_file(copy / "model.safetensors", 100);
        auto bad = detail::loadModelWithTokenizer(copy.string(), DefaultModel::Tagger);
        QVERIFY(!bad);
        QVERIFY2(bad.error().detail.find("model.safetensors") != std::string::npos,
                 bad.error().detail.c_str());
    }
};

QTEST_GUILESS_MAIN(TestModelCache)
#include "test_model_cache.moc"
