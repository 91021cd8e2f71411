#include "vrrp/timers.h"

namespace holdfast::vrrp {

Timers computeTimers(int priority, Centiseconds masterAdvertInterval) {
  Timers t;
  t.advertInterval = masterAdvertInterval;
  // Integer centiseconds truncate as the RFC's integer arithmetic does.
  t.skewTime = Centiseconds(((256 - priority) * masterAdvertInterval.count()) / 256);
  t.masterDownInterval = 3 * masterAdvertInterval + t.skewTime;
  return t;
}

}  // namespace holdfast::vrrp
