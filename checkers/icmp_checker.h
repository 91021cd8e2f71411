#pragma once
// ICMP echo (L3). Every ICMP check of a family shares one IcmpPinger: one socket,
// one read loop, replies matched to the waiting probe by sequence number (and by
// identifier on raw sockets, inside netio::IcmpSocket).

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

#include "checkers/checker.h"
#include "netio/icmp_socket.h"

namespace holdfast::checkers {

class IcmpPinger {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs, on the loop, when the echo's reply arrives from the address it went to.
  using Reply = std::function<void()>;

  IcmpPinger(boost::asio::io_context& io, netio::IcmpSocket socket);
  ~IcmpPinger();

  // Sends an echo to `to`; `reply` runs when the matching reply arrives. Returns
  // the sequence used, or the errno of a failed send.
  std::expected<uint16_t, int> send(const netio::IpAddress& to, Reply reply);
  void forget(uint16_t sequence) { waiting_.erase(sequence); }

 private:
  void readLoop();

  netio::IcmpSocket socket_;
  boost::asio::posix::stream_descriptor readable_;
  uint16_t nextSequence_ = 1;
  struct Waiting {
    netio::IpAddress to;
    Reply reply;
  };
  std::unordered_map<uint16_t, Waiting> waiting_;
};

class IcmpChecker : public Checker {
 public:
  IcmpChecker(boost::asio::io_context& io, IcmpPinger& pinger, netio::IpAddress address,
              std::chrono::microseconds timeout);
  ~IcmpChecker() override { cancel(); }
  void probe(Done done) override;
  void cancel() override;

 private:
  void finish(ProbeResult r);

  IcmpPinger& pinger_;
  netio::IpAddress address_;
  std::chrono::microseconds timeout_;
  boost::asio::steady_timer timer_;
  PendingProbe pending_;
  std::optional<uint16_t> sequence_;
  IcmpPinger::Clock::time_point sent_;
};

}  // namespace holdfast::checkers
