#pragma once
// use_vmac at run time (IPv4 and IPv6 instances), as keepalived 2.2.7 does it (vrrp_vmac.c,
// vrrp_if_config.c): a private-mode macvlan on the instance's interface with the VRRP MAC, created
// at start (or a leftover of ours reused), the sysctls keepalived sets on it and on the base
// interface, brought up, and deleted at stop. The VIPs go on it and gratuitous ARPs leave from it;
// adverts are sent and received on it unless vmac_xmit_base (InstanceSet::build). keepalived's
// nftables rule that sends the VMAC's IGMP reports from the base interface comes with the link
// (netio/vmac_firewall.h).

#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config/model.h"
#include "core/runtime/kernel.h"
#include "core/runtime/route_keeper.h"

namespace holdfast::runtime {

// An instance's VMAC once it exists.
struct VmacLink {
  std::string name;
  int index = 0;
  netio::MacAddress mac{};
  std::string base;  // the instance's interface
  int baseIndex = 0;
  std::string instance;  // for the log
};

// use_vmac_addr, or use_vmac on a VIP entry: the VMAC that carries an instance's
// addresses on another link, or of the other family, than its own (keepalived 2.2.7:
// one per (link, family), the VRRP MAC of the addresses' family, named with
// vmac_addr_prefix; measured in tests/lab/keepalived-corpus/VMAC-NOTES.md).
struct AddressVmac {
  VmacLink link;
  netio::InterfaceInfo info;  // as lookupInterface read it (for the announcements)
  bool ipv6 = false;
};
// The address VMAC on link `baseIndex` for the family, or null.
const AddressVmac* findAddressVmac(const std::vector<AddressVmac>& list, int baseIndex, bool ipv6);
// Does address `va` of `vi`, on link `ifindex`, go on an address VMAC: use_vmac_addr
// or the entry's use_vmac, and not the instance's own link and family (those are the
// instance's VMAC's, or its interface's).
bool wantsAddressVmac(const config::VrrpInstance& vi, const config::VirtualAddress& va, int ifindex,
                      int instanceIfindex);
// For keptItems: the eVIPs that go on one of `list` moved there (the list is kept by
// reference).
AddressPlacer addressPlacer(const config::VrrpInstance& vi, int instanceIfindex,
                            const std::vector<AddressVmac>& list);
// The address VMAC `va` (on link `ifindex`) goes on, or null.
const AddressVmac* addressVmacOf(const config::VrrpInstance& vi, const config::VirtualAddress& va,
                                 int ifindex, int instanceIfindex,
                                 const std::vector<AddressVmac>& list);

// Is the link described ours to reuse: a macvlan on `baseIndex` with `mac`.
bool reusableVmac(const netio::LinkDescription& d, int baseIndex, const netio::MacAddress& mac);

// The name `vi`'s VMAC gets: use_vmac's NAME, or keepalived's default
// (config::defaultVmacName with global_defs vmac_prefix), skipping names `claimed`
// by other instances and names of links that are not a reusable VMAC of ours. A
// configured NAME held by a link that is not a macvlan is ignored with a warning
// (keepalived does the same) and the default is used.
std::expected<std::string, std::string> vmacNameFor(
    VmacTable& t, const config::VrrpInstance& vi, const config::GlobalDefs& g, int baseIndex,
    const std::function<bool(const std::string&)>& claimed);

// The link-local address an IPv6 instance's VMAC gets, as keepalived 2.2.7 picks it
// (set_link_local_address): the instance's IPv6 source address when one is configured
// (unicast_src_ip / mcast_src_ip), else the base interface's first link-local, else
// fe80:: with the modified EUI-64 of the base interface's MAC. The adverts leave from
// it with the VRRP MAC.
netio::IpAddress vmacLinkLocal(const std::optional<netio::IpAddress>& source,
                               const netio::InterfaceInfo& base);

// Creates (or reuses) the VMAC `name` on `base`, sets its sysctls (an IPv4 instance's:
// the base's too), brings it up, adds `linkLocal` (IPv6 instances, unless
// vmac_xmit_base). `otherFamily`: the instance has eVIPs of the other address family
// (keepalived then keeps IPv6 on an IPv4 instance's VMAC and puts the VMAC in both
// families' nftables tables). A macvlan of that name with another MAC, mode or lower link is
// replaced.
std::expected<VmacLink, std::string> setUpVmac(VmacTable& t, const std::string& instance,
                                               const std::string& name,
                                               const netio::MacAddress& mac,
                                               const std::string& base, int baseIndex,
                                               const std::optional<netio::IpAddress>& linkLocal,
                                               bool ipv6, bool otherFamily);

// Deletes the VMAC. The base interface's arp_ignore and arp_filter stay at 1, as
// keepalived 2.2.7 leaves them (measured: tests/lab/keepalived-corpus/VMAC-NOTES.md).
void tearDownVmac(VmacTable& t, const VmacLink& v);

}  // namespace holdfast::runtime
