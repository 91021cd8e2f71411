/* The kernel's floor for a VRRP backup: the fewest system calls that take in N
 * instances' adverts and still notice a silent master in time. One raw IPv4 socket
 * (protocol 112) joined to 224.0.0.18 on IFACE, with SO_TIMESTAMPNS, and one timerfd
 * on CLOCK_REALTIME. Master_Down_Timer must fire DOWN_MS (Master_Down_Interval:
 * 3 advert intervals and the skew) after the newest advert, so the program sleeps
 * until then and no longer: per wake-up one read of the timerfd, recvmmsg, 32
 * packets a call, until the queue is empty, and one timerfd_settime to the newest
 * packet's kernel time stamp + DOWN_MS. With a master on a 100 ms grid that is a
 * wake-up every 300 ms, as for any backup that reads its adverts lazily. No
 * decoding, no state machine, no timers per instance: what is left is the kernel's
 * cost of a wake-up and of handing the packets over, the yardstick vrrp_cost.sh
 * prints beside both daemons' backups. Built by vrrp_cost.sh with cc; not part of
 * holdfast. Runs SECONDS, then prints how many packets it read and in how many
 * wake-ups, and exits.
 *
 * Usage: backup_floor IFACE DOWN_MS SECONDS
 *        backup_floor --wake-only PERIOD_MS SECONDS
 *
 * With --wake-only PERIOD_MS SECONDS it reads nothing and only wakes every
 * PERIOD_MS (a periodic timerfd, one read a wake-up): what the wake-ups alone cost,
 * the part of the floor no program that must look at its queue can avoid.
 */
#define _GNU_SOURCE /* recvmmsg */
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "floor_common.h"

static int wake_only(int period_ms, int seconds) {
  const int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (tfd < 0) return perror("timerfd_create"), 1;
  const struct timespec period = {.tv_sec = period_ms / 1000, .tv_nsec = period_ms % 1000 * 1000000L};
  const struct itimerspec every = {.it_interval = period, .it_value = period};
  if (timerfd_settime(tfd, 0, &every, NULL) != 0) return perror("timerfd"), 1;
  long long wakes = 0;
  for (long long end = seconds * 1000LL / period_ms; wakes < end; ++wakes) { /* bounded */
    uint64_t expirations;
    if (read(tfd, &expirations, sizeof expirations) != sizeof expirations) break;
  }
  printf("woke %lld times\n", wakes);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "--wake-only") == 0) {
    const int period_ms = atoi(argv[2]), seconds = atoi(argv[3]);
    if (period_ms < 10 || seconds < 1 || seconds > 3600) {
      fprintf(stderr, "backup_floor: bad arguments\n");
      return 2;
    }
    return wake_only(period_ms, seconds);
  }
  if (argc != 4) {
    fprintf(stderr, "usage: %s IFACE DOWN_MS SECONDS\n", argv[0]);
    return 2;
  }
  const int down_ms = atoi(argv[2]), seconds = atoi(argv[3]);
  const int ifindex = (int)if_nametoindex(argv[1]);
  if (ifindex == 0 || down_ms < 10 || seconds < 1 || seconds > 3600) {
    fprintf(stderr, "backup_floor: bad arguments\n");
    return 2;
  }
  const int fd = floor_backup_socket(argv[1]);
  if (fd < 0) return 1;
  static struct floor_rx rx;
  floor_rx_init(&rx);

  const int tfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
  if (tfd < 0) return perror("timerfd_create"), 1;
  const long long down = down_ms * 1000000LL;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  const long long end = floor_ns(now) + seconds * 1000000000LL;
  long long deadline = floor_ns(now) + down, read_total = 0, wakes = 0;

  for (long long round = 0; round < seconds * 1000LL; ++round) { /* bounded */
    struct itimerspec at = {.it_value = {.tv_sec = deadline / 1000000000LL,
                                         .tv_nsec = deadline % 1000000000LL}};
    if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &at, NULL) != 0) return perror("timerfd"), 1;
    uint64_t expirations;
    if (read(tfd, &expirations, sizeof expirations) != sizeof expirations) break;
    ++wakes;
    const long long newest = floor_drain(fd, &rx, &read_total);
    clock_gettime(CLOCK_REALTIME, &now);
    if (floor_ns(now) >= end) break;
    /* Silent master: a real backup would take over here; the floor just looks again. */
    deadline = (newest ? newest : floor_ns(now)) + down;
    if (deadline <= floor_ns(now)) deadline = floor_ns(now) + down;
  }
  printf("read %lld in %lld wake-ups\n", read_total, wakes);
  return 0;
}
