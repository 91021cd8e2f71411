#include "core/runtime/advert_receiver.h"

#include <unistd.h>

#include <algorithm>

#include "core/log/logger.h"
#include "netio/doorbell_filter.h"

namespace holdfast::runtime {

namespace asio = boost::asio;

std::expected<std::unique_ptr<AdvertChannel>, std::string> AdvertChannel::open(
    asio::io_context& io, std::unique_ptr<Timer> sweep, const std::string& interface,
    netio::Family family, int ifindex, const netio::IpAddress& group, bool join) {
  auto sock = netio::VrrpSocket::open(interface, ifindex, family, group, false);
  if (!sock) return std::unexpected(sock.error());
  std::unique_ptr<AdvertChannel> c(
      new AdvertChannel(io, std::move(sweep), std::move(*sock), interface, ifindex, family, group));
  if (join) {
    if (auto e = c->join(group)) return std::unexpected(*e);
  }
  return c;
}

std::optional<std::string> AdvertChannel::join(const netio::IpAddress& group) {
  if (std::find(joined_.begin(), joined_.end(), group) != joined_.end()) return std::nullopt;
  if (auto e = socket_.join(group)) return e;
  if (doorbell_) {
    if (auto e = doorbell_->join(group)) return e;
  }
  joined_.push_back(group);
  return std::nullopt;
}

AdvertChannel::AdvertChannel(asio::io_context& io, std::unique_ptr<Timer> sweep,
                             netio::VrrpSocket socket, std::string interface, int ifindex,
                             netio::Family family, netio::IpAddress group)
    : io_(io),
      socket_(std::move(socket)),
      interface_(std::move(interface)),
      ifindex_(ifindex),
      family_(family),
      group_(group),
      readable_(std::in_place, io, ::dup(socket_.fd())),
      sweep_(std::move(sweep)),
      pause_(io) {
  routine_.fill(-1);
  deliver_ = [this](const netio::ReceivedPacket& p, TimePoint at, uint64_t copies) {
    handler_(*this, p, at, copies);
  };
}

std::optional<std::string> AdvertChannel::send(std::span<const uint8_t> message,
                                               const netio::IpAddress& source,
                                               const netio::IpAddress& destination, int ttl) {
  return socket_.send(message, source, destination, ttl);
}

AdvertChannel::~AdvertChannel() {
  releaseRoutine();  // a channel replaced mid-turn still sends what it held
}

std::optional<std::string> AdvertChannel::sendRoutine(std::span<const uint8_t> message,
                                                      const netio::IpAddress& source,
                                                      const netio::IpAddress& destination, int ttl,
                                                      const std::string& sender) {
  if (!holding_) return send(message, source, destination, ttl);
  if (heldCount_ == held_.size()) held_.emplace_back();
  Held& h = held_[heldCount_++];
  h.offset = heldBytes_.size();
  h.size = message.size();
  h.source = source;
  h.destination = destination;
  h.ttl = ttl;
  h.sender.assign(sender);
  heldBytes_.insert(heldBytes_.end(), message.begin(), message.end());
  return std::nullopt;
}

void AdvertChannel::releaseRoutine() {
  holding_ = false;
  if (heldCount_ == 0) return;
  outgoing_.clear();
  for (size_t i = 0; i < heldCount_; ++i) {
    const Held& h = held_[i];
    outgoing_.push_back({std::span<const uint8_t>(heldBytes_).subspan(h.offset, h.size), h.source,
                         h.destination, h.ttl});
  }
  socket_.sendMany(outgoing_, [this](size_t i, const std::string& error) {
    log::warning(held_[i].sender + ": cannot send advert to " + held_[i].destination.str() + ": " +
                 error);
  });
  heldCount_ = 0;
  heldBytes_.clear();
}

void AdvertChannel::startReading(Handler handler, std::function<void()> batchDone) {
  handler_ = std::move(handler);
  batchDone_ = std::move(batchDone);
  ++generation_;
  wait();
  if (deferring_) sweepLater(kSweep);
}

void AdvertChannel::stopReading() {
  ++generation_;
  if (readable_) readable_->cancel();
  if (doorbellReadable_) doorbellReadable_->cancel();
  sweep_->cancel();
  pause_.cancel();
  pausing_ = false;
  handler_ = nullptr;
  batchDone_ = nullptr;
}

void AdvertChannel::wait() {
  if (!handler_ || pausing_) return;
  const uint64_t gen = generation_;
  if (deferring_) {
    if (!doorbellReadable_) doorbellReadable_.emplace(io_, ::dup(doorbell_->fd()));
    doorbellReadable_->async_wait(asio::posix::stream_descriptor::wait_read,
                                  [this, gen](const boost::system::error_code& ec) {
                                    if (ec || gen != generation_) return;
                                    woken();
                                  });
    return;
  }
  if (!readable_) readable_.emplace(io_, ::dup(socket_.fd()));
  readable_->async_wait(asio::posix::stream_descriptor::wait_read,
                        [this, gen](const boost::system::error_code& ec) {
                          if (ec || gen != generation_) return;
                          woken();
                        });
}

void AdvertChannel::woken() {
  const TimePoint now = Clock::now();
  if (now - lastWake_ < kCoalesce) {
    // Packets keep coming (a flood): no wake-up per packet. Nothing is watched
    // until kCoalesce after the last read (asio's epoll registration would wake the
    // loop for every packet even with no wait pending), then the queue is read.
    pausing_ = true;
    ++generation_;
    readable_.reset();
    doorbellReadable_.reset();
    pause_.expires_at(lastWake_ + kCoalesce);
    pause_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      pausing_ = false;
      lastWake_ = Clock::now();
      const uint64_t gen = generation_;
      readQueue();
      if (gen == generation_) wait();  // else the read switched modes and waits already
    });
    return;
  }
  lastWake_ = now;
  const uint64_t gen = generation_;
  readQueue();
  if (gen == generation_) wait();
}

void AdvertChannel::clearDoorbell() {
  // The doorbell's packets are copies: what matters is in the queue.
  doorbell_->receiveMany(8, [](const netio::ReceivedPacket&) {});
}

void AdvertChannel::giveUpDoorbell(const std::string& why) {
  log::warning("VRRP socket on " + interface_ + ": every advert wakes the daemon: " + why);
  broken_ = true;
  if (deferring_) leaveDeferred();
}

void AdvertChannel::readQueue() {
  if (deferring_) clearDoorbell();
  if (drain(kDrainBound)) sweepLater(std::chrono::milliseconds(0));  // more queued
}

bool AdvertChannel::drain(int bound) {
  if (!handler_ || draining_) return false;
  draining_ = true;
  lastDrain_ = Clock::now();
  const int read = socket_.receiveMany(bound, [this](const netio::ReceivedPacket& p) {
    const TimePoint at = arrivalTime(p);
    if (!counter_ || p.payload.size() < 2) {
      handler_(*this, p, at, 1);
      return;
    }
    // What the kernel counted for this VRID before this packet arrived goes first.
    const uint8_t vrid = p.payload[1];
    counter_->flush(vrid, at, deliver_);
    if (handler_(*this, p, at, 1)) {
      counter_->honoured(p);
      routineChanged_ = true;
    }
  });
  // And what it counted after.
  const bool counted = counter_ && counter_->flushAll(deliver_);
  draining_ = false;
  if (batchDone_ && (read > 0 || counted)) batchDone_();
  if (routineChanged_) applyRoutine();
  return read == bound;
}

bool AdvertChannel::flushCounted() {
  if (!handler_ || draining_) return false;
  draining_ = true;
  lastDrain_ = Clock::now();
  const bool counted = counter_->flushAll(deliver_);
  draining_ = false;
  if (batchDone_ && counted) batchDone_();
  if (routineChanged_) applyRoutine();
  return counted;
}

void AdvertChannel::catchUp() {
  // Everything else wakes the loop at once. Backups sharing a deadline hand on
  // what was counted once.
  if (counter_) {
    if (Clock::now() - lastDrain_ >= kCatchUpFresh) flushCounted();
    return;
  }
  // Masters align their adverts, so a backup's instances often share one deadline:
  // the first to reach it reads the queue for all.
  if (deferring_ && Clock::now() - lastDrain_ >= kCatchUpFresh) {
    drain(kCatchUpBound);
    // The queue was just read: the sweep waits kSweep from now. Moved here, while a
    // deadline's timer fires, it costs nothing (the loop's timers are set once at the
    // end of the turn, timer_driver.h): the sweep then only wakes the loop when no
    // deadline read the queue for kSweep.
    if (handler_ && deferring_) sweepLater(kSweep);
  }
}

void AdvertChannel::sweepLater(std::chrono::milliseconds delay) {
  sweep_->armAt(
      Clock::now() + delay,
      [this] {
        if (!handler_) return;
        // Only a queue nobody read for kSweep: a backup's deadlines usually come sooner.
        if (deferring_ && Clock::now() - lastDrain_ < kSweep) {
          sweepLater(
              std::chrono::ceil<std::chrono::milliseconds>(lastDrain_ + kSweep - Clock::now()));
          return;
        }
        const bool more = drain(kDrainBound);
        if (more) {
          sweepLater(std::chrono::milliseconds(0));
        } else if (deferring_) {
          sweepLater(kSweep);
        }
      },
      false);
}

void AdvertChannel::setRoutine(uint8_t vrid, std::optional<int> priority) {
  const int16_t value = priority && *priority > 0 && *priority < 256 ? *priority : -1;
  bool changed = value < 0 && counter_ && counter_->forget(vrid);
  if (routine_[vrid] != value) {
    routineCount_ += (value >= 0) - (routine_[vrid] >= 0);
    routine_[vrid] = value;
    changed = true;
  }
  if (!changed) return;
  routineChanged_ = true;
  if (!draining_) applyRoutine();
}

std::optional<std::string> AdvertChannel::openDoorbell() {
  auto bell = netio::VrrpSocket::open(interface_, ifindex_, family_, group_, false);
  if (!bell) return bell.error();
  for (const auto& g : joined_) {
    if (auto e = bell->join(g)) return e;
  }
  // It only has to hold the one packet that rings it.
  bell->setReceiveBuffer(1);
  if (auto e = bell->setFilter(netio::dropAllProgram())) return e;
  doorbellReadable_.emplace(io_, ::dup(bell->fd()));
  doorbell_.emplace(std::move(*bell));
  socket_.setReceiveBuffer(kDeferredQueueBytes);
  return std::nullopt;
}

void AdvertChannel::leaveDeferred() {
  deferring_ = false;
  if (doorbell_) doorbell_->setFilter(netio::dropAllProgram());
  ++generation_;
  if (doorbellReadable_) doorbellReadable_->cancel();
  wait();
  // What waited in the queue is read on the next turn.
  if (handler_) sweepLater(std::chrono::milliseconds(0));
}

bool AdvertChannel::openCounter() {
  if (counterFailed_) return false;
  auto counter = RoutineCounter::open(family_);
  std::optional<std::string> e;
  if (!counter) {
    e = counter.error();
  } else {
    e = socket_.attachProgram((*counter)->programFd());
  }
  if (e) {
    counterFailed_ = true;
    log::warning(
        "VRRP socket on " + interface_ +
        ": routine adverts wait in the queue instead of being counted in the kernel: " + *e);
    return false;
  }
  counter_ = std::move(*counter);
  log::info("VRRP socket on " + interface_ + " (" +
            (family_ == netio::Family::kIPv4 ? "IPv4" : "IPv6") +
            "): routine adverts are counted in the kernel (eBPF)");
  return true;
}

void AdvertChannel::applyRoutine() {
  routineChanged_ = false;
  if (broken_) return;
  if (counter_ || (routineCount_ > 0 && openCounter())) {
    counter_->apply(routine_);
    return;
  }
  if (routineCount_ == 0) {
    if (deferring_) leaveDeferred();
    return;
  }
  if (!doorbell_) {
    if (auto e = openDoorbell()) return giveUpDoorbell(*e);
  }
  std::vector<netio::RoutineAdvert> routine;
  routine.reserve(static_cast<size_t>(routineCount_));
  for (int vrid = 0; vrid < 256; ++vrid) {
    if (routine_[vrid] >= 0) {
      routine.push_back({static_cast<uint8_t>(vrid), static_cast<uint8_t>(routine_[vrid])});
    }
  }
  if (auto e = doorbell_->setFilter(netio::doorbellProgram(family_, routine, kRingOneIn))) {
    return giveUpDoorbell(*e);
  }
  if (deferring_) return;
  deferring_ = true;
  ++generation_;
  readable_.reset();
  clearDoorbell();
  wait();
  if (handler_) sweepLater(kSweep);
}

TimePoint arrivalTime(const netio::ReceivedPacket& p) {
  // The RFC's timers start when the advert arrived, not when this thread got round
  // to it (after a second of idle that wake-up alone costs a few hundred µs; a
  // routine advert may wait up to kSweep). Two seconds bound the error a slewing
  // clock adds (at most 0.5 ms/s) and catch a step larger than that.
  const auto now = Clock::now();
  if (p.receivedRealtimeNs == 0) return now;
  const int64_t realNow = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  const int64_t age = realNow - p.receivedRealtimeNs;
  if (age < 0 || age > 2'000'000'000) return now;
  return now - std::chrono::nanoseconds(age);
}

}  // namespace holdfast::runtime
