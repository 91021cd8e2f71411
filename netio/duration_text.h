#pragma once
// Durations as text: the one way log lines, reasons, replies and holdfastctl's
// tables write a configured or protocol duration (a timeout, an interval, a timer).
// The shortest exact form an operator would write in the config, never rounded:
//
//   0 -> "0s"   2s -> "2s"   1500ms -> "1.5s"   3410ms -> "3.41s"   3609ms -> "3609ms"
//   300ms -> "300ms"   250us -> "250us"   1500us -> "1500us"
//
// Whole seconds, or seconds with at most two decimals (over one second, whole 10 ms);
// else whole milliseconds; else microseconds. Centiseconds (VRRP) convert exactly.
// Measured values (a probe's latency, a capture's length) are rounded for display
// where they are shown, not here.

#include <chrono>
#include <string>

namespace holdfast::netio {

std::string formatDuration(std::chrono::microseconds d);

}  // namespace holdfast::netio
