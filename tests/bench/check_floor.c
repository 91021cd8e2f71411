/* The kernel's floor for a health check: the fewest system calls one probe can
 * take, with nothing else. N backends at 127.1.x.y:PORT (as checks.sh lays
 * them out), each probed once a second on one epoll loop (starts on a 4 ms
 * grid, as holdfastd's, so probes due together share a wake-up): socket (non-blocking),
 * connect, one edge-triggered registration for both directions, for HTTP one
 * send of a fixed GET and one recv of the reply (a reply must start with
 * "HTTP/1.1 200"), then SO_LINGER 0 and close (a reset, as holdfastd and
 * haproxy close). No parser, no timers per probe, no logging: what is left is
 * the kernel's own cost of a connection, the yardstick checks.sh prints beside
 * both daemons. Built by checks.sh with cc; not part of holdfast.
 *
 * Usage: check_floor N tcp|http PORT   (runs until killed; prints counts on SIGTERM)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_term(int s) {
  (void)s;
  stop = 1;
}

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

struct probe {
  int fd;
  int sent;
  long long due;
  struct sockaddr_in to;
};

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s N tcp|http PORT\n", argv[0]);
    return 2;
  }
  const int n = atoi(argv[1]);
  const int http = strcmp(argv[2], "http") == 0;
  const int port = atoi(argv[3]);
  static const char req[] = "GET /health HTTP/1.1\r\nHost: floor\r\n\r\n";
  struct probe* p = calloc((size_t)n, sizeof *p);
  const long long start = now_ms();
  for (int i = 0; i < n; ++i) {
    p[i].fd = -1;
    /* On a 4 ms grid, as holdfastd starts its probes: a few share a wake-up. */
    p[i].due = start + ((long long)i * 1000 / n + 3) / 4 * 4;
    p[i].to.sin_family = AF_INET;
    p[i].to.sin_port = htons((unsigned short)port);
    char a[32];
    snprintf(a, sizeof a, "127.1.%d.%d", i / 250, i % 250 + 1);
    inet_pton(AF_INET, a, &p[i].to.sin_addr);
  }
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  const int ep = epoll_create1(0);
  long ok = 0, failed = 0;
  const struct linger rst = {1, 0};
  struct epoll_event ev[256];
  int next = 0; /* probes are due in index order, round and round */
  while (!stop) {
    long long t = now_ms();
    while (p[next].due <= t) {
      struct probe* q = &p[next];
      if (q->fd < 0) {
        q->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        q->sent = 0;
        if (connect(q->fd, (struct sockaddr*)&q->to, sizeof q->to) != 0 && errno != EINPROGRESS) {
          close(q->fd), q->fd = -1, ++failed;
        } else {
          struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLET,
                                  .data.u32 = (unsigned)next};
          epoll_ctl(ep, EPOLL_CTL_ADD, q->fd, &e);
        }
      }
      q->due += 1000;
      next = (next + 1) % n;
    }
    int wait = (int)(p[next].due - now_ms());
    int got = epoll_wait(ep, ev, 256, wait < 0 ? 0 : wait);
    for (int k = 0; k < got; ++k) {
      struct probe* q = &p[ev[k].data.u32];
      if (q->fd < 0) continue;
      int done = 0, good = 0;
      if (ev[k].events & (EPOLLERR | EPOLLHUP)) {
        done = 1;
      } else if (!http) {
        done = good = 1;
      } else if (!q->sent && (ev[k].events & EPOLLOUT)) {
        q->sent = send(q->fd, req, sizeof req - 1, MSG_NOSIGNAL) > 0;
        if (!q->sent) done = 1;
      } else if (ev[k].events & EPOLLIN) {
        char buf[4096];
        ssize_t r = recv(q->fd, buf, sizeof buf, 0);
        done = 1;
        good = r >= 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0;
      }
      if (done) {
        setsockopt(q->fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
        close(q->fd);
        q->fd = -1;
        good ? ++ok : ++failed;
      }
    }
  }
  printf("check_floor: %ld ok, %ld failed\n", ok, failed);
  return 0;
}
