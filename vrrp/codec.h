#pragma once
// Encoding and decoding of VRRP adverts: pure functions over byte spans. The IP
// header is the kernel's business; what the codec needs of it (addresses for the
// checksum's pseudo-header, the TTL) comes in as PacketInfo. Structural checks are
// here; checks against an instance's configuration are in receive_filter.h.

#include <cstddef>
#include <expected>
#include <span>
#include <vector>

#include "vrrp/advert.h"

namespace holdfast::vrrp {

struct PacketInfo {
  IpAddress source;
  IpAddress destination;
  int ttl = kRequiredTtl;  // TTL (IPv4) or hop limit (IPv6) as received
};

std::expected<Advert, DiscardReason> decode(std::span<const uint8_t> message,
                                            const PacketInfo& info);
// decode into `out`, whose address list keeps its capacity: a receiver that decodes
// every advert into one Advert allocates nothing per packet. `out` is unspecified
// after an error.
std::expected<void, DiscardReason> decodeInto(std::span<const uint8_t> message,
                                              const PacketInfo& info, Advert& out);

// The VRRP message for `advert`, checksummed for source -> destination. For IPv4
// VRRPv3, `form` chooses the checksum form; otherwise it is ignored.
std::vector<uint8_t> encode(const Advert& advert, const IpAddress& source,
                            const IpAddress& destination,
                            ChecksumForm form = ChecksumForm::kPseudoHeader);
// encode into `out` (replacing what it held, keeping its capacity).
void encodeInto(const Advert& advert, const IpAddress& source, const IpAddress& destination,
                ChecksumForm form, std::vector<uint8_t>& out);

// RFC 1071 one's complement sum, folded, not yet complemented.
uint32_t onesComplementSum(std::span<const uint8_t> data, uint32_t sum = 0);

}  // namespace holdfast::vrrp
