// The control socket's request parser: every command and field, and every bad
// request refused with a reason the client can act on.

#include <catch2/catch.hpp>

#include "core/control/request.h"

using holdfast::control::Command;
using holdfast::control::parseRequest;

TEST_CASE("each command parses with its optional name") {
  auto r = parseRequest(R"({"cmd":"status"})");
  REQUIRE(r);
  CHECK(r->command == Command::kStatus);
  CHECK(r->name.empty());
  r = parseRequest(R"({"cmd":"vrrp","instance":"VI_1"})");
  REQUIRE(r);
  CHECK(r->command == Command::kVrrp);
  CHECK(r->name == "VI_1");
  r = parseRequest(R"({"cmd":"checks","backend":"web1"})");
  REQUIRE(r);
  CHECK(r->command == Command::kChecks);
  CHECK(r->name == "web1");
  r = parseRequest(R"({"cmd":"why","instance":"VI_2"})");
  REQUIRE(r);
  CHECK(r->command == Command::kWhy);
  r = parseRequest(R"({"cmd":"events","follow":true,"limit":5})");
  REQUIRE(r);
  CHECK(r->command == Command::kEvents);
  CHECK(r->follow);
  CHECK(r->limit == 5);
  r = parseRequest(R"({"cmd":"reload"})");
  REQUIRE(r);
  CHECK(r->command == Command::kReload);
}

TEST_CASE("bad requests are refused with what was wrong") {
  CHECK(parseRequest("hello").error() == "not a JSON object");
  CHECK(parseRequest("[1,2]").error() == "not a JSON object");
  CHECK(parseRequest("").error() == "not a JSON object");
  CHECK(parseRequest("\xff\xfe").error() == "not a JSON object");
  CHECK(parseRequest(R"({"cmd":5})").error() == "missing \"cmd\" string");
  CHECK(parseRequest(R"({})").error() == "missing \"cmd\" string");
  CHECK(parseRequest(R"({"cmd":"shutdown"})").error() ==
        "unknown cmd \"shutdown\"; expected status, vrrp, checks, why, events, reload, "
        "handover or maintenance");
  CHECK(parseRequest(R"({"cmd":"why"})").error() == "why needs \"instance\"");
  CHECK(parseRequest(R"({"cmd":"vrrp","instance":3})").error() == "\"instance\" must be a string");
  CHECK(parseRequest(R"({"cmd":"events","follow":"yes"})").error() ==
        "\"follow\" must be true or false");
  CHECK(parseRequest(R"({"cmd":"events","limit":0})").error() ==
        "\"limit\" must be a number from 1 to 100000");
  CHECK(parseRequest(R"({"cmd":"events","limit":-1})").error() ==
        "\"limit\" must be a number from 1 to 100000");
}

TEST_CASE("a request longer than the limit is refused before parsing") {
  std::string big = R"({"cmd":"status","instance":")" + std::string(5000, 'x') + R"("})";
  CHECK(parseRequest(big).error() == "request longer than 4096 bytes");
}

TEST_CASE("an unknown command echoed back is cut short") {
  std::string cmd(1000, 'a');
  auto r = parseRequest(R"({"cmd":")" + cmd + R"("})");
  REQUIRE_FALSE(r);
  CHECK(r.error().size() < 200);
}

TEST_CASE("handover requests name instances or all, with a bounded wait") {
  auto r = parseRequest(R"({"cmd":"handover","instances":["VI_1","VI_2"],"wait_ms":5000})");
  REQUIRE(r);
  CHECK(r->command == Command::kHandover);
  CHECK(r->names == std::vector<std::string>{"VI_1", "VI_2"});
  CHECK(r->waitMs == 5000);
  r = parseRequest(R"({"cmd":"handover","all":true})");
  REQUIRE(r);
  CHECK(r->all);
  CHECK(r->waitMs == 10000);
  CHECK(parseRequest(R"({"cmd":"handover"})").error() ==
        "handover needs \"instances\" or \"all\": true (not both)");
  CHECK(!parseRequest(R"({"cmd":"handover","all":true,"instances":["VI_1"]})"));
  CHECK(!parseRequest(R"({"cmd":"handover","instances":"VI_1"})"));
  CHECK(!parseRequest(R"({"cmd":"handover","instances":[1]})"));
  CHECK(parseRequest(R"({"cmd":"handover","all":true,"wait_ms":50})").error() ==
        "\"wait_ms\" must be a number from 100 to 600000");
}

TEST_CASE("maintenance requests show the state, or set it with a reason and who asks") {
  auto r = parseRequest(R"({"cmd":"maintenance"})");
  REQUIRE(r);
  CHECK(r->command == Command::kMaintenance);
  CHECK(!r->on);
  r = parseRequest(
      R"({"cmd":"maintenance","on":true,"reason":"kernel upgrade","by":"alice","wait_ms":3000})");
  REQUIRE(r);
  CHECK(*r->on);
  CHECK(r->reason == "kernel upgrade");
  CHECK(r->by == "alice");
  CHECK(r->waitMs == 3000);
  CHECK(parseRequest(R"({"cmd":"maintenance","on":"yes"})").error() ==
        "\"on\" must be true or false");
  CHECK(parseRequest(R"({"cmd":"maintenance","on":true,"reason":7})").error() ==
        "\"reason\" must be a text of at most 200 bytes");
  CHECK(!parseRequest(R"({"cmd":"maintenance","on":true,"reason":")" + std::string(201, 'x') +
                      R"("})"));
  CHECK(!parseRequest(R"({"cmd":"maintenance","on":false,"wait_ms":0})"));
}
