// holdfastctl sniff's model over real captures of keepalived (tests/data/vrrp) and
// over frames built here: routers per VRID, auth and VIPs decoded, gratuitous ARP
// seen, and each conflict flagged - or not, for a clean takeover.

#include <pcap/pcap.h>

#include <catch2/catch.hpp>

#include "tools/sniff/sniff_model.h"
#include "vrrp/announce.h"

using namespace holdfast;

namespace {

sniff::Report readCapture(const std::string& name) {
  char err[PCAP_ERRBUF_SIZE] = {};
  const std::string path = std::string(HOLDFAST_TEST_DATA) + "/vrrp/" + name;
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  REQUIRE(p);
  sniff::Model m;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1) {
    m.add(pcap_datalink(p), static_cast<double>(h->ts.tv_sec) + h->ts.tv_usec / 1e6,
          std::span<const uint8_t>(data, h->caplen));
  }
  pcap_close(p);
  return m.report();
}

vrrp::IpAddress ip(const char* s) {
  return *vrrp::IpAddress::parse(s);
}

// Ethernet + IPv4 (TTL `ttl`) + the advert, from `src` to 224.0.0.18.
std::vector<uint8_t> advertFrame(const vrrp::Advert& a, const char* src, uint8_t ttl = 255) {
  const auto source = ip(src);
  const auto group = ip("224.0.0.18");
  auto msg = vrrp::encode(a, source, group);
  std::vector<uint8_t> f = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x12, 0x02, 0, 0, 0, 0, source.bytes[3],
                            0x08, 0x00};
  const size_t total = 20 + msg.size();
  std::vector<uint8_t> iph = {0x45,
                              0xc0,
                              static_cast<uint8_t>(total >> 8),
                              static_cast<uint8_t>(total),
                              0,
                              0,
                              0,
                              0,
                              ttl,
                              112,
                              0,
                              0};
  iph.insert(iph.end(), source.bytes.begin(), source.bytes.begin() + 4);
  iph.insert(iph.end(), group.bytes.begin(), group.bytes.begin() + 4);
  f.insert(f.end(), iph.begin(), iph.end());
  f.insert(f.end(), msg.begin(), msg.end());
  return f;
}

vrrp::Advert v3(int vrid, int priority, int intervalCs, std::vector<vrrp::IpAddress> vips) {
  vrrp::Advert a;
  a.version = 3;
  a.vrid = vrid;
  a.priority = priority;
  a.interval = vrrp::Centiseconds(intervalCs);
  a.addresses = std::move(vips);
  return a;
}

}  // namespace

TEST_CASE("a keepalived VRRPv2 capture shows the router, its password and VIP") {
  auto r = readCapture("keepalived-v2-ipv4-pass.pcap");
  REQUIRE(r.vrids.size() == 1);
  const auto& v = r.vrids[0];
  CHECK(v.vrid == 51);
  CHECK(v.family == vrrp::Family::kIPv4);
  REQUIRE(v.routers.size() == 1);
  CHECK(v.routers[0].source.str() == "192.0.2.11");
  CHECK(v.routers[0].priority == 100);
  CHECK(v.routers[0].version == 2);
  CHECK(v.routers[0].auth == "PASS 1111");
  CHECK(v.routers[0].interval == vrrp::Centiseconds(100));
  REQUIRE(v.routers[0].vips.size() == 2);  // the capture's config has two VIPs
  CHECK(v.routers[0].adverts == r.vrrp);
  CHECK_FALSE(r.anyConflict());
}

TEST_CASE("a keepalived VRRPv3 IPv6 capture is read from its link-local source") {
  auto r = readCapture("keepalived-v3-ipv6.pcap");
  REQUIRE(r.vrids.size() == 1);
  CHECK(r.vrids[0].vrid == 53);
  CHECK(r.vrids[0].family == vrrp::Family::kIPv6);
  CHECK(r.vrids[0].routers[0].source.str().starts_with("fe80::"));
  CHECK(r.vrids[0].routers[0].auth == "-");
  CHECK(r.vrids[0].routers[0].interval == vrrp::Centiseconds(10));
  CHECK_FALSE(r.anyConflict());
}

TEST_CASE("two routers advertising side by side are flagged as two masters") {
  sniff::Model m;
  for (int i = 0; i < 20; ++i) {
    m.add(sniff::kLinkEthernet, 100 + i * 0.1,
          advertFrame(v3(7, 150, 10, {ip("192.0.2.100")}), "192.0.2.11"));
    m.add(sniff::kLinkEthernet, 100.05 + i * 0.1,
          advertFrame(v3(7, 100, 10, {ip("192.0.2.100")}), "192.0.2.12"));
  }
  auto r = m.report();
  REQUIRE(r.vrids.size() == 1);
  REQUIRE(r.vrids[0].conflicts.size() == 1);
  CHECK(r.vrids[0].conflicts[0].starts_with(
      "VRID 7 (IPv4): two masters: 192.0.2.11 (priority 150) and 192.0.2.12 (priority 100)"));
  CHECK(r.anyConflict());
}

TEST_CASE("a takeover, and a master coming back, are not two masters") {
  sniff::Model m;
  double t = 100;
  for (int i = 0; i < 20; ++i, t += 0.1)
    m.add(sniff::kLinkEthernet, t, advertFrame(v3(7, 150, 10, {}), "192.0.2.11"));
  m.add(sniff::kLinkEthernet, t, advertFrame(v3(7, 90, 10, {}), "192.0.2.11"));  // lowered
  for (int i = 0; i < 20; ++i, t += 0.1)
    m.add(sniff::kLinkEthernet, t, advertFrame(v3(7, 100, 10, {}), "192.0.2.12"));
  for (int i = 0; i < 20; ++i, t += 0.1)
    m.add(sniff::kLinkEthernet, t, advertFrame(v3(7, 150, 10, {}), "192.0.2.11"));
  auto r = m.report();
  REQUIRE(r.vrids[0].routers.size() == 2);
  CHECK(r.vrids[0].conflicts.empty());
}

TEST_CASE("different intervals, versions, passwords and VIP lists are each flagged") {
  sniff::Model m;
  vrrp::Advert a = v3(9, 150, 100, {ip("192.0.2.100")});
  a.version = 2;
  a.authType = vrrp::AuthType::kSimplePassword;
  a.authData = {'o', 'n', 'e'};
  vrrp::Advert b = a;
  b.interval = vrrp::Centiseconds(200);
  b.authData = {'t', 'w', 'o'};
  b.addresses = {ip("192.0.2.101")};
  m.add(sniff::kLinkEthernet, 1, advertFrame(a, "192.0.2.11"));
  m.add(sniff::kLinkEthernet, 50, advertFrame(b, "192.0.2.12"));
  vrrp::Advert c = v3(9, 100, 100, {ip("192.0.2.100")});
  m.add(sniff::kLinkEthernet, 99, advertFrame(c, "192.0.2.13"));
  auto r = m.report();
  REQUIRE(r.vrids.size() == 1);
  std::string all;
  for (const auto& c : r.vrids[0].conflicts) all += c + "\n";
  CHECK(all.find("advert intervals differ: 192.0.2.11,192.0.2.13 1s; 192.0.2.12 2s") !=
        std::string::npos);
  CHECK(all.find("VRRP versions differ") != std::string::npos);
  CHECK(
      all.find("authentication differs: 192.0.2.13 -; 192.0.2.11 PASS one; 192.0.2.12 PASS two") !=
      std::string::npos);
  CHECK(all.find("VIP lists differ: 192.0.2.11,192.0.2.13 192.0.2.100; 192.0.2.12 192.0.2.101") !=
        std::string::npos);
  CHECK(all.find("two masters") == std::string::npos);
}

TEST_CASE("malformed packets are counted by reason and source, TTL below 255 flagged") {
  sniff::Model m;
  m.add(sniff::kLinkEthernet, 1, advertFrame(v3(5, 100, 100, {}), "192.0.2.66", 64));
  auto bad = advertFrame(v3(5, 100, 100, {}), "192.0.2.67");
  bad.back() ^= 0xff;  // breaks the checksum
  m.add(sniff::kLinkEthernet, 2, bad);
  std::vector<uint8_t> runt(20, 0);
  m.add(sniff::kLinkEthernet, 3, runt);
  auto r = m.report();
  CHECK(r.vrids.empty());
  CHECK(r.malformed.at("bad_ttl from 192.0.2.66") == 1);
  CHECK(r.malformed.size() == 2);
  REQUIRE(r.conflicts.size() == 1);
  CHECK(r.conflicts[0].find("TTL/hop limit not 255") != std::string::npos);
  CHECK(r.frames == 3);
}

TEST_CASE("gratuitous ARPs are listed by address and MAC") {
  sniff::Model m;
  vrrp::MacAddress mac{0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  std::vector<uint8_t> f = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
                            0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x06};
  auto arp = vrrp::gratuitousArp(mac, ip("192.0.2.100"));
  f.insert(f.end(), arp.begin(), arp.end());
  m.add(sniff::kLinkEthernet, 1, f);
  m.add(sniff::kLinkEthernet, 2, f);
  auto r = m.report();
  REQUIRE(r.announcements.size() == 1);
  CHECK(r.announcements[0].address.str() == "192.0.2.100");
  CHECK(r.announcements[0].mac == "02:11:22:33:44:55");
  CHECK(r.announcements[0].arp);
  CHECK(r.announcements[0].count == 2);
}
