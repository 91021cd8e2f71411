#pragma once
// A raw IP socket for protocol 112 bound to one interface and one address family:
// joined to the VRRP multicast group (unless unicast), sending with TTL / hop limit
// 255 from a chosen source, receiving with the TTL and addresses needed to check a
// packet (RFC 5798 7.1). Non-blocking; the caller polls fd().

#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "netio/ip_address.h"

namespace holdfast::netio {

struct ReceivedPacket {
  IpAddress source;
  IpAddress destination;
  int ttl = 0;
  // When the kernel received it (CLOCK_REALTIME, SO_TIMESTAMPNS); 0 if unknown.
  // Protocol timers start from here, not from when the process got to it.
  int64_t receivedRealtimeNs = 0;
  // The VRRP message, IP header stripped; valid until the next receive().
  std::span<const uint8_t> payload;
};

class VrrpSocket {
 public:
  static std::expected<VrrpSocket, std::string> open(const std::string& interface, int ifindex,
                                                     Family family, const IpAddress& group,
                                                     bool joinGroup);
  VrrpSocket(VrrpSocket&& o) noexcept;
  VrrpSocket& operator=(VrrpSocket&&) = delete;
  ~VrrpSocket();

  int fd() const { return fd_; }
  Family family() const { return family_; }

  // Sends `message` from `source` to `destination`, with TTL / hop limit `ttl` (the
  // socket's 255 when negative). Returns an error text on failure.
  std::optional<std::string> send(std::span<const uint8_t> message, const IpAddress& source,
                                  const IpAddress& destination, int ttl = -1);
  // Joins multicast `group` on the socket's interface (a second multicast group, or
  // the first one for a socket that a unicast instance opened). Error text on failure.
  std::optional<std::string> join(const IpAddress& group);
  // One pending packet, or nullopt when none is waiting (EAGAIN) or it was unusable.
  std::optional<ReceivedPacket> receive();

 private:
  VrrpSocket(int fd, int ifindex, Family family) : fd_(fd), ifindex_(ifindex), family_(family) {}
  int fd_ = -1;
  int ifindex_ = 0;
  Family family_;
  std::vector<uint8_t> buffer_ = std::vector<uint8_t>(65536);
};

}  // namespace holdfast::netio
