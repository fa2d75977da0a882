#pragma once
// Log hook: the engine never prints; it sends messages to one process-wide handler (thread-safe).

#include <functional>
#include <string>

namespace terse {

enum class LogLevel { Debug, Info, Warning, Error };

using LogHandler = std::function<void(LogLevel level, const std::string &message)>;

// Installs the handler (nullptr restores the default, which writes warnings and errors to stderr).
// The handler may be called from any engine thread.
void setLogHandler(LogHandler handler);

// Sends a message to the current handler.
void log(LogLevel level, const std::string &message);

} // namespace terse
