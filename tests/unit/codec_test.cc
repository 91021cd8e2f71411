// The advert codec against real keepalived 2.2.7 adverts captured in the lab
// (tools/lab/capture-keepalived.sh), and malformed variants of them.

#include <catch2/catch.hpp>

#include "tests/unit/pcap_reader.h"
#include "vrrp/codec.h"

using namespace holdfast::vrrp;
using holdfast::test::CapturedPacket;
using holdfast::test::readVrrpPcap;

namespace {

CapturedPacket firstOf(const std::string& name) {
  auto pkts = readVrrpPcap(std::string(HOLDFAST_TEST_DATA) + "/vrrp/" + name);
  REQUIRE_FALSE(pkts.empty());
  return pkts.front();
}

IpAddress ip(const char* s) {
  return IpAddress::parse(s).value();
}

std::expected<Advert, DiscardReason> decodeWith(std::vector<uint8_t> m, PacketInfo info) {
  return decode(m, info);
}

}  // namespace

TEST_CASE(
    "keepalived's VRRPv2 IPv4 advert with PASS auth decodes, and re-encodes to the same bytes") {
  CapturedPacket p = firstOf("keepalived-v2-ipv4-pass.pcap");
  auto a = decode(p.message, p.info);
  REQUIRE(a.has_value());
  CHECK(a->version == 2);
  CHECK(a->vrid == 51);
  CHECK(a->priority == 100);
  CHECK(a->interval == Centiseconds(100));
  CHECK(a->authType == AuthType::kSimplePassword);
  CHECK(std::string(a->authData.begin(), a->authData.begin() + 4) == "1111");
  CHECK(a->authData[4] == 0);
  REQUIRE(a->addresses.size() == 2);
  CHECK(a->addresses[0].str() == "192.0.2.100");
  CHECK(a->addresses[1].str() == "192.0.2.101");
  CHECK(encode(*a, p.info.source, p.info.destination) == p.message);
}

TEST_CASE(
    "keepalived's VRRPv3 IPv4 advert decodes, and our default checksum form is keepalived's") {
  CapturedPacket p = firstOf("keepalived-v3-ipv4.pcap");
  auto a = decode(p.message, p.info);
  REQUIRE(a.has_value());
  CHECK(a->version == 3);
  CHECK(a->vrid == 52);
  CHECK(a->priority == 150);
  CHECK(a->interval == Centiseconds(50));
  REQUIRE(a->addresses.size() == 1);
  CHECK(a->addresses[0].str() == "192.0.2.102");
  CHECK(encode(*a, p.info.source, p.info.destination) == p.message);
  CHECK(encode(*a, p.info.source, p.info.destination, ChecksumForm::kMessageOnly) != p.message);
}

TEST_CASE("keepalived's VRRPv3 IPv6 advert decodes from its link-local source") {
  CapturedPacket p = firstOf("keepalived-v3-ipv6.pcap");
  CHECK(p.info.source.str().starts_with("fe80::"));
  CHECK(p.info.destination.str() == "ff02::12");
  auto a = decode(p.message, p.info);
  REQUIRE(a.has_value());
  CHECK(a->version == 3);
  CHECK(a->family == Family::kIPv6);
  CHECK(a->vrid == 53);
  CHECK(a->priority == 200);
  CHECK(a->interval == Centiseconds(10));
  REQUIRE(a->addresses.size() == 2);
  CHECK(a->addresses[0].str() == "2001:db8::102");
  CHECK(a->addresses[1].str() == "fe80::102");
  CHECK(encode(*a, p.info.source, p.info.destination) == p.message);
}

TEST_CASE("the IPv4 VRRPv3 message-only checksum form is accepted too") {
  CapturedPacket p = firstOf("keepalived-v3-ipv4.pcap");
  Advert a = decode(p.message, p.info).value();
  auto other = encode(a, p.info.source, p.info.destination, ChecksumForm::kMessageOnly);
  auto back = decode(other, p.info);
  REQUIRE(back.has_value());
  CHECK(*back == a);
}

TEST_CASE("malformed adverts are discarded with their reason") {
  CapturedPacket v2 = firstOf("keepalived-v2-ipv4-pass.pcap");
  CapturedPacket v3 = firstOf("keepalived-v3-ipv4.pcap");
  CapturedPacket v6 = firstOf("keepalived-v3-ipv6.pcap");

  struct Mutation {
    const char* name;
    CapturedPacket base;
    std::function<void(std::vector<uint8_t>&, PacketInfo&)> mutate;
    DiscardReason reason;
  };
  std::vector<Mutation> table{
      {"truncated to the header", v3, [](auto& m, auto&) { m.resize(7); },
       DiscardReason::kTooShort},
      {"truncated address list", v2, [](auto& m, auto&) { m.resize(m.size() - 3); },
       DiscardReason::kBadLength},
      {"count larger than the packet", v3, [](auto& m, auto&) { m[3] = 9; },
       DiscardReason::kBadLength},
      {"trailing bytes", v6, [](auto& m, auto&) { m.push_back(0); }, DiscardReason::kBadLength},
      {"bad checksum", v3, [](auto& m, auto&) { m[7] ^= 0x01; }, DiscardReason::kBadChecksum},
      {"address changed under the checksum", v6, [](auto& m, auto&) { m[20] ^= 0x80; },
       DiscardReason::kBadChecksum},
      {"TTL 254", v2, [](auto&, auto& i) { i.ttl = 254; }, DiscardReason::kBadTtl},
      {"TTL 1", v3, [](auto&, auto& i) { i.ttl = 1; }, DiscardReason::kBadTtl},
      {"version 1", v3, [](auto& m, auto&) { m[0] = 0x11; }, DiscardReason::kBadVersion},
      {"version 4", v3, [](auto& m, auto&) { m[0] = 0x41; }, DiscardReason::kBadVersion},
      {"type 2", v3, [](auto& m, auto&) { m[0] = 0x32; }, DiscardReason::kBadType},
      {"v2 received over IPv6", v2,
       [](auto&, auto& i) {
         i.source = ip("fe80::1");
         i.destination = ip("ff02::12");
       },
       DiscardReason::kWrongFamily},
      {"IPv4 source with IPv6 destination", v3,
       [](auto&, auto& i) { i.destination = ip("ff02::12"); }, DiscardReason::kWrongFamily},
      {"checksummed for another source", v3, [](auto&, auto& i) { i.source = ip("192.0.2.99"); },
       DiscardReason::kBadChecksum},
  };
  for (auto& t : table) {
    SECTION(t.name) {
      auto m = t.base.message;
      auto info = t.base.info;
      t.mutate(m, info);
      auto r = decodeWith(m, info);
      REQUIRE_FALSE(r.has_value());
      CHECK(toString(r.error()) == std::string(toString(t.reason)));
    }
  }
}

TEST_CASE("a zero interval is discarded even with a valid checksum") {
  Advert a;
  a.version = 3;
  a.vrid = 1;
  a.priority = 100;
  a.interval = Centiseconds(0);
  a.addresses = {ip("192.0.2.1")};
  IpAddress src = ip("192.0.2.11"), dst = ip("224.0.0.18");
  auto m = encode(a, src, dst);
  CHECK(decode(m, {src, dst, 255}).error() == DiscardReason::kZeroInterval);
}

TEST_CASE("every field survives an encode/decode round trip") {
  for (int version : {2, 3}) {
    for (Family family : {Family::kIPv4, Family::kIPv6}) {
      if (version == 2 && family == Family::kIPv6) continue;
      Advert a;
      a.version = version;
      a.family = family;
      a.vrid = 255;
      a.priority = 254;
      a.interval = version == 2 ? Centiseconds(25500) : Centiseconds(4095);
      IpAddress src = family == Family::kIPv4 ? ip("192.0.2.11") : ip("fe80::11");
      IpAddress dst = family == Family::kIPv4 ? ip("224.0.0.18") : ip("ff02::12");
      for (int i = 0; i < 20; ++i) {
        std::string s = family == Family::kIPv4 ? "192.0.2." + std::to_string(100 + i)
                                                : "2001:db8::" + std::to_string(100 + i);
        a.addresses.push_back(ip(s.c_str()));
      }
      if (version == 2) {
        a.authType = AuthType::kSimplePassword;
        a.authData = {'s', 'e', 'c', 'r', 'e', 't', '1', '2'};
      }
      auto back = decode(encode(a, src, dst), {src, dst, 255});
      INFO("version " << version);
      REQUIRE(back.has_value());
      CHECK(*back == a);
    }
  }
}

TEST_CASE("decoding into one advert again and again keeps its address list: no allocation") {
  CapturedPacket v2 = firstOf("keepalived-v2-ipv4-pass.pcap");
  Advert a;
  REQUIRE(decodeInto(v2.message, v2.info, a).has_value());
  REQUIRE_FALSE(a.addresses.empty());
  const IpAddress* storage = a.addresses.data();
  const auto first = a;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(decodeInto(v2.message, v2.info, a).has_value());
    CHECK(a.addresses.data() == storage);
    CHECK(a == first);  // nothing of the previous decode left over
  }
  CHECK(decode(v2.message, v2.info).value() == first);
}

TEST_CASE("encoding into one buffer gives decode's bytes back and keeps the buffer") {
  CapturedPacket v2 = firstOf("keepalived-v2-ipv4-pass.pcap");
  Advert a = decode(v2.message, v2.info).value();
  std::vector<uint8_t> wire;
  encodeInto(a, v2.info.source, v2.info.destination, ChecksumForm::kPseudoHeader, wire);
  CHECK(wire == std::vector<uint8_t>(v2.message.begin(), v2.message.end()));
  const uint8_t* storage = wire.data();
  encodeInto(a, v2.info.source, v2.info.destination, ChecksumForm::kPseudoHeader, wire);
  CHECK(wire.data() == storage);
  CHECK(wire == encode(a, v2.info.source, v2.info.destination));
}
