#pragma once
// Replaces the calling process with a program installed beside it: the `terse` front hands the
// model verbs to terse-engine, the `terse-studio` launcher starts the app. Plain C++ (no Qt, no
// torch), so the callers start in milliseconds.

#include <string>

namespace terse::launch {

// Looks for `name` beside this executable, then in ../libexec/terse, sets OpenMP's wait defaults
// unless the user set OMP_WAIT_POLICY (terse/openmp_env.h: libgomp reads them once, before main;
// OpenMP threads then spin ~1 ms at a barrier and sleep, instead of spinning beside the UI or
// other jobs), and execs it with `argv`. Returns only on
// failure, with a message naming what is missing in `error`.
void execSibling(const std::string &name, char **argv, std::string &error);

} // namespace terse::launch
