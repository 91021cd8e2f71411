// Waiting on another loop with a named bound (netio/await_reply.h): the answer comes
// back; no answer in time is nullopt and is reported with the wait's name and bound;
// an answer that comes after the wait gave up, or twice, is harmless.

#include "netio/await_reply.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

using namespace holdfast;
using namespace std::chrono_literals;

namespace {

// A loop on a thread of its own, stopped and joined at the end of the test.
struct RunningLoop {
  netio::EventLoop loop;
  std::thread thread{[this] { loop.run(); }};
  ~RunningLoop() {
    loop.stop();
    thread.join();
  }
};

// Records the timeouts reported while it lives.
struct TimeoutLog {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> seen;
  TimeoutLog() {
    netio::setTimeoutReporter([this](const std::string& what, std::chrono::milliseconds bound) {
      std::lock_guard lock(mutex);
      seen.emplace_back(what, bound);
    });
  }
  ~TimeoutLog() { netio::setTimeoutReporter(nullptr); }
};

}  // namespace

TEST_CASE("callOn returns what the function computed on the loop") {
  RunningLoop l;
  TimeoutLog timeouts;
  const auto caller = std::this_thread::get_id();
  auto ranOn = netio::callOn<std::thread::id>(
      l.loop, [] { return std::this_thread::get_id(); }, 2s, "test loop (thread id)");
  REQUIRE(ranOn);
  CHECK(*ranOn == l.thread.get_id());
  CHECK(*ranOn != caller);
  CHECK(timeouts.seen.empty());
}

TEST_CASE("awaitReply returns a value completed later from another thread") {
  RunningLoop l;
  std::thread helper;
  auto value = netio::awaitReply<int>(
      l.loop,
      [&helper](std::function<void(int)> complete) {
        helper = std::thread([complete] {
          std::this_thread::sleep_for(10ms);
          complete(42);
        });
      },
      2s, "helper (answer)");
  helper.join();
  CHECK(value == 42);
}

TEST_CASE("awaitReply without a loop: a start that completes at once") {
  TimeoutLog timeouts;
  auto value = netio::awaitReply<std::string>(
      [](std::function<void(std::string)> complete) { complete("at once"); }, 1s, "inline");
  CHECK(value == "at once");
  CHECK(timeouts.seen.empty());
}

TEST_CASE("no answer in time is nullopt, reported with the wait's name and bound") {
  RunningLoop l;
  TimeoutLog timeouts;
  std::function<void(int)> kept;  // the completion nobody calls in time
  auto value = netio::awaitReply<int>(
      l.loop, [&kept](std::function<void(int)> complete) { kept = std::move(complete); }, 50ms,
      "the silent loop (report)");
  CHECK_FALSE(value);
  REQUIRE(timeouts.seen.size() == 1);
  CHECK(timeouts.seen[0].first == "the silent loop (report)");
  CHECK(timeouts.seen[0].second == 50ms);

  // A late answer, and a second one, land nowhere: no throw, no crash.
  REQUIRE(netio::runOn(
      l.loop, [] {}, 2s, "the loop (sync)"));  // `kept` was set there
  REQUIRE(kept);
  CHECK_NOTHROW(kept(1));
  CHECK_NOTHROW(kept(2));
}

TEST_CASE("a loop that is not running times out; the work is dropped with the loop") {
  TimeoutLog timeouts;
  bool ran = false;
  {
    netio::EventLoop idle;  // never run
    CHECK_FALSE(netio::runOn(
        idle, [&ran] { ran = true; }, 20ms, "idle loop (stop)"));
  }
  CHECK_FALSE(ran);
  REQUIRE(timeouts.seen.size() == 1);
  CHECK(timeouts.seen[0].first == "idle loop (stop)");
  CHECK(timeouts.seen[0].second == 20ms);
}

TEST_CASE("runOn runs void work on the loop and says it finished") {
  RunningLoop l;
  std::thread::id where;
  CHECK(netio::runOn(
      l.loop, [&where] { where = std::this_thread::get_id(); }, 2s, "test (stop)"));
  CHECK(where == l.thread.get_id());
}

TEST_CASE("without a reporter, a timeout is only the nullopt") {
  netio::setTimeoutReporter(nullptr);
  CHECK_FALSE(netio::awaitReply<int>([](std::function<void(int)>) {}, 1ms, "nobody listens"));
}

TEST_CASE("callOn is all or nothing: abandoned before it starts, the work never runs") {
  TimeoutLog timeouts;
  netio::EventLoop loop;  // not running yet: the work waits in its queue
  std::atomic<int> runs = 0;
  auto r = netio::callOn<int>(
      loop, [&runs] { return ++runs; }, 50ms, "test loop (late)");
  CHECK_FALSE(r);
  std::thread t([&loop] { loop.run(); });
  loop.post([&loop] { loop.stop(); });
  t.join();
  CHECK(runs == 0);  // the loop got to it after the caller gave up: skipped
  CHECK(timeouts.seen.size() == 1);
}

TEST_CASE("callOn waits for work the loop has started, past the bound") {
  TimeoutLog timeouts;
  RunningLoop l;
  auto r = netio::callOn<int>(
      l.loop,
      [] {
        std::this_thread::sleep_for(150ms);
        return 7;
      },
      50ms, "test loop (slow)");
  REQUIRE(r);
  CHECK(*r == 7);
  CHECK(timeouts.seen.empty());
}
