#pragma once
// A VRRP advertisement in host order, version 2 (RFC 3768 5.1) or 3 (RFC 5798 5.1),
// and the reasons a received packet is discarded.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "netio/ip_address.h"
#include "vrrp/timers.h"

namespace holdfast::vrrp {

using netio::addressLength;
using netio::Family;
using netio::IpAddress;
using netio::MacAddress;

inline constexpr int kVrrpProtocol = 112;  // IANA protocol number, RFC 5798 5.2
inline constexpr int kRequiredTtl = 255;   // RFC 5798 5.1.1.3 / 5.1.2.3
inline constexpr int kAdvertisementType = 1;
inline constexpr int kOwnerPriority = 255;
inline constexpr int kStopPriority = 0;
inline constexpr size_t kPriorityOffset = 2;  // the priority's byte in the header (RFC 5798 5.1)

enum class AuthType : uint8_t { kNone = 0, kSimplePassword = 1 };

struct Advert {
  int version = 3;
  int vrid = 0;
  int priority = 0;
  // v3: Max Adver Int in centiseconds; v2: Adver Int seconds, held as centiseconds.
  Centiseconds interval{100};
  Family family = Family::kIPv4;
  std::vector<IpAddress> addresses;
  AuthType authType = AuthType::kNone;  // v2 only
  std::array<uint8_t, 8> authData{};    // v2 only; PASS: the password, zero padded

  bool operator==(const Advert&) const = default;
};

// The IPv4 VRRPv3 checksum comes in two forms in the wild; both are accepted.
enum class ChecksumForm { kPseudoHeader, kMessageOnly };

// Why a received packet was dropped. Every reason has a counter (Counters below).
enum class DiscardReason : uint8_t {
  kTooShort,    // shorter than the fixed header
  kBadTtl,      // TTL / hop limit not 255 (RFC 5798 7.1)
  kBadVersion,  // not 2 or 3, or not the instance's version
  kBadType,     // not an ADVERTISEMENT
  kBadLength,   // count of addresses does not match the length
  kBadChecksum,
  kZeroInterval,      // an interval of 0 would make Master_Down_Interval 0
  kWrongFamily,       // IPv4 VRRP over IPv6 or the reverse; v2 over IPv6
  kUnknownVrid,       // no instance for this VRID on the interface
  kAuthMismatch,      // v2: auth type or password differs (RFC 3768 7.1)
  kIntervalMismatch,  // v2: Adver Int differs from ours (RFC 3768 7.1)
  kOwnerConflict,     // priority 255 from a peer while we own the addresses
  kNotFromPeer,       // unicast: source is not a configured peer
  kOwnAdvert,         // our own advert looped back
  kCount
};
const char* toString(DiscardReason r);

struct Counters {
  uint64_t received = 0;
  uint64_t sent = 0;
  std::array<uint64_t, static_cast<size_t>(DiscardReason::kCount)> discarded{};
  // Adverts honoured although their VIP list differs from ours (RFC 5798 7.1 makes
  // the check a MAY). keepalived drops them; that makes two masters while two nodes'
  // configs differ during a rolling reload, so holdfast honours them on purpose.
  uint64_t vipListMismatch = 0;
  void discard(DiscardReason r, uint64_t n = 1) { discarded[static_cast<size_t>(r)] += n; }
  uint64_t discardedBy(DiscardReason r) const { return discarded[static_cast<size_t>(r)]; }
};

}  // namespace holdfast::vrrp
