#include "netio/await_reply.h"

#include <mutex>

namespace holdfast::netio {

namespace {
std::mutex reporterMutex;
TimeoutReporter reporter;
}  // namespace

void setTimeoutReporter(TimeoutReporter r) {
  std::lock_guard lock(reporterMutex);
  reporter = std::move(r);
}

void reportTimeout(const std::string& what, std::chrono::milliseconds bound) {
  std::lock_guard lock(reporterMutex);
  if (reporter) reporter(what, bound);
}

bool runOn(EventLoop& loop, std::function<void()> fn, std::chrono::milliseconds timeout,
           const std::string& what) {
  return callOn<bool>(
             loop,
             [fn = std::move(fn)] {
               fn();
               return true;
             },
             timeout, what)
      .has_value();
}

}  // namespace holdfast::netio
