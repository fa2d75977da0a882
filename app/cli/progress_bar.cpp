#include "progress_bar.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace terse::cli {

namespace {

// "42s", "12m05s", "2h07m".
std::string duration(double seconds)
{
    const long secs = std::lround(std::max(0.0, seconds));
    char buf[48];
    if (secs >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", secs / 3600, secs % 3600 / 60);
    else if (secs >= 120)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", secs / 60, secs % 60);
    else
        std::snprintf(buf, sizeof buf, "%lds", secs);
    return buf;
}

} // namespace

ProgressBar::ProgressBar(long total, std::string unit, bool enabled)
    : m_total(std::max(0L, total)), m_unit(std::move(unit)), m_enabled(enabled && total > 0),
      m_tty(isatty(STDERR_FILENO) == 1), m_start(std::chrono::steady_clock::now())
{
}

ProgressBar::~ProgressBar()
{
    finish();
}

std::string ProgressBar::render(long done, long total, const std::string &unit,
                                double elapsedSeconds, int width)
{
    done = std::clamp(done, 0L, std::max(total, 0L));
    const double fraction =
        total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    const int filled = static_cast<int>(std::floor(fraction * width));
    std::string bar = "[";
    for (int i = 0; i < width; ++i)
        bar += i < filled ? '=' : (i == filled && done < total ? '>' : ' ');
    bar += "] " + std::to_string(done) + "/" + std::to_string(total) + " " + unit + "  ";
    if (done >= total)
        bar += "done in " + duration(elapsedSeconds);
    else if (done == 0)
        bar += "ETA --";
    else
        bar += "ETA " + duration(elapsedSeconds / static_cast<double>(done) *
                                 static_cast<double>(total - done));
    return bar;
}

void ProgressBar::update(long done, const std::string &note)
{
    if (!m_enabled || m_finished)
        return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    std::string text = render(done, m_total, m_unit, elapsed);
    if (!note.empty())
        text += "  " + note;
    if (m_tty) {
        // Pad with spaces so a shorter line fully overwrites the previous one.
        const std::size_t width = text.size();
        if (text.size() < m_lastWidth)
            text.append(m_lastWidth - text.size(), ' ');
        m_lastWidth = width;
        std::fprintf(stderr, "\r%s", text.c_str());
    } else {
        const int decile = static_cast<int>(done * 10 / std::max(1L, m_total));
        if (decile <= m_lastDecile)
            return;
        m_lastDecile = decile;
        std::fprintf(stderr, "%s\n", text.c_str());
    }
    std::fflush(stderr);
    if (done >= m_total)
        finish();
}

void ProgressBar::message(const std::string &line)
{
    if (m_enabled && m_tty && !m_finished && m_lastWidth > 0) {
        std::string text = line;
        if (text.size() < m_lastWidth)
            text.append(m_lastWidth - text.size(), ' ');
        std::fprintf(stderr, "\r%s\n", text.c_str());
        m_lastWidth = 0;
    } else {
        std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
}

void ProgressBar::finish()
{
    if (!m_enabled || m_finished)
        return;
    m_finished = true;
    if (m_tty && m_lastWidth > 0) {
        std::fprintf(stderr, "\n");
        std::fflush(stderr);
    }
}

} // namespace terse::cli
