#pragma once
// A raw IP socket for protocol 112 bound to one interface and one address family:
// joined to the VRRP multicast group (unless unicast), sending with TTL / hop limit
// 255 from a chosen source, receiving with the TTL and addresses needed to check a
// packet (RFC 5798 7.1). Non-blocking; the caller polls fd().

#include <linux/filter.h>
#include <sys/socket.h>

#include <algorithm>
#include <expected>
#include <functional>
#include <memory>
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
  // The VRRP message, IP header stripped; valid until the next read.
  std::span<const uint8_t> payload;
  // Longer than any VRRP message (kMaxPacket): cut short, to be discarded.
  bool truncated = false;
};

// One advert to send: what send() takes.
struct OutgoingAdvert {
  std::span<const uint8_t> message;
  IpAddress source;
  IpAddress destination;
  int ttl = -1;
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
  // Sends each of `adverts` as send() does, kBatch per system call (sendmmsg), and
  // calls `failed(index, error text)` for each one the kernel refused.
  void sendMany(std::span<const OutgoingAdvert> adverts,
                const std::function<void(size_t, const std::string&)>& failed);
  // Joins multicast `group` on the socket's interface (a second multicast group, or
  // the first one for a socket that a unicast instance opened). Error text on failure.
  std::optional<std::string> join(const IpAddress& group);
  // Reads at most `max` pending packets, kBatch per system call (recvmmsg), and
  // calls `each(const ReceivedPacket&)` for every one that carries an IP packet.
  // Returns how many were read; fewer than `max` means the queue is empty now.
  template <class Each>
  int receiveMany(int max, Each&& each) {
    int total = 0;
    while (total < max) {
      const int want = std::min(kBatch, max - total);
      const int got = readBatch(want);
      for (int i = 0; i < got; ++i) {
        if (auto p = parse(i)) each(*p);
      }
      total += got;
      if (got < want) break;
    }
    return total;
  }

  // Keeps only the packets `program` (classic BPF over what a read returns: the IPv4
  // header on, the IPv6 one off) accepts; an error text when the kernel refuses it.
  std::optional<std::string> setFilter(std::span<const sock_filter> program);
  // Runs the eBPF socket filter `programFd` (netio/routine_filter.h) over every
  // packet instead; an error text when the kernel refuses it.
  std::optional<std::string> attachProgram(int programFd);
  // Asks for a receive queue of `bytes` (beyond net.core.rmem_max where the process
  // may); returns what the kernel set.
  int setReceiveBuffer(int bytes);

  static constexpr int kBatch = 32;
  // Room for the longest VRRP message with its IPv4 header (60 + 8 + 255 * 16).
  static constexpr size_t kMaxPacket = 4160;

 private:
  struct Batch;
  struct SendBatch;
  VrrpSocket(int fd, int ifindex, Family family);
  // Points `msg` at `a`'s message, destination (in `to`) and packet info (`control`,
  // kPacketInfoSpace bytes).
  void address(msghdr& msg, iovec& iov, sockaddr_storage& to, char* control,
               const OutgoingAdvert& a) const;
  int readBatch(int count);
  std::optional<ReceivedPacket> parse(int index);

  int fd_ = -1;
  int ifindex_ = 0;
  Family family_;
  std::unique_ptr<Batch> batch_;          // made at the first read
  std::unique_ptr<SendBatch> sendBatch_;  // made at the first sendMany
};

}  // namespace holdfast::netio
