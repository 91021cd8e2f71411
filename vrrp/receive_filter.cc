#include "vrrp/receive_filter.h"

#include <algorithm>

namespace holdfast::vrrp {

std::optional<DiscardReason> checkAdvert(const Advert& a, const PacketInfo& info,
                                         const ReceiveSettings& s) {
  auto contains = [](const std::vector<IpAddress>& v, const IpAddress& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  if (contains(s.ownAddresses, info.source)) return DiscardReason::kOwnAdvert;
  if (a.version != s.version) return DiscardReason::kBadVersion;
  // Unicast mode listens to its peers only: anything else is a stranger.
  if (!s.unicastPeers.empty() && !contains(s.unicastPeers, info.source)) {
    return DiscardReason::kNotFromPeer;
  }
  if (info.ttl != kRequiredTtl && info.ttl >= 0) {
    // The codec let a unicast advert through; only unicast mode takes one.
    if (s.unicastPeers.empty()) return DiscardReason::kBadTtl;
  }
  for (const auto& r : s.peerTtls) {
    if (r.peer == info.source && info.ttl >= 0 && (info.ttl < r.min || info.ttl > r.max)) {
      return DiscardReason::kBadTtl;
    }
  }
  if (a.version == 2) {
    // RFC 3768 7.1: the auth type must match, and for PASS the password too.
    if (a.authType != s.authType) return DiscardReason::kAuthMismatch;
    if (a.authType == AuthType::kSimplePassword && a.authData != s.authData) {
      return DiscardReason::kAuthMismatch;
    }
    // RFC 3768 7.1: "MUST verify that the Adver Interval in the packet is the same
    // as the locally configured". v3 adopts the master's instead (RFC 5798 6.4.2).
    if (a.interval != s.advertInterval) return DiscardReason::kIntervalMismatch;
  }
  return std::nullopt;
}

bool vipListDiffers(const Advert& a, const ReceiveSettings& s) {
  // RFC 5798 7.1 lets a router check the address list (a MAY). A priority 0 advert
  // from a leaving master is not checked, nor anything under vrrp_skip_check_adv_addr.
  if (s.skipAddressCheck || a.priority == kStopPriority) return false;
  if (a.addresses.size() != s.addresses.size()) return true;
  return std::any_of(a.addresses.begin(), a.addresses.end(), [&](const IpAddress& x) {
    return std::find(s.addresses.begin(), s.addresses.end(), x) == s.addresses.end();
  });
}

}  // namespace holdfast::vrrp
