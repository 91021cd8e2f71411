#include <catch2/catch.hpp>

#include "vrrp/timers.h"

using holdfast::vrrp::Centiseconds;
using holdfast::vrrp::computeTimers;

TEST_CASE("v3 Skew_Time scales with Master_Adver_Interval (RFC 5798 6.1)") {
  // advert 1s, priority 100: skew = 156 * 100 / 256 = 60.9 -> 60cs; down = 300 + 60.
  auto t = computeTimers(3, 100, Centiseconds(100));
  CHECK(t.skewTime == Centiseconds(60));
  CHECK(t.masterDownInterval == Centiseconds(360));
  // advert 1s, priority 200: skew = 56 * 100 / 256 = 21.8 -> 21cs.
  auto high = computeTimers(3, 200, Centiseconds(100));
  CHECK(high.skewTime == Centiseconds(21));
  CHECK(high.masterDownInterval == Centiseconds(321));
  // advert 5s, priority 100: skew = 156 * 500 / 256 = 304.6 -> 304cs; down = 1500 + 304.
  auto slow = computeTimers(3, 100, Centiseconds(500));
  CHECK(slow.skewTime == Centiseconds(304));
  CHECK(slow.masterDownInterval == Centiseconds(1804));
  // advert 5s, priority 200: skew = 56 * 500 / 256 = 109.3 -> 109cs.
  auto slowHigh = computeTimers(3, 200, Centiseconds(500));
  CHECK(slowHigh.skewTime == Centiseconds(109));
  CHECK(slowHigh.masterDownInterval == Centiseconds(1609));
  // advert 10ms, priority 254: skew = 2 * 1 / 256 -> 0; down = 3cs.
  auto fast = computeTimers(3, 254, Centiseconds(1));
  CHECK(fast.skewTime == Centiseconds(0));
  CHECK(fast.masterDownInterval == Centiseconds(3));
}

TEST_CASE("v2 Skew_Time is (256 - Priority) / 256 seconds whatever the interval (RFC 3768 6.1)") {
  // advert 1s: the same as v3, since the v3 formula scales by one second there.
  auto t = computeTimers(2, 100, Centiseconds(100));
  CHECK(t.skewTime == Centiseconds(60));
  CHECK(t.masterDownInterval == Centiseconds(360));
  auto high = computeTimers(2, 200, Centiseconds(100));
  CHECK(high.skewTime == Centiseconds(21));
  CHECK(high.masterDownInterval == Centiseconds(321));
  // advert 5s, priority 100: skew stays 60cs; down = 1500 + 60 (keepalived: 15.609375 s).
  auto slow = computeTimers(2, 100, Centiseconds(500));
  CHECK(slow.advertInterval == Centiseconds(500));
  CHECK(slow.skewTime == Centiseconds(60));
  CHECK(slow.masterDownInterval == Centiseconds(1560));
  // advert 5s, priority 200: skew 21cs; down = 1521.
  auto slowHigh = computeTimers(2, 200, Centiseconds(500));
  CHECK(slowHigh.skewTime == Centiseconds(21));
  CHECK(slowHigh.masterDownInterval == Centiseconds(1521));
}

TEST_CASE("a lower priority waits longer in both versions, so the election converges") {
  for (int version : {2, 3}) {
    CHECK(computeTimers(version, 50, Centiseconds(100)).masterDownInterval >
          computeTimers(version, 200, Centiseconds(100)).masterDownInterval);
  }
}
