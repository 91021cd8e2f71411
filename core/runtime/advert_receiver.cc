#include "core/runtime/advert_receiver.h"

#include <unistd.h>

#include <algorithm>

namespace holdfast::runtime {

namespace asio = boost::asio;

std::expected<std::unique_ptr<AdvertChannel>, std::string> AdvertChannel::open(
    asio::io_context& io, const std::string& interface, netio::Family family, int ifindex,
    const netio::IpAddress& group, bool join) {
  auto sock = netio::VrrpSocket::open(interface, ifindex, family, group, false);
  if (!sock) return std::unexpected(sock.error());
  std::unique_ptr<AdvertChannel> c(new AdvertChannel(io, std::move(*sock)));
  if (join) {
    if (auto e = c->join(group)) return std::unexpected(*e);
  }
  return c;
}

std::optional<std::string> AdvertChannel::join(const netio::IpAddress& group) {
  if (std::find(joined_.begin(), joined_.end(), group) != joined_.end()) return std::nullopt;
  if (auto e = socket_.join(group)) return e;
  joined_.push_back(group);
  return std::nullopt;
}

AdvertChannel::AdvertChannel(asio::io_context& io, netio::VrrpSocket socket)
    : socket_(std::move(socket)), readable_(io, ::dup(socket_.fd())) {}

std::optional<std::string> AdvertChannel::send(std::span<const uint8_t> message,
                                               const netio::IpAddress& source,
                                               const netio::IpAddress& destination, int ttl) {
  return socket_.send(message, source, destination, ttl);
}

void AdvertChannel::startReading(Handler handler) {
  handler_ = std::move(handler);
  readLoop();
}

void AdvertChannel::stopReading() {
  readable_.cancel();
}

void AdvertChannel::readLoop() {
  readable_.async_wait(asio::posix::stream_descriptor::wait_read,
                       [this](const boost::system::error_code& ec) {
                         if (ec) return;
                         for (int i = 0; i < kDrainBound; ++i) {
                           auto p = socket_.receive();
                           if (!p) break;
                           handler_(*this, *p, arrivalTime(*p));
                         }
                         readLoop();
                       });
}

TimePoint arrivalTime(const netio::ReceivedPacket& p) {
  // The RFC's timers start when the advert arrived, not when this thread got round
  // to it (after a second of idle that wake-up alone costs a few hundred µs).
  const auto now = Clock::now();
  if (p.receivedRealtimeNs == 0) return now;
  const int64_t realNow = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  const int64_t age = realNow - p.receivedRealtimeNs;
  if (age < 0 || age > 1'000'000'000) return now;
  return now - std::chrono::nanoseconds(age);
}

}  // namespace holdfast::runtime
