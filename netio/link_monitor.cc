#include "netio/link_monitor.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace holdfast::netio {

std::expected<LinkMonitor, std::string> LinkMonitor::open() {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return std::unexpected(std::string("netlink socket: ") + std::strerror(errno));
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups =
      RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int e = errno;
    ::close(fd);
    return std::unexpected(std::string("netlink bind: ") + std::strerror(e));
  }
  // Rule changes have no legacy group bit: joined by number.
  for (int group : {RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE}) {
    if (::setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
      int e = errno;
      ::close(fd);
      return std::unexpected(std::string("netlink rule group: ") + std::strerror(e));
    }
  }
  return LinkMonitor(fd);
}

LinkMonitor::LinkMonitor(LinkMonitor&& o) noexcept : fd_(o.fd_) {
  o.fd_ = -1;
}

LinkMonitor::~LinkMonitor() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<LinkEvent> LinkMonitor::drain() {
  std::vector<LinkEvent> events;
  alignas(nlmsghdr) char buf[16384];
  bool routesGone = false, rulesGone = false;
  for (int round = 0; round < 64; ++round) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == ENOBUFS) {
      // Events were lost: whatever was removed is found again by the next re-add.
      routesGone = rulesGone = true;
      continue;
    }
    if (n <= 0) break;  // EAGAIN: drained. ENOBUFS: events lost; the caller re-reads state.
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == RTM_DELROUTE) {
        routesGone = true;
      } else if (h->nlmsg_type == RTM_DELRULE) {
        rulesGone = true;
      } else if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK) {
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) continue;
        auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(h));
        bool usable = h->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) &&
                      (ifi->ifi_flags & IFF_LOWER_UP);
        events.push_back({LinkEvent::Kind::kLinkChanged, ifi->ifi_index, usable, {}});
      } else if (h->nlmsg_type == RTM_DELADDR || h->nlmsg_type == RTM_NEWADDR) {
        const auto kind = h->nlmsg_type == RTM_NEWADDR ? LinkEvent::Kind::kAddressAdded
                                                       : LinkEvent::Kind::kAddressRemoved;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) continue;
        auto* ifa = static_cast<ifaddrmsg*>(NLMSG_DATA(h));
        int attrLen = static_cast<int>(IFA_PAYLOAD(h));
        for (auto* rta = IFA_RTA(ifa); RTA_OK(rta, attrLen); rta = RTA_NEXT(rta, attrLen)) {
          // IFA_LOCAL is the address itself for IPv4; IPv6 carries only IFA_ADDRESS.
          bool v4 = ifa->ifa_family == AF_INET;
          if ((v4 && rta->rta_type != IFA_LOCAL) || (!v4 && rta->rta_type != IFA_ADDRESS)) continue;
          size_t want = v4 ? 4 : 16;
          if (RTA_PAYLOAD(rta) < want) continue;
          auto* p = static_cast<const uint8_t*>(RTA_DATA(rta));
          IpAddress a = v4 ? IpAddress::v4(std::span<const uint8_t, 4>(p, 4))
                           : IpAddress::v6(std::span<const uint8_t, 16>(p, 16));
          events.push_back({kind, static_cast<int>(ifa->ifa_index), false, a});
        }
      }
    }
  }
  if (routesGone) events.push_back({LinkEvent::Kind::kRoutesRemoved, 0, false, {}});
  if (rulesGone) events.push_back({LinkEvent::Kind::kRulesRemoved, 0, false, {}});
  return events;
}

}  // namespace holdfast::netio
