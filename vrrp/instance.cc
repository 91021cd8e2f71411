#include "vrrp/instance.h"

#include <algorithm>

namespace holdfast::vrrp {

Instance::Instance(InstanceSettings settings, InstanceIo& io)
    : settings_(std::move(settings)), io_(io), machine_(settings_.machine) {
  buildAdvert();
}

void Instance::buildAdvert() {
  advert_ = Advert{};
  advert_.version = settings_.machine.version;
  advert_.vrid = settings_.vrid;
  advert_.interval = settings_.machine.advertInterval;
  advert_.family = settings_.family;
  for (const Vip& v : settings_.vips) advert_.addresses.push_back(v.address);
  advert_.authType = settings_.receive.authType;
  advert_.authData = settings_.receive.authData;
  wirePriority_ = -1;
}

void Instance::apply(const Output& out, TimePoint now) {
  for (int priority : out.adverts) {
    if (priority != wirePriority_) {
      advert_.priority = priority;
      wire_.resize(settings_.destinations.size());
      for (size_t i = 0; i < wire_.size(); ++i) {
        encodeInto(advert_, settings_.source, settings_.destinations[i], settings_.checksum,
                   wire_[i]);
      }
      wirePriority_ = priority;
    }
    for (size_t i = 0; i < wire_.size(); ++i) {
      io_.sendAdvert(settings_, wire_[i], settings_.destinations[i]);
      ++counters_.sent;
    }
  }
  if (out.lowerPriorityHeard) scheduleLowerPriorityAnnouncements(now);
  if (out.handoverExpired) io_.handoverExpired(settings_);
  if (!out.transition) return;
  const Transition& t = *out.transition;
  io_.transitioned(settings_, t, machine_.priority());
  if (t.to == State::kMaster) {
    io_.addVips(settings_);
    scheduleAnnouncements(now);
  } else if (t.from == State::kMaster) {
    announceDue_.clear();
    lowerPrioPending_ = {};
    io_.removeVips(settings_);
  }
}

void Instance::scheduleAnnouncements(TimePoint from) {
  // A burst now, and another after garp_master_delay: switches that missed the
  // first (port still coming up) learn the new location from the second.
  const AnnounceSettings& a = settings_.announce;
  announceDue_.clear();
  for (int burst = 0; burst < (a.masterDelay.count() > 0 ? 2 : 1); ++burst) {
    TimePoint start = from + (burst == 0 ? Microseconds(0) : a.masterDelay);
    for (int i = 0; i < a.repeat; ++i) announceDue_.push_back(start + i * a.interval);
  }
  std::sort(announceDue_.begin(), announceDue_.end());
  // The first announcement goes out with the transition, not a loop turn later.
  onTimer(from);
}

void Instance::scheduleLowerPriorityAnnouncements(TimePoint from) {
  // keepalived (vrrp_state_master_rx): a burst now and one after the delay, added to
  // whatever is already planned; hearing it again while they are pending adds nothing.
  const AnnounceSettings& a = settings_.announce;
  if (a.lowerPrioRepeat <= 0 || lowerPrioPending_ > from) return;
  for (int burst = 0; burst < (a.lowerPrioDelay.count() > 0 ? 2 : 1); ++burst) {
    TimePoint start = from + (burst == 0 ? Microseconds(0) : a.lowerPrioDelay);
    for (int i = 0; i < a.lowerPrioRepeat; ++i) announceDue_.push_back(start + i * a.interval);
    lowerPrioPending_ = start + (a.lowerPrioRepeat - 1) * a.interval;
  }
  std::sort(announceDue_.begin(), announceDue_.end());
  onTimer(from);
}

void Instance::start(TimePoint now, bool fault, const std::string& faultReason) {
  apply(machine_.start(now, fault, faultReason), now);
}

void Instance::stop(TimePoint now) {
  apply(machine_.shutdown(now), now);
}

bool Instance::receive(const Advert& advert, const PacketInfo& info, TimePoint now,
                       uint64_t copies) {
  counters_.received += copies;
  if (auto reason = checkAdvert(advert, info, settings_.receive)) {
    counters_.discard(*reason, copies);
    io_.discarded(settings_, *reason, info.source);
    return false;
  }
  lastVipListDiffered_ = vipListDiffers(advert, settings_.receive);
  if (lastVipListDiffered_) {
    counters_.vipListMismatch += copies;
    io_.vipListMismatch(settings_, advert, info.source);
  }
  apply(machine_.onAdvert(advert, info.source, now), now);
  return true;
}

void Instance::reconfigure(InstanceSettings next, TimePoint now) {
  const bool announceChanged = !(next.announce == settings_.announce);
  settings_ = std::move(next);
  buildAdvert();
  if (announceChanged && machine_.state() == State::kMaster) {
    // The pending bursts were planned with the old settings: keep only a refresh.
    announceDue_.clear();
    const AnnounceSettings& a = settings_.announce;
    for (int i = 0; a.refresh.count() > 0 && i < a.refreshRepeat; ++i) {
      announceDue_.push_back(now + a.refresh + i * a.interval);
    }
  }
  apply(machine_.reconfigure(settings_.machine, now), now);
}

void Instance::onTimer(TimePoint now) {
  if (machine_.state() == State::kMaster && !announceDue_.empty() && announceDue_.front() <= now) {
    // Send every announcement that is due as one burst per VIP set.
    while (!announceDue_.empty() && announceDue_.front() <= now) {
      announceDue_.erase(announceDue_.begin());
      io_.announce(settings_);
    }
    const AnnounceSettings& a = settings_.announce;
    if (announceDue_.empty() && a.refresh.count() > 0) {
      for (int i = 0; i < a.refreshRepeat; ++i)
        announceDue_.push_back(now + a.refresh + i * a.interval);
    }
  }
  auto dl = machine_.nextDeadline();
  if (dl && *dl <= now) apply(machine_.onTimer(now), now);
}

void Instance::setPriority(int priority, TimePoint now) {
  apply(machine_.setPriority(priority, now), now);
}

void Instance::setFault(bool fault, const std::string& reason, TimePoint now) {
  apply(machine_.setFault(fault, reason, now), now);
}

void Instance::followToMaster(const std::string& reason, TimePoint now) {
  apply(machine_.followToMaster(reason, now), now);
}

void Instance::followToBackup(const std::string& reason, TimePoint now) {
  apply(machine_.followToBackup(reason, now), now);
}

bool Instance::handOver(std::chrono::microseconds wait, TimePoint now) {
  Output out = machine_.handOver(now, wait);
  if (out.adverts.empty()) return false;
  announceDue_.clear();
  lowerPrioPending_ = {};
  apply(out, now);
  return true;
}

std::optional<TimePoint> Instance::nextDeadline() const {
  auto dl = machine_.nextDeadline();
  if (machine_.state() == State::kMaster && !announceDue_.empty()) {
    if (!dl || announceDue_.front() < *dl) dl = announceDue_.front();
  }
  return dl;
}

}  // namespace holdfast::vrrp
