#pragma once
// The routine filter: an eBPF socket filter on a VRRP socket that counts, in the
// kernel, the adverts a backup's master repeats, and drops them. A backup then
// neither wakes for them nor reads them: when it needs them (a Master_Down_Timer
// falling due, a report) it reads from shared memory how many arrived and when the
// newest did, and hands on the one advert they all equal, with that count and time.
//
// Per VRID, user space writes the routine advert's image (what the packet must be,
// from its IP header on, byte by byte under a mask: the varying IP ID and checksum
// are masked out, TTL, addresses and every VRRP byte are not) into an array map the
// process has memory-mapped (BPF_F_MMAPABLE); the program compares each packet with
// its VRID's image, and on a match stores bpf_ktime_get_ns() (CLOCK_MONOTONIC, the
// clock of std::chrono::steady_clock) and adds one to a count. Every other packet
// is queued on the socket as without a filter. A sequence word (odd while user
// space writes an image) keeps a half-written image from matching.

#include <linux/bpf.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "netio/ip_address.h"

namespace holdfast::netio {

// The longest routine advert from its IP header on: an IPv6 advert of up to 9
// addresses, an IPv4 one of up to 41. A longer one is read as any other packet.
inline constexpr size_t kRoutineImageBytes = 192;

struct RoutineImage {
  uint32_t length = 0;  // bytes from the IP header on
  std::array<uint8_t, kRoutineImageBytes> mask{};
  std::array<uint8_t, kRoutineImageBytes> value{};
  bool operator==(const RoutineImage&) const = default;
};

// The image of a received advert (as VrrpSocket hands it on: addresses, TTL / hop
// limit, VRRP message); none when it is longer than kRoutineImageBytes.
std::optional<RoutineImage> routineImage(Family family, const IpAddress& source,
                                         const IpAddress& destination, int ttl,
                                         std::span<const uint8_t> message);

// The program over `mapFd`, a RoutineFilter's array.
std::vector<bpf_insn> routineProgram(Family family, int mapFd);

class RoutineFilter {
 public:
  static constexpr uint32_t kEntries = 256;  // one per VRID

  // Creates the map and loads the program; an error text when the kernel refuses
  // (no CAP_BPF or CAP_SYS_ADMIN, no eBPF).
  static std::expected<RoutineFilter, std::string> open(Family family);
  RoutineFilter(RoutineFilter&& o) noexcept;
  RoutineFilter& operator=(RoutineFilter&&) = delete;
  ~RoutineFilter();

  int programFd() const { return programFd_; }
  // The map's value (layout shared with the program).
  struct Entry;

  // From now on, packets for `vrid` equal to `image` are counted and dropped.
  void set(uint8_t vrid, const RoutineImage& image);
  // From now on, none are.
  void clear(uint8_t vrid);

  struct Tally {
    uint64_t count = 0;                              // matches since open()
    std::chrono::steady_clock::time_point newest{};  // the last match's arrival
  };
  Tally tally(uint8_t vrid) const;

  // Runs the program once over `frame` (an Ethernet frame) as BPF_PROG_TEST_RUN
  // does: what it returned (0: dropped), or an error text. For tests.
  std::expected<uint32_t, std::string> run(std::span<const uint8_t> frame) const;

 private:
  RoutineFilter(int mapFd, int programFd, void* memory);
  Entry& entry(uint8_t vrid) const;

  int mapFd_ = -1;
  int programFd_ = -1;
  void* memory_ = nullptr;
};

}  // namespace holdfast::netio
