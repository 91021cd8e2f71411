#pragma once
// keepalived's track_file and vrrp_track_process blocks, and an instance's track_file
// and track_process lists (build_track.cc).

#include <string>

#include "core/config/build_context.h"

namespace holdfast::config::detail {

void buildTrackFile(BuildContext& ctx, const Node& n, TrackFile& out);
void buildTrackProcess(BuildContext& ctx, const Node& n, TrackProcess& out);
// Drops blocks without a file or process, and later blocks of a name (keepalived
// finds the first).
void validateTrackBlocks(BuildContext& ctx, Config& cfg);
// Resolves `vi`'s track_file and track_process names; `ownerOrUnweightedGroup`: the
// address owner or a sync group member without sync_group_tracking_weight (`why`
// says which), whose weighted track files keepalived drops.
void resolveTracking(Diagnostics& d, VrrpInstance& vi, const Config& cfg, const std::string& who,
                     bool ownerOrUnweightedGroup, const std::string& why);

}  // namespace holdfast::config::detail
