#pragma once
// The socket filter of a VRRP socket's doorbell. A backup does not need to wake for
// the advert its master repeats every interval: processed later with the time the
// kernel stamped on it, it re-arms Master_Down_Timer exactly as it would have at
// once. So such "routine" adverts wait in the VRRP socket's queue, and a second
// socket on the same interface (the doorbell) wakes the reader only for the rest:
// a priority that differs, priority 0, a VRID with no routine advert. The queue is
// read at the latest when a timer of the reader falls due.

#include <linux/filter.h>

#include <cstdint>
#include <span>
#include <vector>

#include "netio/ip_address.h"

namespace holdfast::netio {

struct RoutineAdvert {
  uint8_t vrid = 0;
  uint8_t priority = 0;  // the master's; never 0 (that one always wakes)
};

// Accepts every packet but a routine one (a VRID in `routine` carrying exactly its
// priority); and, whatever it carries, one packet in `oneIn` at random (a power of
// two; 0: none), so that the queue behind the doorbell stays short at any rate. Over
// what a read returns: for IPv4 the IP header comes first, for IPv6 the VRRP header.
std::vector<sock_filter> doorbellProgram(Family family, std::span<const RoutineAdvert> routine,
                                         unsigned oneIn);

// A program that accepts nothing.
std::vector<sock_filter> dropAllProgram();

}  // namespace holdfast::netio
