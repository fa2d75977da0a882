// Load-aware threads (issue 16): the thread count a forward gets, from hand values, and measured
// against a process that keeps a core busy. The allocator the tests run on, and its release of
// freed memory.
#include "core/threads.h"
#include "proc_util.h"
#include "terse/openmp_env.h"
#include "terse/runtime.h"

#include <QtTest>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace terse;

using terse::testing::residentKb;

class TestRuntime : public QObject {
    Q_OBJECT
private slots:
    void chooseThreadsFromHandValues()
    {
        const double big = 1e11;
        QCOMPARE(detail::chooseThreads(8, 8, 0.0, big), 8);
        QCOMPARE(detail::chooseThreads(8, 8, 0.4, big),
                 8); // less than half a core busy: not counted
        QCOMPARE(detail::chooseThreads(8, 8, 0.6, big), 7);
        QCOMPARE(detail::chooseThreads(8, 8, 3.0, big), 5);
        QCOMPARE(detail::chooseThreads(2, 2, 1.0, big), 1);  // the case: 2 cores, one busy
        QCOMPARE(detail::chooseThreads(2, 2, 7.0, big), 1);  // never below one
        QCOMPARE(detail::chooseThreads(4, 16, 0.0, big), 4); // never above the most allowed
        QCOMPARE(detail::chooseThreads(4, 16, 13.0, big), 3);
        QCOMPARE(detail::chooseThreads(1, 16, 0.0, big), 1);
        // Small work stays on one thread whatever the machine.
        QCOMPARE(detail::chooseThreads(16, 16, 0.0, detail::kSmallWorkFlops / 2), 1);
        QCOMPARE(detail::chooseThreads(16, 16, 0.0, detail::kSmallWorkFlops), 16);
    }

    // The engine's own kernels (fused attention, RMSNorm, SiLU, log-sum-exp) split their work over
    // libtorch's threads: ATen's parallel_for ran them on one thread when the calling files were
    // built without OpenMP.
    void engineKernelsUseTheThreads()
    {
        if (std::thread::hardware_concurrency() < 2)
            QSKIP("one core: nothing to split over");
        initRuntime(2);
        QCOMPARE(detail::engineParallelThreads(64), 2);
        QCOMPARE(detail::engineParallelThreads(1), 1);
        initRuntime(1);
        QCOMPARE(detail::engineParallelThreads(64), 1);
        initRuntime(0);
    }

    void busyCoreIsLeftAlone()
    {
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        initRuntime(cores);
        const pid_t parent = ::getpid();
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL); // dies with the test, however that ends
            if (::getppid() != parent)
                ::_exit(0);
            volatile double x = 1.0;
            for (;;)
                x = x * 1.0000001 + 1e-9;
        }
        int used = 0;
        for (int i = 0; i < 4;
             ++i) { // measurements 250 ms apart, over a second of the child spinning
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            used = detail::useThreadsFor(1e12);
        }
        const double busy = detail::othersBusyCores();
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        qInfo("%d cores, other processes keep %.2f busy; threads used: %d", cores, busy, used);
        QVERIFY2(busy >= 0.5, "the spinning child was not seen");
        QVERIFY(used <= std::max(1, cores - 1));
        QCOMPARE(runtimeThreads(), used);
        // Small work: one thread, whatever the load.
        QCOMPARE(detail::useThreadsFor(1e6), 1);
        QCOMPARE(runtimeThreads(), 1);
    }

    // The trainers keep the count their caller set: `terse train lm --threads 1` ran on every core
    // because the trainer called initRuntime() again.
    void ensureRuntimeKeepsTheCallersCount()
    {
        if (std::thread::hardware_concurrency() < 2)
            QSKIP("one core: every count is 1");
        initRuntime(1);
        detail::ensureRuntime();
        QCOMPARE(runtimeThreads(), 1);
        QCOMPARE(detail::useThreadsFor(1e12), 1);
        initRuntime(0);
    }

    // The trainers' measure of the cores other processes leave free: unknown the first time, then
    // within [0, cores]; this process's own busy thread is not another process's load.
    void freeCoresSinceAMark()
    {
        detail::CpuMark mark;
        QCOMPARE(detail::freeCoresSince(mark), -1.0);
        QVERIFY(mark.ok);
        std::atomic<bool> stop{false};
        std::thread spin([&] {
            volatile double x = 0;
            while (!stop)
                x = x + 1;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        stop = true;
        spin.join();
        const double cores = std::thread::hardware_concurrency();
        const double free = detail::freeCoresSince(mark);
        qInfo("free cores over 300 ms with a busy thread of our own: %.2f of %.0f", free, cores);
        QVERIFY(free >= 0 && free <= cores);
    }

    // OpenMP's wait defaults: set only when the user left OMP_WAIT_POLICY unset, and a spin count
    // the user chose stays.
    void openMPWaitDefaults()
    {
        const QByteArray savedPolicy = qgetenv("OMP_WAIT_POLICY");
        const QByteArray savedSpin = qgetenv("GOMP_SPINCOUNT");
        const bool hadPolicy = qEnvironmentVariableIsSet("OMP_WAIT_POLICY");
        const bool hadSpin = qEnvironmentVariableIsSet("GOMP_SPINCOUNT");
        qunsetenv("OMP_WAIT_POLICY");
        qunsetenv("GOMP_SPINCOUNT");
        QVERIFY(setOpenMPWaitDefaults());
        QCOMPARE(qgetenv("OMP_WAIT_POLICY"), QByteArray("PASSIVE"));
        QCOMPARE(qgetenv("GOMP_SPINCOUNT"), QByteArray(kOpenMPSpinCount));
        QVERIFY(!setOpenMPWaitDefaults()); // now set: nothing changes
        qunsetenv("OMP_WAIT_POLICY");
        qputenv("GOMP_SPINCOUNT", "0");
        QVERIFY(setOpenMPWaitDefaults());
        QCOMPARE(qgetenv("GOMP_SPINCOUNT"), QByteArray("0"));
        qputenv("OMP_WAIT_POLICY", "ACTIVE");
        qunsetenv("GOMP_SPINCOUNT");
        QVERIFY(!setOpenMPWaitDefaults());
        QCOMPARE(qgetenv("OMP_WAIT_POLICY"), QByteArray("ACTIVE"));
        QVERIFY(!qEnvironmentVariableIsSet("GOMP_SPINCOUNT"));
        if (hadPolicy)
            qputenv("OMP_WAIT_POLICY", savedPolicy);
        else
            qunsetenv("OMP_WAIT_POLICY");
        if (hadSpin)
            qputenv("GOMP_SPINCOUNT", savedSpin);
        else
            qunsetenv("GOMP_SPINCOUNT");
    }

    // The tests link what the programs that run models link (CMake terse_use_fast_allocator).
    void allocatorIsTheOneLinked()
    {
#ifdef TERSE_EXPECT_TCMALLOC
        QCOMPARE(std::string(allocatorName()), std::string("tcmalloc"));
#else
        QCOMPARE(std::string(allocatorName()), std::string("glibc"));
#endif
    }

    // 256 MB in 1 MB blocks, touched and freed: the allocator may keep them (tcmalloc does, for the
    // next op); releaseFreeMemory hands them back.
    void freedMemoryGoesBackOnRelease()
    {
        const long before = residentKb();
        QVERIFY(before > 0);
        std::vector<char *> blocks;
        for (int i = 0; i < 256; ++i) {
            blocks.push_back(static_cast<char *>(std::malloc(1 << 20)));
            QVERIFY(blocks.back() != nullptr);
            std::memset(blocks.back(), i, 1 << 20);
        }
        const long held = residentKb();
        QVERIFY2(held - before > 200 * 1024, qPrintable(QString::number(held - before)));
        for (char *b : blocks)
            std::free(b);
        releaseFreeMemory();
        const long after = residentKb();
        QVERIFY2(after - before < 64 * 1024,
                 qPrintable(QStringLiteral("RSS before %1 kB, holding %2 kB, after release %3 kB")
                                .arg(before)
                                .arg(held)
                                .arg(after)));
    }
};

QTEST_GUILESS_MAIN(TestRuntime)
#include "test_runtime.moc"
