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
  auto ownWeight = [&](const std::vector<TrackRef>* list, const std::string& name) {
    if (list == &g.trackScripts && cfg.findScript(name)) return cfg.findScript(name)->weight;
    if (list == &g.trackFiles && cfg.findTrackFile(name)) return cfg.findTrackFile(name)->weight;
    if (list == &g.trackProcesses && cfg.findTrackProcess(name)) {
      return cfg.findTrackProcess(name)->weight;
    }
    return 0;
  };
  for (auto* list : {&g.trackScripts, &g.trackInterfaces, &g.trackFiles, &g.trackProcesses}) {
    for (TrackRef& t : *list) {
      const int weight = t.hasWeight ? t.weight : ownWeight(list, t.name);
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
    auto undefined = [&](std::vector<TrackRef>& list, const char* what, const char* block,
                         auto find) {
      std::erase_if(list, [&](const TrackRef& t) {
        if (find(t.name)) return false;
        d.warning(t.where, "vrrp_sync_group '" + g.name + "': " + what + " '" + t.name +
                               "' names no " + block + "; ignored, as keepalived does");
        return true;
      });
    };
    undefined(g.trackFiles, "track_file", "track_file",
              [&](const std::string& n) { return cfg.findTrackFile(n); });
    undefined(g.trackProcesses, "track_process", "vrrp_track_process",
              [&](const std::string& n) { return cfg.findTrackProcess(n); });
    clearWeightsForOwner(d, g, cfg);
    for (const TrackRef& m : g.members) {
      auto vi = std::find_if(cfg.instances.begin(), cfg.instances.end(),
                             [&](const VrrpInstance& v) { return v.name == m.name; });
      if (vi == cfg.instances.end()) continue;
      vi->trackScripts.insert(vi->trackScripts.end(), g.trackScripts.begin(), g.trackScripts.end());
      vi->trackInterfaces.insert(vi->trackInterfaces.end(), g.trackInterfaces.begin(),
                                 g.trackInterfaces.end());
      vi->trackFiles.insert(vi->trackFiles.end(), g.trackFiles.begin(), g.trackFiles.end());
      vi->trackProcesses.insert(vi->trackProcesses.end(), g.trackProcesses.begin(),
                                g.trackProcesses.end());
    }
  }
}

}  // namespace holdfast::config::detail
