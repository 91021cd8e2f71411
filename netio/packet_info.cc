#include "netio/packet_info.h"

#include <netinet/in.h>

#include <cstring>

namespace holdfast::netio {

void setPacketInfo(msghdr& msg, char* control, int ifindex, const IpAddress& source) {
  static_assert(CMSG_SPACE(sizeof(in6_pktinfo)) <= kPacketInfoSpace);
  static_assert(CMSG_SPACE(sizeof(in_pktinfo)) <= kPacketInfoSpace);
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
}

}  // namespace holdfast::netio
