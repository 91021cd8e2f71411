#include "core/runtime/maintenance.h"

#include <ctime>

namespace holdfast::runtime {

std::string describe(const Maintenance& m) {
  const std::time_t t = std::chrono::system_clock::to_time_t(m.since);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return (m.reason.empty() ? std::string("no reason given") : m.reason) + "; set by " +
         (m.by.empty() ? std::string("?") : m.by) + " at " + when;
}

scoring::TrackedItem maintenanceItem(const Maintenance& m) {
  scoring::TrackedItem item;
  item.kind = scoring::kMaintenanceKind;
  item.name = "on";
  item.up = false;
  item.detail = describe(m);
  return item;
}

}  // namespace holdfast::runtime
