#include "checkers/icmp_checker.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "netio/duration_text.h"

namespace holdfast::checkers {

namespace asio = boost::asio;

IcmpPinger::IcmpPinger(asio::io_context& io, netio::IcmpSocket socket)
    : socket_(std::move(socket)), readable_(io, ::dup(socket_.fd())) {
  readLoop();
}

IcmpPinger::~IcmpPinger() {
  boost::system::error_code ignored;
  readable_.close(ignored);
}

std::expected<uint16_t, int> IcmpPinger::send(const netio::IpAddress& to, Reply reply) {
  // Skip sequences still waiting (a wrap within one timeout needs 65,536 probes).
  for (int i = 0; i < 65536 && waiting_.contains(nextSequence_); ++i) ++nextSequence_;
  const uint16_t seq = nextSequence_++;
  static constexpr uint8_t kPayload[] =
      "holdfast echo check.....";  // 24 bytes, like ping's 56 in spirit
  if (int err = socket_.sendEcho(to, seq, kPayload); err != 0) return std::unexpected(err);
  waiting_[seq] = {to, std::move(reply)};
  return seq;
}

void IcmpPinger::readLoop() {
  readable_.async_wait(asio::posix::stream_descriptor::wait_read,
                       [this](const boost::system::error_code& ec) {
                         if (ec) return;
                         bool more = true;
                         for (int i = 0; i < 4096 && more; ++i) {
                           auto r = socket_.receive(more);
                           if (!r) continue;
                           auto it = waiting_.find(r->sequence);
                           // A reply from another address is not an answer to this probe.
                           if (it == waiting_.end() || !(it->second.to == r->from)) continue;
                           Reply reply = std::move(it->second.reply);
                           waiting_.erase(it);
                           reply();
                         }
                         readLoop();
                       });
}

IcmpChecker::IcmpChecker(asio::io_context& io, IcmpPinger& pinger, netio::IpAddress address,
                         std::chrono::microseconds timeout)
    : pinger_(pinger), address_(address), timeout_(timeout), timer_(io) {}

void IcmpChecker::probe(Done done) {
  pending_.arm(std::move(done));
  sent_ = IcmpPinger::Clock::now();
  auto seq = pinger_.send(address_, [this] {
    sequence_.reset();
    finish(ProbeResult::success(
        std::chrono::duration_cast<std::chrono::microseconds>(IcmpPinger::Clock::now() - sent_)));
  });
  if (!seq) {
    const int err = seq.error();
    const Failure f =
        (err == EHOSTUNREACH || err == ENETUNREACH) ? Failure::kUnreachable : Failure::kLocalError;
    // Report from the loop, never from inside probe().
    timer_.expires_after(std::chrono::microseconds(0));
    timer_.async_wait([this, f, err](const boost::system::error_code& ec) {
      if (!ec)
        finish(ProbeResult::failed(f, std::string("echo not sent: ") + std::strerror(err),
                                   std::chrono::microseconds(0)));
    });
    return;
  }
  sequence_ = *seq;
  timer_.expires_after(timeout_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (sequence_) pinger_.forget(*sequence_);
    sequence_.reset();
    finish(ProbeResult::failed(Failure::kTimeout,
                               "no echo reply in " + netio::formatDuration(timeout_), timeout_));
  });
}

void IcmpChecker::finish(ProbeResult r) {
  timer_.cancel();
  pending_.complete(std::move(r));
}

void IcmpChecker::cancel() {
  timer_.cancel();
  if (sequence_) pinger_.forget(*sequence_);
  sequence_.reset();
  pending_.drop();
}

}  // namespace holdfast::checkers
