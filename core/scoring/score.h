#pragma once
// The scoring engine (docs/ARCHITECTURE.md, Scoring): one pure function turns the base priority
// and the state of every tracked item into the effective priority, and says why.
//
//   effective = clamp(base + sum of contributions, 1, 254)
//   weight w < 0 adds w while the item is down; w > 0 adds w while it is up;
//   weight 0 puts the instance in FAULT while the item is down (keepalived's rule);
//   a pending item (a vrrp_script before its first result) adds nothing and faults
//   nothing, whatever its weight (keepalived's initial script state);
//   `reverse` negates an item's contribution (keepalived's weight ... reverse), and
//   makes a weight-0 item fault while it is up instead of down (keepalived's rule);
//   an item with a value (a track_file) adds value * weight (negated by reverse),
//   bounded to -254..253, and faults at -254 or below; at weight 0 it faults while
//   the value is non-zero (zero with reverse).
//   The address owner (base 255) is never changed by tracking, only faulted.
//   Maintenance (holdfastctl maintenance on; an item of kind "maintenance", down)
//   sets the priority to 1 whatever else adds: the node never wins against a healthy
//   peer, yet still takes the VIP when no other router is left. No fault.

#include <optional>
#include <string>
#include <vector>

namespace holdfast::scoring {

inline constexpr const char* kMaintenanceKind = "maintenance";

struct TrackedItem {
  // "script", "interface", "backend", "backend_group", "file", "process", "maintenance"
  std::string kind;
  std::string name;
  int weight = 0;
  bool reverse = false;
  bool up = true;
  std::string detail;              // why it is down, when known: "L5: status 503, expected 200-299"
  bool pending = false;            // no result yet: neither up nor down
  std::optional<long long> value;  // a track_file's value: contributes value * weight
};

struct Contribution {
  TrackedItem item;
  int added = 0;        // to the priority
  bool faults = false;  // weight 0 and down
};

struct Score {
  int base = 100;
  int effective = 100;
  bool fault = false;
  bool maintenance = false;       // demoted to priority 1 (not the owner's 255)
  std::vector<Contribution> why;  // every item, in config order

  // "base 100; script chk_nginx down: -20; => 80", for logs.
  std::string explain() const;
};

Score computeScore(int base, const std::vector<TrackedItem>& items);

}  // namespace holdfast::scoring
