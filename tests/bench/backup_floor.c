/* The kernel's floor for a VRRP backup: the fewest system calls that take in N
 * instances' adverts. One raw IPv4 socket (protocol 112) joined to 224.0.0.18 on
 * IFACE, one periodic timerfd every WAKE_MS (a backup must look at least once per
 * Master_Down_Interval: 3 advert intervals and the skew), and per wake-up one read
 * of the timerfd and recvmmsg, 32 packets a call, until the queue is empty. No
 * decoding, no state machine, no timers per instance: what is left is the kernel's
 * cost of a wake-up and of handing the packets over, the yardstick vrrp_cost.sh
 * prints beside both daemons' backups. Built by vrrp_cost.sh with cc; not part of
 * holdfast. Runs SECONDS, then prints how many packets it read and exits.
 *
 * Usage: backup_floor IFACE WAKE_MS SECONDS
 */
#define _GNU_SOURCE /* recvmmsg */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

enum { kBatch = 32, kPacket = 4160 };

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s IFACE WAKE_MS SECONDS\n", argv[0]);
    return 2;
  }
  const int wake_ms = atoi(argv[2]), seconds = atoi(argv[3]);
  const int ifindex = (int)if_nametoindex(argv[1]);
  if (ifindex == 0 || wake_ms < 10 || seconds < 1 || seconds > 3600) {
    fprintf(stderr, "backup_floor: bad arguments\n");
    return 2;
  }
  const int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, 112);
  if (fd < 0) return perror("socket"), 1;
  struct ip_mreqn join = {.imr_ifindex = ifindex};
  inet_pton(AF_INET, "224.0.0.18", &join.imr_multiaddr);
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, argv[1], (socklen_t)strlen(argv[1])) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join) != 0) {
    return perror("setsockopt"), 1;
  }
  static uint8_t data[kBatch][kPacket];
  struct iovec iov[kBatch];
  struct mmsghdr msgs[kBatch];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < kBatch; ++i) {
    iov[i] = (struct iovec){.iov_base = data[i], .iov_len = kPacket};
    msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
  }

  const int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (tfd < 0) return perror("timerfd_create"), 1;
  const long long step = wake_ms * 1000000LL;
  struct itimerspec spec = {
      .it_interval = {.tv_sec = step / 1000000000LL, .tv_nsec = step % 1000000000LL},
      .it_value = {.tv_sec = step / 1000000000LL, .tv_nsec = step % 1000000000LL}};
  if (timerfd_settime(tfd, 0, &spec, NULL) != 0) return perror("timerfd"), 1;

  long long read_total = 0;
  const long long rounds = seconds * 1000LL / wake_ms; /* bounded */
  for (long long r = 0; r < rounds; ++r) {
    uint64_t expirations;
    if (read(tfd, &expirations, sizeof expirations) != sizeof expirations) break;
    for (int calls = 0; calls < 1000; ++calls) { /* bounded: a flood cannot hold it */
      const int got = recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, NULL);
      if (got <= 0) break;
      read_total += got;
      if (got < kBatch) break;
    }
  }
  printf("read %lld\n", read_total);
  return 0;
}
