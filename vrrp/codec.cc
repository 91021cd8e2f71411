#include "vrrp/codec.h"

#include <algorithm>

namespace holdfast::vrrp {

const char* toString(DiscardReason r) {
  switch (r) {
    case DiscardReason::kTooShort:
      return "too_short";
    case DiscardReason::kBadTtl:
      return "bad_ttl";
    case DiscardReason::kBadVersion:
      return "bad_version";
    case DiscardReason::kBadType:
      return "bad_type";
    case DiscardReason::kBadLength:
      return "bad_length";
    case DiscardReason::kBadChecksum:
      return "bad_checksum";
    case DiscardReason::kZeroInterval:
      return "zero_interval";
    case DiscardReason::kWrongFamily:
      return "wrong_family";
    case DiscardReason::kUnknownVrid:
      return "unknown_vrid";
    case DiscardReason::kAuthMismatch:
      return "auth_mismatch";
    case DiscardReason::kIntervalMismatch:
      return "interval_mismatch";
    case DiscardReason::kOwnerConflict:
      return "owner_conflict";
    case DiscardReason::kNotFromPeer:
      return "not_from_peer";
    case DiscardReason::kOwnAdvert:
      return "own_advert";
    case DiscardReason::kCount:
      break;
  }
  return "?";
}

namespace {

constexpr size_t kHeaderLength = 8;      // RFC 5798 5.1 / RFC 3768 5.1
constexpr size_t kV2AuthDataLength = 8;  // RFC 3768 5.3.10

uint32_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

// The pseudo-header of RFC 2460 8.1 (IPv6) or its IPv4 analogue (RFC 768 style),
// with Next Header 112, as RFC 5798 5.2.8 prescribes.
uint32_t pseudoHeaderSum(const IpAddress& src, const IpAddress& dst, size_t length) {
  uint32_t sum = onesComplementSum(src.view());
  sum = onesComplementSum(dst.view(), sum);
  sum += static_cast<uint32_t>(length >> 16) + static_cast<uint32_t>(length & 0xffff);
  sum += kVrrpProtocol;
  return sum;
}

// v2 (RFC 3768 5.3.8) sums the message alone; v3 (RFC 5798 5.2.8) adds the
// pseudo-header, except in the IPv4 message-only form some implementations send.
uint32_t messageSum(std::span<const uint8_t> msg, int version, const IpAddress& src,
                    const IpAddress& dst, ChecksumForm form) {
  bool pseudo =
      version == 3 && (src.family == Family::kIPv6 || form == ChecksumForm::kPseudoHeader);
  uint32_t sum = pseudo ? pseudoHeaderSum(src, dst, msg.size()) : 0;
  return fold(onesComplementSum(msg, sum));
}

}  // namespace

uint32_t onesComplementSum(std::span<const uint8_t> data, uint32_t sum) {
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += (uint32_t{data[i]} << 8) | data[i + 1];
  if (i < data.size()) sum += uint32_t{data[i]} << 8;
  return fold(sum);
}

std::expected<Advert, DiscardReason> decode(std::span<const uint8_t> m, const PacketInfo& info) {
  Advert a;
  if (auto ok = decodeInto(m, info, a); !ok) return std::unexpected(ok.error());
  return a;
}

std::expected<void, DiscardReason> decodeInto(std::span<const uint8_t> m, const PacketInfo& info,
                                              Advert& a) {
  if (m.size() < kHeaderLength) return std::unexpected(DiscardReason::kTooShort);
  // RFC 5798 7.1 for multicast adverts; a unicast one may cross routers (keepalived's
  // unicast_ttl), so its TTL is checked by the instance (checkAdvert).
  if (info.ttl != kRequiredTtl && info.destination.multicast()) {
    return std::unexpected(DiscardReason::kBadTtl);
  }

  a.addresses.clear();
  a.authType = AuthType::kNone;
  a.authData = {};
  a.version = m[0] >> 4;
  if (a.version != 2 && a.version != 3) return std::unexpected(DiscardReason::kBadVersion);
  if ((m[0] & 0x0f) != kAdvertisementType) return std::unexpected(DiscardReason::kBadType);
  a.family = info.source.family;
  if (info.destination.family != a.family || (a.version == 2 && a.family == Family::kIPv6)) {
    return std::unexpected(DiscardReason::kWrongFamily);
  }
  a.vrid = m[1];
  a.priority = m[2];
  const size_t count = m[3];
  const size_t addrLen = addressLength(a.family);
  const size_t expected =
      kHeaderLength + count * addrLen + (a.version == 2 ? kV2AuthDataLength : 0);
  if (m.size() != expected) return std::unexpected(DiscardReason::kBadLength);

  if (a.version == 2) {
    a.authType = static_cast<AuthType>(m[4]);
    a.interval = Centiseconds(100 * m[5]);
  } else {
    a.interval = Centiseconds(((m[4] & 0x0f) << 8) | m[5]);
  }
  if (a.interval.count() == 0) return std::unexpected(DiscardReason::kZeroInterval);

  // Summed with its checksum in place, a correct message folds to 0xffff.
  bool ok = messageSum(m, a.version, info.source, info.destination, ChecksumForm::kPseudoHeader) ==
            0xffff;
  if (!ok && a.version == 3 && a.family == Family::kIPv4) {
    ok = messageSum(m, 3, info.source, info.destination, ChecksumForm::kMessageOnly) == 0xffff;
  }
  if (!ok) return std::unexpected(DiscardReason::kBadChecksum);

  const uint8_t* p = m.data() + kHeaderLength;
  for (size_t i = 0; i < count; ++i, p += addrLen) {
    IpAddress addr;
    addr.family = a.family;
    std::copy(p, p + addrLen, addr.bytes.begin());
    a.addresses.push_back(addr);
  }
  if (a.version == 2) std::copy(p, p + kV2AuthDataLength, a.authData.begin());
  return {};
}

std::vector<uint8_t> encode(const Advert& a, const IpAddress& source, const IpAddress& destination,
                            ChecksumForm form) {
  std::vector<uint8_t> m;
  encodeInto(a, source, destination, form, m);
  return m;
}

void encodeInto(const Advert& a, const IpAddress& source, const IpAddress& destination,
                ChecksumForm form, std::vector<uint8_t>& m) {
  m.assign(kHeaderLength, 0);
  m[0] = static_cast<uint8_t>((a.version << 4) | kAdvertisementType);
  m[1] = static_cast<uint8_t>(a.vrid);
  m[2] = static_cast<uint8_t>(a.priority);
  m[3] = static_cast<uint8_t>(a.addresses.size());
  if (a.version == 2) {
    m[4] = static_cast<uint8_t>(a.authType);
    m[5] = static_cast<uint8_t>(a.interval.count() / 100);
  } else {
    const auto cs = static_cast<uint16_t>(a.interval.count() & 0x0fff);
    m[4] = static_cast<uint8_t>(cs >> 8);
    m[5] = static_cast<uint8_t>(cs & 0xff);
  }
  for (const IpAddress& addr : a.addresses) {
    auto v = addr.view();
    m.insert(m.end(), v.begin(), v.end());
  }
  if (a.version == 2) m.insert(m.end(), a.authData.begin(), a.authData.end());
  const auto sum = static_cast<uint16_t>(~messageSum(m, a.version, source, destination, form));
  m[6] = static_cast<uint8_t>(sum >> 8);
  m[7] = static_cast<uint8_t>(sum & 0xff);
}

}  // namespace holdfast::vrrp
