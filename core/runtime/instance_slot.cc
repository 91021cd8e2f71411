#include "core/runtime/instance_slot.h"

#include <algorithm>
#include <cstdio>

#include "core/config/vmac.h"
#include "core/log/event_log.h"
#include "core/log/logger.h"
#include "netio/duration_text.h"

namespace holdfast::runtime {

namespace {

bool sameSpec(const netio::AddressSpec& a, const netio::AddressSpec& b) {
  return a.address == b.address && a.prefixLength == b.prefixLength && a.ifindex == b.ifindex &&
         a.label == b.label && a.broadcast == b.broadcast && a.scope == b.scope;
}

std::string vipList(const vrrp::InstanceSettings& s) {
  std::string out;
  for (const auto& v : s.vips) {
    if (!out.empty()) out += ", ";
    out += v.address.str() + "/" + std::to_string(v.prefixLength) + " on " + v.interface;
  }
  return out;
}

std::string specList(const std::vector<netio::AddressSpec>& v) {
  std::string out;
  for (const auto& a : v) {
    out += (out.empty() ? "" : ", ") + a.address.str() + "/" + std::to_string(a.prefixLength);
  }
  return out;
}

// A VIP-list mismatch is logged at most this often per instance (with the count).
constexpr auto kMismatchLogEvery = std::chrono::seconds(60);

}  // namespace

InstanceSlot::InstanceSlot(Kernel& kernel, SlotEvents& events, vrrp::InstanceSettings settings,
                           netio::InterfaceInfo iface, std::vector<netio::AddressSpec> vips,
                           Ports ports)
    : kernel_(kernel),
      events_(events),
      iface_(std::move(iface)),
      vips_(std::move(vips)),
      ports_(std::move(ports)),
      instance_(std::make_unique<vrrp::Instance>(std::move(settings), *this)) {
  conflicts_ = std::make_unique<SlotConflicts>(
      name(), kernel_,
      SlotConflicts::Hooks{[this] {
                             for (const auto& v : vips_) probeOne(v.address, v.ifindex);
                           },
                           [this] { announce(instance_->settings()); },
                           [this](const Conflict&) {
                             if (notifier && !notify.notify.empty()) {
                               notifier->enqueue(
                                   notify.notify + " INSTANCE " + name() + " CONFLICT " +
                                       std::to_string(instance_->machine().priority()),
                                   "notify");
                             }
                           }});
}

InstanceSlot::~InstanceSlot() {
  if (ports_.timer) ports_.timer->cancel();
}

void InstanceSlot::setAddressVmacs(std::vector<AddressVmac> vmacs, std::vector<AnnounceVia> via) {
  addressVmacs_ = std::move(vmacs);
  announceVia_ = std::move(via);
}

void InstanceSlot::setVmac(VmacLink link, netio::InterfaceInfo info, bool xmitBase) {
  vmac_ = std::move(link);
  vmacInfo_ = std::move(info);
  vmacXmitBase_ = xmitBase;
}

bool InstanceSlot::owned(const netio::IpAddress& a) const {
  return std::find(ownedAtStart_.begin(), ownedAtStart_.end(), a) != ownedAtStart_.end();
}

void InstanceSlot::removeStaleVips() {
  const auto& s = instance_->settings();
  if (extras) extras->removeStale();
  for (size_t i = 0; i < vips_.size(); ++i) {
    const netio::AddressSpec& v = vips_[i];
    auto present = ports_.addresses->has(v.address, v.ifindex);
    if (!present || !*present) continue;
    if (s.machine.priority == vrrp::kOwnerPriority) {
      ownedAtStart_.push_back(v.address);
      continue;
    }
    if (auto rm = ports_.addresses->remove(v); rm) {
      log::warning(s.name + ": removed VIP " + v.address.str() + " from " + s.vips[i].interface +
                   ", left by an earlier run");
    } else {
      log::error(s.name + ": cannot remove stale VIP: " + rm.error());
    }
  }
}

void InstanceSlot::start(const std::optional<std::string>& fault) {
  const auto& s = instance_->settings();
  instance_->setPriority(score.effective, kernel_.now());  // before start: sets it only
  log::info(s.name + ": starting on " + s.interface + " vrid " + std::to_string(s.vrid) + " VRRPv" +
            std::to_string(s.machine.version) + " priority " + std::to_string(s.machine.priority) +
            ", adverts from " + s.source.str() + " to " + s.destinations.front().str() +
            (s.destinations.size() > 1
                 ? " and " + std::to_string(s.destinations.size() - 1) + " more"
                 : ""));
  if (tracking.any()) log::info(s.name + ": initial score: " + score.explain());
  instance_->start(kernel_.now(), fault.has_value(), fault.value_or(""));
  arm();
}

void InstanceSlot::stop() {
  conflicts_->leftMaster();
  instance_->stop(kernel_.now());
  ports_.timer->cancel();
  if (ports_.adverts)
    ports_.adverts->setRoutine(static_cast<uint8_t>(instance_->settings().vrid), {});
}

bool InstanceSlot::receive(const vrrp::Advert& advert, const vrrp::PacketInfo& info,
                           TimePoint arrival, bool rearm, uint64_t copies) {
  const bool wasMaster = state() == vrrp::State::kMaster && !instance_->handingOver();
  const bool honoured = instance_->receive(advert, info, arrival, copies);
  // Still master after another router's advert as master: two masters (a normal
  // preemption or handover would have made us Backup).
  if (wasMaster && state() == vrrp::State::kMaster && advert.priority > 0) {
    conflicts_->otherMaster(info.source, advert.priority);
  }
  // The flag follows the last advert that was honoured.
  mismatch_.active = instance_->lastVipListDiffered();
  if (rearm) {
    arm();
  } else {
    armDue_ = true;
  }
  return honoured;
}

void InstanceSlot::armDeferred() {
  if (armDue_) arm();  // arm() clears the flag
}

std::optional<std::string> InstanceSlot::ownFault() const {
  const auto& s = instance_->settings();
  return ownFaultReason(health, score, s.interface, s.source.str());
}

void InstanceSlot::applyVerdict(scoring::Score next, const std::optional<std::string>& fault) {
  const auto& s = instance_->settings();
  if (next.effective != score.effective || next.fault != score.fault) {
    log::info(s.name + ": priority " + std::to_string(score.effective) + " -> " +
              (next.fault ? std::string("FAULT") : std::to_string(next.effective)) + ": " +
              next.explain());
  }
  score = std::move(next);
  const bool faulted = instance_->state() == vrrp::State::kFault;
  const auto now = kernel_.now();
  if (fault && !faulted) instance_->setFault(true, *fault, now);
  instance_->setPriority(score.effective, now);
  if (!fault && faulted) {
    instance_->setFault(
        false, "interface " + s.interface + " is up; no tracked item or group member faults it",
        now);
  }
  arm();
}

void InstanceSlot::reconfigure(vrrp::InstanceSettings settings,
                               std::vector<netio::AddressSpec> vips) {
  std::vector<netio::AddressSpec> added, removed;
  for (const auto& v : vips) {
    if (std::none_of(vips_.begin(), vips_.end(), [&](auto& o) { return sameSpec(o, v); }))
      added.push_back(v);
  }
  for (const auto& o : vips_) {
    if (std::none_of(vips.begin(), vips.end(), [&](auto& v) { return sameSpec(o, v); }))
      removed.push_back(o);
  }
  vips_ = std::move(vips);
  const bool master = instance_->state() == vrrp::State::kMaster;
  const std::string name = settings.name;
  // New VIPs are in the kernel before the first advert that lists them.
  if (master) {
    for (const auto& v : added) addOne(v);
    for (const auto& v : removed) {
      if (owned(v.address)) continue;
      if (auto rm = ports_.addresses->remove(v); !rm) {
        log::error(name + ": cannot remove VIP: " + rm.error());
      }
    }
  }
  // An advert the old settings honoured may fail the new ones' checks: the port
  // forgets it (AdvertPort::setRoutine) until one is honoured again.
  if (ports_.adverts) ports_.adverts->setRoutine(static_cast<uint8_t>(settings.vrid), {});
  instance_->reconfigure(std::move(settings), kernel_.now());
  if (master) {
    for (const auto& v : added) announceOne(v.address, v.ifindex);
    if (!added.empty()) log::info(name + ": VIPs added in place: " + specList(added));
    if (!removed.empty()) log::info(name + ": VIPs removed in place: " + specList(removed));
  }
  arm();
}

void InstanceSlot::followToMaster(const std::string& why, TimePoint now) {
  instance_->followToMaster(why, now);
  arm();
}

void InstanceSlot::followToBackup(const std::string& why, TimePoint now) {
  instance_->followToBackup(why, now);
  arm();
}

bool InstanceSlot::handOver(std::chrono::microseconds wait) {
  if (!instance_->handOver(wait, kernel_.now())) return false;
  ++handovers_;
  log::info(name() +
            ": handing over: priority 0 advert sent; the VIPs stay until a peer "
            "advertises as master (at most " +
            netio::formatDuration(wait) + ")");
  log::events().append(
      "instance", name(),
      "handing over: waiting up to " + netio::formatDuration(wait) + " for a peer to take over");
  arm();
  return true;
}

void InstanceSlot::handoverExpired(const vrrp::InstanceSettings& s) {
  ++handoversExpired_;
  log::warning(s.name + ": handover: no peer took over; still master");
  log::events().append("instance", s.name, "handover: no peer took over; still master");
}

void InstanceSlot::interfaceChanged(netio::InterfaceInfo info, bool usable) {
  iface_ = std::move(info);
  health.linkDown = !usable;
}

void InstanceSlot::addressRemoved(const netio::IpAddress& address, int ifindex) {
  // A VIP removed while we are master was not removed by us: put it back.
  if (instance_->state() != vrrp::State::kMaster) return;
  if (extras) extras->addressRemoved(address, ifindex);
  const auto& s = instance_->settings();
  for (size_t i = 0; i < vips_.size(); ++i) {
    const netio::AddressSpec& v = vips_[i];
    if (v.address != address || v.ifindex != ifindex) continue;
    log::warning(s.name + ": VIP " + v.address.str() + " was removed from " + s.vips[i].interface +
                 " while master; putting it back");
    addOne(v);
  }
}

void InstanceSlot::addOne(const netio::AddressSpec& v) {
  if (auto r = ports_.addresses->add(v); !r) {
    log::error(name() + ": cannot add VIP: " + r.error());
    vipsHeld_ = false;
  }
}

void InstanceSlot::arm() {
  armDue_ = false;
  if (ports_.adverts) {
    ports_.adverts->setRoutine(static_cast<uint8_t>(instance_->settings().vrid),
                               instance_->routinePriority());
  }
  auto deadline = instance_->nextDeadline();
  if (!deadline) {
    ports_.timer->cancel();
    return;
  }
  // A backup's timers (Master_Down_Interval, Skew_Time, preemption) decide when a
  // failover happens: they are armed precise.
  auto fire = [this] {
    // A master's Adver_Timer: its advert may wait for the other timers of this
    // wake-up and go out with theirs (AdvertPort::sendRoutine).
    routineFire_ = instance_->state() == vrrp::State::kMaster;
    instance_->onTimer(kernel_.now());
    routineFire_ = false;
    arm();
  };
  if (instance_->state() != vrrp::State::kBackup) {
    ports_.timer->armAt(*deadline, std::move(fire), false);
    return;
  }
  // Adverts that waited in the queue (AdvertPort::setRoutine) count first: one may
  // have moved this deadline (and armed the timer again).
  const TimePoint when = *deadline;
  auto prepare = [this, when] {
    if (ports_.adverts) ports_.adverts->catchUp();
    return instance_->nextDeadline() == when;
  };
  ports_.timer->armAtPrepared(when, std::move(prepare), std::move(fire));
}

void InstanceSlot::sendAdvert(const vrrp::InstanceSettings& s, std::span<const uint8_t> message,
                              const netio::IpAddress& destination) {
  const int ttl = destination.multicast() ? vrrp::kRequiredTtl : s.unicastTtl;
  // Routine: sent from a master's timer, and not the priority 0 advert of a master
  // that gives up (it goes out at once, before its VIPs are removed).
  const bool routine = routineFire_ && message.size() > vrrp::kPriorityOffset &&
                       message[vrrp::kPriorityOffset] != vrrp::kStopPriority;
  auto e = routine ? ports_.adverts->sendRoutine(message, s.source, destination, ttl, s.name)
                   : ports_.adverts->send(message, s.source, destination, ttl);
  if (e) {
    log::warning(s.name + ": cannot send advert to " + destination.str() + ": " + *e);
  }
}

void InstanceSlot::addVips(const vrrp::InstanceSettings& s) {
  vipsHeld_ = true;
  for (const auto& v : vips_) addOne(v);
  log::info(s.name + ": VIPs added: " + vipList(s));
  // After the VIPs: a virtual route may take one as its source.
  if (extras) extras->install();
}

void InstanceSlot::removeVips(const vrrp::InstanceSettings& s) {
  vipsHeld_ = false;
  // Before the VIPs (keepalived's order): rules, routes, then addresses.
  if (extras) extras->uninstall();
  for (const auto& v : vips_) {
    if (owned(v.address)) continue;
    if (auto rm = ports_.addresses->remove(v); !rm) {
      log::error(s.name + ": cannot remove VIP: " + rm.error());
    }
  }
  log::info(s.name + ": VIPs removed: " + vipList(s));
}

std::pair<AnnouncePort*, const netio::InterfaceInfo*> InstanceSlot::announcerFor(
    int ifindex) const {
  // use_vmac: from the VMAC, so that the LAN learns the VRRP MAC for the VIP (the
  // instance's eVIPs on its interface too); an address on another link from that link.
  AnnouncePort* port = ports_.announcer;
  const netio::InterfaceInfo* from = vmac_ ? &vmacInfo_ : &iface_;
  for (const auto& v : announceVia_) {
    if (v.ifindex == ifindex) {
      port = v.port;
      from = &v.info;
    }
  }
  return {port, from};
}

void InstanceSlot::announceOne(const netio::IpAddress& vip, int ifindex) {
  auto [port, from] = announcerFor(ifindex);
  if (auto r = port->announce(*from, vip); !r) {
    log::warning(name() + ": " + r.error());
  } else {
    ++garpsSent_;
  }
}

void InstanceSlot::probeOne(const netio::IpAddress& vip, int ifindex) {
  auto [port, from] = announcerFor(ifindex);
  if (auto r = port->probe(*from, vip); !r) log::debug(name() + ": probe: " + r.error());
}

std::set<netio::MacAddress> InstanceSlot::ourMacs() const {
  std::set<netio::MacAddress> out{iface_.mac};
  if (vmac_) out.insert(vmacInfo_.mac);
  for (const auto& a : addressVmacs_) out.insert(a.info.mac);
  for (const auto& v : announceVia_) out.insert(v.info.mac);
  return out;
}

std::vector<std::string> InstanceSlot::claimInterfaces() const {
  if (conflicts_->action() == config::ConflictAction::kOff) return {};
  std::vector<std::string> out{iface_.name};
  for (const auto& v : announceVia_) out.push_back(v.info.name);
  return out;
}

void InstanceSlot::announce(const vrrp::InstanceSettings&) {
  for (const auto& v : vips_) announceOne(v.address, v.ifindex);
  // keepalived announces the excluded addresses too.
  if (extras) {
    for (const auto& a : extras->addresses()) announceOne(a.address, a.ifindex);
  }
}

void InstanceSlot::transitioned(const vrrp::InstanceSettings&, const vrrp::Transition& t,
                                int priority) {
  ++transitions_;
  // The flag speaks of the master we listen to: a node that is no longer a backup
  // listens to none.
  if (t.to != vrrp::State::kBackup) mismatch_.active = false;
  lastTransition_ =
      TransitionRecord{t.from, t.to, t.reason, priority, std::chrono::system_clock::now()};
  if (t.to == vrrp::State::kMaster) {
    std::vector<netio::IpAddress> held;
    for (const auto& v : vips_) held.push_back(v.address);
    const auto& machine = instance_->settings().machine;
    conflicts_->becameMaster(
        held, ourMacs(),
        machine.alignAdverts
            ? std::chrono::duration_cast<std::chrono::microseconds>(machine.advertInterval)
            : std::chrono::microseconds(0));
  } else if (t.from == vrrp::State::kMaster) {
    conflicts_->leftMaster();
  }
  events_.transitioned(*this, t, priority);
}

void InstanceSlot::discarded(const vrrp::InstanceSettings& s, vrrp::DiscardReason r,
                             const netio::IpAddress& from) {
  // A live peer whose adverts we drop for a config difference: a conflict to report.
  switch (r) {
    case vrrp::DiscardReason::kAuthMismatch:
      conflicts_->mismatch("auth", from, "authentication type or password differs");
      break;
    case vrrp::DiscardReason::kIntervalMismatch:
      conflicts_->mismatch("interval", from, "advert_int differs (VRRPv2)");
      break;
    case vrrp::DiscardReason::kBadVersion:
      conflicts_->mismatch("version", from, "VRRP version differs");
      break;
    default:
      break;
  }
  if (log::enabled(log::Level::kDebug)) {
    log::debug(s.name + ": discarded advert from " + from.str() + ": " + vrrp::toString(r));
  }
}

void InstanceSlot::vipListMismatch(const vrrp::InstanceSettings& s, const vrrp::Advert& advert,
                                   const netio::IpAddress& from) {
  conflicts_->mismatch("vip_list", from, "it lists other VIPs (honoured)");
  ++mismatch_.count;
  mismatch_.lastFrom = from.str();
  mismatch_.lastAt = std::chrono::system_clock::now();
  mismatch_.theirVips.clear();
  for (const auto& a : advert.addresses) mismatch_.theirVips.push_back(a.str());
  ++mismatchUnlogged_;
  const auto now = kernel_.now();
  if (mismatchLoggedAt_ != TimePoint{} && now - mismatchLoggedAt_ < kMismatchLogEvery) return;
  std::string theirs;
  for (const auto& a : mismatch_.theirVips) theirs += (theirs.empty() ? "" : ", ") + a;
  std::string ours;
  for (const auto& v : s.vips) ours += (ours.empty() ? "" : ", ") + v.address.str();
  log::warning(s.name + ": advert from " + from.str() + " lists VIPs [" + theirs + "], ours are [" +
               ours + "] (" + std::to_string(mismatchUnlogged_) +
               " such adverts since the last report); honoured, unlike keepalived, so that "
               "two configs that differ (a reload rolling through the nodes?) make no second "
               "master; vrrp_skip_check_adv_addr turns this check off");
  mismatchLoggedAt_ = now;
  mismatchUnlogged_ = 0;
}

InstanceReport InstanceSlot::report(const std::optional<std::string>& faultReason) const {
  const auto& s = instance_->settings();
  const auto& m = instance_->machine();
  InstanceReport rep;
  rep.name = s.name;
  rep.interface = s.interface;
  rep.vrid = s.vrid;
  rep.version = s.machine.version;
  rep.ipv6 = s.family == netio::Family::kIPv6;
  rep.state = m.state();
  rep.basePriority = s.machine.priority;
  rep.effectivePriority = m.priority();
  rep.source = s.source.str();
  if (auto a = m.masterAddress()) rep.masterAddress = a->str();
  rep.masterPriority = m.masterPriority();
  for (const auto& v : s.vips) {
    rep.vips.push_back(v.address.str() + "/" + std::to_string(v.prefixLength) + " dev " +
                       v.interface);
  }
  // Tracked, not queried: a netlink round trip per request has no place here.
  rep.vipsHeld = m.state() == vrrp::State::kMaster && vipsHeld_;
  rep.handingOver = instance_->handingOver();
  if (auto y = instance_->yieldingTo()) rep.yieldingTo = y->str();
  for (const auto& p : s.receive.unicastPeers) rep.unicastPeers.push_back(p.str());
  rep.preempt = s.machine.preempt;
  rep.timers = m.timers();
  rep.counters = instance_->counters();
  rep.socket = ports_.adverts->counters();
  rep.garpsSent = garpsSent_;
  conflicts_->fill(rep);
  switch (conflicts_->action()) {
    case config::ConflictAction::kNone:
      rep.conflictAction = "none";
      break;
    case config::ConflictAction::kAnnounce:
      rep.conflictAction = "announce";
      break;
    case config::ConflictAction::kOff:
      rep.conflictAction = "off";
      break;
  }
  rep.handovers = handovers_;
  rep.handoversExpired = handoversExpired_;
  rep.transitions = transitions_;
  rep.lastTransition = lastTransition_;
  rep.score = score;
  rep.faultReason = faultReason;
  rep.vipListMismatch = mismatch_;
  if (extras) rep.kept = extras->report();
  if (vmac_) {
    rep.vmac = vmac_->name;
    rep.vmacMac = config::macText(vmac_->mac);
    rep.vmacXmitBase = vmacXmitBase_;
  }
  for (const auto& a : addressVmacs_) {
    rep.addressVmacs.push_back({a.link.name, config::macText(a.link.mac), a.link.base});
  }
  return rep;
}

}  // namespace holdfast::runtime
