#include "vrrp/state_machine.h"

#include "netio/duration_text.h"

namespace holdfast::vrrp {

const char* toString(State s) {
  switch (s) {
    case State::kInitialize:
      return "INIT";
    case State::kBackup:
      return "BACKUP";
    case State::kMaster:
      return "MASTER";
    case State::kFault:
      return "FAULT";
    case State::kStop:
      return "STOP";
  }
  return "?";
}

namespace {
// Timers in reasons, written by the one duration formatter: "3.41s", "3609ms".
std::string ms(Microseconds d) {
  return netio::formatDuration(d);
}
std::string cs(Centiseconds d) {
  return ms(d);  // exact: a centisecond is a whole number of microseconds
}
}  // namespace

StateMachine::StateMachine(StateMachineConfig config)
    : config_(std::move(config)),
      priority_(config_.priority),
      masterAdvertInterval_(config_.advertInterval) {}

Timers StateMachine::timers() const {
  // RFC 5798 6.1: Skew_Time and Master_Down_Interval use our priority and the
  // master's interval. v2 (RFC 3768 6.1) has no interval adoption, and its Skew_Time
  // does not scale with the interval (computeTimers).
  return computeTimers(config_.version, priority_,
                       config_.version == 3 ? masterAdvertInterval_ : config_.advertInterval,
                       config_.downTimerAdverts);
}

Microseconds StateMachine::masterDownInterval() const {
  return std::chrono::duration_cast<Microseconds>(timers().masterDownInterval);
}

Microseconds StateMachine::advertInterval() const {
  return std::chrono::duration_cast<Microseconds>(config_.advertInterval);
}

TimePoint onGrid(TimePoint t, Microseconds step) {
  if (step.count() <= 0) return t;
  const auto since = std::chrono::duration_cast<Microseconds>(t.time_since_epoch());
  const auto steps = (since.count() + step.count() - 1) / step.count();
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(step * steps));
}

TimePoint StateMachine::nextAdvertAfter(TimePoint now) const {
  const auto interval = advertInterval();
  if (!config_.alignAdverts || interval.count() <= 0) return now + interval;
  return onGrid(now + Microseconds(1), interval);  // strictly after now
}

std::optional<TimePoint> StateMachine::nextDeadline() const {
  switch (state_) {
    case State::kMaster:
      if (releaseAt_) return releaseAt_;
      return handoverDeadline_ ? handoverDeadline_ : advertDeadline_;
    case State::kBackup:
      if (preemptDeadline_ && masterDownDeadline_) {
        return std::min(*preemptDeadline_, *masterDownDeadline_);
      }
      return preemptDeadline_ ? preemptDeadline_ : masterDownDeadline_;
    default:
      return std::nullopt;
  }
}

std::optional<int> StateMachine::routinePriority() const {
  if (state_ != State::kBackup || masterPriority_ <= 0 || startWait_ || preemptDeadline_ ||
      yieldTo_) {
    return std::nullopt;
  }
  // onAdvert: a lower-priority master is preempted, not waited for.
  if (config_.preempt && masterPriority_ < priority_) return std::nullopt;
  return masterPriority_;
}

Output StateMachine::transitionTo(State to, std::string reason) {
  Output out;
  if (to != state_) out.transition = Transition{state_, to, std::move(reason)};
  state_ = to;
  return out;
}

void StateMachine::armMasterDown(TimePoint now) {
  masterDownDeadline_ = now + masterDownInterval();
  startWait_ = false;
}

Output StateMachine::becomeMaster(TimePoint now, std::string reason) {
  // RFC 5798 6.4.1/6.4.2: send an ADVERTISEMENT, broadcast gratuitous ARP (the caller
  // does that on the transition), set the Adver_Timer, transition to Master.
  Output out = transitionTo(State::kMaster, std::move(reason));
  out.adverts.push_back(priority_);
  advertDeadline_ = nextAdvertAfter(now);
  masterDownDeadline_.reset();
  preemptDeadline_.reset();
  masterAddress_ = config_.primaryAddress;
  masterPriority_ = priority_;
  yieldTo_.reset();
  return out;
}

Output StateMachine::becomeBackup(TimePoint now, std::string reason, State to) {
  Output out = transitionTo(to, std::move(reason));
  advertDeadline_.reset();
  handoverDeadline_.reset();
  releaseAt_.reset();
  preemptDeadline_.reset();
  if (to == State::kBackup) armMasterDown(now);
  return out;
}

Output StateMachine::start(TimePoint now, bool faulty, const std::string& faultReason) {
  if (faulty) return transitionTo(State::kFault, faultReason);
  masterAdvertInterval_ = config_.advertInterval;
  // RFC 5798 6.4.1: the address owner goes to Master at once.
  if (priority_ == kOwnerPriority) return becomeMaster(now, "address owner (priority 255)");
  if (config_.startAsMaster) {
    // keepalived (vrrp_scheduler.c, state MASTER): Backup for one advert interval plus
    // the owner's Skew_Time, so that a running master is heard before taking over.
    const auto wait =
        advertInterval() +
        std::chrono::duration_cast<Microseconds>(
            computeTimers(config_.version, kOwnerPriority, config_.advertInterval).skewTime);
    Output out = becomeBackup(now, "start: state MASTER: waiting " + ms(wait) +
                                       " (one advert_int) for a master, as keepalived does");
    masterDownDeadline_ = now + wait;
    startWait_ = true;
    return out;
  }
  return becomeBackup(now, "start: waiting " + ms(masterDownInterval()) + " for a master");
}

Output StateMachine::shutdown(TimePoint now) {
  (void)now;
  Output out;
  // RFC 5798 6.4.3: a master that shuts down sends an advert with priority 0 so
  // that a backup takes over after Skew_Time rather than Master_Down_Interval.
  if (state_ == State::kMaster) out.adverts.push_back(kStopPriority);
  Output t = transitionTo(State::kStop, "shutdown");
  out.transition = t.transition;
  advertDeadline_.reset();
  handoverDeadline_.reset();
  releaseAt_.reset();
  masterDownDeadline_.reset();
  preemptDeadline_.reset();
  return out;
}

void StateMachine::armPreempt(TimePoint now, int theirPriority, const IpAddress& source,
                              Output& out) {
  preemptReason_ = "preempting " + source.str() + " (priority " + std::to_string(theirPriority) +
                   " < ours " + std::to_string(priority_) + ")";
  if (config_.preemptDelay.count() == 0) {
    out = becomeMaster(now, preemptReason_);
    return;
  }
  if (!preemptDeadline_) preemptDeadline_ = now + config_.preemptDelay;
}

Output StateMachine::onAdvert(const Advert& advert, const IpAddress& source, TimePoint now) {
  Output out;
  if (state_ == State::kBackup) {
    if (advert.priority == kStopPriority) {
      // RFC 5798 6.4.2: the master is leaving; take over after Skew_Time.
      masterDownDeadline_ = now + std::chrono::duration_cast<Microseconds>(timers().skewTime);
      preemptDeadline_.reset();
      masterPriority_ = 0;
      return out;
    }
    masterAddress_ = source;
    masterPriority_ = advert.priority;
    // Handed over to this router: it keeps the VIP while it stays as healthy as it
    // was when it took over.
    const bool yielding = yieldTo_ && source == *yieldTo_ && advert.priority >= yieldPriority_;
    if (yieldTo_ && source == *yieldTo_ && !yielding) yieldTo_.reset();
    if (!config_.preempt || advert.priority >= priority_ || yielding) {
      // RFC 5798 6.4.2: adopt the master's interval (v3), reset Master_Down_Timer.
      if (config_.version == 3) masterAdvertInterval_ = advert.interval;
      armMasterDown(now);
      preemptDeadline_.reset();
      return out;
    }
    // A lower-priority master and we may preempt. The RFC discards the advert and
    // lets Master_Down_Timer run out; holdfast takes over now unless told not to.
    if (!config_.strictPreempt) armPreempt(now, advert.priority, source, out);
    return out;
  }

  if (state_ == State::kMaster && handoverDeadline_) {
    if (advert.priority == kStopPriority) {
      if (releaseAt_ && yieldTo_ && source == *yieldTo_) {
        // The taker left before we let go: we are the master again.
        handoverDeadline_.reset();
        releaseAt_.reset();
        yieldTo_.reset();
        out.adverts.push_back(priority_);
        advertDeadline_ = nextAdvertAfter(now);
      }
      return out;
    }
    if (releaseAt_) return out;
    // The taker is master and announces the VIPs (GARP / NA) right after this advert
    // (RFC 5798 6.4.1 sends the advert first): ours go kHandoverRelease later, so no
    // client's packet finds the VIP without a holder in between.
    if (config_.version == 3) masterAdvertInterval_ = advert.interval;
    masterAddress_ = source;
    masterPriority_ = advert.priority;
    yieldTo_ = source;
    yieldPriority_ = advert.priority;
    releaseAt_ = now + kHandoverRelease;
    releaseReason_ =
        "handed over to " + source.str() + " (priority " + std::to_string(advert.priority) + ")";
    return out;
  }

  if (state_ == State::kMaster) {
    if (advert.priority == kStopPriority) {
      // Another master is leaving: assert ourselves at once (RFC 5798 6.4.3).
      out.adverts.push_back(priority_);
      advertDeadline_ = nextAdvertAfter(now);
      return out;
    }
    bool theyWin = advert.priority > priority_ ||
                   (advert.priority == priority_ && source > config_.primaryAddress);
    if (theyWin) {
      // keepalived's higher_prio_send_advert: our advert goes out first, so that the
      // winner (with garp_lower_prio_repeat) re-announces after us.
      if (config_.higherPrioSendAdvert) out.adverts.push_back(priority_);
      if (config_.version == 3) masterAdvertInterval_ = advert.interval;
      masterAddress_ = source;
      masterPriority_ = advert.priority;
      std::string why =
          advert.priority > priority_
              ? "higher priority " + std::to_string(advert.priority) + " from " + source.str()
              : "equal priority from " + source.str() + ", a larger address";
      Output backup = becomeBackup(now, why);
      backup.adverts.insert(backup.adverts.begin(), out.adverts.begin(), out.adverts.end());
      return backup;
    }
    // A lower-priority router thinks it is master: answer at once so that it steps
    // down within one advert (keepalived's default; lower_prio_no_advert keeps the
    // RFC's silence, RFC 5798 6.4.3 "discard").
    out.lowerPriorityHeard = true;
    if (!config_.lowerPrioNoAdvert) {
      out.adverts.push_back(priority_);
      advertDeadline_ = nextAdvertAfter(now);
    }
  }
  return out;
}

Output StateMachine::handOver(TimePoint now, Microseconds wait) {
  Output out;
  if (state_ != State::kMaster || handoverDeadline_) return out;
  out.adverts.push_back(kStopPriority);
  handoverDeadline_ = now + wait;
  return out;
}

Output StateMachine::onTimer(TimePoint now) {
  Output out;
  if (state_ == State::kMaster && releaseAt_) {
    if (now < *releaseAt_) return out;
    return becomeBackup(now, releaseReason_);
  }
  if (state_ == State::kMaster && handoverDeadline_) {
    if (now < *handoverDeadline_) return out;
    // Nobody took over: still master, advertising again from now.
    handoverDeadline_.reset();
    out.adverts.push_back(priority_);
    out.handoverExpired = true;
    advertDeadline_ = nextAdvertAfter(now);
    return out;
  }
  if (state_ == State::kMaster && advertDeadline_ && now >= *advertDeadline_) {
    out.adverts.push_back(priority_);
    // Keep the cadence from the deadline, not from a late wake-up; if we are more
    // than an interval behind, restart it from now.
    *advertDeadline_ += advertInterval();
    if (*advertDeadline_ <= now) advertDeadline_ = nextAdvertAfter(now);
    return out;
  }
  if (state_ != State::kBackup) return out;
  if (preemptDeadline_ && now >= *preemptDeadline_) {
    return becomeMaster(now, preemptReason_ + " after preempt_delay " + ms(config_.preemptDelay));
  }
  if (masterDownDeadline_ && now >= *masterDownDeadline_) {
    std::string why = masterPriority_ == 0 && masterAddress_
                          ? "master " + masterAddress_->str() + " left (priority 0 advert)"
                      : startWait_
                          ? "state MASTER: no master heard for one advert_int"
                          : "no advert for Master_Down_Interval " + cs(timers().masterDownInterval);
    return becomeMaster(now, why);
  }
  return out;
}

Output StateMachine::setPriority(int priority, TimePoint now) {
  Output out;
  if (priority == priority_) return out;
  const int old = priority_;
  priority_ = priority;
  if (state_ == State::kMaster && handoverDeadline_) {
    // Handing over: silent until the taker advertises (or the wait ends, when this
    // priority is advertised).
    masterPriority_ = priority_;
    return out;
  }
  if (state_ == State::kMaster) {
    // Advertised at once, so that a preempting backup can act on it now.
    out.adverts.push_back(priority_);
    advertDeadline_ = nextAdvertAfter(now);
    masterPriority_ = priority_;
    return out;
  }
  const bool yielding = yieldTo_ && masterAddress_ == yieldTo_;
  if (state_ == State::kBackup && config_.preempt && !config_.strictPreempt && masterAddress_ &&
      masterPriority_ > 0 && priority_ > masterPriority_ && priority_ > old && !yielding) {
    armPreempt(now, masterPriority_, *masterAddress_, out);
  } else if (state_ == State::kBackup && priority_ <= masterPriority_) {
    preemptDeadline_.reset();
  }
  return out;
}

Output StateMachine::followToMaster(const std::string& reason, TimePoint now) {
  if (state_ != State::kBackup) return {};
  return becomeMaster(now, reason);
}

Output StateMachine::followToBackup(const std::string& reason, TimePoint now) {
  // A member handing over leaves when its own taker advertises (sync groups hand
  // over as a unit: each member waits for its own VIPs to be announced).
  if (state_ != State::kMaster || handoverDeadline_) return {};
  // Announce that we leave, so the peer takes over after Skew_Time (as on
  // shutdown) instead of a Master_Down_Interval without a master.
  Output out;
  out.adverts.push_back(kStopPriority);
  Output t = becomeBackup(now, reason);
  out.transition = t.transition;
  return out;
}

Output StateMachine::reconfigure(StateMachineConfig next, TimePoint now) {
  const Centiseconds oldInterval = config_.advertInterval;
  config_ = std::move(next);
  Output out;
  switch (state_) {
    case State::kMaster:
      masterAddress_ = config_.primaryAddress;
      masterAdvertInterval_ = config_.advertInterval;
      if (config_.advertInterval != oldInterval) {
        out.adverts.push_back(priority_);
        advertDeadline_ = nextAdvertAfter(now);
      }
      break;
    case State::kBackup:
      // A pending fast preemption that the new settings forbid is dropped. A v2
      // Master_Down_Interval follows our interval from the next advert on.
      if (!config_.preempt || config_.strictPreempt) preemptDeadline_.reset();
      break;
    default:
      masterAdvertInterval_ = config_.advertInterval;
      break;
  }
  return out;
}

Output StateMachine::setFault(bool fault, const std::string& reason, TimePoint now) {
  if (fault) {
    if (state_ == State::kFault || state_ == State::kStop) return {};
    Output out;
    // Leaving Master for Fault: hand over at once with a priority 0 advert.
    if (state_ == State::kMaster) out.adverts.push_back(kStopPriority);
    Output t = becomeBackup(now, reason, State::kFault);
    out.transition = t.transition;
    masterDownDeadline_.reset();
    return out;
  }
  if (state_ != State::kFault) return {};
  masterAddress_.reset();
  masterPriority_ = 0;
  masterAdvertInterval_ = config_.advertInterval;
  if (priority_ == kOwnerPriority) return becomeMaster(now, "fault cleared: " + reason);
  return becomeBackup(now, "fault cleared: " + reason);
}

}  // namespace holdfast::vrrp
