#include "core/runtime/claim_watch.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace holdfast::runtime {

namespace asio = boost::asio;

std::expected<std::unique_ptr<ClaimWatch>, std::string> ClaimWatch::open(
    asio::io_context& io, const std::string& interface, OnClaim onClaim) {
  auto capture = netio::ClaimCapture::open(interface);
  if (!capture) return std::unexpected(capture.error());
  // The descriptor object closes what it holds; pcap_close closes the original.
  const int fd = ::dup(capture->fd());
  if (fd < 0) return std::unexpected(interface + ": dup: " + std::strerror(errno));
  std::unique_ptr<ClaimWatch> w(new ClaimWatch(io, std::move(*capture), fd, std::move(onClaim)));
  w->watch();
  return w;
}

ClaimWatch::ClaimWatch(asio::io_context& io, netio::ClaimCapture capture, int fd, OnClaim onClaim)
    : capture_(std::move(capture)),
      readable_(io, fd),
      backoff_(io),
      onClaim_(std::make_shared<const OnClaim>(std::move(onClaim))) {}

ClaimWatch::~ClaimWatch() {
  alive_.reset();
  boost::system::error_code ignored;
  readable_.cancel(ignored);
  backoff_.cancel();
}

ClaimWatchCounters ClaimWatch::counters() const {
  ClaimWatchCounters c = counters_;
  c.kernelDrops = capture_.kernelDrops();
  return c;
}

void ClaimWatch::watch() {
  readable_.async_wait(asio::posix::stream_descriptor::wait_read,
                       [this, alive = std::weak_ptr<char>(alive_)](const auto& ec) {
                         if (ec || alive.expired()) return;
                         readWaiting();
                       });
}

void ClaimWatch::readWaiting() {
  // Decoded first and delivered after: the frames' bytes belong to libpcap until the
  // next read, and a callback that destroys the watch must not pull the capture
  // from under the drain.
  std::vector<vrrp::AddressClaim> claims;
  auto read = capture_.drain(
      [&](std::span<const uint8_t> frame) {
        ++counters_.frames;
        auto c = vrrp::decodeClaim(frame);
        if (!c) {
          ++counters_.undecodable;
          return;
        }
        ++counters_.decoded;
        // Another broadcast domain: the same address there is no conflict of ours.
        if (c->vlan != 0) {
          ++counters_.otherVlan;
          return;
        }
        claims.push_back(*c);
      },
      kDrainBound);
  if (read) {
    watch();
  } else {
    ++counters_.captureErrors;
    lastError_ = read.error();
    backoff_.expires_after(kErrorBackoff);
    backoff_.async_wait([this, alive = std::weak_ptr<char>(alive_)](const auto& ec) {
      if (ec || alive.expired()) return;
      watch();
    });
  }
  // The callback may destroy the watch, and with it onClaim_: these copies keep the
  // callback alive through its own call and tell whether to go on.
  const std::weak_ptr<char> alive = alive_;
  const auto onClaim = onClaim_;
  for (const auto& c : claims) {
    (*onClaim)(c);
    if (alive.expired()) return;
  }
}

}  // namespace holdfast::runtime
