#include "core/runtime/health_policy.h"

#include <algorithm>

namespace holdfast::runtime {

bool Tracking::tracks(const std::vector<config::TrackRef>& refs, const std::string& name) const {
  return std::any_of(refs.begin(), refs.end(), [&](const auto& r) { return r.name == name; });
}

std::vector<scoring::TrackedItem> trackedItems(const Tracking& t, const TrackedStates& s) {
  std::vector<scoring::TrackedItem> items;
  for (const auto& ref : t.scripts) {
    // Validation made every name a vrrp_script; the runtime built a tracker for each.
    auto it = s.scripts.find(ref.name);
    const bool known = it != s.scripts.end();
    const int weight = ref.hasWeight || !known ? ref.weight : it->second->script().weight;
    const bool reverse = ref.reverse || (known && it->second->script().reverse);
    items.push_back({"script", ref.name, weight, reverse, known && it->second->up(),
                     known ? "" : "not running", known && it->second->pending()});
  }
  for (const auto& ref : t.interfaces) {
    auto it = s.interfaces.find(ref.name);
    items.push_back({"interface", ref.name, ref.weight, ref.reverse,
                     it != s.interfaces.end() && it->second, ""});
  }
  for (const auto& ref : t.backends) {
    // Validation made every name a backend or group; the monitor reports them all.
    auto it = s.backends.find(ref.name);
    const bool known = it != s.backends.end();
    items.push_back({known && it->second.group ? "backend_group" : "backend", ref.name, ref.weight,
                     ref.reverse, known && it->second.up,
                     known ? it->second.reason : "not checked"});
  }
  for (const auto& ref : t.files) {
    // Validation resolved every name; a file the tracker has not read reads as 0.
    auto it = s.files.find(ref.name);
    const bool known = it != s.files.end();
    const int weight = ref.hasWeight || !known ? ref.weight : it->second.weight;
    const bool reverse = ref.reverse || (known && it->second.reverse);
    scoring::TrackedItem item{"file",  ref.name, weight,
                              reverse, true,     known ? it->second.detail : "not watched"};
    if (known && !it->second.watched) {
      item.pending = true;  // neither adds nor faults, as keepalived drops it
    } else {
      item.value = known ? it->second.value : 0;
    }
    items.push_back(std::move(item));
  }
  for (const auto& ref : t.processes) {
    auto it = s.processes.find(ref.name);
    const bool known = it != s.processes.end();
    const int weight = ref.hasWeight || !known ? ref.weight : it->second.weight;
    const bool reverse = ref.reverse || (known && it->second.reverse);
    items.push_back({"process", ref.name, weight, reverse, known && it->second.up,
                     known ? it->second.detail : "not watched"});
  }
  if (s.maintenance) items.push_back(maintenanceItem(*s.maintenance));
  return items;
}

Tracking trackingOf(const config::VrrpInstance& vi) {
  return {vi.trackScripts, vi.trackInterfaces, vi.trackBackends, vi.trackFiles, vi.trackProcesses};
}

std::optional<std::string> ownFaultReason(const OwnHealth& h, const scoring::Score& score,
                                          const std::string& interface, const std::string& source) {
  if (!h.configFault.empty()) return h.configFault;
  if (h.linkDown && !h.ignoreLink) return "interface " + interface + " is down";
  if (h.sourceGone) return "address " + source + " is gone from " + interface;
  if (score.fault) return "tracked item down: " + score.explain();
  return std::nullopt;
}

}  // namespace holdfast::runtime
