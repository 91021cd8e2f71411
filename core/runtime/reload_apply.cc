// InstanceSet::reconfigure: a ReloadPlan applied to the running instances. Kept
// apart from instance_set.cc because it is the one place where the set changes
// shape; read reload_plan.h first.

#include <algorithm>

#include "core/log/logger.h"
#include "core/runtime/instance_set.h"
#include "core/runtime/transition_effects.h"

namespace holdfast::runtime {

namespace {
std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "; ") + s;
  return out;
}

bool anyTracks(const config::Config& cfg, const std::string& script) {
  return std::any_of(cfg.instances.begin(), cfg.instances.end(), [&](const auto& vi) {
    return std::any_of(vi.trackScripts.begin(), vi.trackScripts.end(),
                       [&](const auto& t) { return t.name == script; });
  });
}
}  // namespace

std::expected<ReloadPlan, std::string> InstanceSet::reconfigure(
    const config::Config& next, const std::map<std::string, TrackedHealth>& backends) {
  ReloadPlan plan = planReload(running_, next);

  // 1. Build everything the new config needs; nothing that runs is touched, so an
  // error here (an interface gone, a socket refused, an unknown user) changes nothing.
  Scripts staged;
  for (const auto& name : plan.scriptsChanged) {
    const auto* script = next.findScript(name);
    if (!script || !anyTracks(next, name)) continue;
    if (auto r = stageScript(*script, next.global, staged); !r) return std::unexpected(r.error());
  }
  struct InPlace {
    InstanceSlot* slot;
    const config::VrrpInstance* vi;
    const InstancePlan* plan;
    Derived derived;
    std::vector<KeptItem> kept;
    std::vector<InstanceSlot::AnnounceVia> via;
  };
  std::vector<InPlace> inPlace;
  std::vector<std::unique_ptr<InstanceSlot>> fresh;  // added and restarted
  for (const auto& p : plan.instances) {
    if (p.fate == InstanceFate::kUnchanged || p.fate == InstanceFate::kRemoved) continue;
    const config::VrrpInstance& vi = *next.findInstance(p.name);
    auto fail = [&](const std::string& why) {
      return std::unexpected("vrrp_instance '" + vi.name + "' (" + vi.where.fileLine() +
                             "): " + why);
    };
    if (p.fate != InstanceFate::kInPlace) {
      auto slot = build(vi, next, staged);
      if (!slot) return fail(slot.error());
      fresh.push_back(std::move(*slot));
      continue;
    }
    if (auto r = stageTracked(vi, next, staged); !r) return fail(r.error());
    auto info = kernel_.lookupInterface(vi.interface);
    if (!info) return fail(info.error());
    const InstanceSlot& running = *find(p.name);
    const VmacLink* vmac = running.vmac() ? &*running.vmac() : nullptr;
    auto derived = derive(vi, next.global, *info, vmac, &running.addressVmacs());
    if (!derived) return fail(derived.error());
    if (vi.notify.any()) {
      auto who = kernel_.scriptUser(next.global.scriptUser, next.global.scriptGroup);
      if (!who) return fail("notify scripts: " + who.error());
    }
    auto kept =
        keptItems(kernel_, vi.excludedAddresses, vi.interface, vi.virtualRoutes, vi.virtualRules,
                  vi.name, addressPlacer(vi, info->index, running.addressVmacs()));
    if (!kept) return fail(kept.error());
    auto via = announceTargets(*info, vmac, running.addressVmacs(), derived->vips, *kept);
    if (!via) return fail(via.error());
    inPlace.push_back(
        {find(p.name), &vi, &p, std::move(*derived), std::move(*kept), std::move(*via)});
  }
  auto groups = buildGroups(next);
  if (!groups) return std::unexpected(groups.error());
  auto statics = keptItems(kernel_, next.staticAddresses, kDefaultInterface, next.staticRoutes,
                           next.staticRules, "static");
  if (!statics) return std::unexpected("static_ipaddress: " + statics.error());

  // 2. Apply. Stopped instances go first: a restarted one frees its VRID for its
  // successor. Those whose notify_stop still runs wait in retired_.
  std::erase_if(retired_, [](const auto& r) { return !r->notifier || r->notifier->idle(); });
  for (const auto& p : plan.instances) {
    if (p.fate != InstanceFate::kRemoved && p.fate != InstanceFate::kRestart) continue;
    InstanceSlot* slot = find(p.name);
    log::info(p.name + (p.fate == InstanceFate::kRestart
                            ? ": restarting: " + joined(p.changes) + " cannot change in place"
                            : ": removed from the configuration; stopping"));
    retire(*slot);
  }
  for (const auto& name : plan.scriptsChanged) {
    if (auto it = tracked_.scripts.find(name); it != tracked_.scripts.end()) {
      it->second->stop();
      tracked_.scripts.erase(it);
    }
  }
  std::vector<std::string> newScripts;
  for (auto& [name, t] : staged) {
    tracked_.scripts[name] = std::move(t);
    newScripts.push_back(name);
  }
  tracked_.backends = backends;
  groups_ = std::move(*groups);
  for (auto& c : inPlace) {
    InstanceSlot& slot = *c.slot;
    log::info(slot.name() + ": changed in place: " + joined(c.plan->changes));
    slot.setAnnounceVia(std::move(c.via));
    slot.reconfigure(std::move(c.derived.settings), std::move(c.derived.vips));
    if (!slot.extras) {
      slot.extras = std::make_unique<RouteKeeper>(slot.name(), kernel_.addresses(),
                                                  kernel_.routing(), std::vector<KeptItem>{});
      if (slot.state() == vrrp::State::kMaster) slot.extras->install();
    }
    slot.extras->replace(std::move(c.kept));
    const bool userChanged = std::find(c.plan->changes.begin(), c.plan->changes.end(),
                                       "script_user") != c.plan->changes.end();
    if (userChanged) slot.notifier.reset();
    if (auto e = configureEffects(slot, *c.vi, next.global); !e) {
      // Checked in the build phase; a user deleted in between leaves the scripts off.
      log::error(slot.name() + ": " + e.error() + "; notify scripts disabled");
    }
    slot.tracking = trackingOf(*c.vi);
  }
  std::vector<InstanceSlot*> started;
  for (auto& slot : fresh) {
    started.push_back(slot.get());
    adopt(std::move(slot));
  }
  joinGroups(next);
  statics_->replace(std::move(*statics));
  if (std::find(plan.globalsChanged.begin(), plan.globalsChanged.end(), "mail settings") !=
      plan.globalsChanged.end()) {
    routerId_ = routerIdOf(next.global);
    // The old mailer sends what it has queued before it stops (seconds against a
    // dead server): never on this thread, where adverts wait.
    if (mail_) mailReapers_.emplace_back([old = std::move(mail_)]() mutable { old.reset(); });
    mail_ = kernel_.mailer(next.global);
  }
  running_ = next;
  syncTrackers(next, true);
  startScripts(newScripts);
  // Every instance that kept running is judged again: a new base priority, weight,
  // script or backend state is applied now (a master advertises it at once; a
  // backup that is now higher preempts). Unchanged ones: no-op.
  for (auto& slot : slots_) {
    if (std::find(started.begin(), started.end(), slot.get()) == started.end()) {
      applyHealth(*slot, false);
    }
  }
  for (InstanceSlot* slot : started) {
    slot->score = scoring::computeScore(slot->instance().settings().machine.priority,
                                        trackedItems(slot->tracking, tracked_));
  }
  for (InstanceSlot* slot : started) slot->start(faultReason(*slot));
  syncFilter();  // VIPs, accept mode or the nftables settings may have changed
  syncClaimWatches();
  sweepVmacs();
  return plan;
}

}  // namespace holdfast::runtime
