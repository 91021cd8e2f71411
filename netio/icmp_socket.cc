#include "netio/icmp_socket.h"

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace holdfast::netio {

namespace {
constexpr uint8_t kEchoRequest4 = 8, kEchoReply4 = 0;
constexpr uint8_t kEchoRequest6 = 128, kEchoReply6 = 129;

// RFC 1071 internet checksum (ICMPv4 has no pseudo-header).
uint16_t checksum(std::span<const uint8_t> b) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < b.size(); i += 2) sum += (b[i] << 8) | b[i + 1];
  if (b.size() % 2) sum += b.back() << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}
}  // namespace

std::expected<IcmpSocket, std::string> IcmpSocket::open(Family family, int instance) {
  const int domain = family == Family::kIPv4 ? AF_INET : AF_INET6;
  const int proto = family == Family::kIPv4 ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
  int fd = ::socket(domain, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  bool raw = false;
  if (fd < 0) {
    fd = ::socket(domain, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    raw = true;
  }
  if (fd < 0) {
    return std::unexpected(std::string("ICMP socket: ") + std::strerror(errno) +
                           " (neither ping_group_range nor CAP_NET_RAW allows one)");
  }
  if (raw && family == Family::kIPv4) {
    // Pass echo replies only (the filter's bits block the types set).
    icmp_filter f{~(1u << kEchoReply4)};
    ::setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof f);
  } else if (raw) {
    icmp6_filter f;
    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(kEchoReply6, &f);
    ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
  }
  int big = 1 << 20;  // thousands of replies can arrive between two reads
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  return IcmpSocket(fd, family, raw, static_cast<uint16_t>(::getpid() + instance));
}

IcmpSocket::IcmpSocket(IcmpSocket&& o) noexcept
    : fd_(o.fd_),
      family_(o.family_),
      raw_(o.raw_),
      identifier_(o.identifier_),
      buffer_(std::move(o.buffer_)) {
  o.fd_ = -1;
}

IcmpSocket::~IcmpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

int IcmpSocket::sendEcho(const IpAddress& to, uint16_t sequence, std::span<const uint8_t> payload) {
  std::vector<uint8_t> msg(8 + payload.size());
  msg[0] = family_ == Family::kIPv4 ? kEchoRequest4 : kEchoRequest6;
  msg[4] = identifier_ >> 8;
  msg[5] = identifier_ & 0xff;
  msg[6] = sequence >> 8;
  msg[7] = sequence & 0xff;
  std::copy(payload.begin(), payload.end(), msg.begin() + 8);
  if (family_ == Family::kIPv4) {
    const uint16_t c = checksum(msg);  // ICMPv6's is the kernel's (RFC 3542 3.1)
    msg[2] = c >> 8;
    msg[3] = c & 0xff;
  }
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family_ == Family::kIPv4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, to.bytes.data(), 4);
    len = sizeof *sin;
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, to.bytes.data(), 16);
    len = sizeof *sin6;
  }
  if (::sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) < 0) {
    return errno;
  }
  return 0;
}

std::optional<EchoReply> IcmpSocket::receive(bool& more) {
  more = false;
  sockaddr_storage from{};
  socklen_t fromLen = sizeof from;
  const ssize_t n = ::recvfrom(fd_, buffer_.data(), buffer_.size(), 0,
                               reinterpret_cast<sockaddr*>(&from), &fromLen);
  if (n < 0) return std::nullopt;  // EAGAIN: drained
  more = true;
  std::span<const uint8_t> msg(buffer_.data(), static_cast<size_t>(n));
  EchoReply reply;
  if (family_ == Family::kIPv4) {
    if (raw_) {  // a raw IPv4 socket delivers the IP header too
      if (msg.empty()) return std::nullopt;
      const size_t ihl = (msg[0] & 0x0f) * 4u;
      if (msg.size() < ihl) return std::nullopt;
      msg = msg.subspan(ihl);
    }
    auto* sin = reinterpret_cast<const sockaddr_in*>(&from);
    reply.from = IpAddress::v4(
        std::span<const uint8_t, 4>(reinterpret_cast<const uint8_t*>(&sin->sin_addr), 4));
  } else {
    auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&from);
    reply.from = IpAddress::v6(
        std::span<const uint8_t, 16>(reinterpret_cast<const uint8_t*>(&sin6->sin6_addr), 16));
  }
  if (msg.size() < 8) return std::nullopt;
  const uint8_t expectType = family_ == Family::kIPv4 ? kEchoReply4 : kEchoReply6;
  if (msg[0] != expectType) return std::nullopt;
  const uint16_t id = static_cast<uint16_t>((msg[4] << 8) | msg[5]);
  // A datagram socket's replies are ours by construction (the kernel rewrote the id).
  if (raw_ && id != identifier_) return std::nullopt;
  reply.sequence = static_cast<uint16_t>((msg[6] << 8) | msg[7]);
  return reply;
}

}  // namespace holdfast::netio
