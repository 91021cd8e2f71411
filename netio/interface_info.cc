#include "netio/interface_info.h"

#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace holdfast::netio {

std::expected<InterfaceInfo, std::string> lookupInterface(const std::string& name) {
  InterfaceInfo info;
  info.name = name;
  info.index = static_cast<int>(::if_nametoindex(name.c_str()));
  if (info.index == 0) return std::unexpected("no interface '" + name + "'");

  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    return std::unexpected(std::string("getifaddrs: ") + std::strerror(errno));
  }
  for (ifaddrs* ifa = list; ifa; ifa = ifa->ifa_next) {
    if (!ifa->ifa_addr || name != ifa->ifa_name) continue;
    info.up = ifa->ifa_flags & IFF_UP;
    info.running = ifa->ifa_flags & IFF_RUNNING;
    switch (ifa->ifa_addr->sa_family) {
      case AF_PACKET: {
        auto* ll = reinterpret_cast<const sockaddr_ll*>(ifa->ifa_addr);
        if (ll->sll_halen == 6) std::memcpy(info.mac.data(), ll->sll_addr, 6);
        break;
      }
      case AF_INET: {
        auto* sin = reinterpret_cast<const sockaddr_in*>(ifa->ifa_addr);
        info.ipv4.push_back(IpAddress::v4(
            std::span<const uint8_t, 4>(reinterpret_cast<const uint8_t*>(&sin->sin_addr), 4)));
        break;
      }
      case AF_INET6: {
        auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ifa->ifa_addr);
        if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr)) {
          info.ipv6LinkLocal.push_back(IpAddress::v6(std::span<const uint8_t, 16>(
              reinterpret_cast<const uint8_t*>(&sin6->sin6_addr), 16)));
        }
        break;
      }
      default:
        break;
    }
  }
  ::freeifaddrs(list);
  return info;
}

bool interfaceExists(const std::string& name) {
  return ::if_nametoindex(name.c_str()) != 0;
}

}  // namespace holdfast::netio
