#include "core/runtime/vmac.h"

#include <linux/if_link.h>

#include <array>

#include "core/config/vmac.h"
#include "core/log/logger.h"

namespace holdfast::runtime {

namespace {

struct Sysctl {
  const char* path;  // with %s for the interface
  int value;
};

// keepalived 2.2.7's values (vrrp_if_config.c vmac_sysctl and link_set_ipv6, and
// IN6_ADDR_GEN_MODE_NONE so that no link-local address is made from the VRRP MAC).
constexpr Sysctl kOnVmac[] = {
    {"net/ipv4/conf/%s/arp_ignore", 1},    {"net/ipv4/conf/%s/accept_local", 1},
    {"net/ipv4/conf/%s/rp_filter", 0},     {"net/ipv4/conf/%s/promote_secondaries", 1},
    {"net/ipv6/conf/%s/addr_gen_mode", 1}, {"net/ipv6/conf/%s/disable_ipv6", 1},
};
// On the base interface: it must not answer ARP for the VIPs that live on the VMAC.
constexpr Sysctl kOnBase[] = {
    {"net/ipv4/conf/%s/arp_ignore", 1},
    {"net/ipv4/conf/%s/arp_filter", 1},
};
// An IPv6 instance's VMAC: only addr_gen_mode (keepalived sets IFLA_INET6_ADDR_GEN_MODE
// none and nothing else; its base interface is left alone: measured,
// tests/lab/keepalived-corpus/VMAC-NOTES.md).
// An IPv4 instance with eVIPs of the other family keeps IPv6 on its VMAC (keepalived's
// VRRP_FLAG_EVIP_OTHER_FAMILY; measured).
constexpr Sysctl kOnVmacDual[] = {
    {"net/ipv4/conf/%s/arp_ignore", 1},    {"net/ipv4/conf/%s/accept_local", 1},
    {"net/ipv4/conf/%s/rp_filter", 0},     {"net/ipv4/conf/%s/promote_secondaries", 1},
    {"net/ipv6/conf/%s/addr_gen_mode", 1}, {"net/ipv6/conf/%s/disable_ipv6", 0},
};
constexpr Sysctl kOnVmac6[] = {
    {"net/ipv6/conf/%s/addr_gen_mode", 1},
};

std::string pathFor(const char* pattern, const std::string& ifname) {
  std::string p(pattern);
  p.replace(p.find("%s"), 2, ifname);
  return p;
}

void writeAll(VmacTable& t, const std::string& instance, std::span<const Sysctl> list,
              const std::string& ifname) {
  for (const Sysctl& s : list) {
    const std::string path = pathFor(s.path, ifname);
    if (auto cur = t.readSysctl(path); cur && *cur == s.value) continue;
    if (auto w = t.writeSysctl(path, s.value); !w) log::warning(instance + ": VMAC: " + w.error());
  }
}

}  // namespace

netio::IpAddress vmacLinkLocal(const std::optional<netio::IpAddress>& source,
                               const netio::InterfaceInfo& base) {
  if (source && source->family == netio::Family::kIPv6) return *source;
  if (!base.ipv6LinkLocal.empty()) return base.ipv6LinkLocal.front();
  // fe80::/64 with the modified EUI-64 of the base interface's MAC.
  std::array<uint8_t, 16> b{0xfe, 0x80};
  const auto& m = base.mac;
  b[8] = m[0] ^ 0x02;
  b[9] = m[1];
  b[10] = m[2];
  b[11] = 0xff;
  b[12] = 0xfe;
  b[13] = m[3];
  b[14] = m[4];
  b[15] = m[5];
  return netio::IpAddress::v6(b);
}

const AddressVmac* findAddressVmac(const std::vector<AddressVmac>& list, int baseIndex, bool ipv6) {
  for (const auto& a : list) {
    if (a.link.baseIndex == baseIndex && a.ipv6 == ipv6) return &a;
  }
  return nullptr;
}

bool wantsAddressVmac(const config::VrrpInstance& vi, const config::VirtualAddress& va, int ifindex,
                      int instanceIfindex) {
  if (!vi.useVmacAddr && !va.useVmac) return false;
  const bool instanceV6 = vi.family == config::AddressFamily::kIPv6;
  return ifindex != instanceIfindex || va.address.is_v6() != instanceV6;
}

const AddressVmac* addressVmacOf(const config::VrrpInstance& vi, const config::VirtualAddress& va,
                                 int ifindex, int instanceIfindex,
                                 const std::vector<AddressVmac>& list) {
  if (!wantsAddressVmac(vi, va, ifindex, instanceIfindex)) return nullptr;
  return findAddressVmac(list, ifindex, va.address.is_v6());
}

AddressPlacer addressPlacer(const config::VrrpInstance& vi, int instanceIfindex,
                            const std::vector<AddressVmac>& list) {
  return [&vi, instanceIfindex, &list](const config::VirtualAddress& va,
                                       int ifindex) -> std::optional<std::pair<int, std::string>> {
    if (const AddressVmac* a = addressVmacOf(vi, va, ifindex, instanceIfindex, list)) {
      return std::pair{a->link.index, a->link.name};
    }
    return std::nullopt;
  };
}

bool reusableVmac(const netio::LinkDescription& d, int baseIndex, const netio::MacAddress& mac) {
  return d.kind == "macvlan" && d.lowerIndex == baseIndex && d.mac == mac;
}

std::expected<std::string, std::string> vmacNameFor(
    VmacTable& t, const config::VrrpInstance& vi, const config::GlobalDefs& g, int baseIndex,
    const std::function<bool(const std::string&)>& claimed) {
  const netio::MacAddress mac = config::vmacMacOf(vi);
  if (!vi.vmacName.empty()) {
    auto d = t.find(vi.vmacName);
    if (!d) return std::unexpected(d.error());
    if (!*d || (*d)->kind == "macvlan") return vi.vmacName;
    log::warning(vi.name + ": interface " + vi.vmacName +
                 " already exists and is not a macvlan; the VMAC gets keepalived's default "
                 "name instead, as keepalived does");
  }
  std::string error;
  auto taken = [&](const std::string& name) {
    if (claimed(name)) return true;
    auto d = t.find(name);
    if (!d) {
      error = d.error();
      return false;
    }
    return *d && !reusableVmac(**d, baseIndex, mac);
  };
  const auto family = vi.family == config::AddressFamily::kIPv6 ? config::AddressFamily::kIPv6
                                                                : config::AddressFamily::kIPv4;
  std::string name = config::defaultVmacName(g.vmacPrefix, vi.virtualRouterId, family, taken);
  if (!error.empty()) return std::unexpected(error);
  if (name.empty()) return std::unexpected("no free VMAC interface name");
  return name;
}

std::expected<VmacLink, std::string> setUpVmac(VmacTable& t, const std::string& instance,
                                               const std::string& name,
                                               const netio::MacAddress& mac,
                                               const std::string& base, int baseIndex,
                                               const std::optional<netio::IpAddress>& linkLocal,
                                               bool ipv6, bool otherFamily) {
  auto d = t.find(name);
  if (!d) return std::unexpected(d.error());
  bool create = true;
  if (*d) {
    const netio::LinkDescription& old = **d;
    if (old.kind != "macvlan") {
      return std::unexpected("VMAC " + name +
                             ": an interface of that name exists and is not a macvlan");
    }
    if (reusableVmac(old, baseIndex, mac) && old.macvlanMode == MACVLAN_MODE_PRIVATE) {
      log::info(instance + ": reusing VMAC " + name + " (left by an earlier run)");
      create = false;
    } else {
      log::info(instance + ": replacing macvlan " + name +
                " (another MAC, mode or link than this instance's VMAC)");
      if (auto r = t.remove(old.index); !r) return std::unexpected(r.error());
    }
  }
  if (create) {
    if (auto r = t.create(name, baseIndex, mac); !r) return std::unexpected(r.error());
    log::info(instance + ": created VMAC " + name + " (" + config::macText(mac) + ") on " + base);
  }
  auto now = t.find(name);
  if (!now) return std::unexpected(now.error());
  if (!*now) return std::unexpected("VMAC " + name + " vanished after its creation");
  if (ipv6) {
    writeAll(t, instance, kOnVmac6, name);
  } else {
    if (otherFamily) {
      writeAll(t, instance, kOnVmacDual, name);
    } else {
      writeAll(t, instance, kOnVmac, name);
    }
    writeAll(t, instance, kOnBase, base);
  }
  // Always: a reused VMAC gets its IGMP (MLD) rules back too (NetioKernel's setUp); an
  // instance with eVIPs of the other family gets both families' (keepalived's
  // nft_update_vmac with other_family).
  if (auto r = t.setUp((*now)->index, !ipv6 || otherFamily, ipv6 || otherFamily); !r) {
    return std::unexpected(r.error());
  }
  // After the link is up: the kernel drops IPv6 addresses of a link that is down.
  if (linkLocal) {
    if (auto r = t.addLinkLocal((*now)->index, *linkLocal); !r) {
      return std::unexpected("VMAC " + name + ": " + r.error());
    }
  }
  return VmacLink{name, (*now)->index, mac, base, baseIndex, instance};
}

void tearDownVmac(VmacTable& t, const VmacLink& v) {
  const std::string& instance = v.instance;
  if (auto r = t.remove(v.index); !r) {
    log::error(instance + ": cannot remove VMAC " + v.name + ": " + r.error());
    return;
  }
  log::info(instance + ": removed VMAC " + v.name);
}

}  // namespace holdfast::runtime
