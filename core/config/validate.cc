// Rules that span entities: duplicate names and routers, references that must
// resolve, sync group membership. keepalived's blocks follow keepalived (a duplicate
// is skipped, an empty group removed, with a warning); holdfast's own blocks
// (backend, backend_group) keep holdfast's strictness (an error).

#include <map>
#include <set>
#include <tuple>

#include "core/config/build_context.h"
#include "core/config/build_track.h"
#include "core/config/script_access.h"
#include "core/config/sync_group_tracking.h"
#include "core/config/validate_instance.h"

namespace holdfast::config::detail {
namespace {

template <typename T>
void checkDuplicateNames(BuildContext& ctx, const std::vector<T>& items, std::string_view what,
                         std::map<std::string, SourceLocation>& seen) {
  for (const T& item : items) {
    auto [it, fresh] = seen.emplace(item.name, item.where);
    if (!fresh) {
      ctx.diags().error(item.where, "duplicate " + std::string(what) + " '" + item.name +
                                        "' (first declared at " + it->second.fileLine() + ")");
    }
  }
}

// keepalived keeps the first of two blocks with one name: it skips a second
// vrrp_instance or vrrp_sync_group, and finds a vrrp_script by name from the first.
template <typename T>
void dropDuplicates(BuildContext& ctx, std::vector<T>& items, std::string_view what,
                    std::string_view done) {
  std::map<std::string, SourceLocation> seen;
  std::erase_if(items, [&](const T& item) {
    auto [it, fresh] = seen.emplace(item.name, item.where);
    if (fresh) return false;
    ctx.diags().warning(item.where, "duplicate " + std::string(what) + " '" + item.name +
                                        "' (first declared at " + it->second.fileLine() + "); " +
                                        std::string(done) + ", as keepalived does");
    return true;
  });
}

void dropScriptsWithoutCommand(BuildContext& ctx, Config& cfg) {
  std::erase_if(cfg.scripts, [&](const VrrpScript& s) {
    if (!s.command.empty()) return false;
    ctx.diags().warning(s.where, "vrrp_script '" + s.name +
                                     "' has no 'script' command; removed (tracking it is "
                                     "ignored), as keepalived does");
    return true;
  });
}

// Members that name no instance, or one already in another group, are ignored; a
// group left without members is removed.
void settleSyncGroups(BuildContext& ctx, Config& cfg) {
  std::map<std::string, std::string> groupOf;
  std::erase_if(cfg.syncGroups, [&](SyncGroup& g) {
    std::erase_if(g.members, [&](const TrackRef& m) {
      if (!cfg.findInstance(m.name)) {
        ctx.diags().warning(m.where, "vrrp_sync_group '" + g.name + "' names no vrrp_instance '" +
                                         m.name + "'; ignored, as keepalived does");
        return true;
      }
      if (auto [it, fresh] = groupOf.emplace(m.name, g.name); !fresh) {
        ctx.diags().warning(m.where, "vrrp_instance '" + m.name +
                                         "' is already in vrrp_sync_group '" + it->second +
                                         "'; ignored in '" + g.name + "', as keepalived does");
        return true;
      }
      return false;
    });
    if (g.members.empty()) {
      ctx.diags().warning(g.where, "vrrp_sync_group '" + g.name +
                                       "' has no instance (it needs 'group { INSTANCE... }'); "
                                       "removed, its instances run on their own, as keepalived "
                                       "does");
      return true;
    }
    if (g.members.size() == 1) {
      ctx.diags().warning(g.where, "vrrp_sync_group '" + g.name + "' has only one instance ('" +
                                       g.members[0].name +
                                       "'): a group syncs nothing; this probably isn't what "
                                       "you want");
    }
    return false;
  });
}

}  // namespace

void validate(BuildContext& ctx, Config& cfg) {
  dropDuplicates(ctx, cfg.scripts, "vrrp_script", "tracking uses the first");
  dropDuplicates(ctx, cfg.instances, "vrrp_instance", "the second is skipped");
  dropDuplicates(ctx, cfg.syncGroups, "vrrp_sync_group", "the second is skipped");
  dropScriptsWithoutCommand(ctx, cfg);
  validateTrackBlocks(ctx, cfg);
  disableInaccessibleScripts(ctx, cfg);  // before tracking is resolved below
  std::map<std::string, SourceLocation> backends;
  // Backends and groups share one name space: track_backend may name either.
  checkDuplicateNames(ctx, cfg.backends, "backend", backends);
  checkDuplicateNames(ctx, cfg.backendGroups, "backend or backend_group", backends);

  settleSyncGroups(ctx, cfg);
  std::map<std::string, const SyncGroup*> groupOf;
  for (const SyncGroup& g : cfg.syncGroups) {
    for (const TrackRef& m : g.members) groupOf[m.name] = &g;
  }

  std::map<std::tuple<std::string, int, AddressFamily>, const VrrpInstance*> routers;
  for (VrrpInstance& vi : cfg.instances) {
    auto group = groupOf.find(vi.name);
    const bool inGroup = group != groupOf.end();
    completeInstance(ctx, vi, inGroup, inGroup && group->second->trackingWeight, cfg);
    if (vi.interface.empty() || vi.virtualRouterId == 0) continue;
    auto [it, fresh] =
        routers.emplace(std::tuple{vi.interface, vi.virtualRouterId, vi.family}, &vi);
    if (!fresh) {
      // keepalived refuses this too (check_vrid_conflicts).
      ctx.diags().error(vi.where, "vrrp_instance '" + vi.name + "' uses virtual_router_id " +
                                      std::to_string(vi.virtualRouterId) + " on " + vi.interface +
                                      " (" + toString(vi.family) + "), already used by '" +
                                      it->second->name + "' at " + it->second->where.fileLine());
    }
  }

  addSyncGroupTracking(ctx, cfg);
  applyGarpGroups(ctx, cfg);

  for (const BackendGroup& g : cfg.backendGroups) {
    for (const TrackRef& m : g.members) {
      if (!cfg.findBackend(m.name)) {
        ctx.diags().error(m.where,
                          "backend_group '" + g.name + "' names no backend '" + m.name + "'");
      }
    }
  }
}

}  // namespace holdfast::config::detail
