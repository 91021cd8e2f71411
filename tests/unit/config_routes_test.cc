// keepalived's route and rule lines (static_routes, static_rules, virtual_routes,
// virtual_rules) and static_ipaddress: every form keepalived 2.2.7 takes, read into
// the model, and every line it refuses skipped with a warning at file:line:col.

#include <catch2/catch.hpp>

#include "tests/unit/config_test_util.h"

using namespace holdfast::config;
using holdfast::test::loadOrFail;
using holdfast::test::noEffectOf;
using holdfast::test::warningsOf;

namespace {

// An instance after the block, so that the config has something to run.
std::string routes(const std::string& lines) {
  return "static_routes {\n" + lines + "}\n" + holdfast::test::instance("");
}
std::string rules(const std::string& lines) {
  return "static_rules {\n" + lines + "}\n" + holdfast::test::instance("");
}

const RouteSpec& onlyRoute(const Config& c) {
  REQUIRE(c.staticRoutes.size() == 1);
  return c.staticRoutes.front();
}

boost::asio::ip::address ip(const char* s) {
  return boost::asio::ip::make_address(s);
}

}  // namespace

TEST_CASE("routes: destination, gateway, device and the defaults keepalived uses", "[routes]") {
  auto c = loadOrFail(routes("  198.51.100.0/24 via 192.0.2.254 dev eth0\n"));
  const RouteSpec& r = onlyRoute(c);
  CHECK_FALSE(r.ipv6);
  CHECK(r.dst == RoutePrefix{ip("198.51.100.0"), 24});
  CHECK(r.via == ip("192.0.2.254"));
  CHECK(r.dev == "eth0");
  CHECK(r.table == 254);
  CHECK(r.protocol == kProtoKeepalived);
  CHECK(r.scope == 0);
  CHECK(r.type == 1);
  CHECK_FALSE(r.metric);
  CHECK(describe(r) == "198.51.100.0/24 via 192.0.2.254 dev eth0 proto keepalived");
}

TEST_CASE("routes: every option keepalived installs", "[routes]") {
  auto c = loadOrFail(
      routes("  src 192.0.2.100 to 198.51.100.128/25 via 192.0.2.254 dev eth0 table 200 metric 10 "
             "scope link tos 0x10 onlink append\n"));
  const RouteSpec& r = onlyRoute(c);
  CHECK(r.src == ip("192.0.2.100"));
  CHECK(r.dst == RoutePrefix{ip("198.51.100.128"), 25});
  CHECK(r.table == 200);
  CHECK(r.metric == 10u);
  CHECK(r.scope == 253);
  CHECK(r.tos == 0x10);
  CHECK(r.onlink);
  CHECK(r.mode == RouteAddMode::kAppend);
  CHECK(describe(r) ==
        "198.51.100.128/25 via 192.0.2.254 dev eth0 table 200 proto keepalived scope link "
        "metric 10 tos 16 src 192.0.2.100 onlink");
}

TEST_CASE("routes: types, default, IPv6 and the synonyms", "[routes]") {
  auto c =
      loadOrFail(routes("  blackhole 203.0.113.128/25\n"
                        "  unreachable 198.51.100.64/26 table 7\n"
                        "  prohibit 2001:db8:6::/64\n"
                        "  throw 198.51.100.32/27 table 9\n"
                        "  default via 192.0.2.253 dev eth0 table 300\n"
                        "  default via 2001:db8::253 dev eth0 table 300\n"
                        "  2001:db8:5::/64 via 2001:db8::254 dev eth0 priority 50\n"
                        "  2001:db8:7::/64 from 2001:db8:8::/64 oif eth0 preference 5\n"));
  REQUIRE(c.staticRoutes.size() == 8);
  const auto& r = c.staticRoutes;
  CHECK(r[0].type == 6);
  CHECK(r[1].type == 7);
  CHECK(r[1].table == 7);
  CHECK(r[2].type == 8);
  CHECK(r[2].ipv6);
  CHECK(r[3].type == 9);
  CHECK(r[4].dst == RoutePrefix{ip("0.0.0.0"), 0});
  CHECK_FALSE(r[4].ipv6);
  CHECK(r[5].ipv6);
  CHECK(r[5].dst == RoutePrefix{ip("::"), 0});
  CHECK(r[6].metric == 50u);
  CHECK(r[7].from == RoutePrefix{ip("2001:db8:8::"), 64});
  CHECK(r[7].dev == "eth0");
  CHECK(r[7].metric == 5u);
  CHECK(describe(r[0]) == "blackhole 203.0.113.128/25 proto keepalived");
  CHECK(describe(r[5]) == "inet6 ::/0 via 2001:db8::253 dev eth0 table 300 proto keepalived");
}

TEST_CASE("routes: tables and protocols by name", "[routes]") {
  auto c =
      loadOrFail(routes("  198.51.100.0/24 dev eth0 table main\n"
                        "  198.51.100.0/24 dev eth0 table local protocol static no_track\n"));
  REQUIRE(c.staticRoutes.size() == 2);
  CHECK(c.staticRoutes[0].table == 254);
  CHECK(c.staticRoutes[1].table == 255);
  CHECK(c.staticRoutes[1].protocol == 4);
  CHECK(c.staticRoutes[1].noTrack);
}

TEST_CASE("routes: what keepalived tolerates, with its fallback", "[routes]") {
  CHECK(warningsOf(routes("  198.51.100.0/24 gw 192.0.2.254 dev eth0\n")) ==
        std::vector<std::string>{"test.conf:2:19: warning: route: \"gw\" is deprecated; write "
                                 "\"via\"; read as \"via\", as keepalived does"});
  auto c = loadOrFail(routes("  198.51.100.0/24 gw 192.0.2.254 dev eth0\n"));
  CHECK(onlyRoute(c).via == ip("192.0.2.254"));

  CHECK(warningsOf(routes("  198.51.100.0/24 dev eth0 protocol static\n")) ==
        std::vector<std::string>{
            "test.conf:2:3: warning: route: a tracked route's protocol must be keepalived (18); "
            "write no_track to keep another; using protocol 18, as keepalived does"});
  CHECK(onlyRoute(loadOrFail(routes("  198.51.100.0/24 dev eth0 protocol static\n"))).protocol ==
        kProtoKeepalived);
}

TEST_CASE("routes: lines keepalived refuses are skipped with a warning", "[routes]") {
  struct Bad {
    const char* line;
    const char* warning;
  };
  const std::vector<Bad> bad{
      {"  via 192.0.2.254 dev eth0\n",
       "test.conf:2:23: warning: route: a route must have a destination; the route is skipped, "
       "as keepalived does"},
      {"  198.51.100.0/24 via 2001:db8::1\n",
       "test.conf:2:23: warning: route: cannot mix IPv4 and IPv6 addresses for route; the route "
       "is skipped, as keepalived does"},
      {"  198.51.100.0/24 via nowhere\n",
       "test.conf:2:23: warning: route: invalid route via address 'nowhere'; the route is "
       "skipped, as keepalived does"},
      {"  198.51.100.0/24 table nosuchtable\n",
       "test.conf:2:25: warning: route: routing table 'nosuchtable' not found; the route is "
       "skipped, as keepalived does"},
      {"  198.51.100.0/24 proto static\n",
       "test.conf:2:19: warning: route: unknown route keyword 'proto'; the route is skipped, as "
       "keepalived does"},
      {"  to blackhole 198.51.100.0/24\n",
       "test.conf:2:6: warning: route: unknown route keyword 'blackhole'; the route is skipped, "
       "as keepalived does"},
      {"  198.51.100.0/24 from 192.0.2.0/24\n",
       "test.conf:2:24: warning: route: route from address only supported with IPv6 "
       "(192.0.2.0/24); the route is skipped, as keepalived does"},
      {"  198.51.100.0/24 inet6\n",
       "test.conf:2:19: warning: route: inet6 specified for IPv4 route; the route is skipped, as "
       "keepalived does"},
      {"  198.51.100.0/24 metric -1\n",
       "test.conf:2:26: warning: route: invalid metric '-1'; the route is skipped, as keepalived "
       "does"},
  };
  for (const auto& b : bad) {
    INFO(b.line);
    CHECK(warningsOf(routes(b.line)) == std::vector<std::string>{b.warning});
    CHECK(loadOrFail(routes(b.line)).staticRoutes.empty());
  }
}

TEST_CASE("routes and rules: keepalived skips the word after inet6, and so does holdfast",
          "[routes]") {
  const std::string text = routes(
                               "  inet6 default via 2001:db8::253 dev eth0\n"
                               "  inet6 2001:db8:4::/64 2001:db8:5::/64 dev eth0\n") +
                           "static_rules {\n  inet6 fwmark 7 table 5 priority 20\n}\n";
  CHECK(warningsOf(text) ==
        std::vector<std::string>{
            "test.conf:2:9: warning: route: 'default' right after 'inet6' is not read by "
            "keepalived 2.2.7 (it skips the word after the family); skipped, as keepalived does; "
            "put the family last on the line",
            "test.conf:2:39: warning: route: a route must have a destination; the route is "
            "skipped, as keepalived does",
            "test.conf:3:9: warning: route: '2001:db8:4::/64' right after 'inet6' is not read by "
            "keepalived 2.2.7 (it skips the word after the family); skipped, as keepalived does; "
            "put the family last on the line",
            "test.conf:11:9: warning: rule: 'fwmark' right after 'inet6' is not read by "
            "keepalived 2.2.7 (it skips the word after the family); skipped, as keepalived does; "
            "put the family last on the line",
            "test.conf:11:24: warning: rule: cannot specify more than one of "
            "table/nop/goto/blackhole/prohibit/unreachable/l3mdev; the rule is skipped, as "
            "keepalived does"});
  auto c = loadOrFail(text);
  REQUIRE(c.staticRoutes.size() == 1);
  CHECK(c.staticRoutes[0].dst == RoutePrefix{ip("2001:db8:5::"), 64});
  CHECK(c.staticRules.empty());
}

TEST_CASE("routes: options holdfast does not install skip the line, said so", "[routes]") {
  const std::string text = routes("  198.51.100.0/24 via 192.0.2.254 dev eth0 mtu 1400\n");
  CHECK(noEffectOf(text) ==
        std::vector<std::string>{"test.conf:2:44: warning: 'mtu' in a route is not implemented "
                                 "in holdfast yet: this route is not installed"});
  CHECK(loadOrFail(text).staticRoutes.empty());
  CHECK(loadOrFail(routes("  198.51.100.0/24 nexthop via 192.0.2.1 encap ip id 1\n"))
            .staticRoutes.empty());
}

TEST_CASE("routes: multipath next hops", "[routes]") {
  auto c = loadOrFail(
      routes("  198.51.100.0/24 table 6 nexthop via 192.0.2.252 dev eth0 weight 1 nexthop via "
             "192.0.2.253 dev eth0 onlink weight 2\n"));
  const RouteSpec& r = onlyRoute(c);
  REQUIRE(r.nexthops.size() == 2);
  CHECK(r.nexthops[0].via == ip("192.0.2.252"));
  CHECK(r.nexthops[0].dev == "eth0");
  CHECK(r.nexthops[0].weight == 1);
  CHECK_FALSE(r.nexthops[0].onlink);
  CHECK(r.nexthops[1].weight == 2);
  CHECK(r.nexthops[1].onlink);
  CHECK(describe(r) ==
        "198.51.100.0/24 table 6 proto keepalived nexthop via 192.0.2.252 dev eth0 weight 1 "
        "nexthop via 192.0.2.253 dev eth0 weight 2 onlink");
  CHECK(warningsOf(routes("  198.51.100.0/24 nexthop via 192.0.2.1 weight 0\n")) ==
        std::vector<std::string>{"test.conf:2:48: warning: route: invalid weight 0 specified for "
                                 "route; the route is skipped, as keepalived does"});
  CHECK(warningsOf(routes("  198.51.100.0/24 nexthop via 192.0.2.1 mtu 1400\n")) ==
        std::vector<std::string>{"test.conf:2:41: warning: route: route has trailing nonsense "
                                 "after nexthops - mtu; the route is skipped, as keepalived does"});
  CHECK(warningsOf(routes("  198.51.100.0/24 nexthop via 2001:db8::1\n")) ==
        std::vector<std::string>{"test.conf:2:31: warning: route: address family mismatch for "
                                 "next hop; the route is skipped, as keepalived does"});
}

TEST_CASE("rules: every form", "[routes]") {
  auto c =
      loadOrFail(rules("  from 192.0.2.128/25 table 100 priority 100\n"
                       "  to 198.51.100.0/24 lookup 101 preference 101\n"
                       "  fwmark 0x10/0xff table 300 order 102\n"
                       "  iif eth0 oif eth1 to 203.0.113.0/24 table 200 priority 103\n"
                       "  from all tos 0x10 table main priority 104\n"
                       "  from 2001:db8:9::/48 table 100 priority 105\n"
                       "  from 192.0.2.7 goto 200 priority 106\n"
                       "  from 192.0.2.8 blackhole priority 107\n"
                       "  from 192.0.2.9 type unreachable priority 108\n"
                       "  from 192.0.2.10 prohibit priority 109\n"
                       "  from 192.0.2.11 nop priority 110\n"
                       "  fwmark 7 table 5 priority 111 inet6\n"
                       "  ipproto tcp dport 80-81 sport 1000 table 5 priority 112\n"));
  REQUIRE(c.staticRules.size() == 13);
  const auto& r = c.staticRules;
  CHECK(r[0].from == RoutePrefix{ip("192.0.2.128"), 25});
  CHECK(r[0].table == 100);
  CHECK(r[0].priority == 100);
  CHECK(r[0].action == RuleAction::kTable);
  CHECK(r[0].protocol == kProtoKeepalived);
  CHECK(r[1].to == RoutePrefix{ip("198.51.100.0"), 24});
  CHECK(r[2].fwmark == 0x10u);
  CHECK(r[2].fwmask == 0xffu);
  CHECK(r[3].iif == "eth0");
  CHECK(r[3].oif == "eth1");
  CHECK_FALSE(r[4].from);
  CHECK(r[4].tos == 0x10);
  CHECK(r[4].table == 254);
  CHECK(r[5].ipv6);
  CHECK(r[6].action == RuleAction::kGoto);
  CHECK(r[6].gotoTarget == 200);
  CHECK(r[7].action == RuleAction::kBlackhole);
  CHECK(r[8].action == RuleAction::kUnreachable);
  CHECK(r[9].action == RuleAction::kProhibit);
  CHECK(r[10].action == RuleAction::kNop);
  CHECK(r[11].ipv6);
  CHECK_FALSE(r[11].fwmask);
  CHECK(r[12].ipProto == 6);
  CHECK(r[12].dport == PortRange{80, 81});
  CHECK(r[12].sport == PortRange{1000, 1000});
  CHECK(describe(r[0]) == "from 192.0.2.128/25 lookup 100 priority 100 proto keepalived");
  CHECK(describe(r[2]) == "from all fwmark 0x10/0xff lookup 300 priority 102 proto keepalived");
}

TEST_CASE("rules: without a preference, keepalived's numbers from 16384 down per family",
          "[routes]") {
  const std::string text =
      "static_rules {\n  from 192.0.2.1 table 1\n"
      "  from 2001:db8::1 table 1\n}\n"
      "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n"
      "  virtual_ipaddress { 192.0.2.100 }\n"
      "  virtual_rules {\n    to 192.0.2.2 table 2\n  }\n}\n";
  auto c = loadOrFail(text);
  REQUIRE(c.staticRules.size() == 2);
  CHECK(c.staticRules[0].priority == 16384);
  CHECK(c.staticRules[1].priority == 16384);
  REQUIRE(c.instances.front().virtualRules.size() == 1);
  CHECK(c.instances.front().virtualRules[0].priority == 16383);
  CHECK(warningsOf(text) ==
        std::vector<std::string>{
            "test.conf:2:3: warning: rule has no preference (rules need one: their order "
            "decides); using 16384, as keepalived does",
            "test.conf:3:3: warning: rule has no preference (rules need one: their order "
            "decides); using 16384, as keepalived does",
            "test.conf:10:5: warning: rule has no preference (rules need one: their order "
            "decides); using 16383, as keepalived does"});
}

TEST_CASE("rules: lines keepalived refuses are skipped with a warning", "[routes]") {
  struct Bad {
    const char* line;
    const char* warning;
  };
  const std::vector<Bad> bad{
      {"  from 192.0.2.1 priority 5\n",
       "test.conf:2:27: warning: rule: no action specified for rule; the rule is skipped, as "
       "keepalived does"},
      {"  from 192.0.2.1 table 1 pref 5\n",
       "test.conf:2:26: warning: rule: unknown rule option 'pref' (keepalived takes "
       "'preference'); the rule is skipped, as keepalived does"},
      {"  from 192.0.2.1 table 1 blackhole priority 5\n",
       "test.conf:2:26: warning: rule: cannot specify more than one of "
       "table/nop/goto/blackhole/prohibit/unreachable/l3mdev; the rule is skipped, as keepalived "
       "does"},
      {"  from 192.0.2.1 to 2001:db8::/64 table 1 priority 5\n",
       "test.conf:2:21: warning: rule: rule specification has mixed IPv4 and IPv6; the rule is "
       "skipped, as keepalived does"},
      {"  from 192.0.2.1 goto 5 priority 9\n",
       "test.conf:2:34: warning: rule: preference 9 >= goto target 5; the rule is skipped, as "
       "keepalived does"},
      {"  from 192.0.2.1 goto 50\n",
       "test.conf:2:23: warning: rule: goto target 50 specified without preference; the rule is "
       "skipped, as keepalived does"},
      {"  from 192.0.2.1 table 0 priority 5\n",
       "test.conf:2:24: warning: rule: table 0 is not valid; the rule is skipped, as keepalived "
       "does"},
      {"  fwmark 0x10/-1 table 1 priority 5\n",
       "test.conf:2:10: warning: rule: invalid rule fwmark '0x10/-1'; the rule is skipped, as "
       "keepalived does"},
      {"  from 192.0.2.1 throw priority 5\n",
       "test.conf:2:18: warning: rule: invalid rule action 'throw'; the rule is skipped, as "
       "keepalived does"},
  };
  for (const auto& b : bad) {
    INFO(b.line);
    CHECK(warningsOf(rules(b.line)) == std::vector<std::string>{b.warning});
    CHECK(loadOrFail(rules(b.line)).staticRules.empty());
  }
  CHECK(noEffectOf(rules("  from 192.0.2.1 table 1 priority 5 uidrange 1-2\n")) ==
        std::vector<std::string>{"test.conf:2:37: warning: 'uidrange' in a rule is not "
                                 "implemented in holdfast yet: this rule is not installed"});
}

TEST_CASE("static_ipaddress and the instance's lists", "[routes]") {
  auto c = loadOrFail(
      "static_ipaddress {\n  192.0.2.50/24 dev eth0\n  2001:db8::50/64 dev eth0 scope link\n}\n"
      "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n"
      "  virtual_ipaddress { 192.0.2.100 }\n"
      "  virtual_ipaddress_excluded {\n    192.0.2.101/24\n    2001:db8::101/64\n  }\n"
      "  virtual_routes {\n    198.51.100.0/24 via 192.0.2.254 dev eth0\n  }\n"
      "  virtual_rules {\n    from 192.0.2.100 table 200 priority 300\n  }\n}\n");
  REQUIRE(c.staticAddresses.size() == 2);
  CHECK(c.staticAddresses[1].scope == "link");
  const VrrpInstance& vi = c.instances.front();
  CHECK(vi.excludedAddresses.size() == 2);
  CHECK(vi.virtualRoutes.size() == 1);
  CHECK(vi.virtualRules.size() == 1);
  // They are real now: no "no effect" diagnostic.
  CHECK(noEffectOf("vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n"
                   "  virtual_ipaddress { 192.0.2.100 }\n"
                   "  virtual_ipaddress_excluded {\n    192.0.2.101/24\n  }\n}\n")
            .empty());
}
