// use_vmac: the pure parts (the VRRP MAC, keepalived's default names, use_vmac's MAC
// argument), the config rules keepalived 2.2.7 applies (warnings and fallbacks), and
// the runtime on the fake kernel: the VMAC made at start with keepalived's sysctls,
// the VIPs on it, adverts sent from it (or from the base link with vmac_xmit_base),
// a leftover reused, the link deleted at stop and kept across a reload's restart.

#include <catch2/catch.hpp>

#include "core/config/vmac.h"
#include "core/runtime/vmac.h"
#include "fake_kernel.h"
#include "tests/unit/config_test_util.h"

using namespace holdfast;
using namespace std::chrono_literals;
using config::AddressFamily;
using test::FakeLan;
using test::FakeNode;

namespace {

std::string inst(const std::string& extra, int priority = 150, const std::string& name = "VI_1",
                 int vrid = 51) {
  return "vrrp_instance " + name + " {\n  interface eth0\n  virtual_router_id " +
         std::to_string(vrid) + "\n  version 3\n  priority " + std::to_string(priority) +
         "\n  advert_int 0.1\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n" + extra + "}\n";
}

void run(FakeNode& n, const std::string& text) {
  auto set = runtime::InstanceSet::create(n, test::loadOrFail(text), {});
  REQUIRE(set);
  n.set = std::move(*set);
  n.set->start();
}

bool taken(const std::string&) {
  return false;
}

}  // namespace

TEST_CASE("the VRRP MAC is 00:00:5e:00:01:VRID for IPv4 and 00:00:5e:00:02:VRID for IPv6",
          "[vmac]") {
  CHECK(config::macText(config::vrrpMac(51, AddressFamily::kIPv4)) == "00:00:5e:00:01:33");
  CHECK(config::macText(config::vrrpMac(255, AddressFamily::kIPv6)) == "00:00:5e:00:02:ff");
  CHECK(config::macText(config::vrrpMac(1, AddressFamily::kIPv4)) == "00:00:5e:00:01:01");
}

TEST_CASE("default VMAC names follow keepalived's create_vmac_name", "[vmac]") {
  CHECK(config::defaultVmacName("vrrp", 51, AddressFamily::kIPv4, taken) == "vrrp.51");
  CHECK(config::defaultVmacName("hfv", 7, AddressFamily::kIPv4, taken) == "hfv.7");
  // Cut to 15 characters, the prefix shortened.
  CHECK(config::defaultVmacName("averyveryverylongprefix", 200, AddressFamily::kIPv4, taken) ==
        "averyveryve.200");
  std::set<std::string> used{"vrrp.51", "vrrp1.51", "vrrp6.51"};
  auto in = [&](const std::string& n) { return used.contains(n); };
  CHECK(config::defaultVmacName("vrrp", 51, AddressFamily::kIPv4, in) == "vrrp2.51");
  // IPv6 tries PREFIX6 first, then 1, 2, ... skipping 6.
  std::set<std::string> used6{"vrrp.51"};
  auto in6 = [&](const std::string& n) { return used6.contains(n); };
  CHECK(config::defaultVmacName("vrrp", 51, AddressFamily::kIPv6, in6) == "vrrp6.51");
  used6 = {"vrrp.51", "vrrp6.51", "vrrp1.51", "vrrp2.51", "vrrp3.51", "vrrp4.51", "vrrp5.51"};
  CHECK(config::defaultVmacName("vrrp", 51, AddressFamily::kIPv6, in6) == "vrrp7.51");
  CHECK(config::defaultVmacName("vrrp", 51, AddressFamily::kIPv4,
                                [](const std::string&) { return true; }) == "");
}

TEST_CASE("use_vmac's MAC argument: six octets, or five and the VRID", "[vmac]") {
  CHECK(config::macText(*config::parseVmacMac("02:11:22:33:44:55", 51)) == "02:11:22:33:44:55");
  CHECK(config::macText(*config::parseVmacMac("02:11:22:33:44", 51)) == "02:11:22:33:44:33");
  CHECK(config::macText(*config::parseVmacMac("02:11:22:33:44:", 52)) == "02:11:22:33:44:34");
  CHECK(config::parseVmacMac("03:11:22:33:44:55", 51).error() ==
        "MAC address 03:11:22:33:44:55 is multicast");
  CHECK(config::parseVmacMac("00:00:5e:00:01:33", 51).error().find("RFC 5798") !=
        std::string::npos);
  CHECK(!config::parseVmacMac("02:11:22", 51));
  CHECK(!config::parseVmacMac("02:11:22:33:44:55:66", 51));
  CHECK(!config::parseVmacMac("02:1x:22:33:44:55", 51));
  CHECK(!config::parseVmacMac("02:111:22:33:44:55", 51));
}

TEST_CASE("use_vmac is read as keepalived reads it", "[vmac]") {
  auto c = test::loadOrFail(inst("  use_vmac vmac51 02:11:22:33:44\n  vmac_xmit_base\n"));
  const auto& vi = c.instances.front();
  CHECK(vi.useVmac);
  CHECK(vi.vmacName == "vmac51");
  CHECK(vi.vmacXmitBase);
  REQUIRE(vi.vmacMac);
  CHECK(config::macText(*vi.vmacMac) == "02:11:22:33:44:33");
  CHECK(config::macText(config::vmacMacOf(vi)) == "02:11:22:33:44:33");
  // The MAC may come first.
  auto d = test::loadOrFail(inst("  use_vmac 02:11:22:33:44:55 vmac51\n"));
  CHECK(d.instances.front().vmacName == "vmac51");
  // No "no effect" warning for an IPv4 use_vmac any more.
  CHECK(test::noEffectOf(inst("  use_vmac\n")).empty());
  auto g = test::loadOrFail("global_defs {\n  vmac_prefix hfv\n}\n" + inst("  use_vmac\n"));
  CHECK(g.global.vmacPrefix == "hfv");
}

TEST_CASE("use_vmac's mistakes are tolerated with keepalived's fallbacks", "[vmac]") {
  using Lines = std::vector<std::string>;
  CHECK(test::warningsOf(inst("  use_vmac this-name-is-too-long\n")) ==
        Lines{"test.conf:10:12: warning: use_vmac: VMAC interface name 'this-name-is-too-long' is "
              "too long or has invalid characters; ignored (keepalived's default name is used), "
              "as keepalived does"});
  CHECK(test::warningsOf(inst("  use_vmac 01:11:22:33:44:55\n")) ==
        Lines{"test.conf:10:3: warning: vrrp_instance 'VI_1': use_vmac: MAC address "
              "01:11:22:33:44:55 is multicast; ignored, as keepalived does"});
  CHECK(test::warningsOf(inst("  vmac_xmit_base\n")) ==
        Lines{"test.conf:10:3: warning: vrrp_instance 'VI_1': vmac_xmit_base is only valid with "
              "use_vmac; ignored, as keepalived does"});
  auto u = config::loadText(
      inst("  use_vmac\n  unicast_src_ip 192.0.2.11\n  unicast_peer {\n    192.0.2.12\n  }\n"),
      "test.conf");
  REQUIRE(u.config);
  CHECK(u.config->instances.front().vmacXmitBase);
  CHECK(test::warningsOf(inst("  use_vmac\n  unicast_src_ip 192.0.2.11\n  unicast_peer {\n    "
                              "192.0.2.12\n  }\n")) ==
        Lines{"test.conf:10:3: warning: vrrp_instance 'VI_1': unicast with use_vmac requires "
              "vmac_xmit_base; set, as keepalived does"});
  auto two = test::loadOrFail(inst("  use_vmac vm1\n") + inst("  use_vmac vm1\n", 100, "VI_2", 52));
  CHECK(two.instances[0].vmacName == "vm1");
  CHECK(two.instances[1].vmacName.empty());
  // IPv6 instances: built like keepalived's, no warning.
  CHECK(test::noEffectOf("vrrp_instance V6 {\n  interface eth0\n  virtual_router_id 5\n  "
                         "virtual_ipaddress {\n    2001:db8::100/64\n  }\n  use_vmac\n}\n")
            .empty());
}

TEST_CASE("a master's VMAC holds the VIPs and sends the adverts; the backup's has none", "[vmac]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  FakeNode& r2 = lan.add("r2", "192.0.2.12");
  run(r1, inst("  use_vmac\n", 150));
  run(r2, inst("  use_vmac\n", 100));
  lan.advance(2s);
  REQUIRE(r1.report("VI_1").state == vrrp::State::kMaster);
  REQUIRE(r2.report("VI_1").state == vrrp::State::kBackup);
  for (FakeNode* n : {&r1, &r2}) {
    REQUIRE(n->vmacTable.links.contains("vrrp.51"));
    const auto& l = n->vmacTable.links.at("vrrp.51");
    CHECK(l.kind == "macvlan");
    CHECK(l.lowerIndex == 2);
    CHECK(l.up);
    CHECK(config::macText(l.mac) == "00:00:5e:00:01:33");
    CHECK(n->vmacTable.sysctls.at("net/ipv4/conf/vrrp.51/arp_ignore") == 1);
    CHECK(n->vmacTable.sysctls.at("net/ipv4/conf/vrrp.51/accept_local") == 1);
    CHECK(n->vmacTable.sysctls.at("net/ipv4/conf/vrrp.51/rp_filter") == 0);
    CHECK(n->vmacTable.sysctls.at("net/ipv4/conf/vrrp.51/promote_secondaries") == 1);
    CHECK(n->vmacTable.sysctls.at("net/ipv6/conf/vrrp.51/disable_ipv6") == 1);
    CHECK(n->vmacTable.sysctls.at("net/ipv6/conf/vrrp.51/addr_gen_mode") == 1);
    CHECK(n->vmacTable.sysctls.at("net/ipv4/conf/eth0/arp_ignore") == 1);
    CHECK(n->vmacTable.sysctls.at("net/ipv4/conf/eth0/arp_filter") == 1);
    CHECK(n->report("VI_1").vmac == "vrrp.51");
    CHECK(n->report("VI_1").vmacMac == "00:00:5e:00:01:33");
  }
  const int vmacIndex = r1.vmacTable.links.at("vrrp.51").index;
  CHECK(r1.vips.present == std::set<std::pair<std::string, int>>{{"192.0.2.100", vmacIndex}});
  CHECK(r2.vips.present.empty());
  // Adverts are sent and heard on the VMAC's socket.
  CHECK(!r1.ports.at({"vrrp.51", netio::Family::kIPv4})->sent.empty());
  CHECK(!r1.ports.contains({"eth0", netio::Family::kIPv4}));
  CHECK(r1.report("VI_1").vips.front() == "192.0.2.100/24 dev vrrp.51");

  // Failover: the backup's VMAC takes the VIP.
  lan.cut.insert(&r1);
  lan.advance(1s);
  CHECK(r2.report("VI_1").state == vrrp::State::kMaster);
  CHECK(r2.vips.present == std::set<std::pair<std::string, int>>{
                               {"192.0.2.100", r2.vmacTable.links.at("vrrp.51").index}});

  // Stop: the link goes; the base interface's sysctls stay as keepalived leaves them.
  r1.set->stop();
  CHECK(!r1.vmacTable.links.contains("vrrp.51"));
  CHECK(r1.lines("vmac remove") == std::vector<std::string>{"vmac remove vrrp.51"});
  CHECK(r1.vmacTable.sysctls.at("net/ipv4/conf/eth0/arp_ignore") == 1);
}

TEST_CASE("an IPv6 instance's VMAC: 00:00:5e:00:02:VRID, the base's link-local, MLD rule",
          "[vmac]") {
  const std::string v6 =
      "vrrp_instance V6 {\n  interface eth0\n  virtual_router_id 52\n  priority 150\n"
      "  advert_int 0.1\n  use_vmac\n  virtual_ipaddress {\n    2001:db8::100/64\n  }\n}\n";
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, v6);
  lan.advance(2s);
  REQUIRE(r1.report("V6").state == vrrp::State::kMaster);
  REQUIRE(r1.vmacTable.links.contains("vrrp.52"));
  const auto& l = r1.vmacTable.links.at("vrrp.52");
  CHECK(config::macText(l.mac) == "00:00:5e:00:02:34");
  CHECK(l.up);
  // keepalived sets addr_gen_mode only: IPv6 stays on, no IPv4 sysctl, base untouched.
  CHECK(r1.vmacTable.sysctls.at("net/ipv6/conf/vrrp.52/addr_gen_mode") == 1);
  CHECK(!r1.vmacTable.sysctls.contains("net/ipv6/conf/vrrp.52/disable_ipv6"));
  CHECK(!r1.vmacTable.sysctls.contains("net/ipv4/conf/vrrp.52/arp_ignore"));
  CHECK(!r1.vmacTable.sysctls.contains("net/ipv4/conf/eth0/arp_ignore"));
  CHECK(r1.lines("vmac mld rule") == std::vector<std::string>{"vmac mld rule vrrp.52"});
  // The base interface's link-local (fe80::1 on the fake) goes on the VMAC.
  CHECK(r1.lines("vmac link-local") == std::vector<std::string>{"vmac link-local vrrp.52 fe80::1"});
  CHECK(r1.vips.present == std::set<std::pair<std::string, int>>{{"2001:db8::100", l.index}});
  CHECK(!r1.ports.at({"vrrp.52", netio::Family::kIPv6})->sent.empty());
  r1.set->stop();
  CHECK(!r1.vmacTable.links.contains("vrrp.52"));
}

TEST_CASE("an IPv4 VMAC instance with IPv6 eVIPs keeps IPv6 on its VMAC, both nft families",
          "[vmac]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, inst("  use_vmac\n  virtual_ipaddress_excluded {\n    2001:db8::200/64\n  }\n"));
  lan.advance(2s);
  REQUIRE(r1.vmacTable.links.contains("vrrp.51"));
  CHECK(r1.vmacTable.sysctls.at("net/ipv6/conf/vrrp.51/disable_ipv6") == 0);
  CHECK(r1.vmacTable.sysctls.at("net/ipv4/conf/vrrp.51/arp_ignore") == 1);
  CHECK(r1.lines("vmac igmp rule") == std::vector<std::string>{"vmac igmp rule vrrp.51"});
  CHECK(r1.lines("vmac mld rule") == std::vector<std::string>{"vmac mld rule vrrp.51"});
  // Without: IPv6 off, the IGMP rule only.
  FakeNode& r2 = lan.add("r2", "192.0.2.12");
  run(r2, inst("  use_vmac\n", 100));
  lan.advance(1s);
  CHECK(r2.vmacTable.sysctls.at("net/ipv6/conf/vrrp.51/disable_ipv6") == 1);
  CHECK(r2.lines("vmac mld rule").empty());
  CHECK(r2.lines("vmac igmp rule").size() == 1);
}

TEST_CASE("an IPv6 VMAC's link-local: the configured source, the base's, or its EUI-64", "[vmac]") {
  netio::InterfaceInfo base;
  base.mac = {0x92, 0xc4, 0xfa, 0xe6, 0x91, 0x66};
  CHECK(runtime::vmacLinkLocal(std::nullopt, base).str() == "fe80::90c4:faff:fee6:9166");
  base.ipv6LinkLocal = {*netio::IpAddress::parse("fe80::7")};
  CHECK(runtime::vmacLinkLocal(std::nullopt, base).str() == "fe80::7");
  CHECK(runtime::vmacLinkLocal(netio::IpAddress::parse("fe80::99"), base).str() == "fe80::99");
}

TEST_CASE("vmac_xmit_base sends the adverts from the base interface", "[vmac]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, inst("  use_vmac\n  vmac_xmit_base\n", 150));
  lan.advance(2s);
  REQUIRE(r1.report("VI_1").state == vrrp::State::kMaster);
  CHECK(!r1.ports.contains({"vrrp.51", netio::Family::kIPv4}));
  CHECK(!r1.ports.at({"eth0", netio::Family::kIPv4})->sent.empty());
  CHECK(r1.vips.present.begin()->second == r1.vmacTable.links.at("vrrp.51").index);
}

TEST_CASE("a VMAC left by a crashed run is reused; a foreign link's name is skipped", "[vmac]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  // Left behind: ours (macvlan on eth0 with the VRRP MAC), with the VIP still on it.
  REQUIRE(r1.vmacTable.create("vrrp.51", 2, config::vrrpMac(51, AddressFamily::kIPv4)));
  const int left = r1.vmacTable.links.at("vrrp.51").index;
  r1.vips.present.insert({"192.0.2.100", left});
  // The default name vrrp.52 is held by a macvlan on another link: skipped, as
  // keepalived's create_vmac_name skips any existing name.
  REQUIRE(r1.vmacTable.create("vrrp.52", 9, config::vrrpMac(52, AddressFamily::kIPv4)));
  // A configured name held by a macvlan on another link: replaced (keepalived too).
  REQUIRE(r1.vmacTable.create("vmx", 9, config::vrrpMac(53, AddressFamily::kIPv4)));
  // A configured name held by a link that is no macvlan: the default name instead.
  netio::InterfaceInfo eth9;
  eth9.name = "eth9";
  eth9.index = 9;
  r1.interfaces["eth9"] = eth9;
  r1.journal.clear();
  run(r1, inst("  use_vmac\n", 100) + inst("  use_vmac\n", 100, "VI_2", 52) +
              inst("  use_vmac vmx\n", 100, "VI_3", 53) +
              inst("  use_vmac eth9\n", 100, "VI_4", 54));
  CHECK(r1.vmacTable.links.at("vrrp.51").index == left);    // reused
  CHECK(r1.vips.present.empty());                           // the stale VIP removed
  CHECK(r1.vmacTable.links.at("vrrp.52").lowerIndex == 9);  // left alone
  CHECK(r1.vmacTable.links.at("vrrp1.52").lowerIndex == 2);
  CHECK(r1.vmacTable.links.at("vmx").lowerIndex == 2);
  CHECK(r1.vmacTable.links.at("vrrp.54").lowerIndex == 2);
  // Each VMAC, the reused one too, gets its IGMP rule (re)installed.
  CHECK(r1.lines("vmac") ==
        std::vector<std::string>{"vmac igmp rule vrrp.51", "vmac create vrrp1.52",
                                 "vmac igmp rule vrrp1.52", "vmac remove vmx", "vmac create vmx",
                                 "vmac igmp rule vmx", "vmac create vrrp.54",
                                 "vmac igmp rule vrrp.54"});
}

TEST_CASE("a reload that restarts a VMAC instance keeps its link; dropping use_vmac deletes it",
          "[vmac]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, inst("  use_vmac\n", 150));
  lan.advance(2s);
  const int index = r1.vmacTable.links.at("vrrp.51").index;
  // A restart reason (the version) keeps use_vmac: the successor reuses the link.
  std::string v2 = inst("  use_vmac\n", 150);
  v2.replace(v2.find("version 3"), 9, "version 2");
  v2.replace(v2.find("advert_int 0.1"), 14, "advert_int 1");
  auto plan = r1.set->reconfigure(test::loadOrFail(v2), {});
  REQUIRE(plan);
  CHECK(r1.vmacTable.links.at("vrrp.51").index == index);
  // Without use_vmac: restarted ("use_vmac"), the link deleted, the VIP on eth0.
  std::string plain = v2;
  plain.replace(plain.find("  use_vmac\n"), 11, "");
  auto p2 = r1.set->reconfigure(test::loadOrFail(plain), {});
  REQUIRE(p2);
  CHECK(runtime::summarize(*p2).find("use_vmac") != std::string::npos);
  CHECK(!r1.vmacTable.links.contains("vrrp.51"));
  lan.advance(5s);
  CHECK(r1.vips.present == std::set<std::pair<std::string, int>>{{"192.0.2.100", 2}});
}
