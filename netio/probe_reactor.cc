#include "netio/probe_reactor.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace holdfast::netio {

namespace {
constexpr int kBatch = 64;

uint64_t idOf(uint32_t slot, uint32_t generation) {
  return (static_cast<uint64_t>(generation) << 32) | slot;
}
}  // namespace

std::expected<std::unique_ptr<ProbeReactor>, std::string> ProbeReactor::create(
    boost::asio::io_context& io) {
  const int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return std::unexpected(std::string("epoll_create1: ") + std::strerror(errno));
  return std::unique_ptr<ProbeReactor>(new ProbeReactor(io, epfd));
}

ProbeReactor::ProbeReactor(boost::asio::io_context& io, int epfd) : epfd_(epfd), set_(io, epfd) {
  arm();
}

ProbeReactor::~ProbeReactor() = default;  // set_ closes the epoll descriptor

void ProbeReactor::arm() {
  // asio re-registers the set on every wait (EPOLL_CTL_MOD), which also reports
  // events that are already pending: none is lost between drain() and here.
  set_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                  [this](const boost::system::error_code& ec) {
                    if (ec) return;  // destroyed with the loop
                    drain();
                    arm();
                  });
}

void ProbeReactor::drain() {
  std::array<epoll_event, kBatch> events;
  for (;;) {
    const int n = ::epoll_wait(epfd_, events.data(), kBatch, 0);
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < n; ++i) {
      const auto slot = static_cast<uint32_t>(events[i].data.u64);
      const auto generation = static_cast<uint32_t>(events[i].data.u64 >> 32);
      // Looked up afresh each time: a watcher may add or end watches.
      if (slot >= slots_.size()) continue;
      Slot& s = slots_[slot];
      if (s.generation != generation || !s.watcher) continue;  // closed since
      s.watcher->onEvents(events[i].events);
    }
    if (n < kBatch) return;
  }
}

int ProbeReactor::watch(int fd, Watcher& w, uint64_t& id) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  ++s.generation;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = idOf(slot, s.generation);
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    const int error = errno;
    free_.push_back(slot);
    return error;
  }
  s.watcher = &w;
  id = ev.data.u64;
  return 0;
}

void ProbeReactor::unwatch(uint64_t id) {
  const auto slot = static_cast<uint32_t>(id);
  if (slot >= slots_.size()) return;
  Slot& s = slots_[slot];
  if (s.generation != static_cast<uint32_t>(id >> 32) || !s.watcher) return;
  s.watcher = nullptr;
  ++s.generation;  // events already read for this socket are stale now
  free_.push_back(slot);
}

}  // namespace holdfast::netio
