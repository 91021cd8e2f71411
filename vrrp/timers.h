#pragma once
// VRRP protocol timers, computed as the RFCs define them. Pure functions over
// centiseconds, the unit of the VRRPv3 Max Adver Interval field.

#include <chrono>

namespace holdfast::vrrp {

using Centiseconds = std::chrono::duration<int64_t, std::centi>;

struct Timers {
  Centiseconds advertInterval{0};
  Centiseconds skewTime{0};
  Centiseconds masterDownInterval{0};
};

// RFC 5798 6.1: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256 and
// Master_Down_Interval = (3 * Master_Adver_Interval) + Skew_Time.
// RFC 3768 6.1 (v2) is the same with the interval in whole seconds:
// Skew_Time = (256 - Priority) / 256 seconds.
Timers computeTimers(int priority, Centiseconds masterAdvertInterval);

}  // namespace holdfast::vrrp
