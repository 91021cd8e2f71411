#pragma once
// The VRRP sockets, one per (interface, address family), read on the VRRP loop:
// every wake-up drains what is queued, bounded so that a flood cannot starve the
// timers, and hands each packet on with the time the kernel received it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/runtime/kernel.h"
#include "netio/vrrp_socket.h"

namespace holdfast::runtime {

class AdvertChannel final : public AdvertPort {
 public:
  using Handler = std::function<void(AdvertChannel&, const netio::ReceivedPacket&, TimePoint)>;
  // At most this many packets per wake-up; the rest wait for the next turn.
  static constexpr int kDrainBound = 256;

  static std::expected<std::unique_ptr<AdvertChannel>, std::string> open(
      boost::asio::io_context& io, const std::string& interface, netio::Family family, int ifindex,
      const netio::IpAddress& group, bool join);

  std::optional<std::string> send(std::span<const uint8_t> message, const netio::IpAddress& source,
                                  const netio::IpAddress& destination, int ttl) override;
  vrrp::Counters& counters() override { return counters_; }

  // Joins multicast `group` unless joined already: instances that share the socket
  // may come and go (a reload turning unicast into multicast, a new group).
  std::optional<std::string> join(const netio::IpAddress& group);

  void startReading(Handler handler);
  void stopReading();

 private:
  AdvertChannel(boost::asio::io_context& io, netio::VrrpSocket socket);
  void readLoop();

  netio::VrrpSocket socket_;
  boost::asio::posix::stream_descriptor readable_;
  vrrp::Counters counters_;
  Handler handler_;
  std::vector<netio::IpAddress> joined_;
};

// The steady-clock time at which the kernel received `p` (its SO_TIMESTAMPNS), or
// now when the stamp is missing or not to be trusted (from the future, or older than
// a second: a clock step).
TimePoint arrivalTime(const netio::ReceivedPacket& p);

}  // namespace holdfast::runtime
