#pragma once
// What a reload does to each running VRRP instance, decided from the two configs
// alone (pure: no kernel, no clock; unit-tested without root). One function decides
// it for the runtime, the daemon and holdfastctl, from structural comparison of the
// config types (source locations never make two configs differ), so a field that
// nobody listed can never be silently ignored: an unlisted difference restarts.
//
//   unchanged   nothing that the instance reads differs
//   in place    priority, advert_int, authentication, VIPs, tracking and weights,
//               tracked scripts, notify commands, smtp_alert, garp settings,
//               preempt/nopreempt/preempt_delay, sync group, unicast peer list,
//               checksum form, source address: applied on the VRRP thread without a
//               state transition and without removing a VIP that stays
//   restart     what VRRP cannot change live: interface, virtual_router_id, address
//               family, version, unicast <-> multicast, the multicast group,
//               use_vmac, becoming or ceasing to be the address owner (priority 255)
//   added / removed

#include <string>
#include <vector>

#include "core/config/model.h"

namespace holdfast::runtime {

enum class InstanceFate { kUnchanged, kInPlace, kRestart, kAdded, kRemoved };
const char* toString(InstanceFate f);

struct InstancePlan {
  std::string name;
  InstanceFate fate = InstanceFate::kUnchanged;
  // What differs, as operators read it: "priority 150 -> 160", "VIPs +192.0.2.101/24",
  // "notify_master". For a restart, the differences that force it come first.
  std::vector<std::string> changes;
};

struct ReloadPlan {
  std::vector<InstancePlan> instances;  // the new config's order, then the removed ones
  // vrrp_script blocks whose definition changed (their trackers are replaced) or
  // that are new or gone.
  std::vector<std::string> scriptsChanged;
  // Runtime-wide settings that changed ("mail settings": router_id,
  // notification_email(_from), smtp_server, smtp_connect_timeout).
  std::vector<std::string> globalsChanged;

  const InstancePlan* find(const std::string& name) const;
  std::vector<std::string> names(InstanceFate f) const;
  bool changesNothing() const;  // every instance unchanged, no script or global changed
};

ReloadPlan planReload(const config::Config& running, const config::Config& next);

// "instances kept VI_2; changed in place VI_1 (priority 150 -> 160); added none;
// removed none; restarted VI_3 (virtual_router_id 53 -> 63)": for the log, the event
// log and holdfastctl reload.
std::string summarize(const ReloadPlan& plan);

}  // namespace holdfast::runtime
