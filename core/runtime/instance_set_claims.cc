// InstanceSet's claim watches for split-brain detection (slot_conflicts.h).

#include <set>

#include "core/log/logger.h"
#include "core/runtime/instance_set.h"

namespace holdfast::runtime {

void InstanceSet::syncClaimWatches() {
  std::set<std::string> wanted;
  for (const auto& s : slots_) {
    for (const auto& name : s->claimInterfaces()) wanted.insert(name);
  }
  for (auto it = claimWatches_.begin(); it != claimWatches_.end();) {
    it = wanted.contains(it->first) ? std::next(it) : claimWatches_.erase(it);
  }
  for (const auto& name : wanted) {
    if (claimWatches_.contains(name)) continue;
    auto w = kernel_.watchClaims(name, [this](const vrrp::AddressClaim& c) {
      for (auto& s : slots_) s->claimSeen(c);
    });
    if (!w) {
      if (claimWatchFailed_.insert(name).second) {
        log::warning("split-brain detection off on " + name + ": " + w.error());
      }
      continue;
    }
    claimWatchFailed_.erase(name);
    claimWatches_[name] = std::move(*w);
  }
}

}  // namespace holdfast::runtime
