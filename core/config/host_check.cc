#include "core/config/host_check.h"

#include <algorithm>

namespace holdfast::config {

void checkHost(Config& cfg, Diagnostics& diags, HostCheck mode,
               const std::function<bool(const std::string&)>& interfaceExists) {
  const bool test = mode == HostCheck::kConfigTest;
  // keepalived refuses to start when an interface an instance runs on or tracks is
  // missing ("Non-existent interface specified in configuration").
  auto required = [&](const SourceLocation& at, const std::string& what) {
    if (test) {
      diags.note(at, what +
                         " on this machine; holdfastd would refuse to start here, as "
                         "keepalived does");
    } else {
      diags.error(at, what + " (keepalived refuses this too)");
    }
  };
  for (VrrpInstance& vi : cfg.instances) {
    const std::string who = "vrrp_instance '" + vi.name + "'";
    if (!vi.interface.empty() && !interfaceExists(vi.interface)) {
      required(vi.locations.at("interface", vi.where),
               who + ": interface '" + vi.interface + "' does not exist");
    }
    for (const TrackRef& t : vi.trackInterfaces) {
      if (!interfaceExists(t.name)) {
        required(t.where, who + ": tracked interface '" + t.name + "' does not exist");
      }
    }
    // A VIP on a missing interface: keepalived runs without adding it.
    std::erase_if(vi.virtualAddresses, [&](const VirtualAddress& va) {
      if (va.dev.empty() || interfaceExists(va.dev)) return false;
      const std::string what =
          who + ": interface '" + va.dev + "' of " + va.address.to_string() + " does not exist";
      if (test) {
        diags.note(va.where, what + " on this machine; that address would not be added");
        return false;
      }
      diags.warning(va.where, what + "; that address is not added, as keepalived does");
      return true;
    });
  }
}

}  // namespace holdfast::config
