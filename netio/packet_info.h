#pragma once
// Ancillary data that picks the source address and interface of one outgoing packet
// (IP_PKTINFO / IPV6_PKTINFO), shared by the VRRP socket and the NA sender.

#include <sys/socket.h>

#include "netio/ip_address.h"

namespace holdfast::netio {

// Room for either kind of packet info.
inline constexpr size_t kPacketInfoSpace = 64;

// Points `msg` at `control` (kPacketInfoSpace bytes, cmsghdr-aligned) holding the
// packet info for `source` on `ifindex`, of `source`'s family, and the TTL / hop
// limit `ttl` when it is not negative (the socket's own otherwise).
void setPacketInfo(msghdr& msg, char* control, int ifindex, const IpAddress& source, int ttl = -1);

}  // namespace holdfast::netio
