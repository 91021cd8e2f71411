#include "netio/packet_info.h"

#include <netinet/in.h>

#include <cstring>

namespace holdfast::netio {

void setPacketInfo(msghdr& msg, char* control, int ifindex, const IpAddress& source, int ttl) {
  static_assert(CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int)) <= kPacketInfoSpace);
  static_assert(CMSG_SPACE(sizeof(in_pktinfo)) + CMSG_SPACE(sizeof(int)) <= kPacketInfoSpace);
  std::memset(control, 0, kPacketInfoSpace);
  msg.msg_control = control;
  cmsghdr* c;
  if (source.family == Family::kIPv4) {
    msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo pi{};
    pi.ipi_ifindex = ifindex;
    std::memcpy(&pi.ipi_spec_dst, source.bytes.data(), 4);
    std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
  } else {
    msg.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    in6_pktinfo pi{};
    pi.ipi6_ifindex = static_cast<unsigned>(ifindex);
    std::memcpy(&pi.ipi6_addr, source.bytes.data(), 16);
    std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
  }
  if (ttl < 0) return;
  // IP_TTL / IPV6_HOPLIMIT as ancillary data: one send's TTL on a shared socket.
  msg.msg_controllen += CMSG_SPACE(sizeof(int));
  c = CMSG_NXTHDR(&msg, c);
  c->cmsg_level = source.family == Family::kIPv4 ? IPPROTO_IP : IPPROTO_IPV6;
  c->cmsg_type = source.family == Family::kIPv4 ? IP_TTL : IPV6_HOPLIMIT;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &ttl, sizeof ttl);
}

}  // namespace holdfast::netio
