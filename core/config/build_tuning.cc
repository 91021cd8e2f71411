// keepalived's protocol tunings (model_tuning.h): the global defaults in global_defs
// and their per-instance forms, and the min_ttl / max_ttl modifiers of unicast peers.

#include <algorithm>
#include <map>

#include "core/config/build_context.h"

namespace holdfast::config::detail {

namespace {

// keepalived's <BOOL> after a flag keyword: absent means true.
bool flag(BuildContext& ctx, const Node& c) {
  if (c.args.empty()) return true;
  return ctx.boolean(c).value_or(true);
}

template <typename T, typename V>
void setIf(T& field, const std::optional<V>& v) {
  if (v) field = *v;
}

}  // namespace

bool buildGlobalTuning(BuildContext& ctx, const Node& c, GlobalTuning& t) {
  const std::string& k = c.keyword.text;
  if (k == "vrrp_lower_prio_no_advert") {
    t.lowerPrioNoAdvert = flag(ctx, c);
  } else if (k == "vrrp_higher_prio_send_advert") {
    t.higherPrioSendAdvert = flag(ctx, c);
  } else if (k == "vrrp_garp_lower_prio_delay") {
    if (auto d = ctx.duration(c)) t.garpLowerPrioDelay = d;
  } else if (k == "vrrp_garp_lower_prio_repeat") {
    if (auto r = ctx.integer(c, 0, 255)) t.garpLowerPrioRepeat = r;
  } else if (k == "vrrp_down_timer_adverts") {
    setIf(t.downTimerAdverts, ctx.integer(c, 1, 100));
  } else if (k == "vrrp_startup_delay") {
    setIf(t.startupDelay, ctx.duration(c));
  } else if (k == "vrrp_check_unicast_src") {
    // Nothing to record: holdfast always checks that a unicast advert is a peer's.
  } else {
    return false;
  }
  return true;
}

bool buildInstanceTuning(BuildContext& ctx, const Node& c, InstanceTuning& t) {
  const std::string& k = c.keyword.text;
  if (k == "dont_track_primary") {
    t.dontTrackPrimary = true;
  } else if (k == "unicast_ttl") {
    t.unicastConfigured = true;
    if (auto v = ctx.integer(c, 0, 255)) t.unicastTtl = v;
  } else if (k == "check_unicast_src") {
    t.unicastConfigured = true;
  } else if (k == "unicast_fault_no_peer") {
    t.unicastConfigured = true;
    t.unicastFaultNoPeer = true;
  } else if (k == "garp_lower_prio_delay") {
    if (auto d = ctx.duration(c)) t.garpLowerPrioDelay = d;
  } else if (k == "garp_lower_prio_repeat") {
    if (auto r = ctx.integer(c, 0, 255)) t.garpLowerPrioRepeat = r;
  } else if (k == "down_timer_adverts") {
    if (auto n = ctx.integer(c, 1, 100)) t.downTimerAdverts = n;
  } else if (k == "lower_prio_no_advert") {
    t.lowerPrioNoAdvert = flag(ctx, c);
  } else if (k == "higher_prio_send_advert") {
    t.higherPrioSendAdvert = flag(ctx, c);
  } else {
    return false;
  }
  return true;
}

std::optional<PeerTtl> buildPeerTtl(BuildContext& ctx, const Node& peer) {
  if (peer.children.empty()) return std::nullopt;
  PeerTtl range{peer.keyword.text};
  for (const Node& mod : peer.children) {
    auto v = ctx.integer(mod, 0, 255);
    if (!v) continue;
    (mod.keyword.text == "min_ttl" ? range.min : range.max) = *v;
  }
  return range;
}

}  // namespace holdfast::config::detail

namespace holdfast::config::detail {

void completeTuning(Diagnostics& d, VrrpInstance& vi, const std::string& who) {
  InstanceTuning& t = vi.tuning;
  auto at = [&](const char* k) { return vi.locations.at(k, vi.where); };
  if (vi.strict) {
    // keepalived 2.2.7 (vrrp_complete_instance): strict mode forces the RFC's
    // behaviour, resetting what contradicts it with a warning.
    if (t.lowerPrioNoAdvert == false) {
      d.warning(at("lower_prio_no_advert"),
                who + ": vrrp_strict requires lower_prio_no_advert; set, as keepalived does");
    }
    if (t.higherPrioSendAdvert == true) {
      d.warning(at("higher_prio_send_advert"),
                who + ": vrrp_strict requires higher_prio_send_advert to be clear; cleared, " +
                    "as keepalived does");
    }
    if (t.garpLowerPrioRepeat.value_or(0) != 0) {
      d.warning(at("garp_lower_prio_repeat"),
                who + ": vrrp_strict allows no repeated gratuitous ARPs; " +
                    "garp_lower_prio_repeat reset to 0, as keepalived does");
    }
    if (t.garpLowerPrioDelay.value_or(std::chrono::microseconds(0)).count() != 0) {
      d.warning(at("garp_lower_prio_delay"),
                who + ": vrrp_strict allows no repeated gratuitous ARPs; " +
                    "garp_lower_prio_delay reset to 0, as keepalived does");
    }
    t.lowerPrioNoAdvert = true;
    t.higherPrioSendAdvert = false;
    t.garpLowerPrioRepeat = 0;
    t.garpLowerPrioDelay = std::chrono::microseconds(0);
  }
  if (t.unicastConfigured && vi.unicastPeers.empty() && !t.unicastFaultNoPeer) {
    // keepalived 2.2.7: deprecated, still runs; unicast_fault_no_peer makes it a FAULT
    // (the runtime holds the instance there).
    d.warning(vi.where, who +
                            ": a unicast keyword is given without any unicast_peer; the "
                            "instance uses multicast, as keepalived does (add "
                            "unicast_fault_no_peer to hold it in FAULT instead)");
  }
}

}  // namespace holdfast::config::detail

namespace holdfast::config::detail {

void buildGarpGroup(BuildContext& ctx, const Node& n, GarpGroup& g) {
  BuildContext::Tolerant tolerant(ctx);
  g.where = n.where();
  for (const Node& c : n.children) {
    const std::string& k = c.keyword.text;
    if (k == "garp_interval") {
      if (auto d = ctx.duration(c)) g.garpInterval = d;
    } else if (k == "gna_interval") {
      if (auto d = ctx.duration(c)) g.gnaInterval = d;
    } else if (k == "interface") {
      g.interfaces.push_back(c.args[0].text);
    } else if (k == "interfaces") {
      if (c.children.empty()) {
        ctx.diags().warning(c.where(), "garp_group: empty 'interfaces' block");
      }
      for (const Node& item : c.children) g.interfaces.push_back(item.keyword.text);
    }
  }
  if (!g.garpInterval && !g.gnaInterval) {
    ctx.diags().warning(g.where,
                        "garp_group sets neither garp_interval nor gna_interval; "
                        "removed, as keepalived does");
  }
}

void applyGarpGroups(BuildContext& ctx, Config& cfg) {
  std::map<std::string, const GarpGroup*> groupOf;
  for (GarpGroup& g : cfg.garpGroups) {
    std::erase_if(g.interfaces, [&](const std::string& name) {
      auto [it, fresh] = groupOf.emplace(name, &g);
      if (fresh) return false;
      ctx.diags().warning(g.where,
                          "garp_group: interface " + name + " is already in the group at " +
                              it->second->where.fileLine() + "; ignored here, as keepalived does");
      return true;
    });
  }
  for (const GarpGroup& g : cfg.garpGroups) {
    for (VrrpInstance& vi : cfg.instances) {
      if (std::find(g.interfaces.begin(), g.interfaces.end(), vi.interface) == g.interfaces.end()) {
        continue;
      }
      if (!vi.garpInterval && g.garpInterval) vi.garpInterval = g.garpInterval;
      if (!vi.gnaInterval && g.gnaInterval) vi.gnaInterval = g.gnaInterval;
    }
  }
}

}  // namespace holdfast::config::detail
