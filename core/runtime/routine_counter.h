#pragma once
// A VRRP socket's routine filter (netio/routine_filter.h) seen from the reader: per
// VRID, the advert an instance last honoured, the image of it the kernel counts
// while it is the routine one, and how many of the kernel's matches were handed on.
//
// A counted advert is handed on as the advert it equals, with the number that came
// since the last hand-over and the newest one's arrival: its only effect on a
// backup, re-arming Master_Down_Timer from that arrival, is the newest's, as if
// each had been read (vrrp::StateMachine::routinePriority).

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/runtime/kernel.h"
#include "netio/routine_filter.h"
#include "netio/vrrp_socket.h"

namespace holdfast::runtime {

class RoutineCounter {
 public:
  using Deliver = std::function<void(const netio::ReceivedPacket&, TimePoint, uint64_t copies)>;

  // The filter's program and map; an error text when the kernel refuses them.
  static std::expected<std::unique_ptr<RoutineCounter>, std::string> open(netio::Family family);

  int programFd() const { return filter_.programFd(); }

  // `p` passed its instance's checks: counted once its priority is the routine one.
  void honoured(const netio::ReceivedPacket& p);
  // Forgets what was honoured for `vrid`; false when there was nothing.
  bool forget(uint8_t vrid);
  // The kernel counts, per VRID, the adverts equal to the one last honoured when its
  // priority is `routine`'s (-1: none), and nothing else.
  void apply(const std::array<int16_t, 256>& routine);

  // Hands on what the kernel counted for `vrid` since the last hand-over, if the
  // newest arrived no later than `notAfter`; an image that stopped being counted
  // (apply) keeps what it counted until then, and is handed on first. True when
  // anything was.
  bool flush(uint8_t vrid, TimePoint notAfter, const Deliver& deliver);
  // The same for every VRID, whenever they arrived.
  bool flushAll(const Deliver& deliver);

 private:
  struct Sample {
    std::vector<uint8_t> message;
    netio::IpAddress source;
    netio::IpAddress destination;
    int ttl = 0;
  };
  struct Slot {
    Sample honoured;
    bool hasHonoured = false;
    bool dirty = false;  // honoured or forgotten since the last apply
    int16_t routine = -1;
    Sample counted;  // what the image was made of
    bool counting = false;
    netio::RoutineImage image;
    uint64_t seen = 0;  // the kernel's count at the last hand-over
    // What a former image counted and nobody handed on yet (a reload, a new
    // priority): its Master_Down_Timer effect is due all the same.
    Sample retired;
    bool hasRetired = false;
    uint64_t retiredCopies = 0;
    TimePoint retiredNewest{};
  };
  static void deliverSample(const Sample& s, TimePoint at, uint64_t copies, const Deliver& deliver);
  RoutineCounter(netio::Family family, netio::RoutineFilter filter);
  void stopCounting(uint8_t vrid, Slot& s);

  netio::Family family_;
  netio::RoutineFilter filter_;
  std::vector<Slot> slots_;
};

}  // namespace holdfast::runtime
