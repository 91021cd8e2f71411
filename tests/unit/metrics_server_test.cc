// What /metrics answers to each request (the pure part of MetricsServer; the lab's
// control test scrapes the real server).

#include <catch2/catch.hpp>

#include "core/control/metrics_server.h"

using holdfast::control::answerScrape;

namespace {

int calls = 0;
std::optional<std::string> page() {
  ++calls;
  return std::string("holdfast_up 1\n");
}
std::optional<std::string> late() {
  ++calls;
  return std::nullopt;
}

}  // namespace

TEST_CASE("GET and HEAD /metrics answer 200 with the page in Prometheus' text format") {
  calls = 0;
  for (const char* method : {"GET", "HEAD"}) {
    auto a = answerScrape(method, "/metrics", page);
    CHECK(a.status == 200);
    CHECK(a.body == "holdfast_up 1\n");
    CHECK(a.contentType == "text/plain; version=0.0.4; charset=utf-8");
    CHECK_FALSE(a.allowHeader);
  }
  CHECK(answerScrape("GET", "/metrics?name[]=holdfast_up", page).status == 200);
  CHECK(calls == 3);
}

TEST_CASE("a scrape the daemon did not answer in time is 503, not an empty page") {
  auto a = answerScrape("GET", "/metrics", late);
  CHECK(a.status == 503);
  CHECK(a.body.find("did not answer") != std::string::npos);
}

TEST_CASE("another path is 404 and another method 405, without asking the daemon") {
  calls = 0;
  CHECK(answerScrape("GET", "/", page).status == 404);
  CHECK(answerScrape("GET", "/metrics/", page).status == 404);
  CHECK(answerScrape("GET", "/metricsx", page).status == 404);
  auto post = answerScrape("POST", "/metrics", page);
  CHECK(post.status == 405);
  CHECK(post.allowHeader);
  CHECK(answerScrape("DELETE", "/metrics", page).status == 405);
  CHECK(calls == 0);
}
