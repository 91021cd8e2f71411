// The floors of advert_floor.c and backup_floor.c run on Boost.Asio's event loop, as
// holdfastd's VRRP thread runs: one io_context (default concurrency hint, as
// netio/event_loop.h has it) and one steady_timer, and nothing of holdfast's. A master
// sends the N adverts on the same aligned grid (expires_at the next multiple of the
// interval, then one sendmmsg of the wake-up's adverts); a backup sleeps until
// Master_Down_Interval after the newest advert's kernel time stamp and drains its
// queue with recvmmsg when the timer fires (its socket is not on the reactor: no
// wake-up per advert, as holdfastd's routine adverts wake nobody). What is left
// above the C floors is the event loop's own cost per wake-up (epoll_wait, asio's
// timerfd re-armed after the expiry and for the new deadline, its scheduler and
// timer queue), the yardstick vrrp_cost.sh prints as "asio floor". Built by
// vrrp_cost.sh with g++; not part of holdfast. Runs SECONDS, then exits.
//
// Usage: asio_floor master IFACE SOURCE N INTERVAL_MS PRIO SECONDS
//        asio_floor backup IFACE DOWN_MS SECONDS
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "floor_common.h"

namespace {

using Clock = std::chrono::steady_clock;

int master(char** argv) {
  in_addr src{};
  const int n = std::atoi(argv[2]), interval_ms = std::atoi(argv[3]), prio = std::atoi(argv[4]);
  const int seconds = std::atoi(argv[5]);
  if (inet_pton(AF_INET, argv[1], &src) != 1 || n < 1 || n > kFloorMaxInstances ||
      interval_ms < 10 || prio < 1 || prio > 255 || seconds < 1 || seconds > 3600) {
    std::fprintf(stderr, "asio_floor: bad arguments\n");
    return 2;
  }
  static uint8_t adverts[kFloorMaxInstances][kFloorMessage];
  floor_build_adverts(adverts, n, src, interval_ms, prio);
  sockaddr_in to{};
  static iovec iov[kFloorMaxInstances];
  static mmsghdr msgs[kFloorMaxInstances];
  const int fd = floor_master_socket(argv[0], src, adverts, n, &to, iov, msgs);
  if (fd < 0) return 1;

  boost::asio::io_context io;
  boost::asio::steady_timer timer(io);
  const auto step = std::chrono::milliseconds(interval_ms);
  const auto now = Clock::now().time_since_epoch();
  timer.expires_at(Clock::time_point((now / step + 1) * step));
  long long sent = 0, rounds = seconds * 1000LL / interval_ms;  // bounded
  std::function<void(const boost::system::error_code&)> fire =
      [&](const boost::system::error_code& ec) {
        if (ec || rounds-- <= 0) return;
        sent += floor_send_all(fd, msgs, n);
        timer.expires_at(timer.expiry() + step);
        timer.async_wait(fire);
      };
  timer.async_wait(fire);
  io.run();
  std::printf("sent %lld\n", sent);
  return 0;
}

int backup(char** argv) {
  const int down_ms = std::atoi(argv[1]), seconds = std::atoi(argv[2]);
  if (if_nametoindex(argv[0]) == 0 || down_ms < 10 || seconds < 1 || seconds > 3600) {
    std::fprintf(stderr, "asio_floor: bad arguments\n");
    return 2;
  }
  const int fd = floor_backup_socket(argv[0]);
  if (fd < 0) return 1;
  static floor_rx rx;
  floor_rx_init(&rx);

  boost::asio::io_context io;
  boost::asio::steady_timer timer(io);
  const auto down = std::chrono::milliseconds(down_ms);
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  long long read_total = 0, wakes = 0;
  std::function<void(const boost::system::error_code&)> fire =
      [&](const boost::system::error_code& ec) {
        if (ec) return;
        ++wakes;
        const long long newest = floor_drain(fd, &rx, &read_total);
        const auto now = Clock::now();
        if (now >= end) return;
        // The stamp is CLOCK_REALTIME; the timer runs on the monotonic clock.
        auto next = now + down;
        if (newest != 0) {
          timespec real{};
          clock_gettime(CLOCK_REALTIME, &real);
          next -= std::chrono::nanoseconds(floor_ns(real) - newest);
          if (next <= now) next = now + down;  // silent master: the floor just looks again
        }
        timer.expires_at(next);
        timer.async_wait(fire);
      };
  timer.expires_after(down);
  timer.async_wait(fire);
  io.run();
  std::printf("read %lld in %lld wake-ups\n", read_total, wakes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 8 && std::strcmp(argv[1], "master") == 0) return master(argv + 2);
  if (argc == 5 && std::strcmp(argv[1], "backup") == 0) return backup(argv + 2);
  std::fprintf(stderr,
               "usage: %s master IFACE SOURCE N INTERVAL_MS PRIO SECONDS\n"
               "       %s backup IFACE DOWN_MS SECONDS\n",
               argv[0], argv[0]);
  return 2;
}
