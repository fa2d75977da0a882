// Engine basics: Result, Error, JobContext (progress + cancellation), log hook, runtime init.
#include "terse/job.h"
#include "terse/log.h"
#include "terse/result.h"
#include "terse/runtime.h"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace terse;

class TestCore : public QObject {
    Q_OBJECT
private slots:
    void resultHoldsValueOrError()
    {
        Result<int> ok = 7;
        QVERIFY(ok.ok());
        QCOMPARE(*ok, 7);
        Result<int> bad = fail(ErrorCode::NotFound, "no file x.txt");
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::NotFound);
        QCOMPARE(QString::fromStdString(bad.error().toString()),
                 QStringLiteral("not_found: no file x.txt"));
        QVERIFY_THROWS_EXCEPTION(std::bad_variant_access, (void)bad.value());
        Result<void> v;
        QVERIFY(v.ok());
        Result<void> e = fail(ErrorCode::Cancelled, "stop");
        QVERIFY(!e.ok());
        QCOMPARE(QString(errorCodeName(e.error().code)), QStringLiteral("cancelled"));
    }

    void jobReportsProgress()
    {
        std::vector<long long> seen;
        JobContext job([&](long long done, long long total, const std::string &stage) {
            QCOMPARE(total, 10LL);
            QCOMPARE(QString::fromStdString(stage), QStringLiteral("s"));
            seen.push_back(done);
        });
        for (int i = 0; i <= 10; i += 5)
            job.report(i, 10, "s");
        QCOMPARE(seen, (std::vector<long long>{0, 5, 10}));
        JobContext::none().report(1, 2, "nobody listens"); // must not crash
    }

    // Issue 20: a nested call's progress is part of the caller's count, never a count of its own.
    void scaledJobMapsNestedProgressIntoTheOuterCount()
    {
        std::vector<std::pair<long long, long long>> seen;
        std::vector<std::string> stages;
        JobContext job([&](long long done, long long total, const std::string &stage) {
            seen.push_back({done, total});
            stages.push_back(stage);
        });
        // Batch 100..150 of 400 chunks: the model's own 0..4 of 4 windows map to 100..150.
        const JobContext nested = job.scaled(100, 50, 400, "classifying chunks");
        for (int w = 0; w <= 4; ++w)
            nested.report(w, 4, "scoring");
        nested.report(9, 4, "scoring"); // past the end: clamped
        nested.report(1, 0, "scoring"); // no total: ignored
        QCOMPARE(seen,
                 (std::vector<std::pair<long long, long long>>{
                     {100, 400}, {112, 400}, {125, 400}, {137, 400}, {150, 400}, {150, 400}}));
        QVERIFY(std::all_of(stages.begin(), stages.end(),
                            [](const std::string &s) { return s == "classifying chunks"; }));
        job.cancel();
        QVERIFY(nested.isCancelled()); // cancellation is shared
    }

    void cancellationCrossesThreadsAndChildren()
    {
        JobContext job;
        JobContext child = job.child(nullptr);
        QVERIFY(!child.isCancelled());
        std::atomic<bool> started{false};
        std::atomic<long> iterations{0};
        std::thread worker([&] {
            started = true;
            try {
                for (;;) {
                    throwIfCancelled(child);
                    ++iterations;
                    std::this_thread::yield();
                }
            } catch (const CancelledException &) {
            }
        });
        while (!started)
            std::this_thread::yield();
        job.cancel();
        worker.join(); // would hang forever if cancel did not reach the child
        QVERIFY(child.isCancelled());
    }

    void logHookReceivesMessages()
    {
        std::vector<std::pair<LogLevel, std::string>> got;
        setLogHandler([&](LogLevel l, const std::string &m) { got.emplace_back(l, m); });
        log(LogLevel::Warning, "hello");
        setLogHandler(nullptr);
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(got[0].first, LogLevel::Warning);
        QCOMPARE(QString::fromStdString(got[0].second), QStringLiteral("hello"));
    }

    void runtimeSetsThreads()
    {
        RuntimeInfo info = initRuntime(2);
        QCOMPARE(info.threads, 2);
        QVERIFY(!info.torchVersion.empty());
        QCOMPARE(QString(engineVersion()), QStringLiteral(TERSE_VERSION));
    }
};

QTEST_GUILESS_MAIN(TestCore)
#include "test_core.moc"
