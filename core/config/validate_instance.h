#pragma once
// Completes one vrrp_instance as keepalived does after reading it: derived defaults
// (priority from state, state from priority, version from the address family),
// intervals rounded, vrrp_strict's rules, nopreempt and preempt_delay resets, and
// tracking that keepalived ignores (undefined names; weights of an address owner or
// a sync group member). Reports to ctx; a refusal is an error.

#include "core/config/build_context.h"

namespace holdfast::config::detail {

void completeInstance(BuildContext& ctx, VrrpInstance& vi, bool inSyncGroup,
                      bool syncTrackingWeight, const Config& cfg);
// vrrp_strict's overrides of the protocol tunings, and unicast keywords without peers
// (build_tuning.cc).
void completeTuning(Diagnostics& d, VrrpInstance& vi, const std::string& who);

}  // namespace holdfast::config::detail
