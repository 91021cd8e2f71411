// keepalived's rules for a vrrp_script's results (vrrp_scheduler.c), one result per
// interval in simulated time: result i arrives at i seconds (interval 1).

#include <catch2/catch.hpp>
#include <vector>

#include "core/runtime/script_verdict.h"

using holdfast::runtime::ScriptVerdict;

namespace {
// The results in order; returns the index (= second) of each change of state.
std::vector<int> changesAt(ScriptVerdict& v, const std::vector<bool>& results) {
  std::vector<int> at;
  for (size_t i = 0; i < results.size(); ++i) {
    if (v.feed(results[i])) at.push_back(static_cast<int>(i));
  }
  return at;
}
}  // namespace

TEST_CASE("a script is pending, neither up nor down, until its first result") {
  ScriptVerdict v(2, 3);
  CHECK(v.pending());
  CHECK_FALSE(v.up());
}

TEST_CASE("a script that fails from its first run is down at the first failure, whatever fall") {
  ScriptVerdict v(2, 3);
  CHECK(changesAt(v, {false, false, false, false}) == std::vector<int>{0});
  CHECK_FALSE(v.pending());
  CHECK_FALSE(v.up());
}

TEST_CASE("a script that succeeds from its first run is up at the first success, whatever rise") {
  ScriptVerdict v(2, 3);
  CHECK(changesAt(v, {true, true, true}) == std::vector<int>{0});
  CHECK(v.up());
}

TEST_CASE("after a first failure it takes rise successes in a row to come up") {
  ScriptVerdict v(2, 3);
  // down at 0; a success at 1 is 1 of 2, the failure at 2 resets; up at 4.
  CHECK(changesAt(v, {false, true, false, true, true}) == std::vector<int>{0, 4});
  CHECK(v.up());
}

TEST_CASE("after a first success it takes fall failures in a row to go down") {
  ScriptVerdict v(2, 3);
  // up at 0; failures at 1, 2, a success at 3 resets; down at 6 (keepalived's lab run:
  // the failure that started at 5.36 s was reported at 7.38 s, the third).
  CHECK(changesAt(v, {true, false, false, true, false, false, false}) == std::vector<int>{0, 6});
  CHECK_FALSE(v.up());
}

TEST_CASE("rise 1 fall 1 (keepalived's defaults) follows every result") {
  ScriptVerdict v(1, 1);
  CHECK(changesAt(v, {true, false, true, true, false}) == std::vector<int>{0, 1, 2, 4});
}

TEST_CASE("a script started down needs rise successes and ignores failures") {
  ScriptVerdict v(2, 3, /*startDown=*/true);
  CHECK_FALSE(v.pending());
  CHECK(changesAt(v, {false, true, true}) == std::vector<int>{2});
}
