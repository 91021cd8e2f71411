// InstanceSet's part of use_vmac: the VMAC an instance gets when it is built, and
// the VMACs of stopped instances deleted once no running instance uses them (a
// restart by a reload builds its successor, which reuses the link, before the old
// instance stops).

#include <algorithm>

#include "core/config/vmac.h"
#include "core/log/logger.h"
#include "core/runtime/instance_set.h"
#include "core/runtime/instance_settings.h"

namespace holdfast::runtime {

std::expected<std::optional<std::pair<VmacLink, netio::InterfaceInfo>>, std::string>
InstanceSet::makeVmac(const config::VrrpInstance& vi, const config::Config& cfg,
                      const netio::InterfaceInfo& base) {
  if (!vi.useVmac) return std::nullopt;
  const bool ipv6 = vi.family == config::AddressFamily::kIPv6;
  // A name is claimed by the other instances: the names the config gives them (as
  // keepalived, which names the default ones after reading every instance), and the
  // names running ones use.
  auto claimed = [&](const std::string& name) {
    for (const auto& o : cfg.instances) {
      if (o.name != vi.name && o.useVmac && o.vmacName == name) return true;
    }
    for (const auto& s : slots_) {
      if (s->name() != vi.name && s->vmac() && s->vmac()->name == name) return true;
    }
    return false;
  };
  auto name = vmacNameFor(kernel_.vmacs(), vi, cfg.global, base.index, claimed);
  if (!name) return std::unexpected("use_vmac: " + name.error());
  // IPv6: the adverts (and unsolicited NAs) leave the VMAC from a link-local address
  // that is not a VIP, as keepalived gives it (none with vmac_xmit_base: the adverts
  // leave from the base interface).
  std::optional<netio::IpAddress> linkLocal;
  if (ipv6 && !vi.vmacXmitBase) {
    const auto& configured = vi.unicastPeers.empty()
                                 ? (vi.mcastSrcIp ? vi.mcastSrcIp : vi.unicastSrcIp)
                                 : (vi.unicastSrcIp ? vi.unicastSrcIp : vi.mcastSrcIp);
    linkLocal = vmacLinkLocal(
        configured ? std::optional<netio::IpAddress>(toNetio(*configured)) : std::nullopt, base);
  }
  const bool otherFamily =
      std::any_of(vi.excludedAddresses.begin(), vi.excludedAddresses.end(),
                  [&](const config::VirtualAddress& a) { return a.address.is_v6() != ipv6; });
  auto link = setUpVmac(kernel_.vmacs(), vi.name, *name, config::vmacMacOf(vi), base.name,
                        base.index, linkLocal, ipv6, otherFamily);
  if (!link) return std::unexpected("use_vmac: " + link.error());
  auto info = kernel_.lookupInterface(link->name);
  if (!info) return std::unexpected("use_vmac: " + info.error());
  return std::pair{*link, *info};
}

void InstanceSet::sweepVmacs() {
  std::vector<VmacLink> keep;
  for (const VmacLink& v : retiredVmacs_) {
    const bool used =
        !slotsStopped_ && std::any_of(slots_.begin(), slots_.end(), [&](const auto& s) {
          return s->vmac() && s->vmac()->index == v.index;
        });
    if (used) continue;
    if (std::any_of(keep.begin(), keep.end(), [&](const auto& k) { return k.index == v.index; })) {
      continue;
    }
    keep.push_back(v);
    tearDownVmac(kernel_.vmacs(), v);
  }
  retiredVmacs_.clear();
}

}  // namespace holdfast::runtime
