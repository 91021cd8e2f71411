// The VRRP loop's timers on one wake-up (core/runtime/timer_queue.h): order, re-arming,
// cancelling, and what a wake-up takes out.

#include "core/runtime/timer_queue.h"

#include <catch2/catch.hpp>

using holdfast::runtime::TimePoint;
using holdfast::runtime::TimerQueue;
using std::chrono::milliseconds;

namespace {
TimePoint at(int ms) {
  return TimePoint(milliseconds(ms));
}
void armAt(TimerQueue& q, TimerQueue::Entry& e, int ms) {
  e.wake = e.when = at(ms);
  q.arm(e);
}
}  // namespace

TEST_CASE("timers due at one wake-up come out in deadline order, the rest stay") {
  TimerQueue::Entry a, b, c, d;
  TimerQueue q;  // after the entries: it goes first, unlinking them
  armAt(q, c, 300);
  armAt(q, a, 100);
  armAt(q, d, 400);
  armAt(q, b, 100);  // same wake as a: after it, in the order armed
  REQUIRE(q.earliest() == at(100));
  CHECK(q.popDue(at(99)) == nullptr);
  CHECK(q.popDue(at(300)) == &a);
  CHECK(q.popDue(at(300)) == &b);
  CHECK(q.popDue(at(300)) == &c);
  CHECK(q.popDue(at(300)) == nullptr);
  CHECK(q.earliest() == at(400));
  CHECK(q.size() == 1);
}

TEST_CASE("arming a timer again moves it, and it is in the queue once") {
  TimerQueue::Entry a, b;
  TimerQueue q;  // after the entries: it goes first, unlinking them
  armAt(q, a, 100);
  armAt(q, b, 200);
  armAt(q, a, 300);  // an advert sent: the next one is later
  CHECK(q.size() == 2);
  CHECK(q.earliest() == at(200));
  armAt(q, a, 50);  // a priority change: at once
  CHECK(q.earliest() == at(50));
  CHECK(q.popDue(at(1000)) == &a);
  CHECK(q.popDue(at(1000)) == &b);
  CHECK(q.popDue(at(1000)) == nullptr);
}

TEST_CASE("a cancelled timer never comes out, and cancelling twice is harmless") {
  TimerQueue::Entry a, b;
  TimerQueue q;  // after the entries: it goes first, unlinking them
  armAt(q, a, 100);
  armAt(q, b, 200);
  q.cancel(a);
  q.cancel(a);
  CHECK(q.earliest() == at(200));
  CHECK(q.popDue(at(1000)) == &b);
  CHECK_FALSE(q.earliest());
  q.cancel(b);  // already taken out by the wake-up
  CHECK(q.size() == 0);
}

TEST_CASE("a timer taken out by a wake-up can be armed again from its own callback") {
  TimerQueue::Entry a;
  TimerQueue q;  // after the entries: it goes first, unlinking them
  armAt(q, a, 100);
  TimerQueue::Entry* due = q.popDue(at(100));
  REQUIRE(due == &a);
  CHECK_FALSE(a.is_linked());
  armAt(q, a, 200);  // what InstanceSlot::arm does after an advert
  CHECK(q.popDue(at(100)) == nullptr);
  CHECK(q.earliest() == at(200));
}

TEST_CASE("a precise timer wakes at its wake time, before its deadline") {
  TimerQueue::Entry backup, master;
  TimerQueue q;  // after the entries: it goes first, unlinking them
  backup.when = at(320);
  backup.wake = at(318);  // kSpin early
  backup.prepare = [] { return true; };
  q.arm(backup);
  armAt(q, master, 319);
  CHECK(q.popDue(at(318)) == &backup);
  CHECK(backup.when == at(320));
  CHECK(q.popDue(at(318)) == nullptr);
}
