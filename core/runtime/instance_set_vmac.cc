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

// A name is claimed by the other instances: the names the config gives them (as
// keepalived, which names the default ones after reading every instance), and the
// names running ones use, their address VMACs' included.
bool InstanceSet::vmacClaimed(const std::string& name, const std::string& instance,
                              const config::Config& cfg) const {
  for (const auto& o : cfg.instances) {
    if (o.name != instance && o.useVmac && o.vmacName == name) return true;
  }
  for (const auto& s : slots_) {
    if (s->name() == instance) continue;
    if (s->vmac() && s->vmac()->name == name) return true;
    for (const auto& a : s->addressVmacs()) {
      if (a.link.name == name) return true;
    }
  }
  return false;
}

std::expected<std::optional<std::pair<VmacLink, netio::InterfaceInfo>>, std::string>
InstanceSet::makeVmac(const config::VrrpInstance& vi, const config::Config& cfg,
                      const netio::InterfaceInfo& base) {
  if (!vi.useVmac) return std::nullopt;
  const bool ipv6 = vi.family == config::AddressFamily::kIPv6;
  auto claimed = [&](const std::string& name) { return vmacClaimed(name, vi.name, cfg); };
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

std::expected<std::vector<AddressVmac>, std::string> InstanceSet::makeAddressVmacs(
    const config::VrrpInstance& vi, const config::Config& cfg, const netio::InterfaceInfo& base,
    const VmacLink* own) {
  std::vector<AddressVmac> out;
  const config::GlobalDefs& g = cfg.global;
  const std::string& prefix = g.vmacAddrPrefix.empty() ? g.vmacPrefix : g.vmacAddrPrefix;
  VmacTable& t = kernel_.vmacs();
  // The VIPs first, then the eVIPs: keepalived names them in that order.
  auto consider = [&](const config::VirtualAddress& va) -> std::expected<void, std::string> {
    if (!vi.useVmacAddr && !va.useVmac) return {};
    const std::string& dev = va.dev.empty() ? vi.interface : va.dev;
    auto info = dev == base.name ? std::expected<netio::InterfaceInfo, std::string>(base)
                                 : kernel_.lookupInterface(dev);
    if (!info) {
      return std::unexpected("address " + va.address.to_string() + ": no interface '" + dev + "'");
    }
    const bool v6 = va.address.is_v6();
    if (!wantsAddressVmac(vi, va, info->index, base.index)) return {};
    if (findAddressVmac(out, info->index, v6)) return {};
    const auto family = v6 ? config::AddressFamily::kIPv6 : config::AddressFamily::kIPv4;
    const netio::MacAddress mac = config::vrrpMac(vi.virtualRouterId, family);
    std::string error;
    auto taken = [&](const std::string& name) {
      if (vmacClaimed(name, vi.name, cfg) || (own && own->name == name)) return true;
      for (const auto& a : out) {
        if (a.link.name == name) return true;
      }
      auto d = t.find(name);
      if (!d) {
        error = d.error();
        return false;
      }
      return *d && !reusableVmac(**d, info->index, mac);
    };
    const std::string name = config::defaultVmacName(prefix, vi.virtualRouterId, family, taken);
    if (!error.empty()) return std::unexpected(error);
    if (name.empty()) return std::unexpected("no free VMAC interface name");
    // IPv6: the link's own link-local goes on the VMAC too, as keepalived does.
    std::optional<netio::IpAddress> linkLocal;
    if (v6) linkLocal = vmacLinkLocal(std::nullopt, *info);
    auto link = setUpVmac(t, vi.name, name, mac, info->name, info->index, linkLocal, v6, false);
    if (!link) return std::unexpected(link.error());
    auto read = kernel_.lookupInterface(link->name);
    if (!read) return std::unexpected(read.error());
    out.push_back({std::move(*link), std::move(*read), v6});
    return {};
  };
  for (const auto& va : vi.virtualAddresses) {
    if (auto r = consider(va); !r) return std::unexpected("use_vmac_addr: " + r.error());
  }
  for (const auto& va : vi.excludedAddresses) {
    if (auto r = consider(va); !r) return std::unexpected("use_vmac_addr: " + r.error());
  }
  return out;
}

std::expected<std::vector<InstanceSlot::AnnounceVia>, std::string> InstanceSet::announceTargets(
    const netio::InterfaceInfo& info, const VmacLink* link,
    const std::vector<AddressVmac>& addressVmacs, const std::vector<netio::AddressSpec>& vips,
    const std::vector<KeptItem>& kept) {
  std::vector<InstanceSlot::AnnounceVia> via;
  auto addVia = [&](int ifindex) -> std::expected<void, std::string> {
    if (ifindex == info.index || (link && ifindex == link->index)) return {};
    for (const auto& v : via) {
      if (v.ifindex == ifindex) return {};
    }
    std::optional<netio::InterfaceInfo> on;
    for (const auto& a : addressVmacs) {
      if (a.link.index == ifindex) on = a.info;
    }
    if (!on) {
      auto name = kernel_.interfaceName(ifindex);
      if (!name) return {};
      auto read = kernel_.lookupInterface(*name);
      if (!read) return std::unexpected(read.error());
      on = *read;
    }
    auto port = kernel_.announcePort(on->name, ifindex);
    if (!port) return std::unexpected(port.error());
    via.push_back({ifindex, *port, *on});
    return {};
  };
  for (const auto& v : vips) {
    if (auto r = addVia(v.ifindex); !r) return std::unexpected(r.error());
  }
  for (const auto& k : kept) {
    if (k.kind != KeptItem::Kind::kAddress) continue;
    if (auto r = addVia(k.address.ifindex); !r) return std::unexpected(r.error());
  }
  return via;
}

void InstanceSet::sweepVmacs() {
  std::vector<VmacLink> keep;
  for (const VmacLink& v : retiredVmacs_) {
    const bool used =
        !slotsStopped_ && std::any_of(slots_.begin(), slots_.end(), [&](const auto& s) {
          if (s->vmac() && s->vmac()->index == v.index) return true;
          return std::any_of(s->addressVmacs().begin(), s->addressVmacs().end(),
                             [&](const AddressVmac& a) { return a.link.index == v.index; });
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
