#include <catch2/catch.hpp>

#include "core/config/suggest.h"
#include "core/config/values.h"

using namespace holdfast::config;
using namespace std::chrono_literals;

TEST_CASE("durations take units, and bare numbers are seconds") {
  CHECK(parseDuration("300ms").value() == 300ms);
  CHECK(parseDuration("2s").value() == 2s);
  CHECK(parseDuration("1m").value() == 60s);
  CHECK(parseDuration("0.1").value() == 100ms);
  CHECK(parseDuration("3").value() == 3s);
  CHECK(parseDuration("1.5s").value() == 1500ms);
  CHECK(parseDuration("250us").value() == 250us);
  CHECK(parseDuration("0").value() == 0s);
}

TEST_CASE("bad durations are refused with what was expected") {
  for (const char* bad : {"", "fast", "1x", "-1", "1.2.3", "ms", "9999999999"}) {
    INFO(bad);
    CHECK_FALSE(parseDuration(bad).has_value());
  }
  CHECK(parseDuration("1x").error() == "expected a duration such as 300ms, 2s or 1m, found '1x'");
}

TEST_CASE("integers are checked against their range") {
  CHECK(parseInt("51", 1, 255).value() == 51);
  CHECK(parseInt("0", 1, 255).error() == "value 0 is out of range 1-255");
  CHECK(parseInt("5a", 1, 255).error() == "expected a whole number 1-255, found '5a'");
  CHECK_FALSE(parseInt("", 1, 255).has_value());
}

TEST_CASE("prefixes default to host length") {
  CHECK(parsePrefix("192.0.2.1").value().length == 32);
  CHECK(parsePrefix("2001:db8::1").value().length == 128);
  CHECK(parsePrefix("192.0.2.1/24").value().length == 24);
  CHECK_FALSE(parsePrefix("192.0.2.1/").has_value());
  CHECK_FALSE(parsePrefix("2001:db8::1/129").has_value());
}

TEST_CASE("status ranges") {
  CHECK(parseStatusRange("200-299").value().high == 299);
  CHECK(parseStatusRange("301").value().low == 301);
  CHECK_FALSE(parseStatusRange("299-200").has_value());
  CHECK_FALSE(parseStatusRange("600").has_value());
}

TEST_CASE("suggestions come only for plausible typos") {
  std::vector<std::string_view> words{"router_id", "priority", "advert_int", "interface"};
  CHECK(closest("router_idd", words) == "router_id");
  CHECK(closest("priorty", words) == "priority");
  CHECK(closest("advret_int", words) == "advert_int");
  CHECK_FALSE(closest("frobnicate", words).has_value());
  CHECK(editDistance("ab", "ba") == 1);
}
