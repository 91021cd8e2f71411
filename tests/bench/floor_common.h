/* What the VRRP floors share (advert_floor.c, backup_floor.c in C, asio_floor.cc in
 * C++): the N VRRPv3 adverts a master sends, the sockets, and a backup's drain of
 * its queue. Plain C that also compiles as C++. Not part of holdfast. */
#ifndef HOLDFAST_BENCH_FLOOR_COMMON_H
#define HOLDFAST_BENCH_FLOOR_COMMON_H

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#ifdef __cplusplus
#define FLOOR_ALIGNAS(t) alignas(t)
#else
#define FLOOR_ALIGNAS(t) _Alignas(t)
#endif

enum { kFloorMaxInstances = 255, kFloorMessage = 12 }; /* 8-byte header + one IPv4 address */
enum { kFloorBatch = 32, kFloorPacket = 4160, kFloorControl = 64 };

static inline long long floor_ns(struct timespec t) {
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static inline uint32_t floor_sum16(const uint8_t* p, size_t n, uint32_t s) {
  for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1) s += (uint32_t)(p[n - 1] << 8);
  return s;
}

/* The N adverts (VRID i, priority PRIO, one VIP 198.51.100.i, the checksum over the
 * pseudo-header, as holdfastd and keepalived send them). */
static inline void floor_build_adverts(uint8_t adverts[][kFloorMessage], int n, struct in_addr src,
                                       int interval_ms, int prio) {
  struct in_addr dst;
  inet_pton(AF_INET, "224.0.0.18", &dst);
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
    pseudo[8] = 0, pseudo[9] = 112, pseudo[10] = 0, pseudo[11] = kFloorMessage;
    uint32_t s = floor_sum16(m, kFloorMessage, floor_sum16(pseudo, sizeof pseudo, 0));
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    const uint16_t c = (uint16_t)~s;
    m[6] = (uint8_t)(c >> 8), m[7] = (uint8_t)(c & 0xff);
  }
}

/* A master's raw socket (protocol 112, TTL 255, no loop, out of IFACE from SRC) and one
 * message a advert to 224.0.0.18 in MSGS; -1 (errno printed) when it cannot. */
static inline int floor_master_socket(const char* iface, struct in_addr src,
                                      uint8_t adverts[][kFloorMessage], int n,
                                      struct sockaddr_in* to, struct iovec* iov,
                                      struct mmsghdr* msgs) {
  const int fd = socket(AF_INET, SOCK_RAW, 112);
  if (fd < 0) return perror("socket"), -1;
  const int ttl = 255, off = 0;
  struct ip_mreqn via;
  memset(&via, 0, sizeof via);
  via.imr_address = src;
  via.imr_ifindex = (int)if_nametoindex(iface);
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &via, sizeof via) != 0) {
    return perror("setsockopt"), -1;
  }
  memset(to, 0, sizeof *to);
  to->sin_family = AF_INET;
  inet_pton(AF_INET, "224.0.0.18", &to->sin_addr);
  memset(msgs, 0, sizeof *msgs * (size_t)n);
  for (int i = 0; i < n; ++i) {
    iov[i].iov_base = adverts[i];
    iov[i].iov_len = kFloorMessage;
    msgs[i].msg_hdr.msg_name = to;
    msgs[i].msg_hdr.msg_namelen = sizeof *to;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  return fd;
}

/* One wake-up's adverts to the kernel, 32 a sendmmsg, as holdfastd hands them over. */
static inline long long floor_send_all(int fd, struct mmsghdr* msgs, int n) {
  long long sent = 0;
  for (int i = 0; i < n;) {
    const int want = n - i < kFloorBatch ? n - i : kFloorBatch;
    const int got = sendmmsg(fd, msgs + i, (unsigned)want, 0);
    if (got <= 0) break;
    sent += got;
    i += got;
  }
  return sent;
}

/* A backup's raw socket: protocol 112, non-blocking, bound to IFACE and joined to
 * 224.0.0.18 there, with SO_TIMESTAMPNS. -1 (errno printed) when it cannot. */
static inline int floor_backup_socket(const char* iface) {
  const int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, 112);
  if (fd < 0) return perror("socket"), -1;
  struct ip_mreqn join;
  memset(&join, 0, sizeof join);
  join.imr_ifindex = (int)if_nametoindex(iface);
  inet_pton(AF_INET, "224.0.0.18", &join.imr_multiaddr);
  const int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface)) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
    return perror("setsockopt"), -1;
  }
  return fd;
}

/* A backup's receive buffers: kFloorBatch packets with their control data. */
struct floor_rx {
  uint8_t data[kFloorBatch][kFloorPacket];
  FLOOR_ALIGNAS(struct cmsghdr) uint8_t control[kFloorBatch][kFloorControl];
  struct iovec iov[kFloorBatch];
  struct mmsghdr msgs[kFloorBatch];
};

static inline void floor_rx_init(struct floor_rx* rx) {
  memset(rx->msgs, 0, sizeof rx->msgs);
  for (int i = 0; i < kFloorBatch; ++i) {
    rx->iov[i].iov_base = rx->data[i];
    rx->iov[i].iov_len = kFloorPacket;
    rx->msgs[i].msg_hdr.msg_iov = &rx->iov[i];
    rx->msgs[i].msg_hdr.msg_iovlen = 1;
    rx->msgs[i].msg_hdr.msg_control = rx->control[i];
  }
}

/* Empties the queue (recvmmsg, 32 a call, at most 1,000 calls: a flood cannot hold it)
 * and returns the newest kernel time stamp (CLOCK_REALTIME ns, 0 if none); *count
 * grows by the packets read. */
static inline long long floor_drain(int fd, struct floor_rx* rx, long long* count) {
  long long newest = 0;
  for (int calls = 0; calls < 1000; ++calls) {
    /* The kernel wrote back how much control data each message got. */
    for (int i = 0; i < kFloorBatch; ++i) rx->msgs[i].msg_hdr.msg_controllen = kFloorControl;
    const int got = recvmmsg(fd, rx->msgs, kFloorBatch, MSG_DONTWAIT, NULL);
    if (got <= 0) break;
    *count += got;
    for (int i = 0; i < got; ++i) {
      for (struct cmsghdr* c = CMSG_FIRSTHDR(&rx->msgs[i].msg_hdr); c;
           c = CMSG_NXTHDR(&rx->msgs[i].msg_hdr, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          struct timespec t;
          memcpy(&t, CMSG_DATA(c), sizeof t);
          if (floor_ns(t) > newest) newest = floor_ns(t);
        }
      }
    }
    if (got < kFloorBatch) break;
  }
  return newest;
}

#endif
