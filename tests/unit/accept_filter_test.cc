// no_accept: the nft commands holdfast generates from a state (netio/nft_filter.h),
// which VIPs the runtime drops in which state (core/runtime/accept_filter.h, on a
// fake kernel, a pair in simulated time), and the config side: vrrp_strict's trap
// warning, the nftables keywords.

#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "core/runtime/accept_filter.h"
#include "core/runtime/reload_plan.h"
#include "fake_kernel.h"
#include "netio/nft_filter.h"

using namespace holdfast;
using namespace std::chrono_literals;
using netio::NftFilterSpec;
using test::FakeLan;
using test::FakeNode;

namespace {

netio::IpAddress ip(const char* text) {
  return *netio::IpAddress::parse(text);
}

std::string pairConfig(int priority, const std::string& extra, const std::string& global = "") {
  return "global_defs {\n" + global +
         "}\nvrrp_instance VI_1 {\n  interface eth0\n  "
         "virtual_router_id 51\n  version 3\n  priority " +
         std::to_string(priority) +
         "\n  advert_int 0.1\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n" + extra + "}\n";
}

void run(FakeNode& n, const std::string& text) {
  auto set = runtime::InstanceSet::create(n, test::loadOrFail(text), {});
  REQUIRE(set);
  n.set = std::move(*set);
  n.set->start();
}

}  // namespace

TEST_CASE("nft: an IPv4 table is replaced whole, in keepalived's shape", "[accept]") {
  NftFilterSpec s;
  s.ipv4 = true;
  s.vips4 = {ip("192.0.2.50"), ip("192.0.2.51")};
  CHECK(netio::nftReplaceCommands(s) ==
        "add table ip holdfast\n"
        "delete table ip holdfast\n"
        "add table ip6 holdfast\n"
        "delete table ip6 holdfast\n"
        "add table ip holdfast\n"
        "add set ip holdfast vips { type ipv4_addr; }\n"
        "add chain ip holdfast out { type filter hook output priority -1; policy accept; }\n"
        "add chain ip holdfast in { type filter hook input priority -1; policy accept; }\n"
        "add rule ip holdfast out ip saddr @vips drop\n"
        "add rule ip holdfast in ip daddr @vips drop\n"
        "add element ip holdfast vips { 192.0.2.50, 192.0.2.51 }\n");
  CHECK(netio::nftElementCommands(s) ==
        "flush set ip holdfast vips\n"
        "add element ip holdfast vips { 192.0.2.50, 192.0.2.51 }\n");
  s.vips4.clear();
  CHECK(netio::nftElementCommands(s) == "flush set ip holdfast vips\n");
}

TEST_CASE("nft: table name, priority and counters come from the settings", "[accept]") {
  NftFilterSpec s;
  s.ipv4 = true;
  s.table = "mytab";
  s.priority = -5;
  s.counters = true;
  const std::string c = netio::nftReplaceCommands(s);
  CHECK(c.find("add chain ip mytab in { type filter hook input priority -5; policy accept; }") !=
        std::string::npos);
  CHECK(c.find("add rule ip mytab in ip daddr @vips counter drop\n") != std::string::npos);
  CHECK(c.find("holdfast") == std::string::npos);
  CHECK(netio::nftRemoveCommands("mytab") ==
        "add table ip mytab\ndelete table ip mytab\nadd table ip6 mytab\ndelete table ip6 "
        "mytab\n");
}

TEST_CASE("nft: the IPv6 table lets neighbour discovery through; link-local VIPs by ifindex",
          "[accept]") {
  NftFilterSpec s;
  s.ipv6 = true;
  s.ipv6LinkLocal = true;
  s.vips6 = {ip("2001:db8::50")};
  s.linkLocal = {{ip("fe80::50"), 7}};
  const std::string c = netio::nftReplaceCommands(s);
  for (const char* line :
       {"add set ip6 holdfast neighbor-discovery { type icmpv6_type; flags constant; elements = "
        "{ nd-neighbor-solicit, nd-neighbor-advert }; }\n",
        "add set ip6 holdfast vips_link_local { type ipv6_addr . iface_index; }\n",
        "add rule ip6 holdfast in icmpv6 type @neighbor-discovery accept\n"
        "add rule ip6 holdfast in ip6 daddr fe80::/10 goto in_link_local\n"
        "add rule ip6 holdfast in ip6 daddr @vips drop\n",
        "add rule ip6 holdfast out_link_local ip6 saddr . oif @vips_link_local drop\n",
        "add element ip6 holdfast vips { 2001:db8::50 }\n",
        "add element ip6 holdfast vips_link_local { fe80::50 . 7 }\n"}) {
    CHECK(c.find(line) != std::string::npos);
  }
  CHECK(c.find("table ip holdfast {") == std::string::npos);
  CHECK(c.find("add table ip holdfast\nadd set") == std::string::npos);  // no IPv4 table
}

TEST_CASE("desiredFilter: the VIPs of no_accept masters, a table while any runs", "[accept]") {
  config::GlobalDefs g;
  std::vector<netio::AddressSpec> a{{.address = ip("192.0.2.100"), .ifindex = 2}};
  std::vector<netio::AddressSpec> b{{.address = ip("192.0.2.101"), .ifindex = 2},
                                    {.address = ip("fe80::1"), .ifindex = 3}};
  std::vector<netio::AddressSpec> c{{.address = ip("192.0.2.102"), .ifindex = 2}};
  // a: no_accept master; b: no_accept backup; c: accept master.
  auto s = runtime::desiredFilter(g, {{true, true, &a}, {true, false, &b}, {false, true, &c}});
  CHECK(s.table == "holdfast");
  CHECK(s.ipv4);
  CHECK(s.ipv6);  // b's link-local VIP: the ip6 table exists, empty
  CHECK(s.ipv6LinkLocal);
  CHECK(s.vips4 == std::vector{ip("192.0.2.100")});
  CHECK(s.linkLocal.empty());
  s = runtime::desiredFilter(g, {{true, true, &b}});
  CHECK(s.vips4 == std::vector{ip("192.0.2.101")});
  CHECK(s.linkLocal == std::vector<std::pair<netio::IpAddress, int>>{{ip("fe80::1"), 3}});
  s = runtime::desiredFilter(g, {{false, true, &a}});
  CHECK(!s.any());
}

TEST_CASE("no_accept: the master's VIPs are dropped and follow a failover; stop removes it",
          "[accept]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  FakeNode& r2 = lan.add("r2", "192.0.2.12");
  run(r1, pairConfig(150, "  no_accept\n"));
  run(r2, pairConfig(100, "  no_accept\n"));
  lan.advance(2s);
  REQUIRE(r1.report("VI_1").state == vrrp::State::kMaster);
  REQUIRE(r2.report("VI_1").state == vrrp::State::kBackup);
  REQUIRE(r1.filter.table);
  REQUIRE(r2.filter.table);
  CHECK(r1.filter.table->vips4 == std::vector{ip("192.0.2.100")});
  CHECK(r2.filter.table->ipv4);  // the backup's table is there, its set empty
  CHECK(r2.filter.table->vips4.empty());
  CHECK(!r1.report("VI_1").accept);
  CHECK(r1.report("VI_1").vipsFiltered);
  CHECK(!r2.report("VI_1").vipsFiltered);

  r1.set->stop();
  CHECK(!r1.filter.table);
  lan.advance(2s);
  REQUIRE(r2.report("VI_1").state == vrrp::State::kMaster);
  CHECK(r2.filter.table->vips4 == std::vector{ip("192.0.2.100")});
  CHECK(r2.report("VI_1").vipsFiltered);
}

TEST_CASE("no_accept: a master's excluded addresses are dropped with its VIPs", "[accept]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1,
      pairConfig(150, "  no_accept\n  virtual_ipaddress_excluded {\n    192.0.2.200/24\n  }\n"));
  lan.advance(2s);
  REQUIRE(r1.report("VI_1").state == vrrp::State::kMaster);
  REQUIRE(r1.filter.table);
  CHECK(r1.filter.table->vips4 == std::vector{ip("192.0.2.100"), ip("192.0.2.200")});
}

TEST_CASE("accept, or the address owner: no table", "[accept]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  FakeNode& r2 = lan.add("r2", "192.0.2.12");
  run(r1, pairConfig(255, "  no_accept\n"));
  run(r2, pairConfig(100, "  accept\n"));
  lan.advance(2s);
  REQUIRE(r1.report("VI_1").state == vrrp::State::kMaster);
  CHECK(r1.filter.applies == 1);  // once at start: a crashed run's table removed
  CHECK(r1.filter.table);
  CHECK(!r1.filter.table->any());
  CHECK(!r2.filter.table->any());
  CHECK(r1.report("VI_1").accept);
  CHECK(!r1.report("VI_1").vipsFiltered);
}

TEST_CASE("a reload to accept empties the table; the nftables settings apply", "[accept]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, pairConfig(150, "  no_accept\n"));
  lan.advance(2s);
  REQUIRE(r1.filter.table->vips4.size() == 1);
  REQUIRE(r1.set->reconfigure(test::loadOrFail(pairConfig(150, "  no_accept\n",
                                                          "  nftables other\n"
                                                          "  nftables_priority 7\n"
                                                          "  nftables_counters\n")),
                              {}));
  CHECK(r1.filter.table->table == "other");
  CHECK(r1.filter.table->priority == 7);
  CHECK(r1.filter.table->counters);
  CHECK(r1.filter.table->vips4.size() == 1);
  REQUIRE(r1.set->reconfigure(test::loadOrFail(pairConfig(150, "  accept\n")), {}));
  CHECK(!r1.filter.table->any());
  CHECK(!r1.report("VI_1").vipsFiltered);
}

TEST_CASE("an nftables failure is counted and reported; VRRP goes on", "[accept]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  r1.filter.fail = "Error: Could not process rule: Operation not permitted";
  run(r1, pairConfig(150, "  no_accept\n"));
  lan.advance(2s);
  const auto r = r1.report("VI_1");
  CHECK(r.state == vrrp::State::kMaster);
  CHECK(r.filterErrors >= 2);  // at start, and on becoming master
  CHECK(r.filterLastError == "Error: Could not process rule: Operation not permitted");
  CHECK(!r.vipsFiltered);
  CHECK(r1.vips.present.size() == 1);
  r1.filter.fail.reset();
  r1.set->reconfigure(test::loadOrFail(pairConfig(150, "  no_accept\n")), {});
  CHECK(r1.report("VI_1").vipsFiltered);  // tried again, and now it works
}

TEST_CASE("vrrp_strict without accept: a warning at the vrrp_strict line", "[accept]") {
  const std::string strict = "global_defs {\n  vrrp_strict\n}\n";
  // Advice, not a tolerated mistake: -t exits 0 and a reload is not refused for it.
  CHECK(test::warningsOf(strict + test::instance("  priority 100\n")).empty());
  CHECK(test::adviceOf(strict + test::instance("  priority 100\n")) ==
        std::vector<std::string>{
            "test.conf:2:3: warning: vrrp_instance 'VI_1': vrrp_strict implies no_accept: while "
            "it is master (and not the address owner, priority 255) its VIPs are dropped in "
            "nftables table 'holdfast' and answer nothing, not even ping, as in keepalived; "
            "write 'accept' (with VRRP version 3) to have them answer, or 'no_accept' to keep "
            "this without a warning"});
  CHECK(test::adviceOf(strict + test::instance("  priority 100\n  no_accept\n")).empty());
  CHECK(test::adviceOf(strict + test::instance("  priority 100\n  version 3\n  accept\n")).empty());
  CHECK(test::adviceOf(strict + test::instance("  priority 255\n")).empty());
  // no_accept is implemented: no "no effect" line any more.
  CHECK(test::noEffectOf(test::instance("  no_accept\n")).empty());
  CHECK(test::noEffectOf(strict + test::instance("  priority 100\n")).empty());
}

TEST_CASE("the nftables keywords, in keepalived's order", "[accept]") {
  auto g = [](const std::string& body) {
    return test::loadOrFail("global_defs {\n" + body + "}\n" + test::instance("")).global;
  };
  CHECK(g("").nftTable == "holdfast");
  CHECK(g("").nftPriority == -1);
  CHECK(g("  nftables\n").nftTable == "holdfast");
  CHECK(g("  nftables vrrp_filter\n").nftTable == "vrrp_filter");
  CHECK(g("  nftables\n  nftables_priority -20\n  nftables_counters\n").nftPriority == -20);
  CHECK(g("  nftables_counters\n").nftCounters);
  // keepalived: `nftables` resets the priority to -1.
  CHECK(g("  nftables_priority -20\n  nftables\n").nftPriority == -1);
  CHECK(test::noEffectOf("global_defs {\n  nftables\n  nftables_priority 3\n  "
                         "nftables_counters\n}\n" +
                         test::instance(""))
            .empty());
  CHECK(test::warningsOf("global_defs {\n  nftables x/y\n}\n" + test::instance("")).size() == 1);
  CHECK(test::warningsOf("global_defs {\n  vrrp_iptables\n}\n" + test::instance("")) ==
        std::vector<std::string>{
            "test.conf:2:3: warning: 'vrrp_iptables': holdfast filters no_accept's VIPs with "
            "nftables (table 'holdfast'), as keepalived built without iptables (Debian's) does; "
            "write 'nftables' instead"});
  CHECK(test::noEffectOf("global_defs {\n  nftables_ifindex\n}\n" + test::instance("")) ==
        std::vector<std::string>{"test.conf:2:3: warning: 'nftables_ifindex' asks for what "
                                 "holdfast does anyway: no effect"});
}

TEST_CASE("a reload that changes only the nftables settings is a change", "[accept]") {
  const auto a = test::loadOrFail(pairConfig(150, "  no_accept\n"));
  const auto b = test::loadOrFail(pairConfig(150, "  no_accept\n", "  nftables other\n"));
  const auto p = runtime::planReload(a, b);
  CHECK(!p.changesNothing());
  CHECK(p.globalsChanged == std::vector<std::string>{"nftables settings"});
  CHECK(runtime::planReload(a, a).changesNothing());
}
