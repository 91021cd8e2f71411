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

// The two versions skew differently:
//  - RFC 3768 6.1 (v2): Skew_Time = (256 - Priority) / 256 seconds, whatever the
//    Advertisement_Interval; Master_Down_Interval = 3 * Advertisement_Interval + Skew_Time.
//  - RFC 5798 6.1 (v3): Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256;
//    Master_Down_Interval = (3 * Master_Adver_Interval) + Skew_Time.
// At a 1 s interval they agree; at 5 s a v2 backup of priority 100 waits 15.60 s, a v3
// one 18.04 s. keepalived computes the same (VRRP_TIMER_SKEW_CALC in its vrrp.h), in
// microseconds where this truncates to centiseconds (15.609375 s, 18.046875 s).
// `version` is 2 or 3; `advertInterval` is the interval in force (for v3 the master's,
// learnt from its adverts; for v2 the configured one).
// `downAdverts`: keepalived's down_timer_adverts, the adverts a backup misses before
// Master_Down_Interval ends (3 in the RFCs).
Timers computeTimers(int version, int priority, Centiseconds advertInterval, int downAdverts = 3);

}  // namespace holdfast::vrrp
