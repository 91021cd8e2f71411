#pragma once
// Address claims: frames in which a machine says "this IP address is at my MAC", the
// evidence of a split brain (another machine holding one of our virtual addresses
// while VRRP between us is filtered). Pure builders of the probes a master sends to
// ask who holds a VIP, and a decoder of the answers and announcements seen on the
// wire. Which claims are conflicts is the caller's business.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vrrp/advert.h"

namespace holdfast::vrrp {

// The ARP probe (RFC 5227 2.1.1) for IPv4 `vip`, without Ethernet header: an ARP
// request from `ours` with sender protocol address 0.0.0.0 and target `vip`. A Linux
// host that has `vip` on the interface the probe arrives on answers with a unicast
// ARP reply from its MAC (unless its arp_ignore is 8); one that has it on another
// interface answers only with arp_ignore 0. The 0.0.0.0 sender keeps every host
// from learning anything from the probe itself.
std::vector<uint8_t> arpProbe(const MacAddress& ours, const IpAddress& vip);

// The ICMPv6 neighbour solicitation (RFC 4861 4.3, type 135) for IPv6 `vip`, with a
// source link-layer address option `ours`. The checksum field is left 0: the kernel
// fills it in for ICMPv6 raw sockets. Send it with hop limit 255 from a link-local
// address to solicitedNodeMulticast(vip); a host that has `vip` answers with a
// solicited neighbour advertisement.
std::vector<uint8_t> neighbourSolicitation(const MacAddress& ours, const IpAddress& vip);

// ff02::1:ffXX:XXXX, the last 24 bits of IPv6 `vip` (RFC 4291 2.7.1).
IpAddress solicitedNodeMulticast(const IpAddress& vip);

enum class ClaimKind : uint8_t {
  kArpReply,                    // ARP reply (an answer to a probe or a request)
  kGratuitousArp,               // ARP request or reply with sender IP == target IP
  kArpRequest,                  // the sender address of an ordinary ARP request
  kNeighbourAdvert,             // solicited NA (an answer to a solicitation)
  kUnsolicitedNeighbourAdvert,  // NA without the Solicited flag (an announcement)
};
// "arp_reply", "gratuitous_arp", "arp_request", "na", "unsolicited_na".
const char* toString(ClaimKind k);

struct AddressClaim {
  IpAddress address;  // the address claimed
  MacAddress mac;     // by this link-layer address
  ClaimKind kind = ClaimKind::kArpReply;
  // The frame's 802.1Q VLAN ID; 0 when untagged (or priority-tagged, which is the
  // untagged network too). A capture on a VLAN's parent interface sees that VLAN's
  // frames with their tag (Linux strips it before the capture filter and libpcap
  // puts it back): a claim there is made in another broadcast domain.
  uint16_t vlan = 0;

  bool operator==(const AddressClaim&) const = default;
};

// The claim a whole Ethernet frame (at most one 802.1Q tag) makes, if any:
// - ARP request or reply (Ethernet/IPv4): the sender protocol address at the sender
//   hardware address. Sender 0.0.0.0 (a probe, RFC 5227) claims nothing.
// - ICMPv6 neighbour advertisement (RFC 4861 4.4) that passes the checks of 7.1.2
//   (hop limit 255, code 0, target not multicast, Solicited clear when sent to
//   multicast, no zero-length option; the checksum is not verified): the target
//   address at the target link-layer address option's MAC, or the Ethernet source
//   without the option.
// Anything else, or a frame that is truncated (the whole IPv6 payload must be there),
// malformed, or claims for a multicast or zero MAC: nullopt. Never reads past
// `ethernetFrame`.
std::optional<AddressClaim> decodeClaim(std::span<const uint8_t> ethernetFrame);

}  // namespace holdfast::vrrp
