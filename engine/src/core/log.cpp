#include "terse/log.h"

#include <cstdio>
#include <mutex>

namespace terse {
namespace {
std::mutex g_mutex;
LogHandler g_handler;

const char *levelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return "debug";
    case LogLevel::Info:
        return "info";
    case LogLevel::Warning:
        return "warning";
    case LogLevel::Error:
        return "error";
    }
    return "?";
}
} // namespace

void setLogHandler(LogHandler handler)
{
    std::lock_guard lock(g_mutex);
    g_handler = std::move(handler);
}

void log(LogLevel level, const std::string &message)
{
    LogHandler handler;
    {
        std::lock_guard lock(g_mutex);
        handler = g_handler;
    }
    if (handler) {
        handler(level, message);
        return;
    }
    if (level >= LogLevel::Warning)
        std::fprintf(stderr, "terse %s: %s\n", levelName(level), message.c_str());
}

} // namespace terse
