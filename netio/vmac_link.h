#pragma once
// The macvlan links of use_vmac, through rtnetlink (libnl-route's rtnl_link and
// rtnl_link_macvlan): read one by name, create one (private mode, a given MAC, on a
// lower link), bring it up, give it an IPv6 link-local address, delete it; and the /proc/sys files
// the VMAC needs.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "netio/ip_address.h"

struct nl_sock;

namespace holdfast::netio {

struct LinkDescription {
  int index = 0;
  std::string kind;    // "macvlan", "veth", ...; empty for a plain device
  int lowerIndex = 0;  // IFLA_LINK: the link a macvlan sits on
  MacAddress mac{};
  uint32_t macvlanMode = 0;  // MACVLAN_MODE_* for a macvlan
  bool up = false;
};

class VmacLinks {
 public:
  static std::expected<VmacLinks, std::string> open();
  VmacLinks(VmacLinks&& o) noexcept;
  VmacLinks& operator=(VmacLinks&&) = delete;
  ~VmacLinks();

  // The link called `name`, or nullopt when there is none.
  std::expected<std::optional<LinkDescription>, std::string> describe(const std::string& name);
  // A macvlan `name` in private mode with `mac` on link `lowerIndex`, left down.
  std::expected<void, std::string> createMacvlan(const std::string& name, int lowerIndex,
                                                 const MacAddress& mac);
  std::expected<void, std::string> setUp(int index);
  // use_vmac for IPv6: the link-local address the VMAC's adverts and unsolicited NAs
  // leave from, as keepalived 2.2.7 adds it: /64, nodad, preferred_lft 0.
  std::expected<void, std::string> addLinkLocal(int index, const IpAddress& address);
  // Succeeds when the link is gone already.
  std::expected<void, std::string> remove(int index);

 private:
  explicit VmacLinks(nl_sock* sock) : sock_(sock) {}
  nl_sock* sock_ = nullptr;
};

// /proc/sys/PATH (PATH such as "net/ipv4/conf/vrrp.51/arp_ignore"): read or write
// one integer. An error names the file.
std::expected<int, std::string> readSysctl(const std::string& path);
std::expected<void, std::string> writeSysctl(const std::string& path, int value);

}  // namespace holdfast::netio
