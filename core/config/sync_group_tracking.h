#pragma once
// A vrrp_sync_group's own track_script / track_interface / track_file /
// track_process, added to every member
// instance as keepalived does (sync_group_tracking.cc).

#include "core/config/build_context.h"

namespace holdfast::config::detail {

// After the members were completed (completeInstance): appends each group's tracked
// items to its members' lists; undefined scripts are dropped with a warning, weights
// cleared when a member is an address owner.
void addSyncGroupTracking(BuildContext& ctx, Config& cfg);

}  // namespace holdfast::config::detail
