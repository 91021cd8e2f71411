#include "vrrp/timers.h"

namespace holdfast::vrrp {

namespace {
constexpr Centiseconds kOneSecond{100};
}  // namespace

Timers computeTimers(int version, int priority, Centiseconds advertInterval, int downAdverts) {
  Timers t;
  t.advertInterval = advertInterval;
  // RFC 3768 6.1 scales the skew by one second, RFC 5798 6.1 by Master_Adver_Interval.
  // Integer centiseconds truncate as the RFC's integer arithmetic does.
  const Centiseconds scale = version == 2 ? kOneSecond : advertInterval;
  t.skewTime = Centiseconds(((256 - priority) * scale.count()) / 256);
  t.masterDownInterval = downAdverts * advertInterval + t.skewTime;
  return t;
}

}  // namespace holdfast::vrrp
