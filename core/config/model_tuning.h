#pragma once
// keepalived's protocol tunings of an instance and their global defaults
// (keepalived.conf(5): lower_prio_no_advert, higher_prio_send_advert,
// down_timer_adverts, garp_lower_prio_*, unicast_ttl, min/max_ttl of a peer,
// unicast_fault_no_peer, dont_track_primary, vrrp_startup_delay, vrrp_min_garp).
// Unset optionals take the global value; completeInstance (validate_instance.cc)
// applies vrrp_strict's overrides.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/config/source_location.h"

namespace holdfast::config {

struct GlobalTuning {
  std::optional<std::chrono::microseconds> garpLowerPrioDelay;  // unset: garp_master_delay
  std::optional<int> garpLowerPrioRepeat;                       // unset: garp_master_repeat
  bool lowerPrioNoAdvert = false;
  bool higherPrioSendAdvert = false;
  int downTimerAdverts = 3;  // RFC 5798: Master_Down_Interval = 3 adverts + skew
  std::chrono::microseconds startupDelay{0};
  bool operator==(const GlobalTuning&) const = default;
};

// The TTL / hop limit range accepted from one unicast peer (min_ttl / max_ttl).
struct PeerTtl {
  std::string peer;  // the address as written
  int min = 0;
  int max = 255;
  bool operator==(const PeerTtl&) const = default;
};

struct InstanceTuning {
  std::optional<std::chrono::microseconds> garpLowerPrioDelay;
  std::optional<int> garpLowerPrioRepeat;
  std::optional<bool> lowerPrioNoAdvert;
  std::optional<bool> higherPrioSendAdvert;
  std::optional<int> downTimerAdverts;
  std::optional<int> unicastTtl;  // sent on unicast adverts; unset: 255
  std::vector<PeerTtl> peerTtls;
  bool dontTrackPrimary = false;  // the interface going down is not a fault
  // A unicast keyword was given (unicast_src_ip, unicast_peer, unicast_ttl, ...):
  // without peers, keepalived falls back to multicast, or with unicast_fault_no_peer
  // goes to FAULT.
  bool unicastConfigured = false;
  bool unicastFaultNoPeer = false;
  bool operator==(const InstanceTuning&) const = default;
};

// garp_group: the spacing of gratuitous ARPs / NAs for the instances on some
// interfaces (those without their own garp_interval / gna_interval).
struct GarpGroup {
  std::optional<std::chrono::microseconds> garpInterval, gnaInterval;
  std::vector<std::string> interfaces;
  SourceLocation where;
  bool operator==(const GarpGroup&) const = default;
};

}  // namespace holdfast::config
