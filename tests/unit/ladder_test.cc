// The layer ladder and group quorum (checkers/ladder.h), fed check states directly.

#include "checkers/ladder.h"

#include <catch2/catch.hpp>

using namespace holdfast::checkers;

TEST_CASE("a backend whose checks are all up is up, with no reason", "[ladder]") {
  std::vector<CheckStatus> checks{{Layer::kL3, true, ""}, {Layer::kL5, true, ""}};
  Verdict v = judgeBackend(checks);
  CHECK(v.up);
  CHECK_FALSE(v.failingLayer);
  CHECK(v.reason.empty());
}

TEST_CASE("the lowest failing layer is the cause, whatever the order declared", "[ladder]") {
  std::vector<CheckStatus> checks{{Layer::kL5, false, "status 503, expected 200-299"},
                                  {Layer::kL4, false, "connection refused"},
                                  {Layer::kL3, true, ""}};
  Verdict v = judgeBackend(checks);
  CHECK_FALSE(v.up);
  CHECK(v.failingLayer == Layer::kL4);
  CHECK(v.reason == "L4: connection refused");
}

TEST_CASE("while L3 fails, higher layers read as its consequence", "[ladder]") {
  std::vector<CheckStatus> checks{{Layer::kL3, false, "no echo reply in 300ms"},
                                  {Layer::kL4, false, "no connection in 1s"},
                                  {Layer::kL5, false, "no response in 1s"}};
  CHECK(judgeBackend(checks).reason == "L3: no echo reply in 300ms");
  CHECK(describeCheck(checks[0], checks) == "no echo reply in 300ms");
  CHECK(describeCheck(checks[1], checks) == "unreachable (L3)");
  CHECK(describeCheck(checks[2], checks) == "unreachable (L3)");
}

TEST_CASE("with L3 up, an L5 failure is its own cause", "[ladder]") {
  std::vector<CheckStatus> checks{{Layer::kL3, true, ""},
                                  {Layer::kL5, false, "status 503, expected 200-299"}};
  CHECK(describeCheck(checks[1], checks) == "status 503, expected 200-299");
  CHECK(judgeBackend(checks).reason == "L5: status 503, expected 200-299");
}

TEST_CASE("a group is up while at least quorum members are", "[ladder]") {
  std::vector<MemberStatus> m{{"web1", true}, {"web2", false}, {"web3", true}};
  CHECK(judgeGroup(m, 2).up);
  CHECK(judgeGroup(m, 2).reason.empty());
  Verdict v = judgeGroup(m, 3);
  CHECK_FALSE(v.up);
  CHECK(v.reason == "2 of 3 up, quorum 3; down: web2");
}
