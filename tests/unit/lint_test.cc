// holdfastctl lint on pairs of node configs in the styles the common guides publish:
// agreement (VIPs, advert_int, version, auth, unicast peers), priorities, nopreempt,
// whether each tracked item's failure on the master moves the VIP, failures that
// leave no master, and the scripts a native check does better.

#include <catch2/catch.hpp>

#include "core/config/loader.h"
#include "tools/lint/cluster_lint.h"
#include "tools/lint/lint_command.h"
#include "tools/lint/script_advice.h"

using namespace holdfast;
using lint::Severity;

namespace {

struct Pair {
  std::string a, b;
};

lint::Node node(const std::string& name, const std::string& text) {
  auto r = config::loadText(text, name);
  INFO(r.diagnostics.str());
  REQUIRE(r.config);
  return {name, std::move(*r.config)};
}

std::vector<lint::Finding> run(const Pair& p) {
  return lint::lintCluster({node("lb1.conf", p.a), node("lb2.conf", p.b)});
}

// The findings of one severity and kind, their texts.
std::vector<std::string> texts(const std::vector<lint::Finding>& f, Severity s,
                               const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& x : f) {
    if (x.severity == s && x.kind == kind) out.push_back(x.text);
  }
  return out;
}

bool has(const std::vector<lint::Finding>& f, Severity s, const std::string& kind,
         const std::string& part) {
  for (const auto& t : texts(f, s, kind)) {
    if (t.find(part) != std::string::npos) return true;
  }
  return false;
}

// A keepalived node: priority, the script's weight, extra instance lines.
std::string ka(int priority, const std::string& weight, const std::string& extra = "",
               const std::string& script = "killall -0 nginx") {
  return "vrrp_script chk_nginx {\n  script \"" + script + "\"\n  interval 2\n" +
         (weight.empty() ? "" : "  weight " + weight + "\n") +
         "}\nvrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n"
         "  priority " +
         std::to_string(priority) +
         "\n  advert_int 1\n  authentication {\n    auth_type PASS\n    auth_pass s3cret\n  }\n"
         "  virtual_ipaddress {\n    192.0.2.100/24\n  }\n  track_script {\n    chk_nginx\n  }\n" +
         extra + "}\n";
}

}  // namespace

TEST_CASE("lint: the guides' 101/100 pair with weight 2 moves the VIP when nginx dies", "[lint]") {
  const auto f = run({ka(101, "2"), ka(100, "2")});
  CHECK(!lint::anyProblem(f));
  CHECK(has(f, Severity::kOk, "failover",
            "script chk_nginx failing on lb1.conf (VI_1) leaves it at 101, lb2.conf (VI_1) at "
            "102: the VIP moves"));
  CHECK(has(f, Severity::kOk, "agreement", "agree on 2 nodes"));
}

TEST_CASE("lint: weights that can never move the VIP (150/100, weight -20) are a problem",
          "[lint]") {
  const auto f = run({ka(150, "-20"), ka(100, "-20")});
  REQUIRE(lint::anyProblem(f));
  CHECK(has(f, Severity::kProblem, "failover",
            "leaves it at 130, lb2.conf (VI_1) at 100: the VIP never moves; the weight must "
            "take it below 100"));
}

TEST_CASE("lint: a failure that ties the priorities is a problem", "[lint]") {
  const auto f = run({ka(110, "-10"), ka(100, "-10")});
  CHECK(has(f, Severity::kProblem, "failover", "a tie"));
}

TEST_CASE("lint: weight 0 faults the master; on every node it leaves nobody master", "[lint]") {
  const auto f = run({ka(150, "0"), ka(100, "0")});
  CHECK(has(f, Severity::kOk, "failover", "puts it in FAULT (weight 0): the VIP moves"));
  CHECK(has(f, Severity::kAdvice, "no_master", "script chk_nginx failing on every node"));
  CHECK(!lint::anyProblem(f));
  // A negative weight keeps someone master when both fail: no such advice.
  CHECK(texts(run({ka(101, "-2"), ka(100, "-2")}), Severity::kAdvice, "no_master").empty());
}

TEST_CASE("lint: equal priorities, nopreempt on one node, nopreempt blocking a failover",
          "[lint]") {
  auto f = run({ka(100, "-20"), ka(100, "-20")});
  CHECK(has(f, Severity::kProblem, "priority", "both run at priority 100"));
  f = run({ka(150, "-60", "  nopreempt\n"), ka(100, "-60")});
  CHECK(has(f, Severity::kProblem, "nopreempt", "nopreempt only on lb1.conf (VI_1)"));
  f = run({ka(150, "-60", "  nopreempt\n"), ka(100, "-60", "  nopreempt\n")});
  CHECK(has(f, Severity::kProblem, "failover", "has nopreempt: it does not take over"));
}

TEST_CASE("lint: VIPs, advert_int, version and authentication must agree", "[lint]") {
  std::string b = ka(100, "-60");
  b.replace(b.find("192.0.2.100/24"), 14, "192.0.2.101/24");
  b.replace(b.find("advert_int 1"), 12, "advert_int 2");
  b.replace(b.find("s3cret"), 6, "other1");
  auto f = run({ka(150, "-60"), b});
  CHECK(has(f, Severity::kProblem, "vips",
            "has VIPs 192.0.2.100/24, lb2.conf (VI_1) has 192.0.2.101/24"));
  CHECK(has(f, Severity::kProblem, "advert_int", "advert_int 1s, lb2.conf (VI_1) 2s"));
  CHECK(has(f, Severity::kProblem, "auth", "differ in authentication"));
  std::string v3 = ka(100, "-60", "  version 3\n");
  v3.replace(v3.find("  authentication {\n    auth_type PASS\n    auth_pass s3cret\n  }\n"), 63,
             "");
  std::string a3 = ka(150, "-60");
  a3.replace(a3.find("  authentication {\n    auth_type PASS\n    auth_pass s3cret\n  }\n"), 63,
             "");
  f = run({a3, v3});
  CHECK(has(f, Severity::kProblem, "version", "speaks VRRPv2, lb2.conf (VI_1) VRRPv3"));
}

TEST_CASE("lint: unicast peer lists must name each other's source", "[lint]") {
  const std::string u1 = "  unicast_src_ip 192.0.2.11\n  unicast_peer {\n    192.0.2.12\n  }\n";
  const std::string u2 = "  unicast_src_ip 192.0.2.12\n  unicast_peer {\n    192.0.2.13\n  }\n";
  auto f = run({ka(150, "-60", u1), ka(100, "-60", u2)});
  CHECK(has(f, Severity::kProblem, "unicast",
            "lb2.conf (VI_1)'s unicast_peer does not name lb1.conf (VI_1)'s unicast_src_ip "
            "192.0.2.11"));
  const std::string ok2 = "  unicast_src_ip 192.0.2.12\n  unicast_peer {\n    192.0.2.11\n  }\n";
  f = run({ka(150, "-60", u1), ka(100, "-60", ok2)});
  CHECK(texts(f, Severity::kProblem, "unicast").empty());
  CHECK(has(f, Severity::kOk, "unicast", "name each other"));
  f = run({ka(150, "-60", u1), ka(100, "-60")});
  CHECK(has(f, Severity::kProblem, "unicast", "lb2.conf (VI_1) sends multicast"));
}

TEST_CASE("lint: a VRID on one node only has no peer", "[lint]") {
  std::string b = ka(100, "-60");
  b.replace(b.find("virtual_router_id 51"), 20, "virtual_router_id 52");
  const auto f = run({ka(150, "-60"), b});
  CHECK(has(f, Severity::kProblem, "peer", "lb1.conf (VI_1) has no peer"));
  CHECK(has(f, Severity::kProblem, "peer", "lb2.conf (VI_1) has no peer"));
}

TEST_CASE("lint: a track_file says which value moves the VIP", "[lint]") {
  const std::string file = "vrrp_track_file tf {\n  file /tmp/holdfast-lint-test-absent\n}\n";
  auto inst = [](int prio) {
    return "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority " +
           std::to_string(prio) +
           "\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n  track_file {\n    tf weight 10\n  "
           "}\n}\n";
  };
  const auto f = run({file + inst(150), file + inst(100)});
  CHECK(has(f, Severity::kOk, "failover",
            "file tf on lb1.conf (VI_1): the VIP moves to lb2.conf (VI_1) once the file holds -6 "
            "or less"));
}

TEST_CASE("lint: the usual check scripts are recognised, with the native item to use", "[lint]") {
  using K = lint::ScriptTest::Kind;
  auto t = lint::recognise("killall -0 nginx");
  CHECK(t.kind == K::kProcess);
  CHECK(t.process == "nginx");
  CHECK(lint::recognise("/usr/bin/pidof -s haproxy").process == "haproxy");
  CHECK(lint::recognise("pgrep -x keepalived-x").process == "keepalived-x");
  CHECK(lint::recognise("systemctl is-active --quiet nginx.service").process == "nginx");
  t = lint::recognise("/usr/bin/curl -sf --max-time 2 http://localhost:8080/healthz || exit 1");
  CHECK(t.kind == K::kHttp);
  CHECK(t.host == "127.0.0.1");
  CHECK(t.port == 8080);
  CHECK(t.path == "/healthz");
  t = lint::recognise("curl -k https://[2001:db8::5]/");
  CHECK(t.host == "2001:db8::5");
  CHECK(t.port == 443);
  t = lint::recognise("nc -z -w 2 127.0.0.1 6443");
  CHECK(t.kind == K::kTcp);
  CHECK(t.port == 6443);
  t = lint::recognise("bash -c '</dev/tcp/192.0.2.5/3306'");
  CHECK(t.kind == K::kTcp);
  CHECK(t.host == "192.0.2.5");
  CHECK(lint::recognise("/etc/keepalived/my_check.sh").kind == K::kNone);
  // The advice names the block, with the script's weight.
  const auto f = run({ka(150, "-60"), ka(100, "-60", "", "/usr/bin/curl -sf http://127.0.0.1/")});
  CHECK(has(f, Severity::kAdvice, "script",
            "`vrrp_track_process nginx { process nginx weight -60 }`"));
  CHECK(has(f, Severity::kAdvice, "script",
            "`backend chk_nginx { address 127.0.0.1  check http { port 80  path /  interval 2s"));
}

TEST_CASE("lint: the table groups by VRID, problems first, and counts", "[lint]") {
  const auto f = run({ka(150, "-20"), ka(100, "-20")});
  const std::string t = lint::lintText(f);
  CHECK(t.find("VRID 51 IPv4\n  problem failover") != std::string::npos);
  CHECK(t.find("scripts\n  advice") != std::string::npos);
  CHECK(t.find("1 problem, 2 advice") != std::string::npos);
  CHECK(lint::lintJson(f).find("\"problems\": 1") != std::string::npos);
}
