#include "core/scoring/score.h"

#include <algorithm>

namespace holdfast::scoring {

Score computeScore(int base, const std::vector<TrackedItem>& items) {
  Score s;
  s.base = base;
  int sum = 0;
  for (const TrackedItem& item : items) {
    Contribution c{item, 0, false};
    if (item.kind == kMaintenanceKind) {
      s.maintenance = s.maintenance || !item.up;
    } else if (item.pending) {
      // Neither up nor down yet: keepalived applies no weight of either sign until the
      // first result, and faults no weight-0 instance.
    } else if (item.value) {
      // keepalived's track_file (trackers/track_file.c): value * weight, kept within
      // -254..253, where -254 is a fault.
      if (item.weight == 0) {
        c.faults = (*item.value != 0) != item.reverse;
      } else {
        const long long v =
            std::clamp(*item.value * item.weight * (item.reverse ? -1 : 1), -254LL, 253LL);
        c.faults = v == -254;
        c.added = c.faults ? 0 : static_cast<int>(v);
      }
    } else if (item.weight == 0) {
      c.faults = item.reverse ? item.up : !item.up;
    } else if ((item.weight < 0 && !item.up) || (item.weight > 0 && item.up)) {
      c.added = item.reverse ? -item.weight : item.weight;
    }
    sum += c.added;
    s.fault = s.fault || c.faults;
    s.why.push_back(std::move(c));
  }
  // RFC 5798 6.1: the owner's 255 is fixed; others stay within 1-254 so that
  // tracking can neither make an owner nor signal a stop (priority 0).
  s.effective = base == 255 ? 255 : s.maintenance ? 1 : std::clamp(base + sum, 1, 254);
  if (base == 255) s.maintenance = false;
  return s;
}

std::string Score::explain() const {
  std::string out = "base " + std::to_string(base);
  for (const Contribution& c : why) {
    if (c.item.kind == kMaintenanceKind) {
      // "maintenance (kernel upgrade; by alice since ...): priority 1"
      out += "; maintenance (" + c.item.detail +
             "): " + (base == 255 ? "none (the address owner keeps 255)" : "priority 1");
      continue;
    }
    const std::string state = c.item.value     ? " value " + std::to_string(*c.item.value)
                              : c.item.pending ? " pending"
                              : c.item.up      ? " up"
                                               : " down";
    out +=
        "; " + c.item.kind + " " + c.item.name + state +
        (c.item.up || c.item.pending || c.item.detail.empty() ? "" : " (" + c.item.detail + ")") +
        ": ";
    if (c.faults) {
      out += "FAULT";
    } else if (c.added == 0) {
      out += "0";
    } else {
      out += (c.added > 0 ? "+" : "") + std::to_string(c.added);
    }
  }
  out += fault ? " => FAULT" : " => " + std::to_string(effective);
  return out;
}

}  // namespace holdfast::scoring
