#include "core/log/logger.h"

#include <syslog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace holdfast::log {
namespace {

std::mutex gMutex;
Options gOptions;

int syslogPriority(Level l) {
  switch (l) {
    case Level::kError:
      return LOG_ERR;
    case Level::kWarning:
      return LOG_WARNING;
    case Level::kInfo:
      return LOG_INFO;
    case Level::kDebug:
      return LOG_DEBUG;
  }
  return LOG_INFO;
}

}  // namespace

bool parseLevel(std::string_view text, Level& out) {
  for (Level l : {Level::kError, Level::kWarning, Level::kInfo, Level::kDebug}) {
    if (text == toString(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

const char* toString(Level level) {
  switch (level) {
    case Level::kError:
      return "error";
    case Level::kWarning:
      return "warning";
    case Level::kInfo:
      return "info";
    case Level::kDebug:
      return "debug";
  }
  return "?";
}

void configure(const Options& options) {
  std::lock_guard lock(gMutex);
  if (gOptions.syslog && !options.syslog) ::closelog();
  if (options.syslog && !gOptions.syslog) ::openlog("holdfastd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
  gOptions = options;
}

bool enabled(Level level) {
  std::lock_guard lock(gMutex);
  return static_cast<int>(level) <= static_cast<int>(gOptions.level);
}

void write(Level level, std::string_view message) {
  std::lock_guard lock(gMutex);
  if (static_cast<int>(level) > static_cast<int>(gOptions.level)) return;
  if (gOptions.console) {
    auto now = std::chrono::system_clock::now();
    std::time_t secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    ::localtime_r(&secs, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::fprintf(stderr, "%s.%03d holdfastd[%d]: %s: %.*s\n", stamp, static_cast<int>(ms.count()),
                 static_cast<int>(::getpid()), toString(level), static_cast<int>(message.size()),
                 message.data());
    std::fflush(stderr);
  }
  if (gOptions.syslog) {
    ::syslog(syslogPriority(level), "%s: %.*s", toString(level), static_cast<int>(message.size()),
             message.data());
  }
}

}  // namespace holdfast::log
