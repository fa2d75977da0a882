#pragma once
// The OpenMP wait settings the programs that run models start with (issue 16). Header-only, so the
// launchers, which link no engine library, set the same ones.

#include <cstdlib>

namespace terse {

// How long an OpenMP thread spins at a barrier before it sleeps, in libgomp's iterations (about
// 100 per microsecond): ~1 ms. The next op of a forward starts within microseconds, so without a
// spin every op put the second thread to sleep and woke it again (190k futex waits and 17% of the
// time in the kernel for LLMLingua on a 32k-token transcript; 12.6-13.2 -> 10.0-11.5 s with the
// spin). Under load the threads never spin for long: a forward takes only the cores other
// processes leave idle (runtime.h), and libgomp's own default is 3 ms.
inline constexpr const char *kOpenMPSpinCount = "100000";

// When OMP_WAIT_POLICY is unset, sets it to PASSIVE (no endless spinning beside the UI or other
// jobs) and GOMP_SPINCOUNT, unless the user set it, to kOpenMPSpinCount. libgomp reads both once,
// when it loads, so this must run before that (then re-execute, or exec the program that runs
// models). Returns whether it set anything. OMP_WAIT_POLICY set by the user (ACTIVE, PASSIVE)
// leaves both alone.
inline bool setOpenMPWaitDefaults()
{
    if (std::getenv("OMP_WAIT_POLICY") != nullptr)
        return false;
    if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0)
        return false;
    if (std::getenv("GOMP_SPINCOUNT") == nullptr)
        ::setenv("GOMP_SPINCOUNT", kOpenMPSpinCount, 1);
    return true;
}

} // namespace terse
