/* The kernel's floor for a VRRP master: the fewest system calls that send N
 * instances' adverts every INTERVAL_MS, with nothing else. One raw IPv4 socket
 * (protocol 112, TTL 255, to 224.0.0.18 on IFACE), the N VRRPv3 adverts built
 * once (VRID i, priority PRIO, one VIP 198.51.100.i, the checksum over the
 * pseudo-header, as holdfastd and keepalived send them), one absolute timerfd
 * on multiples of the interval (as holdfastd aligns its adverts), and per
 * wake-up one read of the timerfd and one sendmmsg of the N adverts (32 a call,
 * as holdfastd hands over a wake-up's adverts). No state machine, no timers per
 * instance, no logging: what is left is the kernel's own cost of a wake-up and
 * of sending (with, in the lab, the receivers' softirq work that veth runs on
 * the sender's CPU), the yardstick vrrp_cost.sh prints beside both daemons.
 * Built by vrrp_cost.sh with cc; not part of holdfast. Runs SECONDS, then exits.
 *
 * Usage: advert_floor IFACE SOURCE N INTERVAL_MS PRIO SECONDS
 */
#define _GNU_SOURCE /* sendmmsg */
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "floor_common.h"

int main(int argc, char** argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s IFACE SOURCE N INTERVAL_MS PRIO SECONDS\n", argv[0]);
    return 2;
  }
  struct in_addr src;
  const int n = atoi(argv[3]), interval_ms = atoi(argv[4]), prio = atoi(argv[5]);
  const int seconds = atoi(argv[6]);
  if (inet_pton(AF_INET, argv[2], &src) != 1 || n < 1 || n > kFloorMaxInstances || interval_ms < 10 ||
      prio < 1 || prio > 255 || seconds < 1 || seconds > 3600) {
    fprintf(stderr, "advert_floor: bad arguments\n");
    return 2;
  }
  static uint8_t adverts[kFloorMaxInstances][kFloorMessage];
  floor_build_adverts(adverts, n, src, interval_ms, prio);
  struct sockaddr_in to;
  static struct iovec iov[kFloorMaxInstances];
  static struct mmsghdr msgs[kFloorMaxInstances];
  const int fd = floor_master_socket(argv[1], src, adverts, n, &to, iov, msgs);
  if (fd < 0) return 1;

  const int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (tfd < 0) return perror("timerfd_create"), 1;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long step = interval_ms * 1000000LL;
  const long long first = (floor_ns(now) / step + 1) * step;
  struct itimerspec spec = {
      .it_interval = {.tv_sec = step / 1000000000LL, .tv_nsec = step % 1000000000LL},
      .it_value = {.tv_sec = first / 1000000000LL, .tv_nsec = first % 1000000000LL}};
  if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &spec, NULL) != 0) return perror("timerfd"), 1;

  long long sent = 0;
  const long long rounds = seconds * 1000LL / interval_ms; /* bounded */
  for (long long r = 0; r < rounds; ++r) {
    uint64_t expirations;
    if (read(tfd, &expirations, sizeof expirations) != sizeof expirations) break;
    sent += floor_send_all(fd, msgs, n);
  }
  printf("sent %lld\n", sent);
  return 0;
}
