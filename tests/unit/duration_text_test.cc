// The one duration formatter (netio/duration_text.h; config::formatDuration is it too):
// the shortest exact form, as an operator writes it, for reasons, logs and holdfastctl.

#include "netio/duration_text.h"

#include <catch2/catch.hpp>

#include "vrrp/timers.h"

using holdfast::netio::formatDuration;
using namespace std::chrono_literals;

TEST_CASE("whole seconds and zero are written in seconds") {
  CHECK(formatDuration(0s) == "0s");
  CHECK(formatDuration(1s) == "1s");
  CHECK(formatDuration(10s) == "10s");
  CHECK(formatDuration(90s) == "90s");
}

TEST_CASE("over a second, up to two decimals of a second; more precision stays in ms") {
  CHECK(formatDuration(1500ms) == "1.5s");
  CHECK(formatDuration(3410ms) == "3.41s");
  CHECK(formatDuration(12340ms) == "12.34s");
  CHECK(formatDuration(3609ms) == "3609ms");  // exact, never rounded to 3.61s
  CHECK(formatDuration(1001ms) == "1001ms");
}

TEST_CASE("under a second, whole milliseconds; below that, microseconds") {
  CHECK(formatDuration(300ms) == "300ms");
  CHECK(formatDuration(10ms) == "10ms");
  CHECK(formatDuration(1000ms) == "1s");
  CHECK(formatDuration(250us) == "250us");
  CHECK(formatDuration(1500us) == "1500us");
}

TEST_CASE("VRRP centiseconds convert exactly") {
  CHECK(formatDuration(holdfast::vrrp::Centiseconds(100)) == "1s");
  CHECK(formatDuration(holdfast::vrrp::Centiseconds(341)) == "3.41s");
  CHECK(formatDuration(holdfast::vrrp::Centiseconds(39)) == "390ms");
}
