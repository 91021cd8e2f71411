// Check identity (sharing), targets and HTTP result judgement (pure parts of
// checkers/check_params.h and checkers/http_checker.h).

#include "checkers/check_params.h"

#include <catch2/catch.hpp>

#include "checkers/http_checker.h"

using namespace holdfast::checkers;
using holdfast::netio::IpAddress;
using namespace std::chrono_literals;

namespace {
IpAddress addr(const char* s) {
  return *IpAddress::parse(s);
}
}  // namespace

TEST_CASE("identical checks on one address share a key; any difference splits them",
          "[check_params]") {
  CheckParams a;
  a.kind = CheckKind::kHttp;
  a.port = 8080;
  a.path = "/health";
  CheckParams b = a;
  CHECK(checkKey(a, addr("192.0.2.21")) == checkKey(b, addr("192.0.2.21")));
  CHECK(checkKey(a, addr("192.0.2.21")) != checkKey(a, addr("192.0.2.22")));
  b.expectBody = "UP";
  CHECK(checkKey(a, addr("192.0.2.21")) != checkKey(b, addr("192.0.2.21")));
  b = a;
  b.fall = 4;
  CHECK(checkKey(a, addr("192.0.2.21")) != checkKey(b, addr("192.0.2.21")));
  b = a;
  b.headers = {"X-A: 1"};
  CHECK(checkKey(a, addr("192.0.2.21")) != checkKey(b, addr("192.0.2.21")));
}

TEST_CASE("targets read as an operator writes them", "[check_params]") {
  CheckParams p;
  CHECK(describeTarget(p, addr("2001:db8::21")) == "icmp 2001:db8::21");
  p.kind = CheckKind::kTcp;
  p.port = 443;
  CHECK(describeTarget(p, addr("2001:db8::21")) == "tcp [2001:db8::21]:443");
  p.kind = CheckKind::kHttp;
  p.port = 8080;
  p.path = "/health";
  CHECK(describeTarget(p, addr("192.0.2.21")) == "http 192.0.2.21:8080/health");
}

TEST_CASE("a status set holds single codes and ranges", "[check_params]") {
  std::vector<StatusRange> set{{200, 299}, {301, 301}};
  CHECK(formatStatusSet(set) == "200-299 301");
  CHECK(statusExpected(set, 204));
  CHECK(statusExpected(set, 301));
  CHECK_FALSE(statusExpected(set, 302));
  CHECK_FALSE(statusExpected(set, 503));
}

TEST_CASE("HTTP results: status, body and transport failures get their own cause",
          "[check_params]") {
  CheckParams p;
  p.kind = CheckKind::kHttp;
  p.timeout = 1s;
  HttpOutcome o;
  o.status = 200;
  o.body = "all good: UP";
  CHECK(judgeHttp(p, std::nullopt, o, 1ms).ok());

  o.status = 503;
  ProbeResult r = judgeHttp(p, std::nullopt, o, 1ms);
  CHECK(r.failure == Failure::kStatusMismatch);
  CHECK(r.reason == "status 503, expected 200-299");

  o.status = 200;
  p.expectBody = "READY";
  r = judgeHttp(p, std::nullopt, o, 1ms);
  CHECK(r.failure == Failure::kBodyMismatch);
  CHECK(r.reason == "body without \"READY\"");

  p.expectBody.clear();
  p.expectBodyRegex = "good: (UP|OK)$";
  CHECK(judgeHttp(p, std::regex(p.expectBodyRegex, std::regex::extended), o, 1ms).ok());

  HttpOutcome refused;
  refused.code = CURLE_COULDNT_CONNECT;
  refused.osErrno = ECONNREFUSED;
  r = judgeHttp(p, std::nullopt, refused, 1ms);
  CHECK(r.failure == Failure::kRefused);
  CHECK(r.reason == "connection refused");

  HttpOutcome unreachable = refused;
  unreachable.osErrno = EHOSTUNREACH;
  CHECK(judgeHttp(p, std::nullopt, unreachable, 1ms).failure == Failure::kUnreachable);

  HttpOutcome timeout;
  timeout.code = CURLE_OPERATION_TIMEDOUT;
  r = judgeHttp(p, std::nullopt, timeout, 1s);
  CHECK(r.failure == Failure::kTimeout);
  CHECK(r.reason == "no response in 1s");

  HttpOutcome tls;
  tls.code = CURLE_PEER_FAILED_VERIFICATION;
  CHECK(judgeHttp(p, std::nullopt, tls, 1ms).failure == Failure::kTls);
}
