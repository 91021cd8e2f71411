// netio::ProbeReactor on real descriptors (Unix socket pairs: no network): events
// reach the watcher, a closed watch never gets the events read before it closed,
// and a slot reused by a new watch does not inherit them.

#include "netio/probe_reactor.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>

using holdfast::netio::ProbeReactor;
using namespace std::chrono_literals;

namespace {
struct Pair {
  int fd[2] = {-1, -1};
  Pair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd) == 0); }
  ~Pair() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void send() { REQUIRE(::write(fd[1], "x", 1) == 1); }
};

struct Recorder : ProbeReactor::Watcher {
  uint32_t events = 0;
  int calls = 0;
  std::function<void()> then;
  void onEvents(uint32_t e) override {
    events |= e;
    ++calls;
    if (then) then();
  }
};

void runFor(boost::asio::io_context& io, std::chrono::milliseconds d) {
  io.restart();
  io.run_for(d);
}

// A reactor on its own loop, watching one end of a socket pair.
struct OneWatch {
  boost::asio::io_context io;
  std::unique_ptr<ProbeReactor> reactor;
  Pair p;
  Recorder w;
  uint64_t id = 0;
  OneWatch() {
    auto r = ProbeReactor::create(io);
    REQUIRE(r);
    reactor = std::move(*r);
    REQUIRE(reactor->watch(p.fd[0], w, id) == 0);
  }
};
}  // namespace

TEST_CASE("a watched socket's readiness reaches its watcher", "[probe_reactor]") {
  OneWatch t;
  auto& [io, reactor, p, w, id] = t;
  runFor(io, 50ms);
  CHECK((w.events & EPOLLOUT) != 0);  // writable at once
  CHECK((w.events & EPOLLIN) == 0);
  const int before = w.calls;
  p.send();
  runFor(io, 50ms);
  CHECK((w.events & EPOLLIN) != 0);
  CHECK(w.calls == before + 1);  // edge-triggered: one event for the new bytes
  reactor->unwatch(id);
  CHECK(reactor->watching() == 0);
}

TEST_CASE("events of a watch ended before they were handed out are dropped", "[probe_reactor]") {
  boost::asio::io_context io;
  auto reactor = ProbeReactor::create(io);
  REQUIRE(reactor);
  Pair a, b;
  Recorder first, second;
  uint64_t idA = 0, idB = 0;
  REQUIRE((*reactor)->watch(a.fd[0], first, idA) == 0);
  REQUIRE((*reactor)->watch(b.fd[0], second, idB) == 0);
  // Whichever is handed its events first ends the other's watch and takes its
  // slot with a new watcher: the other's events, read in the same batch, are
  // never handed to anyone.
  Recorder newcomer;
  Pair c;
  uint64_t idC = 0;
  auto endOther = [&](uint64_t other) {
    return [&, other] {
      if (idC) return;
      (*reactor)->unwatch(other);
      REQUIRE((*reactor)->watch(c.fd[0], newcomer, idC) == 0);
    };
  };
  first.then = endOther(idB);
  second.then = endOther(idA);
  runFor(io, 50ms);
  CHECK(first.calls + second.calls == 1);
  // The newcomer hears of its own socket only (writable), once.
  CHECK(newcomer.calls == 1);
  CHECK((newcomer.events & EPOLLIN) == 0);
}

TEST_CASE("no watcher is called after unwatch, even with bytes pending", "[probe_reactor]") {
  OneWatch t;
  auto& [io, reactor, p, w, id] = t;
  p.send();
  reactor->unwatch(id);
  runFor(io, 50ms);
  CHECK(w.calls == 0);
}
