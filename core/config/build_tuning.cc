// keepalived's protocol tunings (model_tuning.h): the global defaults in global_defs
// and their per-instance forms, and the min_ttl / max_ttl modifiers of unicast peers.

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
    t.checkUnicastSrc = true;
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
