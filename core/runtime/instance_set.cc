#include "core/runtime/instance_set.h"

#include <algorithm>
#include <cassert>

#include "core/log/logger.h"
#include "core/runtime/instance_settings.h"
#include "core/runtime/transition_effects.h"

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
    const config::VrrpInstance& vi, const config::GlobalDefs& g, const netio::InterfaceInfo& info) {
  auto settings = makeInstanceSettings(vi, g, info);
  if (!settings) return std::unexpected(settings.error());
  Derived d{std::move(*settings), {}};
  // The VIPs' interfaces are resolved here: a `dev` that does not exist is an error
  // now (start or reload), not a failure at the first transition.
  for (const auto& v : d.settings.vips) {
    int ifindex = info.index;
    if (v.interface != vi.interface) {
      auto dev = kernel_.lookupInterface(v.interface);
      if (!dev) {
        return std::unexpected("virtual_ipaddress " + v.address.str() + ": no interface '" +
                               v.interface + "'");
      }
      ifindex = dev->index;
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
  return {};
}

std::expected<std::unique_ptr<InstanceSlot>, std::string> InstanceSet::build(
    const config::VrrpInstance& vi, const config::Config& cfg, Scripts& staged) {
  const config::GlobalDefs& g = cfg.global;
  if (auto r = stageTracked(vi, cfg, staged); !r) return std::unexpected(r.error());
  auto info = kernel_.lookupInterface(vi.interface);
  if (!info) return std::unexpected(info.error());
  auto derived = derive(vi, g, *info);
  if (!derived) return std::unexpected(derived.error());
  const auto& s = derived->settings;
  auto port = kernel_.advertPort(vi.interface, s.family, info->index, s.destinations.front(),
                                 vi.unicastPeers.empty());
  if (!port) return std::unexpected("VRRP socket on " + vi.interface + ": " + port.error());
  auto announcer = kernel_.announcePort(vi.interface, info->index);
  if (!announcer) return std::unexpected(announcer.error());
  auto slot = std::make_unique<InstanceSlot>(
      kernel_, *this, std::move(derived->settings), *info, std::move(derived->vips),
      InstanceSlot::Ports{*port, *announcer, &kernel_.addresses(), kernel_.timer()});
  if (auto e = configureEffects(*slot, vi, g); !e) return std::unexpected(e.error());
  slot->tracking = trackingOf(vi);
  slot->health.linkDown = !usable(*info);
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
  std::vector<std::string> names;
  for (const auto& [name, t] : tracked_.scripts) names.push_back(name);
  startScripts(names);
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
  for (auto& [name, t] : tracked_.scripts) t->stop();
  for (auto& s : slots_) s->stop();
}

bool InstanceSet::notifiersIdle() const {
  auto idle = [](const auto& p) { return !p->notifier || p->notifier->idle(); };
  return std::all_of(slots_.begin(), slots_.end(), idle) &&
         std::all_of(retired_.begin(), retired_.end(), idle) &&
         std::all_of(groups_.begin(), groups_.end(), idle);
}

void InstanceSet::receive(AdvertPort& port, const netio::ReceivedPacket& p, TimePoint arrival) {
  vrrp::PacketInfo info{p.source, p.destination, p.ttl};
  auto advert = vrrp::decode(p.payload, info);
  if (!advert) {
    port.counters().discard(advert.error());
    // Built only when wanted: under a flood this runs for every packet.
    if (log::enabled(log::Level::kDebug)) {
      log::debug("discarded VRRP packet from " + p.source.str() + ": " +
                 vrrp::toString(advert.error()));
    }
    return;
  }
  auto it = byVrid_.find(&port);
  InstanceSlot* slot = it == byVrid_.end() ? nullptr : it->second[advert->vrid];
  if (!slot) {
    port.counters().discard(vrrp::DiscardReason::kUnknownVrid);
    return;
  }
  slot->receive(*advert, info, arrival);
}

void InstanceSet::linkEvent(const netio::LinkEvent& e) {
  if (e.kind == netio::LinkEvent::Kind::kLinkChanged) {
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
      startUnlessPending(*s);
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
  // keepalived's order: log and event, mail, the group follows (and its notify
  // runs when it settles), then the instance's own notify scripts.
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

std::vector<InstanceReport> InstanceSet::reports() const {
  std::vector<InstanceReport> out;
  for (const auto& s : slots_) {
    InstanceReport r = s->report(faultReason(*s));
    r.syncGroup = s->group ? s->group->name() : "";
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace holdfast::runtime
