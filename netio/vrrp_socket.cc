#include "netio/vrrp_socket.h"

#include "netio/packet_info.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
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
    // No IP_PKTINFO: a received packet's IP header carries its destination and TTL
    // (parse), and every control message asked for costs the kernel per packet.
    ip_mreqn mreq{};
    mreq.imr_ifindex = ifindex;
    std::memcpy(&mreq.imr_multiaddr, group.bytes.data(), 4);
    if ((e = set(IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl, "IP_MULTICAST_TTL")) ||
        (e = set(IPPROTO_IP, IP_TTL, &ttl, sizeof ttl, "IP_TTL")) ||
        (e = set(IPPROTO_IP, IP_TOS, &tos, sizeof tos, "IP_TOS")) ||
        (e = set(IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof zero, "IP_MULTICAST_LOOP")) ||
        (e = set(IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq, "IP_MULTICAST_IF")))
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

// Complete before the first member that destroys batch_ (clang insists).
struct VrrpSocket::Batch {
  std::array<mmsghdr, kBatch> headers{};
  std::array<iovec, kBatch> iov{};
  std::array<sockaddr_storage, kBatch> from{};
  // SO_TIMESTAMPNS, and on IPv6 the hop limit and packet info.
  static constexpr size_t kControl = 128;
  alignas(cmsghdr) std::array<std::array<char, kControl>, kBatch> control{};
  // Not value-initialised: pages nobody has read into stay out of the RSS.
  std::unique_ptr<uint8_t[]> data{new uint8_t[kBatch * kMaxPacket]};
};

// Complete before the first member that destroys sendBatch_, as Batch.
struct VrrpSocket::SendBatch {
  std::array<mmsghdr, kBatch> headers{};
  std::array<iovec, kBatch> iov{};
  std::array<sockaddr_storage, kBatch> to{};
  alignas(cmsghdr) std::array<std::array<char, kPacketInfoSpace>, kBatch> control{};
};

VrrpSocket::VrrpSocket(VrrpSocket&& o) noexcept
    : fd_(o.fd_), ifindex_(o.ifindex_), family_(o.family_), batch_(std::move(o.batch_)) {
  o.fd_ = -1;
}

VrrpSocket::~VrrpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void VrrpSocket::address(msghdr& msg, iovec& iov, sockaddr_storage& to, char* control,
                         const OutgoingAdvert& a) const {
  iov = {const_cast<uint8_t*>(a.message.data()), a.message.size()};
  msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  to = {};
  if (family_ == Family::kIPv4) {
    auto& sin = reinterpret_cast<sockaddr_in&>(to);
    sin.sin_family = AF_INET;
    std::memcpy(&sin.sin_addr, a.destination.bytes.data(), 4);
    msg.msg_namelen = sizeof sin;
  } else {
    auto& sin6 = reinterpret_cast<sockaddr_in6&>(to);
    sin6.sin6_family = AF_INET6;
    std::memcpy(&sin6.sin6_addr, a.destination.bytes.data(), 16);
    sin6.sin6_scope_id = static_cast<uint32_t>(ifindex_);
    msg.msg_namelen = sizeof sin6;
  }
  msg.msg_name = &to;
  // The source: RFC 5798 5.1.1.1 the interface's primary IPv4 address (or the
  // configured mcast_src_ip / unicast_src_ip); 5.1.2.1 its IPv6 link-local address.
  setPacketInfo(msg, control, ifindex_, a.source, a.ttl);
}

std::optional<std::string> VrrpSocket::send(std::span<const uint8_t> message,
                                            const IpAddress& source, const IpAddress& destination,
                                            int ttl) {
  msghdr msg;
  iovec iov;
  sockaddr_storage to;
  alignas(cmsghdr) char control[kPacketInfoSpace];
  address(msg, iov, to, control, {message, source, destination, ttl});
  if (::sendmsg(fd_, &msg, 0) < 0) return err("sendmsg");
  return std::nullopt;
}

void VrrpSocket::sendMany(std::span<const OutgoingAdvert> adverts,
                          const std::function<void(size_t, const std::string&)>& failed) {
  if (!sendBatch_) sendBatch_ = std::make_unique<SendBatch>();
  SendBatch& b = *sendBatch_;
  size_t next = 0;
  while (next < adverts.size()) {
    const size_t count = std::min(adverts.size() - next, static_cast<size_t>(kBatch));
    for (size_t i = 0; i < count; ++i) {
      b.headers[i].msg_len = 0;
      address(b.headers[i].msg_hdr, b.iov[i], b.to[i], b.control[i].data(), adverts[next + i]);
    }
    // sendmmsg stops at the first message the kernel refuses and reports only those
    // before it (the error is lost): the refused one then goes first in the next
    // call, which fails with its error.
    const int sent = ::sendmmsg(fd_, b.headers.data(), static_cast<unsigned>(count), 0);
    if (sent > 0) {
      next += static_cast<size_t>(sent);
      continue;
    }
    failed(next, err("sendmmsg"));
    ++next;
  }
}

VrrpSocket::VrrpSocket(int fd, int ifindex, Family family)
    : fd_(fd), ifindex_(ifindex), family_(family) {}

int VrrpSocket::readBatch(int count) {
  if (!batch_) batch_ = std::make_unique<Batch>();
  Batch& b = *batch_;
  for (int i = 0; i < count; ++i) {
    b.iov[i] = {b.data.get() + i * kMaxPacket, kMaxPacket};
    msghdr& m = b.headers[i].msg_hdr;
    m.msg_name = &b.from[i];
    m.msg_namelen = sizeof b.from[i];
    m.msg_iov = &b.iov[i];
    m.msg_iovlen = 1;
    m.msg_control = b.control[i].data();
    m.msg_controllen = Batch::kControl;
    m.msg_flags = 0;
  }
  int n = ::recvmmsg(fd_, b.headers.data(), static_cast<unsigned>(count), MSG_DONTWAIT, nullptr);
  return n < 0 ? 0 : n;
}

std::optional<ReceivedPacket> VrrpSocket::parse(int index) {
  Batch& b = *batch_;
  msghdr& msg = b.headers[index].msg_hdr;
  const size_t n = b.headers[index].msg_len;
  const uint8_t* data = b.data.get() + index * kMaxPacket;

  ReceivedPacket p;
  p.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
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
    size_t ihl = (data[0] & 0x0f) * 4u;
    size_t total = (static_cast<size_t>(data[2]) << 8) | data[3];
    if (ihl < 20 || n < ihl) return std::nullopt;
    if (total > n || total < ihl) total = n;
    p.ttl = data[8];
    p.source = IpAddress::v4(std::span<const uint8_t, 4>(data + 12, 4));
    p.destination = IpAddress::v4(std::span<const uint8_t, 4>(data + 16, 4));
    p.payload = std::span<const uint8_t>(data + ihl, total - ihl);
    return p;
  }
  // IPv6 raw sockets deliver the payload; the rest comes as ancillary data.
  auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&b.from[index]);
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
  p.payload = std::span<const uint8_t>(data, n);
  return p;
}

std::optional<std::string> VrrpSocket::setFilter(std::span<const sock_filter> program) {
  sock_fprog prog{static_cast<unsigned short>(program.size()),
                  const_cast<sock_filter*>(program.data())};
  if (::setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0)
    return err("SO_ATTACH_FILTER");
  return std::nullopt;
}

std::optional<std::string> VrrpSocket::attachProgram(int programFd) {
  if (::setsockopt(fd_, SOL_SOCKET, SO_ATTACH_BPF, &programFd, sizeof programFd) != 0)
    return err("SO_ATTACH_BPF");
  return std::nullopt;
}

int VrrpSocket::setReceiveBuffer(int bytes) {
  // SO_RCVBUFFORCE passes net.core.rmem_max with CAP_NET_ADMIN; SO_RCVBUF stops there.
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  int got = 0;
  socklen_t len = sizeof got;
  ::getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &got, &len);
  return got;
}

}  // namespace holdfast::netio
