#pragma once
// Sends gratuitous ARP frames and ARP probes (AF_PACKET), unsolicited neighbour
// advertisements (ICMPv6, hop limit 255 to ff02::1) and neighbour solicitations on
// one interface.

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

  // `arp` is the ARP packet (no Ethernet header): a gratuitous ARP or an ARP probe;
  // it is broadcast.
  std::expected<void, std::string> sendArp(std::span<const uint8_t> arp);
  // `na` is the ICMPv6 message; the kernel adds the checksum. From `source`
  // (a link-local address of the interface).
  std::expected<void, std::string> sendNeighbourAdvert(std::span<const uint8_t> na,
                                                       const IpAddress& source);
  // `ns` is the ICMPv6 neighbour solicitation; the kernel adds the checksum. From
  // `source` (a link-local address of the interface) to `destination` (the target's
  // solicited-node multicast address, or the target itself), hop limit 255 (RFC 4861
  // 7.1.1: receivers drop it otherwise).
  std::expected<void, std::string> sendNeighbourSolicitation(std::span<const uint8_t> ns,
                                                             const IpAddress& source,
                                                             const IpAddress& destination);

 private:
  // One ICMPv6 message to `destination` from `source` (-1: the socket's hop limit).
  std::expected<void, std::string> sendIcmp6(std::span<const uint8_t> message,
                                             const IpAddress& source, const IpAddress& destination,
                                             int hopLimit, const char* what);
  Announcer(int ifindex, int packetFd, int icmp6Fd)
      : ifindex_(ifindex), packetFd_(packetFd), icmp6Fd_(icmp6Fd) {}
  int ifindex_ = 0;
  int packetFd_ = -1;
  int icmp6Fd_ = -1;
};

}  // namespace holdfast::netio
