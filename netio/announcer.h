#pragma once
// Sends gratuitous ARP frames (AF_PACKET) and unsolicited neighbour advertisements
// (ICMPv6, hop limit 255 to ff02::1) on one interface.

#include <expected>
#include <span>
#include <string>

#include "netio/ip_address.h"

namespace holdfast::netio {

class Announcer {
 public:
  static std::expected<Announcer, std::string> open(int ifindex);
  Announcer(Announcer&& o) noexcept;
  Announcer& operator=(Announcer&&) = delete;
  ~Announcer();

  // `arp` is the ARP packet (no Ethernet header); it is broadcast.
  std::expected<void, std::string> sendArp(std::span<const uint8_t> arp);
  // `na` is the ICMPv6 message; the kernel adds the checksum. From `source`
  // (a link-local address of the interface).
  std::expected<void, std::string> sendNeighbourAdvert(std::span<const uint8_t> na,
                                                       const IpAddress& source);

 private:
  Announcer(int ifindex, int packetFd, int icmp6Fd)
      : ifindex_(ifindex), packetFd_(packetFd), icmp6Fd_(icmp6Fd) {}
  int ifindex_ = 0;
  int packetFd_ = -1;
  int icmp6Fd_ = -1;
};

}  // namespace holdfast::netio
