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

enum { kMaxInstances = 255, kMessage = 12 }; /* 8-byte header + one IPv4 address */

static uint32_t sum16(const uint8_t* p, size_t n, uint32_t s) {
  for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1) s += (uint32_t)(p[n - 1] << 8);
  return s;
}

int main(int argc, char** argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s IFACE SOURCE N INTERVAL_MS PRIO SECONDS\n", argv[0]);
    return 2;
  }
  const char* iface = argv[1];
  struct in_addr src, dst;
  const int n = atoi(argv[3]), interval_ms = atoi(argv[4]), prio = atoi(argv[5]);
  const int seconds = atoi(argv[6]);
  if (inet_pton(AF_INET, argv[2], &src) != 1 || n < 1 || n > kMaxInstances || interval_ms < 10 ||
      prio < 1 || prio > 255 || seconds < 1 || seconds > 3600) {
    fprintf(stderr, "advert_floor: bad arguments\n");
    return 2;
  }
  inet_pton(AF_INET, "224.0.0.18", &dst);

  uint8_t adverts[kMaxInstances][kMessage];
  for (int i = 0; i < n; ++i) {
    uint8_t* m = adverts[i];
    const int cs = interval_ms / 10;
    m[0] = 0x31; /* version 3, type 1 */
    m[1] = (uint8_t)(i + 1);
    m[2] = (uint8_t)prio;
    m[3] = 1;
    m[4] = (uint8_t)((cs >> 8) & 0x0f);
    m[5] = (uint8_t)(cs & 0xff);
    m[6] = m[7] = 0;
    m[8] = 198, m[9] = 51, m[10] = 100, m[11] = (uint8_t)(i + 1);
    uint8_t pseudo[12];
    memcpy(pseudo, &src, 4);
    memcpy(pseudo + 4, &dst, 4);
    pseudo[8] = 0, pseudo[9] = 112, pseudo[10] = 0, pseudo[11] = kMessage;
    uint32_t s = sum16(m, kMessage, sum16(pseudo, sizeof pseudo, 0));
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    const uint16_t c = (uint16_t)~s;
    m[6] = (uint8_t)(c >> 8), m[7] = (uint8_t)(c & 0xff);
  }

  const int fd = socket(AF_INET, SOCK_RAW, 112);
  if (fd < 0) return perror("socket"), 1;
  const int ttl = 255, off = 0;
  struct ip_mreqn via = {.imr_address = src, .imr_ifindex = (int)if_nametoindex(iface)};
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &via, sizeof via) != 0) {
    return perror("setsockopt"), 1;
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst};
  struct iovec iov[kMaxInstances];
  struct mmsghdr msgs[kMaxInstances];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < n; ++i) {
    iov[i] = (struct iovec){.iov_base = adverts[i], .iov_len = kMessage};
    msgs[i].msg_hdr = (struct msghdr){
        .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov[i], .msg_iovlen = 1};
  }

  const int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (tfd < 0) return perror("timerfd_create"), 1;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long step = interval_ms * 1000000LL;
  const long long first = ((now.tv_sec * 1000000000LL + now.tv_nsec) / step + 1) * step;
  struct itimerspec spec = {
      .it_interval = {.tv_sec = step / 1000000000LL, .tv_nsec = step % 1000000000LL},
      .it_value = {.tv_sec = first / 1000000000LL, .tv_nsec = first % 1000000000LL}};
  if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &spec, NULL) != 0) return perror("timerfd"), 1;

  long long sent = 0;
  const long long rounds = seconds * 1000LL / interval_ms; /* bounded */
  for (long long r = 0; r < rounds; ++r) {
    uint64_t expirations;
    if (read(tfd, &expirations, sizeof expirations) != sizeof expirations) break;
    for (int i = 0; i < n;) {
      const int want = n - i < 32 ? n - i : 32;
      const int got = sendmmsg(fd, msgs + i, (unsigned)want, 0);
      if (got <= 0) break;
      sent += got;
      i += got;
    }
  }
  printf("sent %lld\n", sent);
  return 0;
}
