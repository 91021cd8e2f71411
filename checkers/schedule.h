#pragma once
// When a check runs next (pure): the interval for the state it is in, haproxy-style
// (fast while the result streak says the state is changing, slow while down), plus
// optional jitter; and first runs spread evenly over the interval so that a
// thousand checks do not all fire at start.

#include <cstddef>
#include <cstdint>

#include "checkers/check_params.h"
#include "checkers/rise_fall.h"

namespace holdfast::checkers {

// The wait before the next probe, given the policy after the last result.
// `random` is any uniformly random 64-bit value (used only when jitter is set).
Duration nextInterval(const CheckParams& p, const RiseFall& policy, uint64_t random);

// fast_interval when the check does not set one: a tenth of the interval, at least
// 100 ms (or the interval, when shorter). A failure is confirmed (or a recovery) that
// much sooner than by waiting a whole interval per result, as haproxy's fastinter
// does; it costs extra probes only while a check is changing state.
Duration defaultFastInterval(Duration interval);

// The delay of the first probe of check `index` out of `count` checks that share an
// interval: index * interval / count.
Duration firstRunOffset(Duration interval, size_t index, size_t count);

}  // namespace holdfast::checkers
