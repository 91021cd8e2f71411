#pragma once
// One ICMP echo socket per address family, shared by every ICMP check: an
// unprivileged ICMP datagram socket where net.ipv4.ping_group_range allows it (the
// kernel then owns the echo identifier and hands us only our replies), a raw
// socket otherwise (filtered to echo replies, matched by our identifier).
// Non-blocking; the caller polls fd().

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "netio/ip_address.h"

namespace holdfast::netio {

struct EchoReply {
  IpAddress from;
  uint16_t sequence = 0;
};

class IcmpSocket {
 public:
  // `instance` tells apart the raw sockets of one process (their echo identifier
  // is the pid plus it), since every raw socket sees every echo reply.
  static std::expected<IcmpSocket, std::string> open(Family family, int instance = 0);
  IcmpSocket(IcmpSocket&& o) noexcept;
  IcmpSocket& operator=(IcmpSocket&&) = delete;
  ~IcmpSocket();

  int fd() const { return fd_; }
  bool raw() const { return raw_; }

  // Sends an echo request with `sequence` and `payload`; 0 or the errno of the
  // failure (EHOSTUNREACH, ENETUNREACH, ... arrive here for a local route).
  int sendEcho(const IpAddress& to, uint16_t sequence, std::span<const uint8_t> payload);
  // One pending echo reply to us, or nullopt when none is waiting or the datagram
  // was not ours. `more` tells whether to call again.
  std::optional<EchoReply> receive(bool& more);

 private:
  IcmpSocket(int fd, Family family, bool raw, uint16_t id)
      : fd_(fd), family_(family), raw_(raw), identifier_(id) {}
  int fd_ = -1;
  Family family_;
  bool raw_ = false;
  uint16_t identifier_ = 0;
  std::vector<uint8_t> buffer_ = std::vector<uint8_t>(2048);
};

}  // namespace holdfast::netio
