#include "netio/vrrp_socket.h"

#include "netio/packet_info.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace holdfast::netio {
namespace {

constexpr int kProtocol = 112;
constexpr int kTtl = 255;
// IP precedence "internetwork control", as routing protocols (and keepalived) send.
constexpr int kTos = 0xc0;

std::string err(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

std::expected<VrrpSocket, std::string> VrrpSocket::open(const std::string& interface, int ifindex,
                                                        Family family, const IpAddress& group,
                                                        bool joinGroup) {
  const bool v4 = family == Family::kIPv4;
  int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kProtocol);
  if (fd < 0) return std::unexpected(err("socket(IPPROTO_VRRP)"));
  VrrpSocket s(fd, ifindex, family);
  auto set = [&](int level, int opt, const void* v, socklen_t len,
                 const char* what) -> std::optional<std::string> {
    if (::setsockopt(fd, level, opt, v, len) != 0) return err(what);
    return std::nullopt;
  };
  const int one = 1, zero = 0, ttl = kTtl, tos = kTos;
  std::optional<std::string> e;
  if ((e = set(SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one, "SO_TIMESTAMPNS")))
    return std::unexpected(*e);
  // Only this interface's packets: several instances on other interfaces each get
  // their own socket.
  if ((e = set(SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(),
               static_cast<socklen_t>(interface.size()), "SO_BINDTODEVICE")))
    return std::unexpected(*e);
  if (v4) {
    ip_mreqn mreq{};
    mreq.imr_ifindex = ifindex;
    std::memcpy(&mreq.imr_multiaddr, group.bytes.data(), 4);
    if ((e = set(IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl, "IP_MULTICAST_TTL")) ||
        (e = set(IPPROTO_IP, IP_TTL, &ttl, sizeof ttl, "IP_TTL")) ||
        (e = set(IPPROTO_IP, IP_TOS, &tos, sizeof tos, "IP_TOS")) ||
        (e = set(IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof zero, "IP_MULTICAST_LOOP")) ||
        (e = set(IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq, "IP_MULTICAST_IF")) ||
        (e = set(IPPROTO_IP, IP_PKTINFO, &one, sizeof one, "IP_PKTINFO")))
      return std::unexpected(*e);
  } else {
    ipv6_mreq mreq{};
    mreq.ipv6mr_interface = static_cast<unsigned>(ifindex);
    std::memcpy(&mreq.ipv6mr_multiaddr, group.bytes.data(), 16);
    const int idx = ifindex;
    if ((e = set(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl, "IPV6_MULTICAST_HOPS")) ||
        (e = set(IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl, "IPV6_UNICAST_HOPS")) ||
        (e = set(IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos, "IPV6_TCLASS")) ||
        (e = set(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof zero, "IPV6_MULTICAST_LOOP")) ||
        (e = set(IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof idx, "IPV6_MULTICAST_IF")) ||
        (e = set(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one, "IPV6_RECVHOPLIMIT")) ||
        (e = set(IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one, "IPV6_RECVPKTINFO")))
      return std::unexpected(*e);
  }
  if (joinGroup) {
    if (auto j = s.join(group)) return std::unexpected(*j);
  }
  return s;
}

std::optional<std::string> VrrpSocket::join(const IpAddress& group) {
  if (family_ == Family::kIPv4) {
    ip_mreqn mreq{};
    mreq.imr_ifindex = ifindex_;
    std::memcpy(&mreq.imr_multiaddr, group.bytes.data(), 4);
    if (::setsockopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0)
      return err("IP_ADD_MEMBERSHIP");
    return std::nullopt;
  }
  ipv6_mreq mreq{};
  mreq.ipv6mr_interface = static_cast<unsigned>(ifindex_);
  std::memcpy(&mreq.ipv6mr_multiaddr, group.bytes.data(), 16);
  if (::setsockopt(fd_, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof mreq) != 0)
    return err("IPV6_JOIN_GROUP");
  return std::nullopt;
}

VrrpSocket::VrrpSocket(VrrpSocket&& o) noexcept
    : fd_(o.fd_), ifindex_(o.ifindex_), family_(o.family_), buffer_(std::move(o.buffer_)) {
  o.fd_ = -1;
}

VrrpSocket::~VrrpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> VrrpSocket::send(std::span<const uint8_t> message,
                                            const IpAddress& source, const IpAddress& destination,
                                            int ttl) {
  iovec iov{const_cast<uint8_t*>(message.data()), message.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  sockaddr_in sin{};
  sockaddr_in6 sin6{};
  if (family_ == Family::kIPv4) {
    sin.sin_family = AF_INET;
    std::memcpy(&sin.sin_addr, destination.bytes.data(), 4);
    msg.msg_name = &sin;
    msg.msg_namelen = sizeof sin;
  } else {
    sin6.sin6_family = AF_INET6;
    std::memcpy(&sin6.sin6_addr, destination.bytes.data(), 16);
    sin6.sin6_scope_id = static_cast<uint32_t>(ifindex_);
    msg.msg_name = &sin6;
    msg.msg_namelen = sizeof sin6;
  }
  // The source: RFC 5798 5.1.1.1 the interface's primary IPv4 address (or the
  // configured mcast_src_ip / unicast_src_ip); 5.1.2.1 its IPv6 link-local address.
  alignas(cmsghdr) char control[kPacketInfoSpace];
  setPacketInfo(msg, control, ifindex_, source, ttl);
  if (::sendmsg(fd_, &msg, 0) < 0) return err("sendmsg");
  return std::nullopt;
}

std::optional<ReceivedPacket> VrrpSocket::receive() {
  iovec iov{buffer_.data(), buffer_.size()};
  sockaddr_storage from{};
  alignas(cmsghdr) char control[256];
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd_, &msg, 0);
  if (n <= 0) return std::nullopt;

  ReceivedPacket p;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts{};
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      p.receivedRealtimeNs = int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
    }
  }
  if (family_ == Family::kIPv4) {
    // IPv4 raw sockets deliver the IP header: TTL and addresses come from it.
    if (n < 20) return std::nullopt;
    const uint8_t* ip = buffer_.data();
    size_t ihl = (ip[0] & 0x0f) * 4u;
    size_t total = (static_cast<size_t>(ip[2]) << 8) | ip[3];
    if (ihl < 20 || static_cast<size_t>(n) < ihl) return std::nullopt;
    if (total > static_cast<size_t>(n) || total < ihl) total = static_cast<size_t>(n);
    p.ttl = ip[8];
    p.source = IpAddress::v4(std::span<const uint8_t, 4>(ip + 12, 4));
    p.destination = IpAddress::v4(std::span<const uint8_t, 4>(ip + 16, 4));
    p.payload = std::span<const uint8_t>(ip + ihl, total - ihl);
    return p;
  }
  // IPv6 raw sockets deliver the payload; the rest comes as ancillary data.
  auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&from);
  p.source = IpAddress::v6(
      std::span<const uint8_t, 16>(reinterpret_cast<const uint8_t*>(&sin6->sin6_addr), 16));
  p.ttl = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != IPPROTO_IPV6) continue;
    if (c->cmsg_type == IPV6_HOPLIMIT) {
      int hl = 0;
      std::memcpy(&hl, CMSG_DATA(c), sizeof hl);
      p.ttl = hl;
    } else if (c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo pi{};
      std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
      p.destination = IpAddress::v6(
          std::span<const uint8_t, 16>(reinterpret_cast<const uint8_t*>(&pi.ipi6_addr), 16));
    }
  }
  p.payload = std::span<const uint8_t>(buffer_.data(), static_cast<size_t>(n));
  return p;
}

}  // namespace holdfast::netio
