#include "netio/announcer.h"

#include "netio/packet_info.h"

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace holdfast::netio {
namespace {
std::string err(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}
}  // namespace

std::expected<Announcer, std::string> Announcer::open(int ifindex) {
  int p = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
  if (p < 0) return std::unexpected(err("socket(AF_PACKET)"));
  int i = ::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (i < 0) {
    ::close(p);
    return std::unexpected(err("socket(ICMPv6)"));
  }
  // RFC 4861 7.1.2: neighbour discovery messages carry hop limit 255.
  const int hops = 255, idx = ifindex;
  ::setsockopt(i, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
  ::setsockopt(i, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof idx);
  // This socket only sends: let the kernel queue nothing for it.
  icmp6_filter none;
  ICMP6_FILTER_SETBLOCKALL(&none);
  ::setsockopt(i, IPPROTO_ICMPV6, ICMP6_FILTER, &none, sizeof none);
  return Announcer(ifindex, p, i);
}

Announcer::Announcer(Announcer&& o) noexcept
    : ifindex_(o.ifindex_), packetFd_(o.packetFd_), icmp6Fd_(o.icmp6Fd_) {
  o.packetFd_ = o.icmp6Fd_ = -1;
}

Announcer::~Announcer() {
  if (packetFd_ >= 0) ::close(packetFd_);
  if (icmp6Fd_ >= 0) ::close(icmp6Fd_);
}

std::expected<void, std::string> Announcer::sendArp(std::span<const uint8_t> arp) {
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = ifindex_;
  to.sll_halen = 6;
  std::memset(to.sll_addr, 0xff, 6);
  if (::sendto(packetFd_, arp.data(), arp.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) <
      0) {
    return std::unexpected(err("send gratuitous ARP"));
  }
  return {};
}

std::expected<void, std::string> Announcer::sendIcmp6(std::span<const uint8_t> message,
                                                      const IpAddress& source,
                                                      const IpAddress& destination, int hopLimit,
                                                      const char* what) {
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_scope_id = static_cast<uint32_t>(ifindex_);
  std::memcpy(to.sin6_addr.s6_addr, destination.bytes.data(), 16);
  iovec iov{const_cast<uint8_t*>(message.data()), message.size()};
  msghdr msg{};
  msg.msg_name = &to;
  msg.msg_namelen = sizeof to;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[kPacketInfoSpace];
  setPacketInfo(msg, control, ifindex_, source, hopLimit);
  if (::sendmsg(icmp6Fd_, &msg, 0) < 0) return std::unexpected(err(what));
  return {};
}

std::expected<void, std::string> Announcer::sendNeighbourAdvert(std::span<const uint8_t> na,
                                                                const IpAddress& source) {
  static const IpAddress kAllNodes = *IpAddress::parse("ff02::1");
  // The socket's own hop limit (255 for multicast).
  return sendIcmp6(na, source, kAllNodes, -1, "send neighbour advert");
}

std::expected<void, std::string> Announcer::sendNeighbourSolicitation(
    std::span<const uint8_t> ns, const IpAddress& source, const IpAddress& destination) {
  // Hop limit 255 on this send alone: the socket's is for multicast only, and the
  // destination may be unicast.
  return sendIcmp6(ns, source, destination, 255, "send neighbour solicitation");
}

}  // namespace holdfast::netio
