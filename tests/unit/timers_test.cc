#include <catch2/catch.hpp>

#include "vrrp/timers.h"

using holdfast::vrrp::Centiseconds;
using holdfast::vrrp::computeTimers;

TEST_CASE("Skew_Time and Master_Down_Interval follow RFC 5798 6.1") {
  // advert 1s, priority 100: skew = 156 * 100 / 256 = 60.9 -> 60cs; down = 300 + 60.
  auto t = computeTimers(100, Centiseconds(100));
  CHECK(t.skewTime == Centiseconds(60));
  CHECK(t.masterDownInterval == Centiseconds(360));
  // advert 10ms, priority 254: skew = 2 * 1 / 256 -> 0; down = 3cs.
  auto fast = computeTimers(254, Centiseconds(1));
  CHECK(fast.skewTime == Centiseconds(0));
  CHECK(fast.masterDownInterval == Centiseconds(3));
  // Lower priority waits longer: that is what makes the election converge.
  CHECK(computeTimers(50, Centiseconds(100)).masterDownInterval >
        computeTimers(200, Centiseconds(100)).masterDownInterval);
}
