// Address claims: the ARP probe and neighbour solicitation a master sends to ask who
// holds a VIP, byte for byte, and the claims decoded from whole Ethernet frames: the
// answers a Linux host gives (built here, and captured from Linux 6.1 in the lab),
// our own announcements as a peer would see them, VLAN tags, and every kind of frame
// that claims nothing.

#include <catch2/catch.hpp>

#include "tests/unit/pcap_reader.h"
#include "vrrp/address_claims.h"
#include "vrrp/announce.h"

using namespace holdfast::vrrp;

namespace {

IpAddress ip(const char* s) {
  return IpAddress::parse(s).value();
}

const MacAddress kOurs{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01};
const MacAddress kTheirs{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
const MacAddress kBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

std::vector<uint8_t> ethernet(const MacAddress& to, const MacAddress& from, uint16_t type,
                              const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> f(to.begin(), to.end());
  f.insert(f.end(), from.begin(), from.end());
  f.push_back(static_cast<uint8_t>(type >> 8));
  f.push_back(static_cast<uint8_t>(type));
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

// The same frame with an 802.1Q tag (VLAN 20) after the source address.
std::vector<uint8_t> tagged(std::vector<uint8_t> frame) {
  const std::vector<uint8_t> tag{0x81, 0x00, 0x00, 0x14};
  frame.insert(frame.begin() + 12, tag.begin(), tag.end());
  return frame;
}

std::vector<uint8_t> arpFrame(const MacAddress& from, const std::vector<uint8_t>& arp) {
  auto f = ethernet(kBroadcast, from, 0x0806, arp);
  f.resize(60);  // Ethernet pads ARP to the minimum frame
  return f;
}

// An IPv6 packet (no extension header) carrying ICMPv6 `body`.
std::vector<uint8_t> icmpv6(const IpAddress& from, const IpAddress& to,
                            const std::vector<uint8_t>& body, uint8_t hopLimit = 255) {
  std::vector<uint8_t> p{0x60, 0, 0, 0};
  p.push_back(static_cast<uint8_t>(body.size() >> 8));
  p.push_back(static_cast<uint8_t>(body.size()));
  p.push_back(58);
  p.push_back(hopLimit);
  p.insert(p.end(), from.bytes.begin(), from.bytes.end());
  p.insert(p.end(), to.bytes.begin(), to.bytes.end());
  p.insert(p.end(), body.begin(), body.end());
  return p;
}

// What Linux answers an ARP probe with (net/ipv4/arp.c, arp_process: sender IP 0):
// a reply from its MAC to the prober's, target protocol address 0.0.0.0.
std::vector<uint8_t> linuxProbeReply(const std::vector<uint8_t>& probe, const MacAddress& theirs) {
  std::vector<uint8_t> r{0, 1, 8, 0, 6, 4, 0, 2};
  r.insert(r.end(), theirs.begin(), theirs.end());
  r.insert(r.end(), probe.begin() + 24, probe.begin() + 28);  // sender IP: the probed address
  r.insert(r.end(), probe.begin() + 8, probe.begin() + 14);   // target MAC: the prober's
  r.insert(r.end(), 4, 0);
  return r;
}

// A solicited NA as Linux answers a multicast solicitation: Solicited and Override,
// target link-layer address option.
std::vector<uint8_t> solicitedAdvert(const IpAddress& target, const MacAddress& theirs,
                                     bool option = true) {
  std::vector<uint8_t> na{136, 0, 0, 0, 0x60, 0, 0, 0};
  na.insert(na.end(), target.bytes.begin(), target.bytes.end());
  if (option) {
    na.push_back(2);
    na.push_back(1);
    na.insert(na.end(), theirs.begin(), theirs.end());
  }
  return na;
}

std::vector<uint8_t> naFrame(const std::vector<uint8_t>& na, const MacAddress& from,
                             const IpAddress& to = ip("fe80::1")) {
  return ethernet(kOurs, from, 0x86dd, icmpv6(ip("fe80::2"), to, na));
}

}  // namespace

TEST_CASE("ARP probe: a request from our MAC, sender 0.0.0.0, target the VIP (RFC 5227)",
          "[address_claims]") {
  const std::vector<uint8_t> expected{
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,  // Ethernet, IPv4, 6, 4, request
      0x02, 0x00, 0x5e, 0x00, 0x00, 0x01,              // sender MAC: ours
      0x00, 0x00, 0x00, 0x00,                          // sender IP: 0.0.0.0
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              // target MAC: unknown
      0xc0, 0x00, 0x02, 0x64,                          // target IP: 192.0.2.100
  };
  CHECK(arpProbe(kOurs, ip("192.0.2.100")) == expected);
}

TEST_CASE("neighbour solicitation: type 135 for the VIP with our link-layer address",
          "[address_claims]") {
  const std::vector<uint8_t> expected{
      135,  0,    0,    0,    0,    0,    0,    0,     // type, code, checksum (kernel), reserved
      0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,     // target 2001:db8::100
      0,    0,    0,    0,    0,    0,    0x01, 0x00,  //
      1,    1,    0x02, 0x00, 0x5e, 0x00, 0x00, 0x01,  // source link-layer address option
  };
  CHECK(neighbourSolicitation(kOurs, ip("2001:db8::100")) == expected);
}

TEST_CASE("solicited-node multicast address: ff02::1:ff and the address's last 24 bits",
          "[address_claims]") {
  CHECK(solicitedNodeMulticast(ip("2001:db8::100")).str() == "ff02::1:ff00:100");
  CHECK(solicitedNodeMulticast(ip("2001:db8::12:3456:789a")).str() == "ff02::1:ff56:789a");
  CHECK(solicitedNodeMulticast(ip("fe80::1")).str() == "ff02::1:ff00:1");
}

TEST_CASE("claim kinds have stable names", "[address_claims]") {
  CHECK(std::string(toString(ClaimKind::kArpReply)) == "arp_reply");
  CHECK(std::string(toString(ClaimKind::kGratuitousArp)) == "gratuitous_arp");
  CHECK(std::string(toString(ClaimKind::kArpRequest)) == "arp_request");
  CHECK(std::string(toString(ClaimKind::kNeighbourAdvert)) == "na");
  CHECK(std::string(toString(ClaimKind::kUnsolicitedNeighbourAdvert)) == "unsolicited_na");
}

TEST_CASE("the answer to our ARP probe claims the VIP for the answering MAC", "[address_claims]") {
  const auto probe = arpProbe(kOurs, ip("192.0.2.100"));
  const auto reply = ethernet(kOurs, kTheirs, 0x0806, linuxProbeReply(probe, kTheirs));
  const auto c = decodeClaim(reply);
  REQUIRE(c.has_value());
  CHECK(*c == AddressClaim{ip("192.0.2.100"), kTheirs, ClaimKind::kArpReply});
}

TEST_CASE("an ARP probe itself claims nothing: its sender address is 0.0.0.0", "[address_claims]") {
  CHECK_FALSE(decodeClaim(arpFrame(kTheirs, arpProbe(kTheirs, ip("192.0.2.100")))).has_value());
}

TEST_CASE("our gratuitous ARP, as a peer sees it, is a gratuitous_arp claim", "[address_claims]") {
  const auto c = decodeClaim(arpFrame(kTheirs, gratuitousArp(kTheirs, ip("192.0.2.100"))));
  REQUIRE(c.has_value());
  CHECK(*c == AddressClaim{ip("192.0.2.100"), kTheirs, ClaimKind::kGratuitousArp});
}

TEST_CASE("a gratuitous ARP sent as a reply is still gratuitous", "[address_claims]") {
  auto arp = gratuitousArp(kTheirs, ip("192.0.2.100"));
  arp[7] = 2;
  const auto c = decodeClaim(arpFrame(kTheirs, arp));
  REQUIRE(c.has_value());
  CHECK(c->kind == ClaimKind::kGratuitousArp);
}

TEST_CASE("an ordinary ARP request claims its sender address for the sender MAC",
          "[address_claims]") {
  std::vector<uint8_t> request{0, 1, 8, 0, 6, 4, 0, 1};
  request.insert(request.end(), kTheirs.begin(), kTheirs.end());
  request.insert(request.end(), {192, 0, 2, 100});
  request.insert(request.end(), 6, 0);
  request.insert(request.end(), {192, 0, 2, 1});
  // The Ethernet source does not count for ARP: the sender hardware address does.
  const auto c = decodeClaim(arpFrame(kOurs, request));
  REQUIRE(c.has_value());
  CHECK(*c == AddressClaim{ip("192.0.2.100"), kTheirs, ClaimKind::kArpRequest});
}

TEST_CASE("our unsolicited NA, as a peer sees it, is an unsolicited_na claim", "[address_claims]") {
  const auto na = unsolicitedNeighbourAdvert(kTheirs, ip("2001:db8::100"));
  const auto c = decodeClaim(naFrame(na, kTheirs, ip("ff02::1")));
  REQUIRE(c.has_value());
  CHECK(*c == AddressClaim{ip("2001:db8::100"), kTheirs, ClaimKind::kUnsolicitedNeighbourAdvert});
}

TEST_CASE("a solicited NA claims its target for the MAC of its target link-layer option",
          "[address_claims]") {
  const MacAddress router{0x02, 0x99, 0x99, 0x99, 0x99, 0x99};  // a proxy sends for another
  const auto c = decodeClaim(naFrame(solicitedAdvert(ip("2001:db8::100"), kTheirs), router));
  REQUIRE(c.has_value());
  CHECK(*c == AddressClaim{ip("2001:db8::100"), kTheirs, ClaimKind::kNeighbourAdvert});
}

TEST_CASE("a solicited NA without the option claims for the Ethernet source", "[address_claims]") {
  const auto c =
      decodeClaim(naFrame(solicitedAdvert(ip("2001:db8::100"), kTheirs, false), kTheirs));
  REQUIRE(c.has_value());
  CHECK(*c == AddressClaim{ip("2001:db8::100"), kTheirs, ClaimKind::kNeighbourAdvert});
}

TEST_CASE("claims behind an 802.1Q tag decode with their VLAN ID", "[address_claims]") {
  const auto garp = decodeClaim(tagged(arpFrame(kTheirs, gratuitousArp(kTheirs, ip("192.0.2.7")))));
  REQUIRE(garp.has_value());
  CHECK(*garp == AddressClaim{ip("192.0.2.7"), kTheirs, ClaimKind::kGratuitousArp, 20});
  const auto na =
      decodeClaim(tagged(naFrame(solicitedAdvert(ip("2001:db8::7"), kTheirs), kTheirs)));
  REQUIRE(na.has_value());
  CHECK(*na == AddressClaim{ip("2001:db8::7"), kTheirs, ClaimKind::kNeighbourAdvert, 20});
  // Priority and DEI bits are not part of the ID; VLAN 0 is a priority tag only.
  auto priority = tagged(arpFrame(kTheirs, gratuitousArp(kTheirs, ip("192.0.2.7"))));
  priority[14] = 0xb0;
  priority[15] = 0x00;
  REQUIRE(decodeClaim(priority).has_value());
  CHECK(decodeClaim(priority)->vlan == 0);
  CHECK(decodeClaim(arpFrame(kTheirs, gratuitousArp(kTheirs, ip("192.0.2.7"))))->vlan == 0);
}

TEST_CASE("a frame cut short at any length claims nothing", "[address_claims]") {
  const auto probe = arpProbe(kOurs, ip("192.0.2.100"));
  const std::vector<std::vector<uint8_t>> frames{
      ethernet(kOurs, kTheirs, 0x0806, linuxProbeReply(probe, kTheirs)),
      naFrame(solicitedAdvert(ip("2001:db8::100"), kTheirs), kTheirs),
      naFrame(unsolicitedNeighbourAdvert(kTheirs, ip("2001:db8::100")), kTheirs, ip("ff02::1")),
      tagged(ethernet(kOurs, kTheirs, 0x0806, linuxProbeReply(probe, kTheirs))),
      tagged(naFrame(solicitedAdvert(ip("2001:db8::100"), kTheirs), kTheirs)),
  };
  for (const auto& f : frames) {
    REQUIRE(decodeClaim(f).has_value());
    for (size_t n = 0; n < f.size(); ++n) {
      // A copy of exactly n bytes, so that a read past the end is a heap overflow
      // that the sanitizer build reports.
      const std::vector<uint8_t> cut(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
      INFO("frame of " << f.size() << " bytes cut to " << n);
      CHECK_FALSE(decodeClaim(cut).has_value());
    }
  }
}

TEST_CASE("frames that are not a claim decode to nothing", "[address_claims]") {
  const auto target = ip("2001:db8::100");
  const auto na = solicitedAdvert(target, kTheirs);
  auto withNa = [&](auto change) {
    auto body = na;
    auto to = ip("fe80::1");
    uint8_t hops = 255;
    change(body, to, hops);
    return ethernet(kOurs, kTheirs, 0x86dd, icmpv6(ip("fe80::2"), to, body, hops));
  };
  auto withArp = [&](auto change) {
    auto arp = gratuitousArp(kTheirs, ip("192.0.2.100"));
    change(arp);
    return arpFrame(kTheirs, arp);
  };
  using Bytes = std::vector<uint8_t>;
  const std::vector<std::pair<const char*, Bytes>> cases{
      {"an IPv4 packet", ethernet(kOurs, kTheirs, 0x0800, Bytes(40, 0x45))},
      {"ARP for another hardware type", withArp([](Bytes& a) { a[1] = 6; })},
      {"ARP for another protocol", withArp([](Bytes& a) { a[2] = 0x86; })},
      {"ARP with other address lengths", withArp([](Bytes& a) { a[5] = 16; })},
      {"ARP operation 3 (RARP)", withArp([](Bytes& a) { a[7] = 3; })},
      {"ARP from a multicast MAC", withArp([](Bytes& a) { a[8] = 0x01; })},
      {"ARP from MAC 0", withArp([](Bytes& a) { std::fill(a.begin() + 8, a.begin() + 14, 0); })},
      {"a neighbour solicitation", withNa([](Bytes& b, IpAddress&, uint8_t&) { b[0] = 135; })},
      {"an NA with code 1", withNa([](Bytes& b, IpAddress&, uint8_t&) { b[1] = 1; })},
      {"an NA that was routed (hop limit 254)",
       withNa([](Bytes&, IpAddress&, uint8_t& hops) { hops = 254; })},
      {"an NA for a multicast target", withNa([](Bytes& b, IpAddress&, uint8_t&) { b[8] = 0xff; })},
      {"an NA for ::",
       withNa([](Bytes& b, IpAddress&, uint8_t&) { std::fill(b.begin() + 8, b.begin() + 24, 0); })},
      {"a solicited NA to a multicast address",
       withNa([](Bytes&, IpAddress& to, uint8_t&) { to = ip("ff02::1"); })},
      {"an NA with an option of length 0",
       withNa([](Bytes& b, IpAddress&, uint8_t&) { b[25] = 0; })},
      {"an NA with an option past its end",
       withNa([](Bytes& b, IpAddress&, uint8_t&) { b[25] = 2; })},
      {"an NA with a stray byte after its options",
       withNa([](Bytes& b, IpAddress&, uint8_t&) { b.push_back(0); })},
      {"an NA whose option names a multicast MAC",
       withNa([](Bytes& b, IpAddress&, uint8_t&) { b[26] = 0x33; })},
  };
  for (const auto& [what, frame] : cases) {
    INFO(what);
    CHECK_FALSE(decodeClaim(frame).has_value());
  }
  // ICMPv6 behind an extension header is not looked into (no NA carries one).
  auto hopByHop = withNa([](Bytes&, IpAddress&, uint8_t&) {});
  hopByHop[14 + 6] = 0;
  CHECK_FALSE(decodeClaim(hopByHop).has_value());
}

TEST_CASE("an NA's unknown options are skipped, the link-layer one found among them",
          "[address_claims]") {
  auto na = solicitedAdvert(ip("2001:db8::100"), kTheirs, false);
  const std::vector<uint8_t> nonce{14, 1, 1, 2, 3, 4, 5, 6};  // RFC 3971 nonce option
  na.insert(na.end(), nonce.begin(), nonce.end());
  na.insert(na.end(), {2, 1});
  na.insert(na.end(), kTheirs.begin(), kTheirs.end());
  const auto c = decodeClaim(naFrame(na, kOurs));
  REQUIRE(c.has_value());
  CHECK(c->mac == kTheirs);
}

TEST_CASE("frames captured in the lab: Linux's answers to our probes, and announcements",
          "[address_claims]") {
  // tests/lab/claim_watch_test.sh's exchange, captured on r1 (tcpdump -i eth0): r1
  // (b2:cb:93:7e:5a:cf) probes 192.0.2.100 and 2001:db8::100, which r2
  // (76:4d:64:5d:1a:a5) holds; r2 announces both, and a gratuitous ARP tagged for
  // VLAN 20; router solicitations follow.
  const auto frames =
      holdfast::test::readFrames(std::string(HOLDFAST_TEST_DATA) + "/claims/linux-answers.pcap");
  const MacAddress r2{0x76, 0x4d, 0x64, 0x5d, 0x1a, 0xa5};
  const std::vector<std::pair<const char*, std::optional<AddressClaim>>> expected{
      {"r1's ARP probe", std::nullopt},
      {"r2's ARP reply to it", AddressClaim{ip("192.0.2.100"), r2, ClaimKind::kArpReply}},
      {"r1's neighbour solicitation", std::nullopt},
      {"r2's solicited NA", AddressClaim{ip("2001:db8::100"), r2, ClaimKind::kNeighbourAdvert}},
      {"r2's gratuitous ARP", AddressClaim{ip("192.0.2.100"), r2, ClaimKind::kGratuitousArp}},
      {"r2's unsolicited NA",
       AddressClaim{ip("2001:db8::100"), r2, ClaimKind::kUnsolicitedNeighbourAdvert}},
      {"r2's gratuitous ARP in VLAN 20",
       AddressClaim{ip("192.0.2.120"), r2, ClaimKind::kGratuitousArp, 20}},
      {"r1's router solicitation", std::nullopt},
      {"the switch's router solicitation", std::nullopt},
  };
  REQUIRE(frames.size() == expected.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    INFO(expected[i].first);
    CHECK(decodeClaim(frames[i]) == expected[i].second);
  }
}
