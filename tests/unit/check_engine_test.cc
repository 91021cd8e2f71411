// How many checker threads the engine starts when the config does not say; the
// state a reload carries over; the report the diagnostics read.

#include "checkers/check_engine.h"

#include <catch2/catch.hpp>

using holdfast::checkers::autoThreads;

TEST_CASE("one checker thread per 4,000 distinct checks, at most one per core", "[check_engine]") {
  CHECK(autoThreads(0, 2) == 1);
  CHECK(autoThreads(1, 2) == 1);
  CHECK(autoThreads(4000, 2) == 1);
  CHECK(autoThreads(4001, 2) == 2);
  CHECK(autoThreads(10000, 2) == 2);
  CHECK(autoThreads(10000, 8) == 3);
  CHECK(autoThreads(10000, 0) == 1);  // an unknown core count still gets a thread
}

namespace {
holdfast::checkers::EngineSpec oneTcpBackend() {
  holdfast::checkers::EngineSpec spec;
  holdfast::checkers::CheckParams p;
  p.kind = holdfast::checkers::CheckKind::kTcp;
  p.port = 8080;
  spec.backends.push_back({"web1", *holdfast::netio::IpAddress::parse("192.0.2.21"), {p}});
  spec.threads = 1;
  return spec;
}
}  // namespace

TEST_CASE("a reload carries an unchanged check's state into the new engine", "[check_engine]") {
  using namespace holdfast::checkers;
  auto fresh = CheckEngine::create(oneTcpBackend());
  REQUIRE(fresh);
  CHECK_FALSE((*fresh)->health().at("web1").up);  // a new check starts down

  EngineSpec spec = oneTcpBackend();
  spec.carried[checkKey(spec.backends[0].checks[0], spec.backends[0].address)] = {true, ""};
  auto carried = CheckEngine::create(spec);
  REQUIRE(carried);
  CHECK((*carried)->health().at("web1").up);

  EngineSpec down = oneTcpBackend();
  down.carried[checkKey(down.backends[0].checks[0], down.backends[0].address)] = {
      false, "connection refused"};
  auto stillDown = CheckEngine::create(down);
  REQUIRE(stillDown);
  CHECK((*stillDown)->health().at("web1").reason == "L4: connection refused");
}

TEST_CASE("a report of a stopped engine lists every check and backend", "[check_engine]") {
  using namespace holdfast::checkers;
  auto e = CheckEngine::create(oneTcpBackend());
  REQUIRE(e);
  EngineReport got;
  (*e)->inspect([&](EngineReport r) { got = std::move(r); });
  REQUIRE(got.checks.size() == 1);
  CHECK(got.checks[0].kind == CheckKind::kTcp);
  CHECK(got.checks[0].target == "tcp 192.0.2.21:8080");
  CHECK(got.checks[0].backends == std::vector<std::string>{"web1"});
  REQUIRE(got.backends.size() == 1);
  CHECK(got.backends[0].name == "web1");
  CHECK_FALSE(got.backends[0].verdict.up);
}
