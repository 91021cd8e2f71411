// The event log behind `holdfastctl events`: bounded, ordered, readable from a
// sequence number, and telling its listener after each append.

#include <catch2/catch.hpp>

#include "core/log/event_log.h"

using holdfast::log::EventLog;

TEST_CASE("the ring keeps the newest events up to its capacity, in order") {
  EventLog log(3);
  for (int i = 1; i <= 5; ++i) log.append("instance", "VI_1", "event " + std::to_string(i));
  auto all = log.since(0);
  REQUIRE(all.size() == 3);
  CHECK(all[0].seq == 3);
  CHECK(all[0].text == "event 3");
  CHECK(all[2].seq == 5);
  CHECK(log.lastSeq() == 5);
}

TEST_CASE("since returns only newer events, and limit keeps the newest") {
  EventLog log(10);
  for (int i = 1; i <= 6; ++i) log.append("backend", "web1", std::to_string(i));
  auto after = log.since(4);
  REQUIRE(after.size() == 2);
  CHECK(after[0].text == "5");
  auto newest = log.since(0, 2);
  REQUIRE(newest.size() == 2);
  CHECK(newest[0].text == "5");
  CHECK(newest[1].text == "6");
  CHECK(log.since(6).empty());
}

TEST_CASE("the listener is told after every append") {
  EventLog log(10);
  int told = 0;
  log.setListener([&] { ++told; });
  log.append("reload", "", "applied");
  log.append("daemon", "", "started");
  CHECK(told == 2);
  log.setListener(nullptr);
  log.append("daemon", "", "again");
  CHECK(told == 2);
}
