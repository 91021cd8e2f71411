// virtual_routes, virtual_rules and virtual_ipaddress_excluded follow the instance's
// state; static_ipaddress, static_routes and static_rules are in while the set runs;
// what is removed behind holdfast's back is put back; a reload changes them in
// place. On the fake kernel, in simulated time (fake_kernel.h).

#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "fake_kernel.h"

using namespace holdfast;
using namespace std::chrono_literals;
using test::FakeLan;
using test::FakeNode;

namespace {

const std::string kStatics =
    "static_ipaddress {\n  192.0.2.50/24 dev eth0\n}\n"
    "static_routes {\n  203.0.113.0/25 dev eth0 table 100\n}\n"
    "static_rules {\n  from 192.0.2.128/25 table 100 priority 100\n}\n";

std::string instance(int priority, const std::string& extra = "") {
  return "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  version 3\n"
         "  priority " +
         std::to_string(priority) +
         "\n  advert_int 0.1\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n"
         "  virtual_ipaddress_excluded {\n    192.0.2.101/24\n    2001:db8::101/64\n  }\n"
         "  virtual_routes {\n    src 192.0.2.100 198.51.100.0/24 via 192.0.2.254 dev eth0\n"
         "    blackhole 198.51.100.64/26\n  }\n"
         "  virtual_rules {\n    from 192.0.2.100 table 200 priority 300\n  }\n" +
         extra + "}\n";
}

void run(FakeNode& n, const std::string& text) {
  auto set = runtime::InstanceSet::create(n, test::loadOrFail(text), {});
  REQUIRE(set);
  n.set = std::move(*set);
  n.set->start();
}

const std::string kRoute = "198.51.100.0/24 table 254 via 192.0.2.254 type 1 proto 18";
const std::string kBlackhole = "198.51.100.64/26 table 254 type 6 proto 18";
const std::string kStaticRoute = "203.0.113.0/25 table 100 type 1 proto 18";
const std::string kRule = "from 192.0.2.100 lookup 200 priority 300";
const std::string kStaticRule = "from 192.0.2.128 lookup 100 priority 100";

struct Pair {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  FakeNode& r2 = lan.add("r2", "192.0.2.12");
  Pair() {
    run(r1, kStatics + instance(150));
    run(r2, kStatics + instance(100));
    lan.advance(2s);
    REQUIRE(r1.report("VI_1").state == vrrp::State::kMaster);
    REQUIRE(r2.report("VI_1").state == vrrp::State::kBackup);
  }
};

bool installed(const runtime::InstanceReport& r, const std::string& kind) {
  for (const auto& k : r.kept) {
    if (k.kind == kind && !k.installed) return false;
  }
  return !r.kept.empty();
}

}  // namespace

TEST_CASE("virtual routes, rules and excluded addresses are on the master only", "[routes]") {
  Pair p;
  CHECK(p.r1.rtable.routes == std::set<std::string>{kRoute, kBlackhole, kStaticRoute});
  CHECK(p.r1.rtable.rules == std::set<std::string>{kRule, kStaticRule});
  CHECK(p.r1.holds("192.0.2.101"));
  CHECK(p.r1.holds("2001:db8::101"));
  CHECK(p.r1.holds("192.0.2.50"));
  // The backup has the static ones only.
  CHECK(p.r2.rtable.routes == std::set<std::string>{kStaticRoute});
  CHECK(p.r2.rtable.rules == std::set<std::string>{kStaticRule});
  CHECK_FALSE(p.r2.holds("192.0.2.101"));
  CHECK(p.r2.holds("192.0.2.50"));

  auto rep = p.r1.report("VI_1");
  REQUIRE(rep.kept.size() == 5);
  CHECK(rep.kept[0].kind == "address");
  CHECK(rep.kept[2].kind == "route");
  CHECK(rep.kept[2].text ==
        "198.51.100.0/24 via 192.0.2.254 dev eth0 proto keepalived src 192.0.2.100");
  CHECK(rep.kept[4].kind == "rule");
  CHECK(installed(rep, "route"));
  CHECK(installed(rep, "rule"));
  CHECK_FALSE(installed(p.r2.report("VI_1"), "route"));
}

TEST_CASE("in after the VIPs, out before them, in keepalived's order", "[routes]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, instance(150));
  lan.advance(2s);
  REQUIRE(r1.report("VI_1").state == vrrp::State::kMaster);
  auto order = [&](const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& l : r1.journal) {
      if (l.rfind(prefix, 0) == 0 || l.rfind("route " + prefix, 0) == 0 ||
          l.rfind("rule " + prefix, 0) == 0) {
        out.push_back(l);
      }
    }
    return out;
  };
  // Start: what a crashed run left goes first (rules, routes, addresses), then master.
  CHECK(order("add") == std::vector<std::string>{"add 192.0.2.100", "add 192.0.2.101",
                                                 "add 2001:db8::101", "route add " + kRoute,
                                                 "route add " + kBlackhole, "rule add " + kRule});
  r1.journal.clear();
  r1.set->stop();
  CHECK(order("remove") ==
        std::vector<std::string>{"rule remove " + kRule, "route remove " + kBlackhole,
                                 "route remove " + kRoute, "remove 2001:db8::101",
                                 "remove 192.0.2.101", "remove 192.0.2.100"});
  CHECK(r1.rtable.routes.empty());
  CHECK(r1.rtable.rules.empty());
}

TEST_CASE("a crashed run's virtual routes and rules are removed at start", "[routes]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  // Left by a run that was master when it died.
  r1.rtable.routes = {kRoute, kBlackhole};
  r1.rtable.rules = {kRule};
  r1.vips.present = {{"192.0.2.101", 2}};
  run(r1, instance(100));
  CHECK(r1.rtable.routes.empty());
  CHECK(r1.rtable.rules.empty());
  CHECK_FALSE(r1.holds("192.0.2.101"));
  CHECK(r1.report("VI_1").state == vrrp::State::kBackup);
}

TEST_CASE("they move with a failover", "[routes]") {
  Pair p;
  p.r1.set->stop();  // priority 0: r2 takes over after Skew_Time
  p.lan.advance(200ms);
  REQUIRE(p.r2.report("VI_1").state == vrrp::State::kMaster);
  CHECK(p.r2.rtable.routes == std::set<std::string>{kRoute, kBlackhole, kStaticRoute});
  CHECK(p.r2.rtable.rules == std::set<std::string>{kRule, kStaticRule});
  CHECK(p.r2.holds("192.0.2.101"));
  // r1 stopped: nothing of it is left, static ones included (keepalived removes them).
  CHECK(p.r1.rtable.routes.empty());
  CHECK(p.r1.rtable.rules.empty());
  CHECK_FALSE(p.r1.holds("192.0.2.50"));
}

TEST_CASE("a route, rule or address removed behind the master's back is put back", "[routes]") {
  Pair p;
  p.r1.rtable.routes.erase(kRoute);
  p.r1.rtable.routes.erase(kStaticRoute);
  p.r1.set->linkEvent({netio::LinkEvent::Kind::kRoutesRemoved, 0, false, {}});
  CHECK(p.r1.rtable.routes == std::set<std::string>{kRoute, kBlackhole, kStaticRoute});
  p.r1.rtable.rules.clear();
  p.r1.set->linkEvent({netio::LinkEvent::Kind::kRulesRemoved, 0, false, {}});
  CHECK(p.r1.rtable.rules == std::set<std::string>{kRule, kStaticRule});
  p.r1.vips.present.erase({"192.0.2.101", 2});
  p.r1.set->linkEvent({netio::LinkEvent::Kind::kAddressRemoved, 2, false,
                       netio::IpAddress::parse("192.0.2.101").value()});
  CHECK(p.r1.holds("192.0.2.101"));
  p.r1.vips.present.erase({"192.0.2.50", 2});
  p.r1.set->linkEvent({netio::LinkEvent::Kind::kAddressRemoved, 2, false,
                       netio::IpAddress::parse("192.0.2.50").value()});
  CHECK(p.r1.holds("192.0.2.50"));
  auto rep = p.r1.report("VI_1");
  CHECK(rep.kept[2].putBack == 1);  // the route
  CHECK(rep.kept[3].putBack == 0);  // the blackhole was there
  CHECK(rep.kept[4].putBack == 1);  // the rule
  CHECK(rep.kept[0].putBack == 1);  // the excluded address

  // The backup puts back static ones only.
  p.r2.rtable.routes.clear();
  p.r2.set->linkEvent({netio::LinkEvent::Kind::kRoutesRemoved, 0, false, {}});
  CHECK(p.r2.rtable.routes == std::set<std::string>{kStaticRoute});
}

TEST_CASE("a refused route is reported not installed, with the kernel's reason", "[routes]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  r1.rtable.refuse = true;
  run(r1, instance(150));
  lan.advance(2s);
  auto rep = r1.report("VI_1");
  REQUIRE(rep.state == vrrp::State::kMaster);
  CHECK_FALSE(rep.kept[2].installed);
  CHECK(rep.kept[2].error == "refused");
  CHECK(rep.kept[0].installed);  // the addresses went in
  r1.rtable.refuse = false;
  r1.set->linkEvent({netio::LinkEvent::Kind::kRoutesRemoved, 0, false, {}});
  CHECK(r1.report("VI_1").kept[2].installed);
}

TEST_CASE("a reload changes virtual routes and static rules in place", "[routes]") {
  Pair p;
  const auto transitions = p.r1.report("VI_1").transitions;
  p.r1.journal.clear();
  const std::string next =
      "static_rules {\n  from 192.0.2.128/25 table 101 priority 100\n}\n" + instance(150, "");
  std::string text = next;
  // One route less (the blackhole), one more.
  const std::string from = "    blackhole 198.51.100.64/26\n";
  text.replace(text.find(from), from.size(), "    unreachable 198.51.100.128/26\n");
  auto plan = p.r1.set->reconfigure(test::loadOrFail(text), {});
  REQUIRE(plan);
  CHECK(runtime::summarize(*plan) ==
        "instances kept none; changed in place VI_1 (virtual_routes); added none; removed none; "
        "restarted none; static addresses, routes and rules changed");
  CHECK(p.r1.report("VI_1").transitions == transitions);
  CHECK(p.r1.rtable.routes ==
        std::set<std::string>{kRoute, "198.51.100.128/26 table 254 type 7 proto 18"});
  CHECK(p.r1.rtable.rules ==
        std::set<std::string>{kRule, "from 192.0.2.128 lookup 101 priority 100"});
  CHECK_FALSE(p.r1.holds("192.0.2.50"));
  // The route that stayed was not touched.
  for (const auto& l : p.r1.journal) CHECK(l.find(kRoute) == std::string::npos);
}
