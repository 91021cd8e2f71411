#pragma once
// Address claims seen on one interface, delivered on an event loop: every ARP frame
// but a probe, and every neighbour advertisement, that arrives (netio/claim_capture.h)
// is decoded
// (vrrp/address_claims.h) and each claim handed to a callback. Which claims are
// conflicts with our VIPs is the caller's business. Here, and not in netio/,
// because netio never depends on vrrp/ (docs/ARCHITECTURE.md: dependencies point
// one way); the kernel I/O itself is netio::ClaimCapture, as LinkWatch sits over
// netio::LinkMonitor.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "netio/claim_capture.h"
#include "vrrp/address_claims.h"

namespace holdfast::runtime {

struct ClaimWatchCounters {
  uint64_t frames = 0;         // frames captured (ARP and NA, incoming)
  uint64_t decoded = 0;        // of them, frames that claimed an address
  uint64_t undecodable = 0;    // of them, frames that claimed nothing: other ARP
                               // hardware, truncated or malformed frames (ARP probes
                               // never get here: the capture's filter drops them)
  uint64_t otherVlan = 0;      // of the decoded, claims made in a VLAN of this interface
                               // (tagged frames), not delivered
  uint64_t captureErrors = 0;  // reads that failed (the interface was deleted, ...)
  uint64_t kernelDrops = 0;    // frames lost because the capture buffer was full
};

class ClaimWatch {
 public:
  using OnClaim = std::function<void(const vrrp::AddressClaim&)>;
  // At most this many frames per wake-up; the rest wait for the next turn, so that
  // an ARP storm cannot starve the loop's timers.
  static constexpr int kDrainBound = 256;
  // After a failed read, the next one waits this long, so that a capture that keeps
  // failing cannot spin the loop. (An interface going down and up is no error: the
  // capture resumes; one that is deleted fails once, "The interface disappeared",
  // and the watch then sees nothing: reopen it.)
  static constexpr std::chrono::milliseconds kErrorBackoff{1000};

  // Starts capturing on `interface` at once; `onClaim` runs on `io`'s thread, once
  // per claim made on the interface's own network (untagged frames; those tagged
  // with a VLAN ID belong to a VLAN interface on top of it). It may destroy the
  // watch. Error text when the capture cannot open (no such interface, not
  // Ethernet, no CAP_NET_RAW).
  static std::expected<std::unique_ptr<ClaimWatch>, std::string> open(boost::asio::io_context& io,
                                                                      const std::string& interface,
                                                                      OnClaim onClaim);
  ClaimWatch(const ClaimWatch&) = delete;
  ClaimWatch& operator=(const ClaimWatch&) = delete;
  // Cancels the pending wait; no callback runs afterwards.
  ~ClaimWatch();

  ClaimWatchCounters counters() const;
  // The last capture error's text; empty while there was none.
  const std::string& lastError() const { return lastError_; }

 private:
  ClaimWatch(boost::asio::io_context& io, netio::ClaimCapture capture, int fd, OnClaim onClaim);
  void watch();
  void readWaiting();

  netio::ClaimCapture capture_;
  boost::asio::posix::stream_descriptor readable_;
  boost::asio::steady_timer backoff_;
  // Shared so that a callback that destroys the watch outlives its own call.
  std::shared_ptr<const OnClaim> onClaim_;
  ClaimWatchCounters counters_;
  std::string lastError_;
  // Handlers hold a weak reference: one already queued when the watch is destroyed
  // (by a callback of this loop) sees it expired and does nothing.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace holdfast::runtime
