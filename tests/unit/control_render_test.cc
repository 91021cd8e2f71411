// What the control socket and /metrics say about the reports the runtimes hand
// out: JSON field names and values (holdfastctl and scripts read them), the
// Prometheus text format, and holdfastctl's tables built from the JSON.

#include <catch2/catch.hpp>

#include "core/control/metrics.h"
#include "core/control/render.h"
#include "tools/holdfastctl/tables.h"

using namespace holdfast;

namespace {

runtime::InstanceReport master() {
  runtime::InstanceReport r;
  r.name = "VI_1";
  r.interface = "eth0";
  r.vrid = 51;
  r.version = 3;
  r.state = vrrp::State::kBackup;
  r.basePriority = 150;
  r.effectivePriority = 90;
  r.source = "192.0.2.11";
  r.masterAddress = "192.0.2.12";
  r.masterPriority = 100;
  r.vips = {"192.0.2.100/24 dev eth0"};
  r.timers = {vrrp::Centiseconds(100), vrrp::Centiseconds(41), vrrp::Centiseconds(341)};
  r.counters.sent = 7;
  r.counters.discard(vrrp::DiscardReason::kAuthMismatch);
  r.socket.discard(vrrp::DiscardReason::kBadChecksum);
  r.garpsSent = 5;
  r.transitions = 3;
  r.lastTransition = runtime::TransitionRecord{
      vrrp::State::kMaster, vrrp::State::kBackup, "higher priority 100 from 192.0.2.12", 90, {}};
  r.score = scoring::computeScore(
      150, {{"backend", "nginx_local", -60, false, false, "L4: connection refused"}});
  return r;
}

checkers::EngineReport checks() {
  checkers::EngineReport e;
  checkers::CheckReport c;
  c.kind = checkers::CheckKind::kHttp;
  c.target = "http 127.0.0.1:8080/health";
  c.backends = {"nginx_local"};
  c.up = false;
  c.rise = 2;
  c.fall = 3;
  c.streak = 1;
  c.stats.probes = 4;
  c.stats.results[0] = 2;
  c.stats.results[static_cast<size_t>(checkers::Failure::kRefused)] = 2;
  c.stats.last = checkers::ProbeResult::failed(checkers::Failure::kRefused, "connection refused",
                                               std::chrono::microseconds(300));
  c.stats.lastFailure = "connection refused";
  c.stats.latencySum = std::chrono::microseconds(3000);
  c.stats.latencyCount = 2;
  c.stats.latencyBuckets[0] = 1;  // <= 1 ms
  c.stats.latencyBuckets[2] = 1;  // <= 5 ms
  c.reading = "connection refused";
  e.checks.push_back(c);
  checkers::BackendReport b;
  b.name = "nginx_local";
  b.verdict = {false, checkers::Layer::kL5, "L5: connection refused"};
  e.backends.push_back(b);
  e.threads = 1;
  e.declared = 1;
  return e;
}

}  // namespace

TEST_CASE("vrrp detail JSON carries timers in ms, counters by reason, the last transition") {
  auto j = control::instanceDetail(master());
  CHECK(j["state"] == "BACKUP");
  CHECK(j["effective_priority"] == 90);
  CHECK(j["master"]["address"] == "192.0.2.12");
  CHECK(j["master"]["self"] == false);
  CHECK(j["timers"]["advert_interval_ms"] == 1000);
  CHECK(j["timers"]["master_down_interval_ms"] == 3410);
  CHECK(j["counters"]["discarded"]["auth_mismatch"] == 1);
  CHECK(j["counters"]["discarded"]["bad_ttl"] == 0);
  CHECK(j["counters"]["socket"]["discarded"]["bad_checksum"] == 1);
  CHECK(j["counters"]["garps_sent"] == 5);
  CHECK(j["last_transition"]["to"] == "BACKUP");
  CHECK(j["last_transition"]["priority"] == 90);
}

TEST_CASE("why JSON lists each item's contribution and the master") {
  auto j = control::explanation(master());
  CHECK(j["base_priority"] == 150);
  CHECK(j["effective_priority"] == 90);
  CHECK(j["items"][0]["name"] == "nginx_local");
  CHECK(j["items"][0]["added"] == -60);
  CHECK(j["items"][0]["detail"] == "L4: connection refused");
  CHECK(j["master"]["priority"] == 100);
}

TEST_CASE("why reads as a table ending with who holds master") {
  nlohmann::json reply{{"ok", true}, {"why", control::explanation(master())}};
  const std::string text = ctl::whyText(reply);
  CHECK(text.find("VI_1 is BACKUP with priority 90") == 0);
  CHECK(text.find("backend  nginx_local  down   -60     -60   L4: connection refused") !=
        std::string::npos);
  CHECK(text.find("Master: 192.0.2.12 with priority 100 (ours: 90)") != std::string::npos);
}

TEST_CASE("check JSON: last result, latency, last error only after a failure") {
  auto j = control::checkJson(checks().checks[0]);
  CHECK(j["state"] == "down");
  CHECK(j["progress"] == "rise 1/2");
  CHECK(j["last"]["result"] == "refused");
  CHECK(j["latency_avg_ms"] == Approx(1.5));
  CHECK(j["last_error"] == "connection refused");
  CHECK(j["results"]["refused"] == 2);
  checkers::CheckReport fresh;
  auto f = control::checkJson(fresh);
  CHECK(f["last"].is_null());
  CHECK(f["last_error"].is_null());
}

TEST_CASE("metrics are Prometheus text with cumulative latency buckets") {
  const std::string page = control::renderMetrics({master()}, checks());
  CHECK(page.find("# TYPE holdfast_vrrp_state gauge\n") != std::string::npos);
  CHECK(page.find("holdfast_vrrp_state{vrrp_instance=\"VI_1\",state=\"BACKUP\"} 1\n") !=
        std::string::npos);
  CHECK(page.find("holdfast_vrrp_state{vrrp_instance=\"VI_1\",state=\"MASTER\"} 0\n") !=
        std::string::npos);
  CHECK(page.find("holdfast_vrrp_priority{vrrp_instance=\"VI_1\"} 90\n") != std::string::npos);
  CHECK(page.find("holdfast_vrrp_discarded_total{vrrp_instance=\"VI_1\",scope=\"instance\",reason="
                  "\"auth_mismatch\"} 1\n") != std::string::npos);
  CHECK(page.find("holdfast_backend_up{backend=\"nginx_local\",kind=\"backend\"} 0\n") !=
        std::string::npos);
  const std::string l = "kind=\"http\",target=\"http 127.0.0.1:8080/health\"";
  CHECK(page.find("holdfast_check_results_total{" + l + ",result=\"refused\"} 2\n") !=
        std::string::npos);
  CHECK(page.find("holdfast_check_latency_seconds_bucket{" + l + ",le=\"0.001\"} 1\n") !=
        std::string::npos);
  CHECK(page.find("holdfast_check_latency_seconds_bucket{" + l + ",le=\"0.0025\"} 1\n") !=
        std::string::npos);
  CHECK(page.find("holdfast_check_latency_seconds_bucket{" + l + ",le=\"0.005\"} 2\n") !=
        std::string::npos);
  CHECK(page.find("holdfast_check_latency_seconds_bucket{" + l + ",le=\"+Inf\"} 2\n") !=
        std::string::npos);
  CHECK(page.find("holdfast_check_latency_seconds_count{" + l + "} 2\n") != std::string::npos);
}

TEST_CASE("metric label values are escaped") {
  auto r = master();
  r.name = "a\"b\\c";
  const std::string page = control::renderMetrics({r}, {});
  CHECK(page.find("holdfast_vrrp_priority{vrrp_instance=\"a\\\"b\\\\c\"} 90\n") !=
        std::string::npos);
}

TEST_CASE("the status table shows the master and the backend's layer") {
  nlohmann::json reply{{"ok", true},
                       {"instances", {control::instanceSummary(master())}},
                       {"backends", {control::backendJson(checks().backends[0])}}};
  const std::string text = ctl::statusText(reply);
  CHECK(text.find("VI_1      eth0       51    v3 IPv4  BACKUP  90        150   192.0.2.12 (100)") !=
        std::string::npos);
  CHECK(text.find("nginx_local  backend  down   L5     L5: connection refused") !=
        std::string::npos);
}

TEST_CASE("the status table has one line per sync group") {
  nlohmann::json reply{
      {"ok", true},
      {"instances", nlohmann::json::array()},
      {"sync_groups",
       {{{"name", "WEB"},
         {"state", "MASTER"},
         {"members",
          {{{"name", "WEB_V4"}, {"state", "MASTER"}}, {{"name", "WEB_V6"}, {"state", "MASTER"}}}},
         {"vips", {"192.0.2.100/24 dev eth0", "2001:db8::100/64 dev eth0"}}}}},
      {"backends", nlohmann::json::array()}};
  const std::string text = ctl::statusText(reply);
  CHECK(text.find("SYNC GROUP  STATE   MEMBERS") != std::string::npos);
  CHECK(text.find("WEB         MASTER  WEB_V4 MASTER, WEB_V6 MASTER  192.0.2.100/24 dev eth0, "
                  "2001:db8::100/64 dev eth0") != std::string::npos);
}

TEST_CASE("a VIP-list mismatch is null until seen, then flagged in JSON, tables and metrics") {
  runtime::InstanceReport r = master();
  CHECK(control::instanceSummary(r).at("vip_list_mismatch").is_null());
  CHECK(ctl::statusText({{"instances", {control::instanceSummary(r)}}, {"backends", {}}})
            .find("lists VIPs") == std::string::npos);
  r.vipListMismatch = {12, true, "192.0.2.12", {"192.0.2.100", "192.0.2.101"}, {}};
  const auto j = control::instanceSummary(r).at("vip_list_mismatch");
  CHECK(j.at("count") == 12);
  CHECK(j.at("active") == true);
  CHECK(j.at("last_from") == "192.0.2.12");
  CHECK(j.at("their_vips") == nlohmann::json{"192.0.2.100", "192.0.2.101"});
  const std::string status =
      ctl::statusText({{"instances", {control::instanceSummary(r)}}, {"backends", {}}});
  CHECK(status.find("VI_1: the master (192.0.2.12) lists VIPs 192.0.2.100, 192.0.2.101, ours "
                    "differ (12 such adverts; the two configs differ)") != std::string::npos);
  const std::string page = control::renderMetrics({r}, {});
  CHECK(page.find("holdfast_vrrp_vip_list_mismatch_total{vrrp_instance=\"VI_1\"} 12") !=
        std::string::npos);
  CHECK(page.find("holdfast_vrrp_vip_list_mismatch{vrrp_instance=\"VI_1\"} 1") !=
        std::string::npos);
}

TEST_CASE("metrics count nftables refusals and put-back addresses, routes and rules by kind") {
  auto r = master();
  r.filterErrors = 3;
  r.kept = {{"address", "198.51.100.9/24 dev eth0", true, "", 2},
            {"route", "198.51.100.0/24 via 192.0.2.254", true, "", 1},
            {"route", "203.0.113.0/24 via 192.0.2.254", true, "", 4},
            {"rule", "from 192.0.2.100 table 100", true, "", 0}};
  const std::string page = control::renderMetrics({r}, {});
  CHECK(page.find("# TYPE holdfast_vrrp_nftables_errors_total counter") != std::string::npos);
  CHECK(page.find("holdfast_vrrp_nftables_errors_total{vrrp_instance=\"VI_1\"} 3") !=
        std::string::npos);
  CHECK(page.find("holdfast_vrrp_put_back_total{vrrp_instance=\"VI_1\",kind=\"address\"} 2") !=
        std::string::npos);
  CHECK(page.find("holdfast_vrrp_put_back_total{vrrp_instance=\"VI_1\",kind=\"route\"} 5") !=
        std::string::npos);
  CHECK(page.find("holdfast_vrrp_put_back_total{vrrp_instance=\"VI_1\",kind=\"rule\"} 0") !=
        std::string::npos);
}
