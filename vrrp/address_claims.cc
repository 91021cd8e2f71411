#include "vrrp/address_claims.h"

#include <algorithm>
#include <cassert>

namespace holdfast::vrrp {

namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherArp = 0x0806;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;  // IEEE 802.1Q
constexpr uint16_t kArpHardwareEthernet = 1;
constexpr uint16_t kArpRequest = 1;
constexpr uint16_t kArpReply = 2;
constexpr size_t kArpLength = 28;  // Ethernet/IPv4 ARP (RFC 826)
constexpr size_t kIpv6HeaderLength = 40;
constexpr uint8_t kIcmpv6 = 58;
constexpr uint8_t kNeighbourSolicitation = 135;  // RFC 4861 4.3
constexpr uint8_t kNeighbourAdvert = 136;        // RFC 4861 4.4
constexpr size_t kNeighbourAdvertLength = 24;    // header and target, before options
constexpr uint8_t kSourceLinkLayerOption = 1;    // RFC 4861 4.6.1
constexpr uint8_t kTargetLinkLayerOption = 2;
constexpr uint8_t kSolicitedFlag = 0x40;  // RFC 4861 4.4: R S O flags in the top bits

uint16_t be16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}

MacAddress macAt(std::span<const uint8_t> b, size_t at) {
  MacAddress m;
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), 6, m.begin());
  return m;
}

bool allZero(std::span<const uint8_t> b) {
  return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
}

// A station's own address: neither a group address (I/G bit) nor all zeros. Nothing
// that holds an address answers from anything else.
bool unicastMac(const MacAddress& m) {
  return (m[0] & 1) == 0 && !allZero(m);
}

std::optional<AddressClaim> arpClaim(std::span<const uint8_t> p) {
  if (p.size() < kArpLength) return std::nullopt;
  if (be16(p, 0) != kArpHardwareEthernet || be16(p, 2) != kEtherIpv4 || p[4] != 6 || p[5] != 4) {
    return std::nullopt;
  }
  const uint16_t op = be16(p, 6);
  if (op != kArpRequest && op != kArpReply) return std::nullopt;
  const auto sender = p.subspan(14, 4);
  // Sender 0.0.0.0: an ARP probe (RFC 5227 2.1.1), asking rather than claiming.
  if (allZero(sender)) return std::nullopt;
  AddressClaim c{IpAddress::v4(std::span<const uint8_t, 4>(sender.data(), 4)), macAt(p, 8),
                 op == kArpReply ? ClaimKind::kArpReply : ClaimKind::kArpRequest};
  if (!unicastMac(c.mac)) return std::nullopt;
  // RFC 5227 3: an announcement has sender and target protocol address equal; some
  // senders use a reply for it, so either operation counts.
  if (std::equal(sender.begin(), sender.end(), p.begin() + 24)) c.kind = ClaimKind::kGratuitousArp;
  return c;
}

std::optional<AddressClaim> neighbourAdvertClaim(std::span<const uint8_t> p,
                                                 const MacAddress& etherSource) {
  if (p.size() < kIpv6HeaderLength || (p[0] >> 4) != 6 || p[6] != kIcmpv6) return std::nullopt;
  // RFC 4861 7.1.2: hop limit 255, i.e. sent on this link and not routed here.
  if (p[7] != 255) return std::nullopt;
  const size_t length = be16(p, 4);
  if (length > p.size() - kIpv6HeaderLength) return std::nullopt;  // truncated
  const auto body = p.subspan(kIpv6HeaderLength, length);
  if (body.size() < kNeighbourAdvertLength || body[0] != kNeighbourAdvert || body[1] != 0) {
    return std::nullopt;
  }
  const auto target = body.subspan(8, 16);
  if (target[0] == 0xff || allZero(target)) return std::nullopt;  // 7.1.2: not multicast
  const bool solicited = (body[4] & kSolicitedFlag) != 0;
  // 7.1.2: a solicited NA is never sent to a multicast destination.
  if (solicited && p[24] == 0xff) return std::nullopt;
  MacAddress mac = etherSource;
  for (size_t at = kNeighbourAdvertLength; at < body.size();) {
    if (body.size() - at < 2) return std::nullopt;
    const size_t optionLength = body[at + 1] * 8u;
    // 7.1.2: an option of length 0 makes the whole message invalid.
    if (optionLength == 0 || optionLength > body.size() - at) return std::nullopt;
    if (body[at] == kTargetLinkLayerOption && optionLength == 8) mac = macAt(body, at + 2);
    at += optionLength;
  }
  if (!unicastMac(mac)) return std::nullopt;
  return AddressClaim{
      IpAddress::v6(std::span<const uint8_t, 16>(target.data(), 16)), mac,
      solicited ? ClaimKind::kNeighbourAdvert : ClaimKind::kUnsolicitedNeighbourAdvert};
}

}  // namespace

std::vector<uint8_t> arpProbe(const MacAddress& ours, const IpAddress& vip) {
  assert(vip.family == Family::kIPv4);
  std::vector<uint8_t> p{0, kArpHardwareEthernet, kEtherIpv4 >> 8, kEtherIpv4 & 0xff, 6, 4,
                         0, kArpRequest};
  p.reserve(kArpLength);
  p.insert(p.end(), ours.begin(), ours.end());
  p.insert(p.end(), 4, 0);  // sender protocol address 0.0.0.0: a probe (RFC 5227 2.1.1)
  p.insert(p.end(), 6, 0);  // target hardware address: ignored, zeros (RFC 5227 2.1.1)
  auto a = vip.view();
  p.insert(p.end(), a.begin(), a.end());
  return p;
}

std::vector<uint8_t> neighbourSolicitation(const MacAddress& ours, const IpAddress& vip) {
  assert(vip.family == Family::kIPv6);
  std::vector<uint8_t> p{kNeighbourSolicitation, 0, 0, 0};  // type, code, checksum (kernel)
  p.insert(p.end(), 4, 0);                                  // reserved
  auto a = vip.view();
  p.insert(p.end(), a.begin(), a.end());
  p.push_back(kSourceLinkLayerOption);  // so that the answer needs no resolution of ours
  p.push_back(1);                       // length in units of 8 octets
  p.insert(p.end(), ours.begin(), ours.end());
  return p;
}

IpAddress solicitedNodeMulticast(const IpAddress& vip) {
  assert(vip.family == Family::kIPv6);
  std::array<uint8_t, 16> b{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};
  std::copy_n(vip.bytes.begin() + 13, 3, b.begin() + 13);
  return IpAddress::v6(b);
}

const char* toString(ClaimKind k) {
  switch (k) {
    case ClaimKind::kArpReply:
      return "arp_reply";
    case ClaimKind::kGratuitousArp:
      return "gratuitous_arp";
    case ClaimKind::kArpRequest:
      return "arp_request";
    case ClaimKind::kNeighbourAdvert:
      return "na";
    case ClaimKind::kUnsolicitedNeighbourAdvert:
      return "unsolicited_na";
  }
  return "?";
}

std::optional<AddressClaim> decodeClaim(std::span<const uint8_t> ethernetFrame) {
  const auto f = ethernetFrame;
  if (f.size() < 14) return std::nullopt;
  uint16_t type = be16(f, 12);
  size_t at = 14;
  uint16_t vlan = 0;
  if (type == kEtherVlan) {
    if (f.size() < 18) return std::nullopt;
    vlan = be16(f, 14) & 0x0fff;  // the VLAN ID, below priority and DEI
    type = be16(f, 16);
    at = 18;
  }
  const auto payload = f.subspan(at);
  std::optional<AddressClaim> c;
  if (type == kEtherArp) c = arpClaim(payload);
  if (type == kEtherIpv6) c = neighbourAdvertClaim(payload, macAt(f, 6));
  if (c) c->vlan = vlan;
  return c;
}

}  // namespace holdfast::vrrp
