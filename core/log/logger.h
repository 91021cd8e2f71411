#pragma once
// Process-wide logging with levels to stderr and/or syslog. Thread safe: lines from
// the VRRP and checker threads never interleave.

#include <string>
#include <string_view>

namespace holdfast::log {

enum class Level { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

// "error", "warning", "info", "debug"; nullopt-like false when unknown.
bool parseLevel(std::string_view text, Level& out);
const char* toString(Level level);

struct Options {
  Level level = Level::kInfo;
  bool console = true;  // stderr, with a timestamp
  bool syslog = false;  // LOG_DAEMON, ident "holdfastd"
};

void configure(const Options& options);
bool enabled(Level level);
void write(Level level, std::string_view message);

inline void error(std::string_view m) {
  write(Level::kError, m);
}
inline void warning(std::string_view m) {
  write(Level::kWarning, m);
}
inline void info(std::string_view m) {
  write(Level::kInfo, m);
}
inline void debug(std::string_view m) {
  if (enabled(Level::kDebug)) write(Level::kDebug, m);
}

}  // namespace holdfast::log
