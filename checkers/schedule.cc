#include "checkers/schedule.h"

#include <algorithm>

namespace holdfast::checkers {

Duration nextInterval(const CheckParams& p, const RiseFall& policy, uint64_t random) {
  Duration d = p.interval;
  if (policy.streak() > 0) {
    d = p.fastInterval.value_or(defaultFastInterval(p.interval));  // confirm it quickly
  } else if (!policy.up()) {
    d = p.downInterval.value_or(p.interval);
  }
  if (p.jitter.count() > 0) {
    d += Duration(static_cast<int64_t>(random % static_cast<uint64_t>(p.jitter.count() + 1)));
  }
  return d;
}

Duration defaultFastInterval(Duration interval) {
  return std::max(interval / 10, std::min(interval, Duration(std::chrono::milliseconds(100))));
}

Duration firstRunOffset(Duration interval, size_t index, size_t count) {
  if (count == 0) return Duration{0};
  // 128-bit free: interval (< 2^40 us) * index (< 2^20) fits in 64 bits.
  return Duration(interval.count() * static_cast<int64_t>(index) / static_cast<int64_t>(count));
}

}  // namespace holdfast::checkers
