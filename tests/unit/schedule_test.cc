// When checks run (checkers/schedule.h) and the rise/fall policy that drives it.

#include "checkers/schedule.h"

#include <catch2/catch.hpp>

using namespace holdfast::checkers;
using namespace std::chrono_literals;

TEST_CASE("rise and fall count consecutive results against the state", "[schedule]") {
  RiseFall rf(2, 3, false);
  CHECK_FALSE(rf.feed(true));   // 1 of 2
  CHECK_FALSE(rf.feed(false));  // the streak breaks
  CHECK_FALSE(rf.feed(true));
  CHECK(rf.feed(true));  // 2 in a row: up
  CHECK(rf.up());
  CHECK_FALSE(rf.feed(false));
  CHECK_FALSE(rf.feed(false));
  CHECK(rf.feed(false));  // 3 in a row: down
  CHECK_FALSE(rf.up());
}

TEST_CASE("a check is down until proven up unless its initial state says up", "[schedule]") {
  CHECK_FALSE(RiseFall(2, 3, false).up());
  CHECK(RiseFall(2, 3, true).up());
}

TEST_CASE("the interval is fast while changing state and slow while down", "[schedule]") {
  CheckParams p;
  p.interval = 2s;
  p.fastInterval = 200ms;
  p.downInterval = 10s;
  RiseFall rf(2, 2, true);
  CHECK(nextInterval(p, rf, 0) == Duration(2s));  // steady up
  rf.feed(false);                                 // one failure: confirming a fall
  CHECK(nextInterval(p, rf, 0) == Duration(200ms));
  rf.feed(false);  // down
  CHECK(nextInterval(p, rf, 0) == Duration(10s));
  rf.feed(true);  // confirming a rise
  CHECK(nextInterval(p, rf, 0) == Duration(200ms));
}

TEST_CASE("without a fast interval a changing check is confirmed at a tenth of the interval",
          "[schedule]") {
  CheckParams p;
  p.interval = 1s;
  RiseFall rf(2, 2, true);
  CHECK(nextInterval(p, rf, 0) == Duration(1s));  // steady
  rf.feed(false);                                 // a first failure
  CHECK(nextInterval(p, rf, 0) == Duration(100ms));
  rf.feed(false);  // down: the interval (no down_interval)
  CHECK(nextInterval(p, rf, 0) == Duration(1s));
  CHECK(defaultFastInterval(2s) == Duration(200ms));
  CHECK(defaultFastInterval(500ms) == Duration(100ms));  // at least 100 ms
  CHECK(defaultFastInterval(50ms) == Duration(50ms));    // never above the interval
}

TEST_CASE("jitter lengthens a wait by at most the jitter", "[schedule]") {
  CheckParams p;
  p.interval = 1s;
  p.jitter = 100ms;
  RiseFall rf(1, 1, true);
  CHECK(nextInterval(p, rf, 0) == Duration(1s));
  CHECK(nextInterval(p, rf, 100000) == Duration(1100ms));
  CHECK(nextInterval(p, rf, 100001) == Duration(1s));  // wraps, never beyond
  for (uint64_t r : {7ull, 99999ull, 123456789ull, ~0ull}) {
    const Duration d = nextInterval(p, rf, r);
    CHECK(d >= Duration(1s));
    CHECK(d <= Duration(1100ms));
  }
}

TEST_CASE("first runs are spread evenly over the interval", "[schedule]") {
  CHECK(firstRunOffset(1s, 0, 4) == Duration(0ms));
  CHECK(firstRunOffset(1s, 1, 4) == Duration(250ms));
  CHECK(firstRunOffset(1s, 3, 4) == Duration(750ms));
  CHECK(firstRunOffset(1s, 9999, 10000) == Duration(999900us));
  CHECK(firstRunOffset(1s, 0, 0) == Duration(0));
}
