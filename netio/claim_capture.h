#pragma once
// A live libpcap capture of the frames that can claim an address on one interface:
// ARP but for probes, and ICMPv6 neighbour advertisements. Incoming frames only, so that our own
// probes and announcements are not seen (PACKET_IGNORE_OUTGOING: the kernel does
// not even copy them to the capture). Non-blocking, in immediate mode: the caller
// polls fd() and drains. The frames are decoded elsewhere (vrrp/address_claims.h).

#include <cstdint>
#include <expected>
#include <functional>
#include <span>
#include <string>

struct pcap;

namespace holdfast::netio {

class ClaimCapture {
 public:
  // The BPF filter. On a VLAN's parent interface, the VLAN's tagged frames match it
  // too: Linux strips the tag before the filter runs, and libpcap puts it back into
  // the frame delivered (checked in the lab); the caller tells them by their tag.
  // ip6[40] is the ICMPv6 type when no extension header precedes it, as in every
  // neighbour advertisement seen in practice. arp[14:4] is the ARP sender's IPv4
  // address: 0.0.0.0 is a probe (RFC 5227 2.1.1), which claims nothing and stays in
  // the kernel, so that a master's split-brain probes (every 2 s or so, one per VIP)
  // do not wake every other node's loop to be read and thrown away.
  static constexpr const char* kFilter = "(arp and arp[14:4] != 0) or (icmp6 and ip6[40] == 136)";
  // Enough for an NA with its options behind an 802.1Q tag (90 bytes).
  static constexpr int kSnapLength = 128;

  static std::expected<ClaimCapture, std::string> open(const std::string& interface);
  ClaimCapture(ClaimCapture&& o) noexcept;
  ClaimCapture& operator=(ClaimCapture&&) = delete;
  ~ClaimCapture();

  // Readable when frames are waiting.
  int fd() const { return fd_; }

  // Hands each waiting frame to `onFrame`, at most `bound` of them; the span is valid
  // during the call only. Returns how many were handed on, or the capture's error
  // text (the interface was deleted, ...; down and up again is no error).
  using OnFrame = std::function<void(std::span<const uint8_t> frame)>;
  std::expected<int, std::string> drain(const OnFrame& onFrame, int bound);

  // Frames the kernel dropped because the capture buffer was full (pcap_stats).
  uint64_t kernelDrops() const;

 private:
  ClaimCapture(pcap* p, int fd) : p_(p), fd_(fd) {}
  pcap* p_ = nullptr;
  int fd_ = -1;
};

}  // namespace holdfast::netio
