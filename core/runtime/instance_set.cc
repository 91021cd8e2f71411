#include "core/runtime/instance_set.h"

#include <algorithm>
#include <cassert>

#include "core/log/logger.h"
#include "core/runtime/instance_settings.h"
#include "core/runtime/transition_effects.h"
#include "netio/duration_text.h"

namespace holdfast::runtime {

namespace {
bool usable(const netio::InterfaceInfo& i) {
  return i.up && i.running;
}
}  // namespace

std::expected<std::unique_ptr<InstanceSet>, std::string> InstanceSet::create(
    Kernel& kernel, const config::Config& cfg,
    const std::map<std::string, TrackedHealth>& backends) {
  std::unique_ptr<InstanceSet> set(new InstanceSet(kernel));
  set->tracked_.backends = backends;
  for (const auto& vi : cfg.instances) {
    auto slot = set->build(vi, cfg, set->tracked_.scripts);
    if (!slot) {
      return std::unexpected("vrrp_instance '" + vi.name + "' (" + vi.where.fileLine() +
                             "): " + slot.error());
    }
    set->adopt(std::move(*slot));
  }
  auto groups = set->buildGroups(cfg);
  if (!groups) return std::unexpected(groups.error());
  set->groups_ = std::move(*groups);
  auto statics = keptItems(kernel, cfg.staticAddresses, kDefaultInterface, cfg.staticRoutes,
                           cfg.staticRules, "static");
  if (!statics) return std::unexpected("static_ipaddress: " + statics.error());
  set->statics_ = std::make_unique<RouteKeeper>("static", kernel.addresses(), kernel.routing(),
                                                std::move(*statics));
  set->routerId_ = routerIdOf(cfg.global);
  set->mail_ = kernel.mailer(cfg.global);
  set->running_ = cfg;
  set->syncTrackers(cfg, false);
  return set;
}

InstanceSet::~InstanceSet() {
  for (auto& t : mailReapers_) t.join();
}

std::expected<InstanceSet::Derived, std::string> InstanceSet::derive(
    const config::VrrpInstance& vi, const config::GlobalDefs& g, const netio::InterfaceInfo& info,
    const VmacLink* vmac, const std::vector<AddressVmac>* addressVmacs) {
  auto settings = makeInstanceSettings(vi, g, info);
  if (!settings) return std::unexpected(settings.error());
  Derived d{std::move(*settings), {}};
  // The VIPs' interfaces are resolved here: a `dev` that does not exist is an error
  // now (start or reload), not a failure at the first transition.
  for (auto& v : d.settings.vips) {
    int ifindex = info.index;
    if (v.interface != vi.interface) {
      auto dev = kernel_.lookupInterface(v.interface);
      if (!dev) {
        return std::unexpected("virtual_ipaddress " + v.address.str() + ": no interface '" +
                               v.interface + "'");
      }
      ifindex = dev->index;
    }
    // use_vmac: the VIPs of the instance's interface and family live on the VMAC.
    if (vmac && ifindex == info.index && v.address.family == d.settings.family) {
      ifindex = vmac->index;
      v.interface = vmac->name;
    } else if (addressVmacs) {
      // use_vmac_addr / the entry's use_vmac: on the VMAC of its link and family.
      for (const auto& va : vi.virtualAddresses) {
        if (toNetio(va.address) != v.address) continue;
        if (const AddressVmac* a = addressVmacOf(vi, va, ifindex, info.index, *addressVmacs)) {
          ifindex = a->link.index;
          v.interface = a->link.name;
        }
        break;
      }
    }
    d.vips.push_back({v.address, v.prefixLength, ifindex, v.label, v.broadcast, v.scope});
  }
  return d;
}

std::expected<void, std::string> InstanceSet::stageScript(const config::VrrpScript& script,
                                                          const config::GlobalDefs& g,
                                                          Scripts& staged) {
  if (staged.contains(script.name)) return {};
  auto who = kernel_.scriptUser(script.user.empty() ? g.scriptUser : script.user,
                                script.user.empty() ? g.scriptGroup : script.group);
  if (!who) return std::unexpected("vrrp_script " + script.name + ": " + who.error());
  staged[script.name] =
      kernel_.script(script, *who, [this, name = script.name] { onScriptChange(name); });
  return {};
}

std::expected<void, std::string> InstanceSet::stageTracked(const config::VrrpInstance& vi,
                                                           const config::Config& cfg,
                                                           Scripts& staged) {
  for (const auto& ref : vi.trackScripts) {
    // A script kept from the running config, or staged already, is not staged again.
    if (staged.contains(ref.name) || tracked_.scripts.contains(ref.name)) continue;
    if (auto r = stageScript(*cfg.findScript(ref.name), cfg.global, staged); !r) {
      return std::unexpected(r.error());
    }
  }
  for (const auto& ref : vi.trackInterfaces) {
    if (tracked_.interfaces.contains(ref.name)) continue;  // kept current by link events
    auto info = kernel_.lookupInterface(ref.name);
    if (!info) {
      log::warning(vi.name + ": track_interface " + ref.name + ": " + info.error() +
                   "; counted as down");
    }
    tracked_.interfaces[ref.name] = info && usable(*info);
  }
  return {};
}

std::expected<void, std::string> InstanceSet::configureEffects(InstanceSlot& slot,
                                                               const config::VrrpInstance& vi,
                                                               const config::GlobalDefs& g) {
  slot.notify = vetNotify(vi.notify, vi.name, vi.where);
  if (vi.notify.any() && !slot.notifier) {
    auto who = kernel_.scriptUser(g.scriptUser, g.scriptGroup);
    if (!who) return std::unexpected("notify scripts: " + who.error());
    slot.notifier = kernel_.notifier(vi.name, *who);
  }
  // The guides' configs set notification_email and smtp_server and expect mail on
  // every transition; an explicit `smtp_alert off` on the instance turns it off.
  slot.smtpAlert = vi.locations.has("smtp_alert") ? vi.smtpAlert : true;
  slot.noAccept = !vi.accept && vi.priority != 255;
  slot.setConflictAction(vi.conflictAction);
  return {};
}

std::expected<std::unique_ptr<InstanceSlot>, std::string> InstanceSet::build(
    const config::VrrpInstance& vi, const config::Config& cfg, Scripts& staged) {
  const config::GlobalDefs& g = cfg.global;
  if (auto r = stageTracked(vi, cfg, staged); !r) return std::unexpected(r.error());
  auto info = kernel_.lookupInterface(vi.interface);
  if (!info) return std::unexpected(info.error());
  auto vmac = makeVmac(vi, cfg, *info);
  if (!vmac) return std::unexpected(vmac.error());
  const VmacLink* link = *vmac ? &(*vmac)->first : nullptr;
  auto addressVmacs = makeAddressVmacs(vi, cfg, *info, link);
  if (!addressVmacs) return std::unexpected(addressVmacs.error());
  auto derived = derive(vi, g, *info, link, &*addressVmacs);
  if (!derived) return std::unexpected(derived.error());
  const auto& s = derived->settings;
  // use_vmac: adverts are sent and received on the VMAC, as keepalived does (a peer's
  // adverts from the VRRP MAC, our own VMAC's MAC, reach only the VMAC: the macvlan
  // driver takes them for frames our VMAC sent), unless vmac_xmit_base.
  const bool onVmac = link && !vi.vmacXmitBase;
  const std::string& portName = onVmac ? link->name : vi.interface;
  auto port = kernel_.advertPort(portName, s.family, onVmac ? link->index : info->index,
                                 s.destinations.front(), vi.unicastPeers.empty());
  if (!port) return std::unexpected("VRRP socket on " + portName + ": " + port.error());
  auto announcer = link ? kernel_.announcePort(link->name, link->index)
                        : kernel_.announcePort(vi.interface, info->index);
  if (!announcer) return std::unexpected(announcer.error());
  auto slot = std::make_unique<InstanceSlot>(
      kernel_, *this, std::move(derived->settings), *info, std::move(derived->vips),
      InstanceSlot::Ports{*port, *announcer, &kernel_.addresses(), kernel_.timer()});
  if (link) slot->setVmac((*vmac)->first, (*vmac)->second, vi.vmacXmitBase);
  if (auto e = configureEffects(*slot, vi, g); !e) return std::unexpected(e.error());
  slot->tracking = trackingOf(vi);
  slot->health.linkDown = !usable(*info);
  slot->health.ignoreLink = vi.tuning.dontTrackPrimary;
  if (vi.tuning.unicastFaultNoPeer && vi.unicastPeers.empty()) {
    slot->health.configFault = "unicast without any unicast_peer (unicast_fault_no_peer)";
  }
  auto kept = keptItems(kernel_, vi.excludedAddresses, vi.interface, vi.virtualRoutes,
                        vi.virtualRules, vi.name, addressPlacer(vi, info->index, *addressVmacs));
  if (!kept) return std::unexpected(kept.error());
  auto via = announceTargets(*info, link, *addressVmacs, slot->vips(), *kept);
  if (!via) return std::unexpected(via.error());
  slot->setAddressVmacs(std::move(*addressVmacs), std::move(*via));
  if (!kept->empty()) {
    slot->extras = std::make_unique<RouteKeeper>(vi.name, kernel_.addresses(), kernel_.routing(),
                                                 std::move(*kept));
  }
  return slot;
}

std::expected<std::vector<std::unique_ptr<SyncGroup>>, std::string> InstanceSet::buildGroups(
    const config::Config& cfg) {
  std::vector<std::unique_ptr<SyncGroup>> out;
  for (const auto& g : cfg.syncGroups) {
    auto group = std::make_unique<SyncGroup>(g.name);
    for (const auto& old : groups_) {
      if (old->name() == g.name) group->setState(old->state());
    }
    group->notify = vetNotify(g.notify, "vrrp_sync_group " + g.name, g.where);
    if (g.notify.any()) {
      // Group notify scripts run as the script user: an unknown one is refused.
      auto who = kernel_.scriptUser(cfg.global.scriptUser, cfg.global.scriptGroup);
      if (!who) return std::unexpected("vrrp_sync_group " + g.name + ": " + who.error());
      group->notifier = kernel_.notifier("vrrp_sync_group " + g.name, *who);
    }
    out.push_back(std::move(group));
  }
  return out;
}

void InstanceSet::adopt(std::unique_ptr<InstanceSlot> slot) {
  auto& table = byVrid_[slot->port()];  // value-initialised: all null
  const int vrid = slot->instance().settings().vrid;
  // Config validation refuses two instances with one (interface, VRID, family).
  assert(!table[vrid]);
  table[vrid] = slot.get();
  slots_.push_back(std::move(slot));
}

void InstanceSet::retire(InstanceSlot& slot) {
  slot.group = nullptr;  // a member stopped by a reload drags no other member along
  slot.stop();
  auto& table = byVrid_[slot.port()];
  const int vrid = slot.instance().settings().vrid;
  if (table[vrid] == &slot) table[vrid] = nullptr;
  if (slot.vmac()) retiredVmacs_.push_back(*slot.vmac());
  for (const auto& a : slot.addressVmacs()) retiredVmacs_.push_back(a.link);
  auto it =
      std::find_if(slots_.begin(), slots_.end(), [&](const auto& p) { return p.get() == &slot; });
  retired_.push_back(std::move(*it));
  slots_.erase(it);
}

InstanceSlot* InstanceSet::find(const std::string& name) const {
  for (const auto& s : slots_) {
    if (s->name() == name) return s.get();
  }
  return nullptr;
}

void InstanceSet::startScripts(const std::vector<std::string>& names) {
  // Scripts start at once (keepalived does too), a little apart.
  int n = 0;
  for (const auto& name : names) {
    if (auto it = tracked_.scripts.find(name); it != tracked_.scripts.end()) {
      it->second->start(std::chrono::milliseconds(10 * n++));
    }
  }
}

void InstanceSet::joinGroups(const config::Config& cfg) {
  for (auto& s : slots_) s->group = nullptr;
  for (const auto& g : cfg.syncGroups) {
    for (auto& group : groups_) {
      if (group->name() != g.name) continue;
      for (const auto& m : g.members) {
        if (InstanceSlot* s = find(m.name)) {
          s->group = group.get();
          group->add(s);
        }
      }
    }
  }
}

void InstanceSet::start() {
  joinGroups(running_);
  for (auto& s : slots_) s->removeStaleVips();
  syncFilter();  // a crashed run's table replaced before any VIP is added
  syncClaimWatches();
  // Static ones go in before any instance runs: a virtual route may need them.
  statics_->install();
  std::vector<std::string> names;
  for (const auto& [name, t] : tracked_.scripts) names.push_back(name);
  startScripts(names);
  const auto delay = running_.global.tuning.startupDelay;
  if (delay.count() > 0) {
    // keepalived's vrrp_startup_delay: the instances wait in INIT (scripts already
    // run), so that links still settling at boot do not make a second master.
    log::info("vrrp_startup_delay: the instances start in " + netio::formatDuration(delay));
    for (auto& s : slots_) s->awaitingFirstResult = true;
    startupDelayed_ = true;
    startupTimer_ = kernel_.timer();
    startupTimer_->armAt(
        kernel_.now() + delay,
        [this] {
          startupDelayed_ = false;
          startInstances();
        },
        false);
    return;
  }
  startInstances();
}

void InstanceSet::startInstances() {
  // Every score first: a member's FAULT depends on the rest of its sync group.
  for (auto& s : slots_) {
    s->score = scoring::computeScore(s->instance().settings().machine.priority,
                                     trackedItems(s->tracking, tracked_));
  }
  for (auto& s : slots_) {
    if (!startUnlessPending(*s)) {
      s->awaitingFirstResult = true;
      log::info(s->name() +
                ": waiting in INIT for the first result of its weight-0 tracked script(s), as "
                "keepalived does");
    }
  }
}

bool InstanceSet::startUnlessPending(InstanceSlot& slot) {
  auto items = trackedItems(slot.tracking, tracked_);
  const bool pending = std::any_of(items.begin(), items.end(), [](const auto& i) {
    return i.kind == "script" && i.pending && i.weight == 0;
  });
  if (pending) return false;
  slot.awaitingFirstResult = false;
  slot.score = scoring::computeScore(slot.instance().settings().machine.priority, items);
  slot.start(faultReason(slot));
  return true;
}

void InstanceSet::stop() {
  if (startupTimer_) startupTimer_->cancel();
  for (auto& [name, t] : tracked_.scripts) t->stop();
  for (auto& s : slots_) {
    s->stop();
    if (s->vmac()) retiredVmacs_.push_back(*s->vmac());
    for (const auto& a : s->addressVmacs()) retiredVmacs_.push_back(a.link);
  }
  slotsStopped_ = true;
  claimWatches_.clear();
  filter_.remove();
  // keepalived removes its static addresses, routes and rules when it stops.
  statics_->uninstall();
  sweepVmacs();
}

bool InstanceSet::notifiersIdle() const {
  auto idle = [](const auto& p) { return !p->notifier || p->notifier->idle(); };
  return std::all_of(slots_.begin(), slots_.end(), idle) &&
         std::all_of(retired_.begin(), retired_.end(), idle) &&
         std::all_of(groups_.begin(), groups_.end(), idle);
}

bool InstanceSet::receive(AdvertPort& port, const netio::ReceivedPacket& p, TimePoint arrival,
                          bool batched, uint64_t copies) {
  if (p.truncated) {  // longer than any VRRP message
    port.counters().discard(vrrp::DiscardReason::kBadLength, copies);
    return false;
  }
  vrrp::PacketInfo info{p.source, p.destination, p.ttl};
  auto decoded = vrrp::decodeInto(p.payload, info, received_);
  if (!decoded) {
    port.counters().discard(decoded.error(), copies);
    // Built only when wanted: under a flood this runs for every packet.
    if (log::enabled(log::Level::kDebug)) {
      log::debug("discarded VRRP packet from " + p.source.str() + ": " +
                 vrrp::toString(decoded.error()));
    }
    return false;
  }
  auto it = byVrid_.find(&port);
  InstanceSlot* slot = it == byVrid_.end() ? nullptr : it->second[received_.vrid];
  if (!slot) {
    port.counters().discard(vrrp::DiscardReason::kUnknownVrid, copies);
    return false;
  }
  if (batched) armAfterBatch_.push_back(slot);
  return slot->receive(received_, info, arrival, !batched, copies);
}

void InstanceSet::receiveDone() {
  // Each slot once, however many of its adverts the batch held.
  for (InstanceSlot* slot : armAfterBatch_) slot->armDeferred();
  armAfterBatch_.clear();
}

void InstanceSet::linkEvent(const netio::LinkEvent& e) {
  using Kind = netio::LinkEvent::Kind;
  if (e.kind == Kind::kRoutesRemoved || e.kind == Kind::kRulesRemoved) {
    // Whatever went, every route (rule) that should be in is added again: the ones
    // that are there cost an EEXIST, the ones that were removed are put back.
    auto restore = [&](RouteKeeper& k) {
      e.kind == Kind::kRoutesRemoved ? k.routesRemoved() : k.rulesRemoved();
    };
    restore(*statics_);
    for (auto& s : slots_) {
      if (s->extras) restore(*s->extras);
    }
    return;
  }
  if (e.kind == netio::LinkEvent::Kind::kLinkChanged) {
    if (e.usable) {
      // The kernel dropped the routes through an interface that went down.
      statics_->routesRemoved();
      statics_->rulesRemoved();
    }
    auto name = kernel_.interfaceName(e.ifindex);
    if (name && tracked_.interfaces.contains(*name)) tracked_.interfaces[*name] = e.usable;
    for (auto& s : slots_) {
      if (s->ifindex() != e.ifindex) continue;
      // Re-read the interface: addresses (the advert source, the MAC) may have changed.
      auto info = kernel_.lookupInterface(s->instance().settings().interface);
      s->interfaceChanged(info ? *info : s->interfaceInfo(), e.usable);
    }
    for (auto& s : slots_) applyHealth(*s);
    return;
  }
  for (auto& s : slots_) {
    const auto& settings = s->instance().settings();
    // The advert source leaving the interface (or coming back) is a fault of its own:
    // RFC 5798 5.1.1.1 adverts must come from the interface's address.
    if (e.address == settings.source && s->ifindex() == e.ifindex) {
      const bool gone = e.kind == netio::LinkEvent::Kind::kAddressRemoved;
      if (gone != s->health.sourceGone) {
        s->health.sourceGone = gone;
        applyHealth(*s);
      }
      continue;
    }
    if (e.kind == netio::LinkEvent::Kind::kAddressRemoved) s->addressRemoved(e.address, e.ifindex);
  }
  if (e.kind == Kind::kAddressRemoved) statics_->addressRemoved(e.address, e.ifindex);
}

void InstanceSet::backendChanged(const TrackedHealth& h) {
  tracked_.backends[h.name] = h;
  for (auto& s : slots_) {
    if (s->tracking.tracks(s->tracking.backends, h.name)) applyHealth(*s);
  }
}

void InstanceSet::onScriptChange(const std::string& name) {
  for (auto& s : slots_) {
    if (!s->tracking.tracks(s->tracking.scripts, name)) continue;
    if (s->awaitingFirstResult) {
      if (!startupDelayed_) startUnlessPending(*s);
    } else {
      applyHealth(*s);
    }
  }
}

void InstanceSet::syncTrackers(const config::Config& cfg, bool reload) {
  if (!files_) {
    files_ = std::make_unique<FileTracker>(kernel_, tracked_.files, [this](const std::string& n) {
      trackedChanged(&Tracking::files, n);
    });
    processes_ = std::make_unique<ProcessTracker>(
        kernel_, tracked_.processes,
        [this](const std::string& n) { trackedChanged(&Tracking::processes, n); });
  }
  // Only what some instance tracks is watched (keepalived reads only those too).
  auto tracked = [&](auto member, const std::string& name) {
    return std::any_of(cfg.instances.begin(), cfg.instances.end(), [&](const auto& vi) {
      return std::any_of((vi.*member).begin(), (vi.*member).end(),
                         [&](const auto& t) { return t.name == name; });
    });
  };
  std::vector<config::TrackFile> files;
  for (const auto& f : cfg.trackFiles) {
    if (tracked(&config::VrrpInstance::trackFiles, f.name)) files.push_back(f);
  }
  std::vector<config::TrackProcess> processes;
  for (const auto& p : cfg.trackProcesses) {
    if (tracked(&config::VrrpInstance::trackProcesses, p.name)) processes.push_back(p);
  }
  files_->initialise(cfg.trackFiles, reload);
  files_->sync(files);
  processes_->sync(processes);
}

void InstanceSet::trackedChanged(std::vector<config::TrackRef> Tracking::*list,
                                 const std::string& name) {
  for (auto& s : slots_) {
    if (s->tracking.tracks(s->tracking.*list, name)) applyHealth(*s);
  }
}

std::optional<std::string> InstanceSet::faultReason(const InstanceSlot& slot) const {
  if (auto own = slot.ownFault()) return own;
  // A sync group is in FAULT while any member is, for its own reasons.
  if (slot.group) return slot.group->faultFromOthers(slot);
  return std::nullopt;
}

void InstanceSet::applyHealth(InstanceSlot& slot, bool propagate) {
  if (slot.awaitingFirstResult) return;  // scored when it starts (startUnlessPending)
  const auto& settings = slot.instance().settings();
  const bool wasFaulty = slot.ownFault().has_value();
  scoring::Score score =
      scoring::computeScore(settings.machine.priority, trackedItems(slot.tracking, tracked_));
  auto fault = ownFaultReason(slot.health, score, settings.interface, settings.source.str());
  if (!fault && slot.group) fault = slot.group->faultFromOthers(slot);
  slot.applyVerdict(std::move(score), fault);
  if (propagate && slot.group && wasFaulty != slot.ownFault().has_value()) {
    for (InstanceSlot* m : slot.group->members()) {
      if (m != &slot) applyHealth(*m, false);
    }
  }
}

void InstanceSet::transitioned(InstanceSlot& slot, const vrrp::Transition& t, int priority) {
  // keepalived's order: the firewall (before the VIPs are added), log and event,
  // mail, the group follows (and its notify runs when it settles), then the
  // instance's own notify scripts.
  syncFilter();
  recordTransition(slot.name(), t, priority);
  if (slot.smtpAlert && mail_) mailTransition(*mail_, routerId_, slot.name(), t, priority);
  if (slot.group) {
    slot.group->follow(slot, t, kernel_.now());
    slot.group->settle();
  }
  if (slot.notifier) {
    queueNotify(
        *slot.notifier, slot.notify, t.to,
        "INSTANCE " + slot.name() + " " + vrrp::toString(t.to) + " " + std::to_string(priority));
  }
}

void InstanceSet::syncFilter() {
  // keepalived puts an instance's virtual_ipaddress_excluded in the set with its VIPs.
  std::vector<std::vector<netio::AddressSpec>> addresses;
  addresses.reserve(slots_.size());
  std::vector<FilterMember> members;
  for (const auto& s : slots_) {
    auto& all = addresses.emplace_back(s->vips());
    if (s->extras) {
      auto excluded = s->extras->addresses();
      all.insert(all.end(), excluded.begin(), excluded.end());
    }
    members.push_back({s->noAccept, s->state() == vrrp::State::kMaster, &all});
  }
  filter_.sync(desiredFilter(running_.global, members));
}

std::vector<InstanceReport> InstanceSet::reports() const {
  std::vector<InstanceReport> out;
  for (const auto& s : slots_) {
    InstanceReport r = s->report(faultReason(*s));
    r.syncGroup = s->group ? s->group->name() : "";
    r.accept = !s->noAccept;
    r.vipsFiltered = std::any_of(s->vips().begin(), s->vips().end(),
                                 [&](const auto& v) { return filter_.filtered(v.address); });
    r.filterErrors = filter_.failures();
    r.filterLastError = filter_.lastError();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace holdfast::runtime
