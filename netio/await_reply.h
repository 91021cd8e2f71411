#pragma once
// "Post to a loop and wait for its answer, for at most a named time": the one way a
// thread asks another loop for something and blocks on it (reloads, reports, stop).
// A loop that does not answer in time is reported by the wait's name and bound, so a
// wedged thread shows up in the log as what it failed to do, not as a silent hang.

#include <atomic>
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

// Called when a wait timed out, with the wait's name and its bound; the daemon
// installs one that logs "<what> did not answer within <bound>" (tests their own,
// or none). `what` names who was asked and for what: "the checker threads (report)".
using TimeoutReporter = std::function<void(const std::string& what, std::chrono::milliseconds)>;
void setTimeoutReporter(TimeoutReporter reporter);
void reportTimeout(const std::string& what, std::chrono::milliseconds bound);

// Calls `start(complete)` on this thread; `start` (or something it sets going) calls
// `complete(value)` from any thread, at once or later. Returns the value, or nullopt
// if it did not come within `timeout` (reported as `what`). A `complete` that comes
// late, or a second time, is ignored: it never throws and never touches the caller.
template <class T>
std::optional<T> awaitReply(std::function<void(std::function<void(T)>)> start,
                            std::chrono::milliseconds timeout, const std::string& what) {
  struct Slot {
    std::promise<T> promise;
    std::atomic<bool> completed = false;
  };
  auto slot = std::make_shared<Slot>();
  auto future = slot->promise.get_future();
  start([slot](T value) {
    if (!slot->completed.exchange(true)) slot->promise.set_value(std::move(value));
  });
  if (future.wait_for(timeout) != std::future_status::ready) {
    reportTimeout(what, timeout);
    return std::nullopt;
  }
  return future.get();
}

// The same, with `start(complete)` run on `loop`.
template <class T>
std::optional<T> awaitReply(EventLoop& loop, std::function<void(std::function<void(T)>)> start,
                            std::chrono::milliseconds timeout, const std::string& what) {
  return awaitReply<T>(
      [&loop, start = std::move(start)](std::function<void(T)> complete) {
        loop.post([start, complete = std::move(complete)] { start(complete); });
      },
      timeout, what);
}

// The same for work that finishes on the loop itself: `fn` runs there, its result
// comes back. All or nothing: if the loop has not started `fn` within `timeout`, the
// call is abandoned (reported as `what`, nullopt) and `fn` never runs; if it has
// started, it is waited for to the end (it runs on the loop without waiting on
// anything). So a caller that got nullopt knows nothing was done — a reload the
// daemon refused is never applied later behind its back.
template <class T>
std::optional<T> callOn(EventLoop& loop, std::function<T()> fn, std::chrono::milliseconds timeout,
                        const std::string& what) {
  enum : int { kPending, kClaimed, kAbandoned };
  struct Slot {
    std::promise<T> promise;
    std::atomic<int> state = kPending;
  };
  auto slot = std::make_shared<Slot>();
  auto future = slot->promise.get_future();
  loop.post([slot, fn = std::move(fn)] {
    int expected = kPending;
    if (!slot->state.compare_exchange_strong(expected, kClaimed)) return;  // abandoned
    slot->promise.set_value(fn());
  });
  if (future.wait_for(timeout) == std::future_status::ready) return future.get();
  int expected = kPending;
  if (slot->state.compare_exchange_strong(expected, kAbandoned)) {
    reportTimeout(what, timeout);
    return std::nullopt;
  }
  return future.get();  // claimed: running now, to the end
}

// Runs `fn` on `loop` and waits for it; false if it did not finish within `timeout`
// (reported as `what`).
bool runOn(EventLoop& loop, std::function<void()> fn, std::chrono::milliseconds timeout,
           const std::string& what);

}  // namespace holdfast::netio
