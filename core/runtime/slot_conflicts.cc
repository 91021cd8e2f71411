#include "core/runtime/slot_conflicts.h"

#include "core/log/event_log.h"
#include "core/log/logger.h"
#include "vrrp/state_machine.h"

namespace holdfast::runtime {

SlotConflicts::SlotConflicts(std::string instance, Kernel& kernel, Hooks hooks)
    : instance_(std::move(instance)),
      kernel_(kernel),
      hooks_(std::move(hooks)),
      timer_(kernel.timer()) {}

void SlotConflicts::setAction(config::ConflictAction a) {
  action_ = a;
  if (a == config::ConflictAction::kOff) leftMaster();
  if (a != config::ConflictAction::kAnnounce) nextAnnounce_.reset();
  arm();
}

void SlotConflicts::becameMaster(const std::vector<netio::IpAddress>& vips,
                                 const std::set<netio::MacAddress>& ours,
                                 std::chrono::microseconds grid) {
  if (action_ == config::ConflictAction::kOff) return;
  detector_.setOwned(vips, ours);
  grid_ = grid;
  nextProbe_ = vrrp::onGrid(kernel_.now() + kFirstProbe, grid_);
  arm();
}

void SlotConflicts::leftMaster() {
  for (const Conflict& c : detector_.active()) {
    log::info(instance_ + ": conflict over (no longer master): " + describe(c));
    log::events().append("instance", instance_, "conflict over (no longer master): " + describe(c));
  }
  detector_.setOwned({}, {});
  nextProbe_.reset();
  nextAnnounce_.reset();
  arm();
}

void SlotConflicts::handle(const std::optional<ConflictDetector::Verdict>& v) {
  if (!v) return;
  if (v->confirmAt && detector_.owning()) {
    // Ask again then: a holder answers the probe, a takeover in progress is over.
    if (!nextProbe_ || *v->confirmAt < *nextProbe_) nextProbe_ = *v->confirmAt;
  }
  if (!v->conflict) {
    arm();
    return;
  }
  const Conflict& c = *v->conflict;
  if (v->started) {
    const bool twoMasters = c.kind == "address" || c.kind == "master";
    log::warning(instance_ + ": CONFLICT: " + describe(c) +
                 (twoMasters
                      ? "; both nodes are master (is VRRP, IP protocol 112, blocked between them?)"
                      : "; the nodes' configs differ"));
    log::events().append("instance", instance_, "conflict: " + describe(c));
    if (hooks_.started) hooks_.started(c);
    if (twoMasters && action_ == config::ConflictAction::kAnnounce && !nextAnnounce_) {
      // Not now: the other node has just announced; answering at once makes the
      // clients' ARP caches flap between the two.
      nextAnnounce_ = kernel_.now() + kAnnounceEvery;
    }
  } else if (v->logAgain) {
    log::warning(instance_ + ": CONFLICT still: " + describe(c) + " (" + std::to_string(c.seen) +
                 " claims)");
  }
  arm();
}

void SlotConflicts::claim(const vrrp::AddressClaim& c) {
  if (action_ == config::ConflictAction::kOff) return;
  handle(detector_.claim(c, kernel_.now()));
}

void SlotConflicts::otherMaster(const netio::IpAddress& source, int priority) {
  if (action_ == config::ConflictAction::kOff) return;
  handle(detector_.otherMaster(source, priority, kernel_.now()));
}

void SlotConflicts::mismatch(const std::string& kind, const netio::IpAddress& from,
                             std::string how) {
  if (action_ == config::ConflictAction::kOff) return;
  handle(detector_.mismatch(kind, from, std::move(how), kernel_.now()));
}

void SlotConflicts::fire() {
  const TimePoint now = kernel_.now();
  for (const Conflict& c : detector_.expire(now)) {
    log::info(instance_ + ": conflict over: " + describe(c) + " (no claim for " +
              std::to_string(kConflictHold.count()) + "s)");
    log::events().append("instance", instance_, "conflict over: " + describe(c));
  }
  if (nextProbe_ && *nextProbe_ <= now) {
    if (detector_.owning()) {
      nextProbe_ =
          vrrp::onGrid(now + kProbeEvery, grid_);  // first: an answer may ask for an earlier one
      hooks_.probeAll();
    } else {
      nextProbe_.reset();  // never left due: the timer would fire again at once
    }
  }
  if (nextAnnounce_ && *nextAnnounce_ <= now) {
    if (!detector_.active().empty() && action_ == config::ConflictAction::kAnnounce) {
      log::info(instance_ + ": conflict_action announce: announcing the VIPs again");
      hooks_.announceAll();
      nextAnnounce_ = now + kAnnounceEvery;
    } else {
      nextAnnounce_.reset();
    }
  }
  arm();
}

void SlotConflicts::arm() {
  std::optional<TimePoint> next = detector_.nextExpiry();
  for (const auto& t : {nextProbe_, nextAnnounce_}) {
    if (t && (!next || *t < *next)) next = t;
  }
  if (!next) {
    timer_->cancel();
    return;
  }
  timer_->armAt(
      *next, [this] { fire(); }, false);
}

void SlotConflicts::fill(InstanceReport& r) const {
  for (const Conflict& c : detector_.active()) {
    r.conflicts.push_back({c.kind, c.address, c.by, c.how, c.seen, c.since, c.last});
  }
  r.conflictsStarted = detector_.started();
}

}  // namespace holdfast::runtime
