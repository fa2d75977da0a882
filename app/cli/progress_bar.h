#pragma once
// A progress bar on standard error for batch work: `[=====>    ] 3/10 prompts  ETA 12s`, redrawn in
// place with '\r' when stderr is a terminal, otherwise one line per 10% so logs stay readable.

#include <chrono>
#include <string>

namespace terse::cli {

class ProgressBar {
public:
    // `total` items of `unit` ("prompts"); a disabled bar prints nothing. Not thread-safe.
    ProgressBar(long total, std::string unit, bool enabled);
    ~ProgressBar();

    // Reports that `done` of the total items are finished (monotonic; extra text goes after the
    // ETA).
    void update(long done, const std::string &note = {});
    // Prints `line` (plus a newline) on stderr without garbling a redrawn bar; the bar is redrawn
    // by the next update(). Works (and prints) when the bar is disabled too.
    void message(const std::string &line);
    // Ends the bar (a newline after a redrawn bar). Called by the destructor when not called
    // before.
    void finish();

    // The bar's text for `done` of `total` after `elapsedSeconds` (no '\r'); exposed for tests and
    // bench.
    static std::string render(long done, long total, const std::string &unit, double elapsedSeconds,
                              int width = 30);

private:
    long m_total;
    std::string m_unit;
    bool m_enabled;
    bool m_tty;
    bool m_finished = false;
    int m_lastDecile = -1;
    std::size_t m_lastWidth = 0;
    std::chrono::steady_clock::time_point m_start;
};

} // namespace terse::cli
