// use_vmac_addr and use_vmac on a VIP entry, on the fake kernel: the addresses of an
// instance on another link, or of the other family, get VMACs of their own (one per
// link and family, keepalived 2.2.7's names and MACs), hold those addresses, announce
// them, and go at stop; every address is announced from its own link.

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

void addEth1(FakeNode& n) {
  netio::InterfaceInfo eth1;
  eth1.name = "eth1";
  eth1.index = 3;
  eth1.up = eth1.running = true;
  eth1.mac = {0x02, 0, 0, 0, 1, 1};
  eth1.ipv4 = {*netio::IpAddress::parse("198.51.100.11")};
  eth1.ipv6LinkLocal = {*netio::IpAddress::parse("fe80::11")};
  n.interfaces["eth1"] = eth1;
}

void run(FakeNode& n, const std::string& text) {
  auto set = runtime::InstanceSet::create(n, test::loadOrFail(text), {});
  REQUIRE(set);
  n.set = std::move(*set);
  n.set->start();
}

bool holds(const FakeNode& n, const std::string& address, const std::string& link) {
  auto it = n.interfaces.find(link);
  return it != n.interfaces.end() && n.vips.present.contains({address, it->second.index});
}

const std::string kAddrConfig = R"(global_defs {
  vmac_addr_prefix va
}
vrrp_instance VI_A {
  interface eth0
  virtual_router_id 54
  priority 150
  advert_int 1
  use_vmac
  use_vmac_addr
  virtual_ipaddress {
    192.0.2.100/24
    198.51.100.5/24 dev eth1
  }
  virtual_ipaddress_excluded {
    2001:db8::100/64
  }
}
)";

}  // namespace

TEST_CASE("use_vmac_addr gives a VIP on another link and an eVIP of the other family VMACs",
          "[vmac]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  addEth1(r1);
  run(r1, kAddrConfig);
  lan.advance(4s);
  REQUIRE(r1.report("VI_A").state == vrrp::State::kMaster);
  // keepalived's: the instance's vrrp.54 on eth0, va.54 on eth1 (vmac_addr_prefix),
  // va6.54 on eth0 with the IPv6 VRRP MAC (va.54 is taken).
  const auto& links = r1.vmacTable.links;
  REQUIRE(links.contains("vrrp.54"));
  REQUIRE(links.contains("va.54"));
  REQUIRE(links.contains("va6.54"));
  CHECK(links.at("va.54").lowerIndex == 3);
  CHECK(links.at("va6.54").lowerIndex == 2);
  CHECK(config::macText(links.at("va.54").mac) == "00:00:5e:00:01:36");
  CHECK(config::macText(links.at("va6.54").mac) == "00:00:5e:00:02:36");
  CHECK(holds(r1, "192.0.2.100", "vrrp.54"));
  CHECK(holds(r1, "198.51.100.5", "va.54"));
  CHECK(holds(r1, "2001:db8::100", "va6.54"));
  // Sysctls: an IPv4 VMAC's set, its base's arp_ignore/arp_filter; an IPv6 one's
  // addr_gen_mode only, and eth0's link-local copied on it.
  const auto& sys = r1.vmacTable.sysctls;
  CHECK(sys.at("net/ipv4/conf/va.54/arp_ignore") == 1);
  CHECK(sys.at("net/ipv6/conf/va.54/disable_ipv6") == 1);
  CHECK(sys.at("net/ipv4/conf/eth1/arp_ignore") == 1);
  CHECK(sys.at("net/ipv4/conf/eth1/arp_filter") == 1);
  CHECK(sys.at("net/ipv6/conf/va6.54/addr_gen_mode") == 1);
  CHECK(!sys.contains("net/ipv4/conf/va6.54/arp_ignore"));
  CHECK(r1.lines("vmac link-local") == std::vector<std::string>{"vmac link-local va6.54 fe80::1"});
  // The instance's VMAC keeps IPv6 (its eVIP is of the other family), as keepalived.
  CHECK(sys.at("net/ipv6/conf/vrrp.54/disable_ipv6") == 0);
  // Each address is announced from its own VMAC.
  auto announced = [&](const std::string& line) {
    return std::find(r1.announced.begin(), r1.announced.end(), line) != r1.announced.end();
  };
  CHECK(announced("192.0.2.100 on vrrp.54 from vrrp.54"));
  CHECK(announced("198.51.100.5 on va.54 from va.54"));
  CHECK(announced("2001:db8::100 on va6.54 from va6.54"));
  // holdfastctl vrrp lists them.
  const auto rep = r1.report("VI_A");
  REQUIRE(rep.addressVmacs.size() == 2);
  CHECK(rep.addressVmacs[0].name == "va.54");
  CHECK(rep.addressVmacs[0].on == "eth1");
  CHECK(rep.addressVmacs[1].mac == "00:00:5e:00:02:36");
  // At stop every VMAC goes.
  r1.set->stop();
  CHECK(links.empty());
}

TEST_CASE("use_vmac on one VIP entry gives that address a VMAC; its neighbour stays on the link",
          "[vmac]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  addEth1(r1);
  run(r1, R"(vrrp_instance VI_B {
  interface eth0
  virtual_router_id 55
  priority 150
  advert_int 1
  use_vmac
  virtual_ipaddress {
    192.0.2.101/24
    198.51.100.6/24 dev eth1 use_vmac
    198.51.100.7/24 dev eth1
  }
}
)");
  lan.advance(4s);
  REQUIRE(r1.report("VI_B").state == vrrp::State::kMaster);
  // vrrp.55 is the instance's: the address VMAC takes vrrp1.55 (keepalived's name).
  REQUIRE(r1.vmacTable.links.contains("vrrp1.55"));
  CHECK(r1.vmacTable.links.at("vrrp1.55").lowerIndex == 3);
  CHECK(holds(r1, "198.51.100.6", "vrrp1.55"));
  CHECK(holds(r1, "198.51.100.7", "eth1"));
  CHECK(holds(r1, "192.0.2.101", "vrrp.55"));
}

TEST_CASE("a VIP's use_vmac works without the instance's use_vmac", "[vmac]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  addEth1(r1);
  run(r1, R"(vrrp_instance VI_C {
  interface eth0
  virtual_router_id 56
  priority 150
  advert_int 1
  virtual_ipaddress {
    192.0.2.102/24
    198.51.100.8/24 dev eth1 use_vmac
  }
}
)");
  lan.advance(4s);
  REQUIRE(r1.vmacTable.links.size() == 1);
  CHECK(r1.vmacTable.links.at("vrrp.56").lowerIndex == 3);
  CHECK(holds(r1, "198.51.100.8", "vrrp.56"));
  CHECK(holds(r1, "192.0.2.102", "eth0"));
}

TEST_CASE("a VIP on another interface is announced from that interface", "[vmac]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  addEth1(r1);
  run(r1, R"(vrrp_instance VI_D {
  interface eth0
  virtual_router_id 57
  priority 150
  advert_int 1
  virtual_ipaddress {
    192.0.2.103/24
    198.51.100.9/24 dev eth1
  }
}
)");
  lan.advance(4s);
  REQUIRE(r1.report("VI_D").state == vrrp::State::kMaster);
  CHECK(r1.vmacTable.links.empty());
  CHECK(std::find(r1.announced.begin(), r1.announced.end(), "198.51.100.9 on eth1 from eth1") !=
        r1.announced.end());
  CHECK(std::find(r1.announced.begin(), r1.announced.end(), "192.0.2.103 on eth0 from eth0") !=
        r1.announced.end());
}

TEST_CASE("a reload that changes a use_vmac_addr instance's addresses restarts it", "[vmac]") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  addEth1(r1);
  run(r1, kAddrConfig);
  lan.advance(4s);
  std::string next = kAddrConfig;
  next.replace(next.find("198.51.100.5/24"), 15, "198.51.100.15/24");
  auto plan = r1.set->reconfigure(test::loadOrFail(next), {});
  REQUIRE(plan);
  lan.advance(4s);
  CHECK(holds(r1, "198.51.100.15", "va.54"));
  CHECK(!holds(r1, "198.51.100.5", "va.54"));
  // The same file again: nothing restarts, the VMACs stay.
  const int index = r1.vmacTable.links.at("va.54").index;
  REQUIRE(r1.set->reconfigure(test::loadOrFail(next), {}));
  CHECK(r1.vmacTable.links.at("va.54").index == index);
}
