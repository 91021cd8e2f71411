#include "core/runtime/reload_plan.h"

#include <algorithm>
#include <functional>

#include "netio/duration_text.h"

namespace holdfast::runtime {

const char* toString(InstanceFate f) {
  switch (f) {
    case InstanceFate::kUnchanged:
      return "unchanged";
    case InstanceFate::kInPlace:
      return "changed in place";
    case InstanceFate::kRestart:
      return "restart";
    case InstanceFate::kAdded:
      return "added";
    case InstanceFate::kRemoved:
      return "removed";
  }
  return "?";
}

const InstancePlan* ReloadPlan::find(const std::string& name) const {
  for (const auto& p : instances) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string> ReloadPlan::names(InstanceFate f) const {
  std::vector<std::string> out;
  for (const auto& p : instances) {
    if (p.fate == f) out.push_back(p.name);
  }
  return out;
}

bool ReloadPlan::changesNothing() const {
  return scriptsChanged.empty() && globalsChanged.empty() &&
         std::all_of(instances.begin(), instances.end(),
                     [](const InstancePlan& p) { return p.fate == InstanceFate::kUnchanged; });
}

namespace {

using config::Config;
using config::VrrpInstance;

std::string dur(config::Duration d) {
  return netio::formatDuration(d);
}

std::string vipText(const config::VirtualAddress& v) {
  std::string s = v.address.to_string() + "/" + std::to_string(v.prefixLength);
  if (!v.dev.empty()) s += " dev " + v.dev;
  if (!v.label.empty()) s += " label " + v.label;
  return s;
}

// A VIP's identity as the kernel holds it; the other options change in place.
bool sameVip(const config::VirtualAddress& a, const config::VirtualAddress& b) {
  return a.address == b.address && a.prefixLength == b.prefixLength && a.dev == b.dev &&
         a.label == b.label;
}

// "VIPs +192.0.2.101/24 -192.0.2.102/24", or empty when the sets are the same.
std::string vipDiff(const char* what, const std::vector<config::VirtualAddress>& before,
                    const std::vector<config::VirtualAddress>& after) {
  std::string added, removed;
  for (const auto& v : after) {
    if (std::none_of(before.begin(), before.end(), [&](auto& b) { return sameVip(b, v); }))
      added += " +" + vipText(v);
  }
  for (const auto& v : before) {
    if (std::none_of(after.begin(), after.end(), [&](auto& a) { return sameVip(a, v); }))
      removed += " -" + vipText(v);
  }
  if (added.empty() && removed.empty()) {
    return before == after ? "" : std::string(what) + " options";
  }
  return what + added + removed;
}

std::string trackDiff(const char* what, const std::vector<config::TrackRef>& before,
                      const std::vector<config::TrackRef>& after) {
  if (before == after) return "";
  std::string out = what;
  for (const auto& t : after) {
    auto it = std::find_if(before.begin(), before.end(), [&](auto& b) { return b.name == t.name; });
    if (it == before.end()) {
      out += " +" + t.name;
    } else if (!(*it == t)) {
      out += " " + t.name +
             (it->weight != t.weight
                  ? " weight " + std::to_string(it->weight) + " -> " + std::to_string(t.weight)
                  : std::string(" changed"));
    }
  }
  for (const auto& b : before) {
    if (std::none_of(after.begin(), after.end(), [&](auto& t) { return t.name == b.name; }))
      out += " -" + b.name;
  }
  return out == what ? std::string(what) + " order" : out;
}

const config::SyncGroup* groupOf(const Config& cfg, const std::string& instance) {
  for (const auto& g : cfg.syncGroups) {
    for (const auto& m : g.members) {
      if (m.name == instance) return &g;
    }
  }
  return nullptr;
}

bool isOwner(const VrrpInstance& vi) {
  return vi.priority == 255;
}

bool usesAddressVmacs(const VrrpInstance& vi) {
  auto wants = [](const config::VirtualAddress& a) { return a.useVmac; };
  return vi.useVmacAddr ||
         std::any_of(vi.virtualAddresses.begin(), vi.virtualAddresses.end(), wants) ||
         std::any_of(vi.excludedAddresses.begin(), vi.excludedAddresses.end(), wants);
}

// The differences that VRRP cannot apply to a running instance.
void restartReasons(const VrrpInstance& a, const VrrpInstance& b, const Config& ca,
                    const Config& cb, std::vector<std::string>& out) {
  if (a.interface != b.interface) out.push_back("interface " + a.interface + " -> " + b.interface);
  if (a.virtualRouterId != b.virtualRouterId) {
    out.push_back("virtual_router_id " + std::to_string(a.virtualRouterId) + " -> " +
                  std::to_string(b.virtualRouterId));
  }
  if (a.family != b.family) {
    out.push_back(std::string("address family ") + config::toString(a.family) + " -> " +
                  config::toString(b.family));
  }
  if (a.version != b.version) {
    out.push_back("version " + std::to_string(a.version) + " -> " + std::to_string(b.version));
  }
  if (a.unicastPeers.empty() != b.unicastPeers.empty()) {
    out.push_back(a.unicastPeers.empty() ? "multicast -> unicast" : "unicast -> multicast");
  }
  if (b.unicastPeers.empty()) {
    const bool v4 = b.family == config::AddressFamily::kIPv4;
    const auto& ga = v4 ? ca.global.mcastGroup4 : ca.global.mcastGroup6;
    const auto& gb = v4 ? cb.global.mcastGroup4 : cb.global.mcastGroup6;
    if (ga != gb) out.push_back("multicast group " + ga.to_string() + " -> " + gb.to_string());
  }
  if (a.useVmac != b.useVmac || a.vmacName != b.vmacName || a.vmacMac != b.vmacMac) {
    out.push_back("use_vmac");
  }
  if (a.useVmac && a.vmacXmitBase != b.vmacXmitBase) out.push_back("vmac_xmit_base");
  // use_vmac_addr's VMACs follow the addresses: a change of them restarts the instance.
  if (a.useVmacAddr != b.useVmacAddr) out.push_back("use_vmac_addr");
  if ((usesAddressVmacs(a) || usesAddressVmacs(b)) &&
      (a.virtualAddresses != b.virtualAddresses || a.excludedAddresses != b.excludedAddresses ||
       ca.global.vmacAddrPrefix != cb.global.vmacAddrPrefix ||
       ca.global.vmacPrefix != cb.global.vmacPrefix)) {
    out.push_back("the addresses of VMACs of use_vmac_addr / use_vmac on an address");
  }
  if (b.useVmac && b.vmacName.empty() && ca.global.vmacPrefix != cb.global.vmacPrefix) {
    out.push_back("vmac_prefix " + ca.global.vmacPrefix + " -> " + cb.global.vmacPrefix);
  }
  if (isOwner(a) != isOwner(b)) {
    out.push_back("priority " + std::to_string(a.priority) + " -> " + std::to_string(b.priority) +
                  (isOwner(b) ? " (becomes the address owner)" : " (no longer the address owner)"));
  }
}

// The differences applied in place, in the order operators think of them.
void inPlaceChanges(const VrrpInstance& a, const VrrpInstance& b, const Config& ca,
                    const Config& cb, std::vector<std::string>& out) {
  auto add = [&](bool differs, std::string what) {
    if (differs) out.push_back(std::move(what));
  };
  if (isOwner(a) == isOwner(b)) {
    add(a.priority != b.priority,
        "priority " + std::to_string(a.priority) + " -> " + std::to_string(b.priority));
  }
  add(a.advertInterval != b.advertInterval,
      "advert_int " + dur(a.advertInterval) + " -> " + dur(b.advertInterval));
  add(!(a.auth == b.auth), "authentication");
  if (auto d = vipDiff("VIPs", a.virtualAddresses, b.virtualAddresses); !d.empty()) add(true, d);
  if (auto d = vipDiff("virtual_ipaddress_excluded", a.excludedAddresses, b.excludedAddresses);
      !d.empty())
    add(true, d);
  add(!(a.virtualRoutes == b.virtualRoutes), "virtual_routes");
  add(!(a.virtualRules == b.virtualRules), "virtual_rules");
  if (auto d = trackDiff("track_script", a.trackScripts, b.trackScripts); !d.empty()) add(true, d);
  if (auto d = trackDiff("track_interface", a.trackInterfaces, b.trackInterfaces); !d.empty())
    add(true, d);
  if (auto d = trackDiff("track_backend", a.trackBackends, b.trackBackends); !d.empty())
    add(true, d);
  if (auto d = trackDiff("track_file", a.trackFiles, b.trackFiles); !d.empty()) add(true, d);
  if (auto d = trackDiff("track_process", a.trackProcesses, b.trackProcesses); !d.empty())
    add(true, d);
  for (const auto& t : b.trackFiles) {
    const auto* fa = ca.findTrackFile(t.name);
    const auto* fb = cb.findTrackFile(t.name);
    add(fa && fb && !(*fa == *fb), "track_file " + t.name);
  }
  for (const auto& t : b.trackProcesses) {
    const auto* pa = ca.findTrackProcess(t.name);
    const auto* pb = cb.findTrackProcess(t.name);
    add(pa && pb && !(*pa == *pb), "vrrp_track_process " + t.name);
  }
  for (const auto& t : b.trackScripts) {
    const auto* sa = ca.findScript(t.name);
    const auto* sb = cb.findScript(t.name);
    add(sa && sb && !(*sa == *sb), "vrrp_script " + t.name);
  }
  add(a.preempt != b.preempt, b.preempt ? "preempt" : "nopreempt");
  add(a.preemptDelay != b.preemptDelay,
      "preempt_delay " + dur(a.preemptDelay) + " -> " + dur(b.preemptDelay));
  add(a.strictPreempt != b.strictPreempt, "strict preemption");
  add(a.initialState != b.initialState, "state (applies at the next start)");
  add(a.mcastSrcIp != b.mcastSrcIp || a.unicastSrcIp != b.unicastSrcIp, "source address");
  add(!a.unicastPeers.empty() && !b.unicastPeers.empty() && a.unicastPeers != b.unicastPeers,
      "unicast_peer");
  for (auto [x, y, what] : {std::tuple{&a.notify.master, &b.notify.master, "notify_master"},
                            {&a.notify.backup, &b.notify.backup, "notify_backup"},
                            {&a.notify.fault, &b.notify.fault, "notify_fault"},
                            {&a.notify.stop, &b.notify.stop, "notify_stop"},
                            {&a.notify.notify, &b.notify.notify, "notify"}}) {
    add(*x != *y, what);
  }
  add(a.smtpAlert != b.smtpAlert || a.locations.has("smtp_alert") != b.locations.has("smtp_alert"),
      "smtp_alert");
  add(a.garpMasterDelay != b.garpMasterDelay || a.garpMasterRepeat != b.garpMasterRepeat ||
          a.garpMasterRefresh != b.garpMasterRefresh ||
          a.garpMasterRefreshRepeat != b.garpMasterRefreshRepeat ||
          a.garpInterval != b.garpInterval || a.gnaInterval != b.gnaInterval,
      "garp settings");
  add(a.accept != b.accept, b.accept ? "accept" : "no_accept");
  add(a.checksum != b.checksum, "checksum form");
  add(a.conflictAction != b.conflictAction, "conflict_action");
  // What the instance reads from global_defs.
  const auto& ga = ca.global;
  const auto& gb = cb.global;
  add(ga.garpInterval != gb.garpInterval || ga.gnaInterval != gb.gnaInterval ||
          ga.garpMasterDelay != gb.garpMasterDelay || ga.garpMasterRepeat != gb.garpMasterRepeat ||
          ga.garpMasterRefresh != gb.garpMasterRefresh ||
          ga.garpMasterRefreshRepeat != gb.garpMasterRefreshRepeat,
      "global garp settings");
  add(ga.skipCheckAdvAddr != gb.skipCheckAdvAddr, "vrrp_skip_check_adv_addr");
  add(ga.scriptUser != gb.scriptUser || ga.scriptGroup != gb.scriptGroup, "script_user");
  const auto* grpA = groupOf(ca, a.name);
  const auto* grpB = groupOf(cb, b.name);
  if (grpA && !grpB) {
    add(true, "leaves vrrp_sync_group " + grpA->name);
  } else if (!grpA && grpB) {
    add(true, "joins vrrp_sync_group " + grpB->name);
  } else if (grpA && grpB) {
    add(!(*grpA == *grpB), "vrrp_sync_group " + grpB->name);
  }
}

}  // namespace

ReloadPlan planReload(const Config& running, const Config& next) {
  ReloadPlan plan;
  for (const auto& sb : next.scripts) {
    const auto* sa = running.findScript(sb.name);
    if (!sa || !(*sa == sb)) plan.scriptsChanged.push_back(sb.name);
  }
  for (const auto& sa : running.scripts) {
    if (!next.findScript(sa.name)) plan.scriptsChanged.push_back(sa.name);
  }
  const auto& ga = running.global;
  const auto& gb = next.global;
  if (ga.routerId != gb.routerId || ga.notificationEmails != gb.notificationEmails ||
      ga.notificationEmailFrom != gb.notificationEmailFrom || ga.smtpServer != gb.smtpServer ||
      ga.smtpConnectTimeout != gb.smtpConnectTimeout) {
    plan.globalsChanged.push_back("mail settings");
  }
  if (ga.nftTable != gb.nftTable || ga.nftPriority != gb.nftPriority ||
      ga.nftCounters != gb.nftCounters) {
    plan.globalsChanged.push_back("nftables settings");  // applied by InstanceSet::syncFilter
  }
  if (!(running.staticAddresses == next.staticAddresses) ||
      !(running.staticRoutes == next.staticRoutes) || !(running.staticRules == next.staticRules)) {
    plan.globalsChanged.push_back("static addresses, routes and rules");
  }
  for (const auto& b : next.instances) {
    InstancePlan p{b.name, InstanceFate::kUnchanged, {}};
    const auto* a = running.findInstance(b.name);
    if (!a) {
      p.fate = InstanceFate::kAdded;
      plan.instances.push_back(std::move(p));
      continue;
    }
    restartReasons(*a, b, running, next, p.changes);
    const bool restart = !p.changes.empty();
    inPlaceChanges(*a, b, running, next, p.changes);
    if (restart) {
      p.fate = InstanceFate::kRestart;
    } else if (!p.changes.empty()) {
      p.fate = InstanceFate::kInPlace;
    } else if (!(*a == b)) {
      // The safety net: a difference no rule above names restarts the instance
      // rather than being ignored.
      p.fate = InstanceFate::kRestart;
      p.changes.push_back("settings that cannot change in place");
    }
    plan.instances.push_back(std::move(p));
  }
  for (const auto& a : running.instances) {
    if (!next.findInstance(a.name)) plan.instances.push_back({a.name, InstanceFate::kRemoved, {}});
  }
  return plan;
}

std::string summarize(const ReloadPlan& plan) {
  auto list = [&](InstanceFate f, bool withChanges) {
    std::string out;
    for (const auto& p : plan.instances) {
      if (p.fate != f) continue;
      if (!out.empty()) out += ", ";
      out += p.name;
      if (withChanges && !p.changes.empty()) {
        out += " (";
        for (size_t i = 0; i < p.changes.size(); ++i) out += (i ? "; " : "") + p.changes[i];
        out += ")";
      }
    }
    return out.empty() ? std::string("none") : out;
  };
  std::string globals;
  for (const auto& g : plan.globalsChanged) globals += "; " + g + " changed";
  return "instances kept " + list(InstanceFate::kUnchanged, false) + "; changed in place " +
         list(InstanceFate::kInPlace, true) + "; added " + list(InstanceFate::kAdded, false) +
         "; removed " + list(InstanceFate::kRemoved, false) + "; restarted " +
         list(InstanceFate::kRestart, true) + globals;
}

}  // namespace holdfast::runtime
