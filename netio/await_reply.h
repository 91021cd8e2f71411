#pragma once
// "Post to a loop and wait for its answer, for at most a named time": the one way a
// thread asks another loop for something and blocks on it (reloads, reports, stop).
// A loop that does not answer in time is logged by the wait's name, so a wedged
// thread shows up in the log as what it failed to do, not as a silent hang.

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "netio/event_loop.h"

namespace holdfast::netio {

// Bounds of the waits, named for what they wait on (one place to read them all).
namespace waits {
inline constexpr std::chrono::seconds kReload{10};      // a reload applied on the VRRP thread
inline constexpr std::chrono::seconds kStop{8};         // stop, notify_stop scripts included
inline constexpr std::chrono::seconds kShardStop{5};    // a checker shard stopping its runners
inline constexpr std::chrono::seconds kReport{2};       // a report for a reload or a query
inline constexpr std::chrono::seconds kMetricsPage{3};  // a scrape waiting for the reports
}  // namespace waits

// Called when a wait timed out; the daemon installs one that logs (tests none).
void setTimeoutReporter(std::function<void(const std::string& what)> reporter);
void reportTimeout(const std::string& what);

// Runs `start(complete)` on `loop`; `start` (or something it sets going) calls
// `complete(value)` once, from any thread. Returns the value, or nullopt if it did
// not come within `timeout` (reported as `what`). Safe if `complete` comes late.
template <class T>
std::optional<T> awaitReply(EventLoop& loop, std::function<void(std::function<void(T)>)> start,
                            std::chrono::milliseconds timeout, const std::string& what) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  loop.post([promise, start = std::move(start)] {
    start([promise](T value) { promise->set_value(std::move(value)); });
  });
  if (future.wait_for(timeout) != std::future_status::ready) {
    reportTimeout(what);
    return std::nullopt;
  }
  return future.get();
}

// The same for work that finishes on the loop itself: `fn` runs there, its result
// comes back.
template <class T>
std::optional<T> callOn(EventLoop& loop, std::function<T()> fn, std::chrono::milliseconds timeout,
                        const std::string& what) {
  return awaitReply<T>(
      loop, [fn = std::move(fn)](std::function<void(T)> complete) { complete(fn()); }, timeout,
      what);
}

}  // namespace holdfast::netio
