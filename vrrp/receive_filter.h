#pragma once
// The checks of RFC 5798 7.1 / RFC 3768 7.1 that need the instance's configuration,
// applied after the codec's structural checks. An advert that fails one is dropped
// and counted under the returned reason.

#include <optional>
#include <vector>

#include "vrrp/advert.h"
#include "vrrp/codec.h"

namespace holdfast::vrrp {

struct ReceiveSettings {
  int version = 3;
  Centiseconds advertInterval{100};
  AuthType authType = AuthType::kNone;  // v2
  std::array<uint8_t, 8> authData{};    // v2 PASS, zero padded
  std::vector<IpAddress> addresses;     // our VIPs, in config order
  std::vector<IpAddress> unicastPeers;  // empty: multicast
  std::vector<IpAddress> ownAddresses;  // our sources: a looped-back advert is ours
  bool skipAddressCheck = false;        // vrrp_skip_check_adv_addr
  // The TTL / hop limit range accepted from a unicast peer (min_ttl / max_ttl); a
  // peer without one takes any (keepalived: a unicast advert may cross routers).
  struct PeerTtl {
    IpAddress peer;
    int min = 0, max = 255;
    bool operator==(const PeerTtl&) const = default;
  };
  std::vector<PeerTtl> peerTtls;
  bool operator==(const ReceiveSettings&) const = default;
};

std::optional<DiscardReason> checkAdvert(const Advert& advert, const PacketInfo& info,
                                         const ReceiveSettings& settings);

// Whether an advert that passed checkAdvert lists other VIPs than ours. Such an
// advert is honoured, and counted and reported by the caller (keepalived 2.2.7 drops
// it, which makes two masters while two nodes' configs differ: holdfast differs on
// purpose, see docs/ARCHITECTURE.md, Reload).
bool vipListDiffers(const Advert& advert, const ReceiveSettings& settings);

}  // namespace holdfast::vrrp
