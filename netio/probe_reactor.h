#pragma once
// The checker thread's own epoll set for probe connections, watched by the loop
// as one descriptor. A probe's socket is added once (EPOLL_CTL_ADD, edge-
// triggered for in, out and peer close) and leaves the set when it is closed:
// no per-probe registration change, no deregistration, no ioctl. asio's socket
// services cost five more system calls a probe (ADD, FIONBIO, MOD per wait, DEL),
// which at ten thousand probes a second is the largest cost left in user hands.
//
// Each watch has an id (slot and generation): an event already read for a socket
// that was closed before it was handed out is dropped, never given to a newer
// watcher of the same descriptor number. A watcher is never called after
// unwatch().

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

namespace holdfast::netio {

class ProbeReactor {
 public:
  class Watcher {
   public:
    // EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLERR, EPOLLHUP as they came. The
    // watcher may unwatch and destroy itself in here.
    virtual void onEvents(uint32_t events) = 0;

   protected:
    ~Watcher() = default;
  };

  static std::expected<std::unique_ptr<ProbeReactor>, std::string> create(
      boost::asio::io_context& io);
  ~ProbeReactor();
  ProbeReactor(const ProbeReactor&) = delete;
  ProbeReactor& operator=(const ProbeReactor&) = delete;

  // Adds `fd` to the set; its events go to `w` until unwatch(id). 0 (an errno
  // value otherwise) on success.
  int watch(int fd, Watcher& w, uint64_t& id);
  // Stops handing events to the watcher; closing the descriptor then takes it
  // out of the set (it must not be shared with another process or dup'ed).
  void unwatch(uint64_t id);

  size_t watching() const { return slots_.size() - free_.size(); }

 private:
  ProbeReactor(boost::asio::io_context& io, int epfd);
  void arm();
  void drain();

  struct Slot {
    Watcher* watcher = nullptr;
    uint32_t generation = 0;
  };
  int epfd_;
  boost::asio::posix::stream_descriptor set_;  // owns epfd_
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace holdfast::netio
