#pragma once
// keepalived 2.2.7's nftables rule for IPv4 VMACs, through libnftables: a VMAC's IGMP
// reports are duplicated out of its base interface (with the base's MAC) and dropped
// on the VMAC, so that a backup's reports never show the VRRP MAC to the switch
// (which would learn the master's MAC on the backup's port). Table
// `ip holdfast_vmac`: map vmac_map (VMAC -> base), chain out (hook output, priority
// filter - 1). The table is deleted with the last VMAC.
// IPv6 VMACs: `ip6 holdfast_vmac`, the same for MLDv2 reports, and a set vmac_set
// whose VMACs send no router solicitation (keepalived's `table ip6 keepalived`).

#include <expected>
#include <map>
#include <string>

struct nft_ctx;

namespace holdfast::netio {

class VmacFirewall {
 public:
  VmacFirewall() = default;
  VmacFirewall(const VmacFirewall&) = delete;
  VmacFirewall& operator=(const VmacFirewall&) = delete;
  ~VmacFirewall();

  // `ipv4`, `ipv6`: the tables the VMAC goes in (keepalived puts an instance's VMAC in
  // both when the instance has eVIPs of the other family).
  std::expected<void, std::string> add(const std::string& vmac, const std::string& base, bool ipv4,
                                       bool ipv6);
  // Before the VMAC is deleted (the map's key is resolved by name).
  std::expected<void, std::string> remove(const std::string& vmac);

 private:
  std::expected<void, std::string> run(const std::string& commands);
  bool any(bool ipv6) const;  // a VMAC is in that family's map
  nft_ctx* ctx_ = nullptr;
  struct Entry {
    std::string base;
    bool ipv4 = false;
    bool ipv6 = false;
  };
  std::map<std::string, Entry> vmacs_;  // while in the map
};

}  // namespace holdfast::netio
