#pragma once
// Maintenance mode (holdfastctl maintenance on|off): a persistent demotion of the
// whole node. While it is on, every instance's priority is 1 (scoring, "maintenance"
// item): the node never wins against a healthy peer, yet still takes the VIP when it
// is the only router left (availability beats maintenance). Not a FAULT. The daemon
// keeps it in a file (core/daemon/maintenance_store.h) so that it survives a restart
// and a reload.

#include <chrono>
#include <string>

#include "core/scoring/score.h"

namespace holdfast::runtime {

struct Maintenance {
  std::string reason;  // as the operator gave it; may be empty
  std::string by;      // who turned it on (the user holdfastctl ran as)
  std::chrono::system_clock::time_point since;
  bool operator==(const Maintenance&) const = default;
};

// "kernel upgrade; set by alice at 2026-11-30T12:50:00Z"
std::string describe(const Maintenance& m);

// The tracked item every instance carries while maintenance is on.
scoring::TrackedItem maintenanceItem(const Maintenance& m);

}  // namespace holdfast::runtime
