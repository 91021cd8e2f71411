#include "netio/await_reply.h"

#include <mutex>

namespace holdfast::netio {

namespace {
std::mutex reporterMutex;
std::function<void(const std::string&)> reporter;
}  // namespace

void setTimeoutReporter(std::function<void(const std::string& what)> r) {
  std::lock_guard lock(reporterMutex);
  reporter = std::move(r);
}

void reportTimeout(const std::string& what) {
  std::lock_guard lock(reporterMutex);
  if (reporter) reporter(what);
}

}  // namespace holdfast::netio
