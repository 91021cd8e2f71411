// Rules that span entities: duplicate names and routers, references that must
// resolve, and version-dependent ranges (RFC 3768 for v2, RFC 5798 for v3).

#include <map>
#include <tuple>

#include "core/config/build_context.h"
#include "core/config/script_access.h"
#include "core/config/values.h"

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

// An interface name the kernel would accept: 1-15 bytes, no '/', ':' or blanks.
bool validInterfaceName(std::string_view s) {
  if (s.empty() || s.size() > 15 || s == "." || s == "..") return false;
  return s.find_first_of("/: \t") == std::string_view::npos;
}

void validateAdvertInterval(BuildContext& ctx, const VrrpInstance& vi) {
  using std::chrono::microseconds;
  const int64_t us = vi.advertInterval.count();
  if (vi.version == 2) {
    // RFC 3768 5.3.7: Adver Int is an 8-bit count of whole seconds.
    if (us % 1'000'000 != 0 || us < 1'000'000 || us > 255'000'000) {
      ctx.diags().error(vi.locations.at("advert_int", vi.where),
                        "vrrp_instance '" + vi.name + "': advert_int " +
                            formatDuration(vi.advertInterval) +
                            " is not valid for VRRP version 2 (whole seconds 1-255; "
                            "use 'version 3' for sub-second adverts)");
    }
  } else {
    // RFC 5798 5.2.7: Max Adver Int is a 12-bit count of centiseconds.
    if (us % 10'000 != 0 || us < 10'000 || us > 40'950'000) {
      ctx.diags().error(vi.locations.at("advert_int", vi.where),
                        "vrrp_instance '" + vi.name + "': advert_int " +
                            formatDuration(vi.advertInterval) +
                            " is not valid for VRRP version 3 (0.01s-40.95s in "
                            "steps of 10ms)");
    }
  }
}

void validateAddresses(BuildContext& ctx, VrrpInstance& vi) {
  if (vi.virtualAddresses.empty()) {
    ctx.diags().warning(vi.where, "vrrp_instance '" + vi.name + "' has no virtual_ipaddress");
    return;
  }
  const VirtualAddress& first = vi.virtualAddresses.front();
  vi.family = first.address.is_v4() ? AddressFamily::kIPv4 : AddressFamily::kIPv6;
  for (const VirtualAddress& va : vi.virtualAddresses) {
    bool v4 = va.address.is_v4();
    if (v4 != (vi.family == AddressFamily::kIPv4)) {
      ctx.diags().error(va.where, std::string("virtual_ipaddress mixes IPv4 and IPv6: ") +
                                      va.address.to_string() + " is " + (v4 ? "IPv4" : "IPv6") +
                                      " but the first address (" + first.where.fileLine() +
                                      ") is " + toString(vi.family) +
                                      "; use one vrrp_instance per address family");
    }
    const std::string& dev = va.dev.empty() ? vi.interface : va.dev;
    if (!va.label.empty() && !va.label.starts_with(dev + ":") && va.label != dev) {
      ctx.diags().error(va.where, "label '" + va.label + "' must start with '" + dev +
                                      ":' (the kernel requires labels to begin with the "
                                      "interface name)");
    }
    if (!va.dev.empty() && !validInterfaceName(va.dev)) {
      ctx.diags().error(va.where, "'" + va.dev + "' is not a valid interface name");
    }
  }
  if (vi.family == AddressFamily::kIPv6 && vi.version == 2) {
    ctx.diags().error(vi.where, "vrrp_instance '" + vi.name +
                                    "': IPv6 virtual addresses need VRRP version 3 "
                                    "(add 'version 3')");
  }
  auto sameFamily = [&](const IpAddress& a) {
    return a.is_v4() == (vi.family == AddressFamily::kIPv4);
  };
  for (const IpAddress& peer : vi.unicastPeers) {
    if (!sameFamily(peer)) {
      ctx.diags().error(vi.where, "vrrp_instance '" + vi.name + "': unicast_peer " +
                                      peer.to_string() + " is not " + toString(vi.family) +
                                      " like the virtual addresses");
    }
  }
  for (const auto* src : {&vi.unicastSrcIp, &vi.mcastSrcIp}) {
    if (*src && !sameFamily(**src)) {
      ctx.diags().error(vi.where, "vrrp_instance '" + vi.name + "': source address " +
                                      (*src)->to_string() + " is not " + toString(vi.family));
    }
  }
}

void validateInstance(BuildContext& ctx, VrrpInstance& vi, const Config& cfg) {
  const std::string who = "vrrp_instance '" + vi.name + "'";
  if (vi.interface.empty()) {
    ctx.diags().error(vi.where, who + " needs 'interface'");
  } else if (!validInterfaceName(vi.interface)) {
    ctx.diags().error(vi.where, who + ": '" + vi.interface + "' is not a valid interface name");
  }
  if (!vi.locations.has("virtual_router_id")) {
    ctx.diags().error(vi.where, who + " needs 'virtual_router_id'");
  }
  validateAdvertInterval(ctx, vi);
  validateAddresses(ctx, vi);

  if (vi.version == 3 && vi.auth.type != AuthType::kNone) {
    ctx.diags().warning(vi.where, who +
                                      ": authentication is ignored with VRRP version 3 "
                                      "(RFC 5798 has none)");
    vi.auth = {};
  }
  if (!vi.preempt && vi.initialState == InitialState::kMaster) {
    ctx.diags().warning(vi.where, who +
                                      ": nopreempt with state MASTER; the instance starts "
                                      "as BACKUP so that nopreempt can hold");
    vi.initialState = InitialState::kBackup;
  }

  for (const TrackRef& t : vi.trackScripts) {
    if (!cfg.findScript(t.name)) {
      ctx.diags().error(t.where, "track_script '" + t.name + "' names no vrrp_script");
    }
  }
  for (const TrackRef& t : vi.trackBackends) {
    if (!cfg.findBackend(t.name) && !cfg.findBackendGroup(t.name)) {
      ctx.diags().error(t.where,
                        "track_backend '" + t.name + "' names no backend or backend_group");
    }
  }
  for (const TrackRef& t : vi.trackInterfaces) {
    if (!validInterfaceName(t.name)) {
      ctx.diags().error(t.where, "track_interface '" + t.name + "' is not a valid interface name");
    }
  }

  // RFC 5798 6.1: the address owner's priority is 255 and tracking never changes it,
  // so only weight-0 (fault) tracking makes sense there.
  if (vi.priority == 255) {
    auto effectiveWeight = [&](const TrackRef& t) {
      if (t.hasWeight) return t.weight;
      const VrrpScript* s = cfg.findScript(t.name);
      return s ? s->weight : 0;
    };
    for (const auto* list : {&vi.trackScripts, &vi.trackInterfaces, &vi.trackBackends}) {
      for (const TrackRef& t : *list) {
        if (effectiveWeight(t) != 0) {
          ctx.diags().error(t.where, "'" + t.name + "' has weight " +
                                         std::to_string(effectiveWeight(t)) + " but " + who +
                                         " has priority 255 (address owner), which tracking "
                                         "never changes; use weight 0 or a lower priority");
        }
      }
    }
  }
}

}  // namespace

void validate(BuildContext& ctx, Config& cfg) {
  disableInaccessibleScripts(ctx, cfg);  // first: nothing below sees a disabled script
  std::map<std::string, SourceLocation> scripts, instances, syncGroups, backends;
  checkDuplicateNames(ctx, cfg.scripts, "vrrp_script", scripts);
  checkDuplicateNames(ctx, cfg.instances, "vrrp_instance", instances);
  checkDuplicateNames(ctx, cfg.syncGroups, "vrrp_sync_group", syncGroups);
  // Backends and groups share one name space: track_backend may name either.
  checkDuplicateNames(ctx, cfg.backends, "backend", backends);
  checkDuplicateNames(ctx, cfg.backendGroups, "backend or backend_group", backends);

  std::map<std::tuple<std::string, int, AddressFamily>, const VrrpInstance*> routers;
  for (VrrpInstance& vi : cfg.instances) {
    validateInstance(ctx, vi, cfg);
    if (vi.interface.empty() || vi.virtualRouterId == 0) continue;
    auto [it, fresh] =
        routers.emplace(std::tuple{vi.interface, vi.virtualRouterId, vi.family}, &vi);
    if (!fresh) {
      ctx.diags().error(vi.where, "vrrp_instance '" + vi.name + "' uses virtual_router_id " +
                                      std::to_string(vi.virtualRouterId) + " on " + vi.interface +
                                      " (" + toString(vi.family) + "), already used by '" +
                                      it->second->name + "' at " + it->second->where.fileLine());
    }
  }

  std::map<std::string, std::string> groupOf;
  for (const SyncGroup& g : cfg.syncGroups) {
    if (g.members.empty()) {
      ctx.diags().error(g.where, "vrrp_sync_group '" + g.name + "' needs 'group { INSTANCE... }'");
    }
    for (const TrackRef& m : g.members) {
      if (!cfg.findInstance(m.name)) {
        ctx.diags().error(
            m.where, "vrrp_sync_group '" + g.name + "' names no vrrp_instance '" + m.name + "'");
      } else if (auto [it, fresh] = groupOf.emplace(m.name, g.name); !fresh) {
        ctx.diags().error(m.where, "vrrp_instance '" + m.name +
                                       "' is already in vrrp_sync_group '" + it->second + "'");
      }
    }
  }

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
