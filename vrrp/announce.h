#pragma once
// Gratuitous ARP (RFC 5227 announcement form) and unsolicited neighbour
// advertisement (RFC 4861 7.2.6) frames that a new master sends so that hosts and
// switches learn where the virtual addresses now live. Pure builders.

#include <array>
#include <cstdint>
#include <vector>

#include "vrrp/advert.h"

namespace holdfast::vrrp {

// The ARP packet (without Ethernet header) announcing `address` at `mac`: an ARP
// request with sender and target protocol address both `address`.
std::vector<uint8_t> gratuitousArp(const MacAddress& mac, const IpAddress& address);

// The ICMPv6 neighbour advertisement body (type 136) for `address` at `mac`, with
// the Override flag and a target link-layer address option. The checksum field is
// left 0: the kernel fills it in for ICMPv6 raw sockets.
std::vector<uint8_t> unsolicitedNeighbourAdvert(const MacAddress& mac, const IpAddress& address);

}  // namespace holdfast::vrrp
