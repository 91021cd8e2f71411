// Tracking given to a vrrp_sync_group (track_script, track_interface): keepalived
// adds each item, with its weight, to every member instance, after the members'
// own weighted tracking was stripped (validate_instance.cc). A member that is an
// address owner (priority 255) makes the group's weights 0: the items then only
// fault the group.

#include "core/config/sync_group_tracking.h"

#include <algorithm>

namespace holdfast::config::detail {

namespace {

void clearWeightsForOwner(Diagnostics& d, SyncGroup& g, const Config& cfg) {
  const auto owner = std::find_if(g.members.begin(), g.members.end(), [&](const TrackRef& m) {
    const VrrpInstance* vi = cfg.findInstance(m.name);
    return vi && vi->priority == 255;
  });
  if (owner == g.members.end()) return;
  for (auto* list : {&g.trackScripts, &g.trackInterfaces}) {
    for (TrackRef& t : *list) {
      const int weight =
          t.hasWeight ? t.weight : (cfg.findScript(t.name) ? cfg.findScript(t.name)->weight : 0);
      if (weight == 0) continue;
      d.warning(t.where, "vrrp_sync_group '" + g.name + "': member '" + owner->name +
                             "' is an address owner (priority 255), so '" + t.name +
                             "' cannot be weighted; weight cleared (a failure faults the "
                             "group), as keepalived does");
      t.weight = 0;
      t.hasWeight = true;
    }
  }
}

}  // namespace

void addSyncGroupTracking(BuildContext& ctx, Config& cfg) {
  Diagnostics& d = ctx.diags();
  for (SyncGroup& g : cfg.syncGroups) {
    std::erase_if(g.trackScripts, [&](const TrackRef& t) {
      if (cfg.findScript(t.name)) return false;
      d.warning(t.where, "vrrp_sync_group '" + g.name + "': track_script '" + t.name +
                             "' names no vrrp_script; ignored, as keepalived does");
      return true;
    });
    clearWeightsForOwner(d, g, cfg);
    for (const TrackRef& m : g.members) {
      auto vi = std::find_if(cfg.instances.begin(), cfg.instances.end(),
                             [&](const VrrpInstance& v) { return v.name == m.name; });
      if (vi == cfg.instances.end()) continue;
      vi->trackScripts.insert(vi->trackScripts.end(), g.trackScripts.begin(), g.trackScripts.end());
      vi->trackInterfaces.insert(vi->trackInterfaces.end(), g.trackInterfaces.begin(),
                                 g.trackInterfaces.end());
    }
  }
}

}  // namespace holdfast::config::detail
