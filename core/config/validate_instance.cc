// One vrrp_instance completed the way keepalived 2.2.7 completes it after reading it
// (vrrp_complete_instance): defaults that depend on other keywords, values rounded
// or reset with a warning, and the few things it refuses. Each rule says what
// keepalived does; the README's migration section lists where holdfast differs.

#include "core/config/validate_instance.h"

#include "core/config/build_track.h"

#include <cmath>

#include "core/config/validate_vmac.h"
#include "core/config/values.h"

namespace holdfast::config::detail {
namespace {

using std::chrono::microseconds;

// An interface name the kernel would accept: 1-15 bytes, no '/', ':' or blanks.
bool validInterfaceName(std::string_view s) {
  if (s.empty() || s.size() > 15 || s == "." || s == "..") return false;
  return s.find_first_of("/: \t") == std::string_view::npos;
}

void completeStateAndPriority(Diagnostics& d, VrrpInstance& vi, const std::string& who) {
  // keepalived: no priority and state MASTER makes the address owner; no state
  // follows from the priority.
  if (!vi.locations.has("priority") && vi.locations.has("state") &&
      vi.initialState == InitialState::kMaster) {
    vi.priority = 255;
    d.warning(vi.locations.at("state", vi.where),
              who +
                  ": state MASTER without a priority: priority 255 (the address owner), as "
                  "keepalived does; write 'priority' to choose another");
  }
  if (!vi.locations.has("state")) {
    vi.initialState = vi.priority == 255 ? InitialState::kMaster : InitialState::kBackup;
  }
  if (vi.strict && vi.locations.has("state") &&
      (vi.initialState == InitialState::kMaster) != (vi.priority == 255)) {
    d.warning(vi.locations.at("state", vi.where),
              who +
                  ": vrrp_strict: state MASTER must match being the address owner (priority "
                  "255); starting as " +
                  (vi.priority == 255 ? "MASTER" : "BACKUP") + ", as keepalived does");
    vi.initialState = vi.priority == 255 ? InitialState::kMaster : InitialState::kBackup;
  }
}

void completeVersion(Diagnostics& d, VrrpInstance& vi, const std::string& who) {
  if (vi.family != AddressFamily::kIPv6 || vi.version == 3) return;
  // keepalived: an IPv6 instance is VRRPv3 unless the instance says otherwise.
  if (vi.locations.has("version")) {
    d.warning(vi.locations.at("version", vi.where),
              who + ": IPv6 needs VRRP version 3 (RFC 3768 is IPv4 only); using version 3");
  }
  vi.version = 3;
}

// keepalived rounds an interval the version cannot carry, with a warning.
void completeAdvertInterval(Diagnostics& d, VrrpInstance& vi, const std::string& who) {
  const SourceLocation& at = vi.locations.at("advert_int", vi.where);
  const int64_t us = vi.advertInterval.count();
  const int64_t unit = vi.version == 2 ? 1'000'000 : 10'000;  // RFC 3768 s, RFC 5798 cs
  const int64_t max = vi.version == 2 ? 255'000'000 : 40'950'000;
  const std::string was = formatDuration(vi.advertInterval);
  const std::string what =
      vi.version == 2 ? "whole seconds 1-255 in VRRP version 2 (RFC 3768 5.3.7; use 'version 3' "
                        "for sub-second adverts)"
                      : "0.01s-40.95s in steps of 10ms in VRRP version 3 (RFC 5798 5.2.7)";
  if (us > max) {
    vi.advertInterval = microseconds(max);
  } else if (us % unit != 0 || us < unit) {
    vi.advertInterval = microseconds(std::max<int64_t>(unit, (us + unit / 2) / unit * unit));
  } else {
    return;
  }
  d.warning(at, who + ": advert_int " + was + " is not valid: " + what + "; using " +
                    formatDuration(vi.advertInterval) + ", as keepalived does");
}

void completeStrict(Diagnostics& d, VrrpInstance& vi, const std::string& who, const GlobalDefs& g) {
  if (!vi.strict) return;
  if (vi.auth.type != AuthType::kNone) {
    d.warning(vi.locations.at("authentication", vi.where),
              who + ": vrrp_strict does not allow authentication; ignored, as keepalived does");
    vi.auth = {};
  }
  if (vi.preemptDelay.count() > 0) {
    d.warning(vi.locations.at("preempt_delay", vi.where),
              who +
                  ": vrrp_strict does not allow preempt_delay; reset to 0, as keepalived "
                  "does");
    vi.preemptDelay = {};
  }
  if (vi.locations.has("accept") && vi.accept && vi.priority != 255 && vi.version == 2) {
    d.warning(vi.locations.at("accept", vi.where),
              who +
                  ": accept mode with vrrp_strict and VRRP version 2 does not comply with "
                  "RFC 3768; reset to no_accept, as keepalived does");
    vi.accept = false;
  }
  // keepalived: under vrrp_strict a non-owner defaults to no_accept.
  if (!vi.locations.has("accept") && !vi.locations.has("no_accept")) {
    vi.accept = vi.priority == 255;
    // The trap keepalived's users fall into: the VIP moves, but nothing answers on it.
    if (!vi.accept) {
      d.advice(g.locations.at("vrrp_strict", vi.where),
               who +
                   ": vrrp_strict implies no_accept: while it is master (and not the address "
                   "owner, priority 255) its VIPs are dropped in nftables table '" +
                   g.nftTable +
                   "' and answer nothing, not even ping, as in keepalived; write 'accept' "
                   "(with VRRP version 3) to have them answer, or 'no_accept' to keep this "
                   "without a warning");
    }
  }
}

void completePreempt(Diagnostics& d, VrrpInstance& vi, const std::string& who) {
  if (!vi.preempt && vi.priority == 255) {
    d.warning(vi.locations.at("nopreempt", vi.where),
              who +
                  ": nopreempt does not apply to priority 255 (the address owner always "
                  "preempts); cleared, as keepalived does");
    vi.preempt = true;
  }
  if (vi.initialState == InitialState::kMaster) {
    if (!vi.preempt) {
      d.warning(vi.locations.at("nopreempt", vi.where),
                who +
                    ": nopreempt does not work with state MASTER; nopreempt cleared (the "
                    "instance starts as MASTER and preempts), as keepalived does. Use state "
                    "BACKUP on every node for nopreempt");
      vi.preempt = true;
    }
    if (vi.preemptDelay.count() > 0) {
      d.warning(vi.locations.at("preempt_delay", vi.where),
                who +
                    ": preempt_delay does not work with state MASTER; cleared, as keepalived "
                    "does");
      vi.preemptDelay = {};
    }
  }
  if (!vi.preempt && vi.preemptDelay.count() > 0) {
    d.warning(vi.locations.at("preempt_delay", vi.where),
              who + ": preempt_delay has no meaning with nopreempt; cleared, as keepalived does");
    vi.preemptDelay = {};
  }
}

// Keywords holdfast reads but does not act on (yet): one warning each at its line,
// so that nobody relies on them silently.
void warnNoEffect(Diagnostics& d, const VrrpInstance& vi, [[maybe_unused]] const std::string& who) {
  for (const VirtualAddress& va : vi.virtualAddresses) {
    if (va.noTrack) {
      d.noEffect(va.where, "'no_track' on " + va.address.to_string() +
                               ": holdfast never takes a VIP removed by hand as a fault (it "
                               "adds it back), which is what no_track asks for: no effect");
    }
  }
}

}  // namespace

void completeInstance(BuildContext& ctx, VrrpInstance& vi, bool inSyncGroup,
                      bool syncTrackingWeight, const Config& cfg) {
  Diagnostics& d = ctx.diags();
  const std::string who = "vrrp_instance '" + vi.name + "'";
  if (vi.interface.empty()) {
    d.error(vi.where, who + " needs 'interface'");
  } else if (!validInterfaceName(vi.interface)) {
    d.error(vi.where, who + ": '" + vi.interface + "' is not a valid interface name");
  }
  if (vi.virtualRouterId == 0) d.error(vi.where, who + " needs 'virtual_router_id'");

  completeVersion(d, vi, who);
  completeStateAndPriority(d, vi, who);
  completeAdvertInterval(d, vi, who);

  if (vi.virtualAddresses.empty()) {
    if (vi.version == 3 || vi.strict) {
      d.error(vi.where, who + " has no virtual_ipaddress; keepalived requires one with " +
                            (vi.strict ? "vrrp_strict" : "VRRP version 3"));
    } else {
      d.warning(vi.where, who + " has no virtual_ipaddress");
    }
  }
  // keepalived 2.2.7 means to refuse unicast peers under vrrp_strict, but checks
  // before it marks the instance unicast: it runs them, and so does holdfast.
  if (vi.version == 3 && vi.auth.type != AuthType::kNone) {
    d.warning(vi.locations.at("authentication", vi.where),
              who +
                  ": authentication is ignored with VRRP version 3 (RFC 5798 has none), as "
                  "keepalived does");
    vi.auth = {};
  }
  completeStrict(d, vi, who, cfg.global);
  completeTuning(d, vi, who);
  completePreempt(d, vi, who);
  completeVmac(d, vi, who, cfg);
  warnNoEffect(d, vi, who);

  for (VirtualAddress& va : vi.virtualAddresses) {
    if (!va.dev.empty() && !validInterfaceName(va.dev)) {
      d.error(va.where, "'" + va.dev + "' is not a valid interface name");
    }
    const std::string& dev = va.dev.empty() ? vi.interface : va.dev;
    if (!va.label.empty() && !va.label.starts_with(dev + ":") && va.label != dev) {
      d.warning(va.where, "label '" + va.label + "' must start with '" + dev +
                              ":' (labels begin with the interface name); the address is added "
                              "without it");
      va.label.clear();
    }
  }

  // Tracking: a name that resolves to nothing is ignored, as keepalived does.
  std::erase_if(vi.trackScripts, [&](const TrackRef& t) {
    if (cfg.findScript(t.name)) return false;
    d.warning(t.where, "track_script '" + t.name +
                           "' names no vrrp_script; ignored, as "
                           "keepalived does");
    return true;
  });
  std::erase_if(vi.trackInterfaces, [&](const TrackRef& t) {
    if (validInterfaceName(t.name)) return false;
    d.warning(t.where, "track_interface '" + t.name +
                           "' is not a valid interface name; "
                           "ignored, as keepalived does");
    return true;
  });
  for (const TrackRef& t : vi.trackBackends) {
    if (!cfg.findBackend(t.name) && !cfg.findBackendGroup(t.name)) {
      d.error(t.where, "track_backend '" + t.name + "' names no backend or backend_group");
    }
  }

  // keepalived ignores weighted tracking for the address owner (RFC 5798 6.1: its
  // priority is always 255) and, unless the group sets sync_group_tracking_weight,
  // for members of a sync group (so that members never disagree): weighted scripts
  // are dropped; weighted interfaces are dropped for the owner and made unweighted
  // (a fault) in a group.
  const bool owner = vi.priority == 255;
  const std::string why =
      owner ? "priority 255 (the address owner, which tracking never changes)"
            : "a vrrp_sync_group member (the group has no sync_group_tracking_weight)";
  resolveTracking(d, vi, cfg, who, owner || (inSyncGroup && !syncTrackingWeight), why);
  if (!owner && !(inSyncGroup && !syncTrackingWeight)) return;
  auto scriptWeight = [&](const TrackRef& t) {
    if (t.hasWeight) return t.weight;
    const VrrpScript* s = cfg.findScript(t.name);
    return s ? s->weight : 0;
  };
  std::erase_if(vi.trackScripts, [&](const TrackRef& t) {
    const int w = scriptWeight(t);
    if (w == 0) return false;
    d.warning(t.where, who + " is " + why + ": tracked script '" + t.name + "' with weight " +
                           std::to_string(w) + " is ignored, as keepalived does");
    return true;
  });
  std::erase_if(vi.trackInterfaces, [&](TrackRef& t) {
    if (t.weight == 0) return false;
    if (owner) {
      d.warning(t.where, who + " is " + why + ": tracked interface '" + t.name + "' with weight " +
                             std::to_string(t.weight) + " is ignored, as keepalived does");
      return true;
    }
    d.warning(t.where, who + " is " + why + ": tracked interface '" + t.name + "' weight " +
                           std::to_string(t.weight) +
                           " ignored (its failure is a fault), as keepalived does");
    t.weight = 0;
    t.hasWeight = true;
    return false;
  });
  if (owner) {
    for (const TrackRef& t : vi.trackBackends) {
      if (t.hasWeight && t.weight != 0) {
        d.error(t.where, "'" + t.name + "' has weight " + std::to_string(t.weight) + " but " + who +
                             " has priority 255 (address owner), which tracking never changes; "
                             "use weight 0 or a lower priority");
      }
    }
  }
}

}  // namespace holdfast::config::detail
