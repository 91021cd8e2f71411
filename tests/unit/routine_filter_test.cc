// The routine filter (netio/routine_filter.h): which packets the kernel counts and
// drops for a backup, run in the kernel itself with BPF_PROG_TEST_RUN (as root).

#include "netio/routine_filter.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <vector>

using namespace holdfast;
using netio::Family;
using netio::IpAddress;

namespace {

const IpAddress kSource4 = *IpAddress::parse("192.0.2.1");
const IpAddress kGroup4 = *IpAddress::parse("224.0.0.18");
const IpAddress kSource6 = *IpAddress::parse("fe80::1");
const IpAddress kGroup6 = *IpAddress::parse("ff02::12");

// A VRRPv3 advert: VRID, priority, one address (its bytes).
std::vector<uint8_t> advert(uint8_t vrid, uint8_t priority, std::vector<uint8_t> address) {
  std::vector<uint8_t> m{0x31, vrid, priority, 1, 0, 10, 0x12, 0x34};
  m.insert(m.end(), address.begin(), address.end());
  return m;
}
std::vector<uint8_t> advert4(uint8_t vrid, uint8_t priority) {
  return advert(vrid, priority, {192, 0, 2, 100});
}
std::vector<uint8_t> advert6(uint8_t vrid, uint8_t priority) {
  return advert(vrid, priority, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x64});
}

// An Ethernet frame carrying `message` as the kernel would hand the IP packet to a
// raw socket; `id` and `checksum` vary from packet to packet on the wire.
std::vector<uint8_t> frame(Family family, const IpAddress& source, const IpAddress& destination,
                           int ttl, const std::vector<uint8_t>& message, uint16_t id = 0,
                           uint8_t checksum = 0) {
  std::vector<uint8_t> f(12, 0);
  const bool v4 = family == Family::kIPv4;
  f.push_back(v4 ? 0x08 : 0x86);
  f.push_back(v4 ? 0x00 : 0xdd);
  if (v4) {
    const auto total = static_cast<uint16_t>(20 + message.size());
    f.insert(f.end(), {0x45, 0xc0, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total),
                       static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0x40, 0,
                       static_cast<uint8_t>(ttl), 112, checksum, checksum});
    f.insert(f.end(), source.bytes.begin(), source.bytes.begin() + 4);
    f.insert(f.end(), destination.bytes.begin(), destination.bytes.begin() + 4);
  } else {
    const auto length = static_cast<uint16_t>(message.size());
    f.insert(f.end(), {0x60, 0, static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id),
                       static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length), 112,
                       static_cast<uint8_t>(ttl)});
    f.insert(f.end(), source.bytes.begin(), source.bytes.end());
    f.insert(f.end(), destination.bytes.begin(), destination.bytes.end());
  }
  f.insert(f.end(), message.begin(), message.end());
  return f;
}

// The filter, or none (and a loud warning) where this process may not load eBPF.
std::optional<netio::RoutineFilter> openFilter(Family family) {
  auto f = netio::RoutineFilter::open(family);
  if (f) return std::move(*f);
  if (::geteuid() != 0) {
    WARN("not root: the routine filter's program is not run: " << f.error());
    return std::nullopt;
  }
  FAIL("the routine filter does not load as root: " << f.error());
  return std::nullopt;
}

bool dropped(const netio::RoutineFilter& f, const std::vector<uint8_t>& packet) {
  auto r = f.run(packet);
  REQUIRE(r.has_value());
  return *r == 0;
}

}  // namespace

TEST_CASE("routine image: covers TTL, addresses and every VRRP byte, not the IP ID or checksum") {
  const auto m = advert4(7, 150);
  auto im = netio::routineImage(Family::kIPv4, kSource4, kGroup4, 255, m);
  REQUIRE(im);
  CHECK(im->length == 20 + m.size());
  CHECK(im->mask[4] == 0);   // IP ID
  CHECK(im->mask[10] == 0);  // header checksum
  CHECK(im->mask[8] == 0xff);
  CHECK(im->value[8] == 255);
  CHECK(im->value[22] == 150);  // the priority
  for (size_t i = im->length; i < netio::kRoutineImageBytes; ++i) REQUIRE(im->mask[i] == 0);
}

TEST_CASE("routine image: none for an advert too long to compare or without a TTL") {
  std::vector<uint8_t> longAdvert = advert4(7, 150);
  longAdvert.resize(netio::kRoutineImageBytes - 20 + 1, 1);
  CHECK_FALSE(netio::routineImage(Family::kIPv4, kSource4, kGroup4, 255, longAdvert));
  CHECK_FALSE(netio::routineImage(Family::kIPv6, kSource6, kGroup6, -1, advert6(7, 150)));
  CHECK(netio::routineImage(Family::kIPv6, kSource6, kGroup6, 255, advert6(7, 150)));
}

TEST_CASE("routine filter: the master's repeated advert is counted and dropped in the kernel") {
  auto f = openFilter(Family::kIPv4);
  if (!f) return;
  const auto m = advert4(7, 150);
  f->set(7, *netio::routineImage(Family::kIPv4, kSource4, kGroup4, 255, m));
  const auto before = std::chrono::steady_clock::now();
  CHECK(dropped(*f, frame(Family::kIPv4, kSource4, kGroup4, 255, m, 1, 0x11)));
  CHECK(dropped(*f, frame(Family::kIPv4, kSource4, kGroup4, 255, m, 2, 0x22)));
  const auto t = f->tally(7);
  CHECK(t.count == 2);
  CHECK(t.newest >= before);
  CHECK(t.newest <= std::chrono::steady_clock::now());
  CHECK(f->tally(8).count == 0);
}

TEST_CASE("routine filter: anything else reaches the daemon") {
  auto f = openFilter(Family::kIPv4);
  if (!f) return;
  f->set(7, *netio::routineImage(Family::kIPv4, kSource4, kGroup4, 255, advert4(7, 150)));
  const IpAddress other = *IpAddress::parse("192.0.2.2");
  CHECK_FALSE(dropped(*f, frame(Family::kIPv4, kSource4, kGroup4, 255, advert4(7, 149))));
  CHECK_FALSE(dropped(*f, frame(Family::kIPv4, kSource4, kGroup4, 255, advert4(7, 0))));
  CHECK_FALSE(dropped(*f, frame(Family::kIPv4, kSource4, kGroup4, 254, advert4(7, 150))));
  CHECK_FALSE(dropped(*f, frame(Family::kIPv4, other, kGroup4, 255, advert4(7, 150))));
  CHECK_FALSE(dropped(*f, frame(Family::kIPv4, kSource4, other, 255, advert4(7, 150))));
  CHECK_FALSE(dropped(*f, frame(Family::kIPv4, kSource4, kGroup4, 255, advert4(8, 150))));
  auto longer = advert4(7, 150);
  longer.insert(longer.end(), {192, 0, 2, 101});
  CHECK_FALSE(dropped(*f, frame(Family::kIPv4, kSource4, kGroup4, 255, longer)));
  auto badChecksum = advert4(7, 150);
  badChecksum[6] ^= 0xff;
  CHECK_FALSE(dropped(*f, frame(Family::kIPv4, kSource4, kGroup4, 255, badChecksum)));
  auto truncated = frame(Family::kIPv4, kSource4, kGroup4, 255, advert4(7, 150));
  truncated.resize(truncated.size() - 2);
  CHECK_FALSE(dropped(*f, truncated));
  CHECK(f->tally(7).count == 0);
}

TEST_CASE("routine filter: a cleared VRID's adverts reach the daemon again") {
  auto f = openFilter(Family::kIPv4);
  if (!f) return;
  const auto m = advert4(9, 200);
  const auto packet = frame(Family::kIPv4, kSource4, kGroup4, 255, m);
  f->set(9, *netio::routineImage(Family::kIPv4, kSource4, kGroup4, 255, m));
  CHECK(dropped(*f, packet));
  f->clear(9);
  CHECK_FALSE(dropped(*f, packet));
  CHECK(f->tally(9).count == 1);
}

TEST_CASE("routine filter: IPv6 adverts are matched from the IPv6 header on") {
  auto f = openFilter(Family::kIPv6);
  if (!f) return;
  const auto m = advert6(5, 120);
  f->set(5, *netio::routineImage(Family::kIPv6, kSource6, kGroup6, 255, m));
  CHECK(dropped(*f, frame(Family::kIPv6, kSource6, kGroup6, 255, m, 0x0abc)));  // flow label
  CHECK_FALSE(dropped(*f, frame(Family::kIPv6, kSource6, kGroup6, 1, m)));
  CHECK_FALSE(dropped(*f, frame(Family::kIPv6, kSource6, kGroup6, 255, advert6(5, 121))));
  CHECK(f->tally(5).count == 1);
}
