#include "core/config/host_check.h"

#include <algorithm>

namespace holdfast::config {

void checkHost(Config& cfg, Diagnostics& diags, HostCheck mode,
               const std::function<bool(const std::string&)>& interfaceExists) {
  const bool test = mode == HostCheck::kConfigTest;
  for (VrrpInstance& vi : cfg.instances) {
    const std::string who = "vrrp_instance '" + vi.name + "'";
    if (!vi.interface.empty() && !interfaceExists(vi.interface)) {
      const SourceLocation& at = vi.locations.at("interface", vi.where);
      const std::string what = who + ": interface '" + vi.interface + "' does not exist";
      if (test) {
        diags.note(at, what +
                           " on this machine; holdfastd would refuse to start here, as "
                           "keepalived does");
      } else {
        diags.error(at, what + " (keepalived refuses this too)");
      }
    }
    std::erase_if(vi.trackInterfaces, [&](const TrackRef& t) {
      if (interfaceExists(t.name)) return false;
      const std::string what = who + ": tracked interface '" + t.name + "' does not exist";
      if (test) {
        diags.note(t.where, what + " on this machine; it would be ignored, as keepalived does");
        return false;
      }
      diags.warning(t.where, what + "; ignored, as keepalived does");
      return true;
    });
    for (const VirtualAddress& va : vi.virtualAddresses) {
      if (va.dev.empty() || interfaceExists(va.dev)) continue;
      const std::string what =
          who + ": interface '" + va.dev + "' of " + va.address.to_string() + " does not exist";
      if (test) {
        diags.note(va.where, what + " on this machine; that address would not be added");
      } else {
        diags.warning(va.where, what + "; that address is not added, as keepalived does");
      }
    }
  }
}

}  // namespace holdfast::config
