#include <catch2/catch.hpp>

#include "checkers/rise_fall.h"
#include "core/scoring/score.h"

using namespace holdfast::scoring;

TEST_CASE("negative weights subtract while down, positive add while up") {
  std::vector<TrackedItem> items{{"script", "chk_nginx", -20, false, false},
                                 {"interface", "eth1", 10, false, true},
                                 {"backend", "web", -30, false, true}};
  Score s = computeScore(100, items);
  CHECK(s.effective == 90);
  CHECK_FALSE(s.fault);
  REQUIRE(s.why.size() == 3);
  CHECK(s.why[0].added == -20);
  CHECK(s.why[1].added == 10);
  CHECK(s.why[2].added == 0);
  CHECK(s.explain() ==
        "base 100; script chk_nginx down: -20; interface eth1 up: +10; backend web up: 0 => 90");
}

TEST_CASE("weight 0 faults while down") {
  Score s = computeScore(100, {{"interface", "eth1", 0, false, false}});
  CHECK(s.fault);
  CHECK(s.explain() == "base 100; interface eth1 down: FAULT => FAULT");
  CHECK_FALSE(computeScore(100, {{"interface", "eth1", 0, false, true}}).fault);
}

TEST_CASE("the effective priority stays within 1-254, and the owner's 255 never moves") {
  CHECK(computeScore(250, {{"script", "a", 50, false, true}}).effective == 254);
  CHECK(computeScore(10, {{"script", "a", -50, false, false}}).effective == 1);
  CHECK(computeScore(255, {{"script", "a", -50, false, false}}).effective == 255);
  CHECK(computeScore(255, {{"script", "a", 0, false, false}}).fault);
}

TEST_CASE("reverse negates a contribution") {
  CHECK(computeScore(100, {{"script", "a", 20, true, true}}).effective == 80);
  CHECK(computeScore(100, {{"script", "a", -20, true, false}}).effective == 120);
}

TEST_CASE("rise and fall need consecutive results") {
  holdfast::checkers::RiseFall rf(2, 3, true);
  CHECK_FALSE(rf.feed(false));
  CHECK_FALSE(rf.feed(false));
  CHECK_FALSE(rf.feed(true));  // the streak breaks
  CHECK_FALSE(rf.feed(false));
  CHECK_FALSE(rf.feed(false));
  CHECK(rf.feed(false));  // third in a row
  CHECK_FALSE(rf.up());
  CHECK_FALSE(rf.feed(true));
  CHECK(rf.feed(true));
  CHECK(rf.up());
}

TEST_CASE("a pending script adds no weight of either sign and faults nothing") {
  using holdfast::scoring::computeScore;
  using holdfast::scoring::TrackedItem;
  TrackedItem minus{"script", "chk_minus", -20, false, false, "", true};
  TrackedItem plus{"script", "chk_plus", 20, false, false, "", true};
  TrackedItem zero{"script", "chk_zero", 0, false, false, "", true};
  auto s = computeScore(100, {minus, plus, zero});
  CHECK(s.effective == 100);
  CHECK_FALSE(s.fault);
  CHECK(s.explain() ==
        "base 100; script chk_minus pending: 0; script chk_plus pending: 0; script chk_zero "
        "pending: 0 => 100");
}

TEST_CASE("maintenance sets the priority to 1 whatever the weights add, and faults nothing") {
  using holdfast::scoring::computeScore;
  using holdfast::scoring::kMaintenanceKind;
  holdfast::scoring::TrackedItem m{kMaintenanceKind, "on", 0, false, false, "kernel upgrade"};
  auto s = computeScore(150, {{"script", "a", 50, false, true}, m});
  CHECK(s.effective == 1);
  CHECK(s.maintenance);
  CHECK_FALSE(s.fault);
  CHECK(s.explain() == "base 150; script a up: +50; maintenance (kernel upgrade): priority 1 => 1");
  // A weight-0 item down still faults: maintenance is no excuse for a broken node.
  CHECK(computeScore(150, {{"interface", "eth1", 0, false, false}, m}).fault);
  // The address owner keeps its 255.
  auto owner = computeScore(255, {m});
  CHECK(owner.effective == 255);
  CHECK_FALSE(owner.maintenance);
}
