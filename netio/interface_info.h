#pragma once
// What the VRRP runtime needs to know about an interface: index, MAC, state and
// addresses (for the advert source: the primary IPv4 address, or the IPv6
// link-local address as RFC 5798 5.1.2.1 requires).

#include <expected>
#include <string>
#include <vector>

#include "netio/ip_address.h"

namespace holdfast::netio {

struct InterfaceInfo {
  std::string name;
  int index = 0;
  MacAddress mac{};
  bool up = false;              // administratively up
  bool running = false;         // carrier
  std::vector<IpAddress> ipv4;  // in the kernel's order: the first is primary
  std::vector<IpAddress> ipv6LinkLocal;
};

std::expected<InterfaceInfo, std::string> lookupInterface(const std::string& name);
// True when this network namespace has an interface of that name.
bool interfaceExists(const std::string& name);

}  // namespace holdfast::netio
