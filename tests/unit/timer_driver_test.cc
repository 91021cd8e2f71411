// Every timer of the VRRP loop on one asio timer (core/runtime/timer_driver.h), on a
// real io_context and the steady clock: timers due together fire in one turn between
// its hooks, re-armed and cancelled ones do not fire at their old time.

#include "core/runtime/timer_driver.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using holdfast::runtime::Clock;
using holdfast::runtime::TimerDriver;
using std::chrono::milliseconds;

TEST_CASE("timers due at one wake-up fire in one turn, between the turn's hooks") {
  boost::asio::io_context io;
  auto driver = std::make_shared<TimerDriver>(io);
  std::vector<std::string> log;
  driver->setTurnHooks([&] { log.push_back("before"); }, [&] { log.push_back("after"); });
  auto a = driver->timer(), b = driver->timer(), c = driver->timer();
  const auto at = Clock::now() + milliseconds(20);
  a->armAt(
      at, [&] { log.push_back("a"); }, false);
  c->armAt(
      at + milliseconds(60), [&] { log.push_back("c"); }, false);
  b->armAt(
      at, [&] { log.push_back("b"); }, false);
  io.run_for(milliseconds(50));
  CHECK(log == std::vector<std::string>{"before", "a", "b", "after"});
  io.restart();
  io.run_for(milliseconds(100));
  CHECK(log == std::vector<std::string>{"before", "a", "b", "after", "before", "c", "after"});
}

TEST_CASE("a timer re-armed or cancelled before its time does not fire then") {
  boost::asio::io_context io;
  auto driver = std::make_shared<TimerDriver>(io);
  std::vector<std::string> log;
  auto moved = driver->timer(), cancelled = driver->timer(), destroyed = driver->timer();
  const auto start = Clock::now();
  moved->armAt(
      start + milliseconds(10), [&] { log.push_back("moved early"); }, false);
  moved->armAt(
      start + milliseconds(40), [&] { log.push_back("moved"); }, false);
  cancelled->armAt(
      start + milliseconds(10), [&] { log.push_back("cancelled"); }, false);
  cancelled->cancel();
  destroyed->armAt(
      start + milliseconds(10), [&] { log.push_back("destroyed"); }, false);
  destroyed.reset();
  io.run_for(milliseconds(25));
  CHECK(log.empty());
  io.restart();
  io.run_for(milliseconds(60));
  CHECK(log == std::vector<std::string>{"moved"});
  CHECK(Clock::now() - start >= milliseconds(40));
}

TEST_CASE("a timer armed again from its own callback keeps firing, never early") {
  boost::asio::io_context io;
  auto driver = std::make_shared<TimerDriver>(io);
  auto t = driver->timer();
  std::vector<Clock::time_point> fired;
  std::function<void()> tick;
  auto next = Clock::now() + milliseconds(10);
  tick = [&] {
    fired.push_back(Clock::now());
    CHECK(fired.back() >= next);
    next += milliseconds(10);
    if (fired.size() < 5) t->armAt(next, tick, false);
  };
  t->armAt(next, tick, false);
  io.run_for(milliseconds(200));
  CHECK(fired.size() == 5);
}

TEST_CASE("a precise timer fires at its deadline, not at its early wake-up") {
  boost::asio::io_context io;
  auto driver = std::make_shared<TimerDriver>(io);
  auto t = driver->timer();
  const auto when = Clock::now() + milliseconds(20);
  Clock::time_point fired{};
  int prepared = 0;
  t->armAtPrepared(
      when,
      [&] {
        ++prepared;
        return true;
      },
      [&] { fired = Clock::now(); });
  io.run_for(milliseconds(60));
  CHECK(fired >= when);
  CHECK(prepared == 2);  // before the spin and after it
}
