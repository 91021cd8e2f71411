#include <set>

#include "core/log/event_log.h"
#include "core/log/logger.h"
#include "core/runtime/instance_set.h"

// InstanceSet's operator actions: holdfastctl handover and maintenance.

namespace holdfast::runtime {

std::vector<InstanceSet::HandoverStart> InstanceSet::handOver(const std::vector<std::string>& names,
                                                              bool all,
                                                              std::chrono::microseconds wait) {
  std::vector<HandoverStart> out;
  auto one = [&](InstanceSlot& s) {
    HandoverStart h{s.name()};
    if (s.handOver(wait)) {
      h.started = true;
    } else {
      h.why = s.instance().handingOver() ? "already handing over"
                                         : std::string(vrrp::toString(s.state())) + ", not MASTER";
    }
    out.push_back(std::move(h));
  };
  if (all) {
    for (auto& s : slots_) {
      if (s->state() == vrrp::State::kMaster) one(*s);
    }
    return out;
  }
  // A member of a vrrp_sync_group hands over with its whole group, once.
  std::set<const InstanceSlot*> done;
  for (const auto& n : names) {
    InstanceSlot* s = find(n);
    if (!s) {
      out.push_back({n, false, "no such vrrp_instance"});
      continue;
    }
    std::vector<InstanceSlot*> unit{s};
    if (s->group) unit = s->group->members();
    for (InstanceSlot* m : unit) {
      if (done.insert(m).second) one(*m);
    }
  }
  return out;
}

std::vector<InstanceSet::HandoverStart> InstanceSet::setMaintenance(
    std::optional<Maintenance> m, std::chrono::microseconds wait) {
  std::vector<HandoverStart> out;
  if (tracked_.maintenance == m) return out;
  const bool entering = m && !tracked_.maintenance;
  const bool leaving = !m;
  tracked_.maintenance = std::move(m);
  // Entering: every master hands over first (its priority-0 advert goes out before
  // its priority drops to 1, which it then keeps silent until the taker advertises).
  if (entering) out = handOver({}, true, wait);
  const bool changed = entering || leaving;  // else a new reason only: a rescore
  for (auto& s : slots_) {
    if (leaving) s->stopYielding();  // back to normal preemption
    // The notify line first, with the priority the instance is about to run at: a
    // transition the new priority causes comes after it.
    if (changed && s->notifier && !s->notify.notify.empty()) {
      const int next = scoring::computeScore(s->instance().settings().machine.priority,
                                             trackedItems(s->tracking, tracked_))
                           .effective;
      s->notifier->enqueue(s->notify.notify + " INSTANCE " + s->name() +
                               (entering ? " MAINTENANCE " : " MAINTENANCE_OFF ") +
                               std::to_string(next),
                           "notify");
    }
    applyHealth(*s, false);
  }
  return out;
}

}  // namespace holdfast::runtime
