#pragma once
// The VRRP router state machine of RFC 5798 section 6 (and RFC 3768 for v2), as pure
// logic: events come in with the current time, and each call returns what to do now
// (adverts to send, the transition taken). Time is never read here; the owner calls
// onTimer() when nextDeadline() is reached.
//
// Beyond the RFC, two things make check-driven failover fast (docs/ARCHITECTURE.md,
// Beyond the RFC):
//  - a priority change on a master is advertised at once, not at the next tick;
//  - a preempting backup that hears an advert below its own priority takes over at
//    once (after preempt_delay), instead of waiting out Master_Down_Interval.
//    `strictPreempt` restores the RFC's wait.

#include <boost/container/static_vector.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "vrrp/advert.h"
#include "vrrp/timers.h"

namespace holdfast::vrrp {

using TimePoint = std::chrono::steady_clock::time_point;
using Microseconds = std::chrono::microseconds;

// The first multiple of `step` on the steady clock at or after `t` (`t` itself when
// `step` is not positive): the grid aligned adverts go on (alignAdverts), and what
// else is timed to go out in their wake-up.
TimePoint onGrid(TimePoint t, Microseconds step);

// How long a router handing over keeps its VIPs after the taker's first advert: the
// taker adds the VIPs and sends its gratuitous ARPs / NAs right after that advert;
// until then clients still send to this router. Both holding the VIPs for a moment
// is harmless, neither holding them loses requests.
inline constexpr Microseconds kHandoverRelease{200'000};

enum class State { kInitialize, kBackup, kMaster, kFault, kStop };
const char* toString(State s);

struct StateMachineConfig {
  int version = 3;
  int priority = 100;  // configured (base) priority; 255 = address owner
  Centiseconds advertInterval{100};
  bool preempt = true;
  Microseconds preemptDelay{0};
  bool strictPreempt = false;
  // `state MASTER` below priority 255: as keepalived, start as Backup but wait only one
  // advert interval (plus the owner's Skew_Time) for a master before taking over,
  // instead of Master_Down_Interval.
  bool startAsMaster = false;
  IpAddress primaryAddress;  // ours: the tie-breaker of RFC 5798 6.4.3
  // keepalived's tunings (keepalived.conf(5)): a master answers a lower-priority
  // advert with one of its own unless `lowerPrioNoAdvert` (the RFC's behaviour); with
  // `higherPrioSendAdvert` it sends one before yielding to a higher priority;
  // `downTimerAdverts` adverts make Master_Down_Interval (3 in the RFCs).
  bool lowerPrioNoAdvert = false;
  bool higherPrioSendAdvert = false;
  int downTimerAdverts = 3;
  // A master's adverts go at multiples of Advertisement_Interval on the steady clock:
  // every master with the same interval on this node then sends in one wake-up. Only
  // the first interval after becoming master (or after a priority change) is shorter
  // than the configured one, never longer.
  bool alignAdverts = false;
  bool operator==(const StateMachineConfig&) const = default;
};

struct Transition {
  State from = State::kInitialize;
  State to = State::kInitialize;
  std::string reason;
};

// What the caller must do now. Entering Master means: add the VIPs, send gratuitous
// ARP / unsolicited NA; leaving Master means: remove the VIPs.
struct Output {
  // Send one advert per entry, with that priority. In place: an advert's way out
  // allocates nothing (a transition's output holds at most three).
  boost::container::static_vector<int, 4> adverts;
  std::optional<Transition> transition;
  // As master, an advert of lower priority was heard (another router thinks it is
  // master): keepalived re-announces the VIPs (garp_lower_prio_repeat).
  bool lowerPriorityHeard = false;
  // A planned handover ended without a taker: still master, advertising again.
  bool handoverExpired = false;
};

class StateMachine {
 public:
  explicit StateMachine(StateMachineConfig config);

  Output start(TimePoint now, bool faulty = false, const std::string& faultReason = "");
  Output shutdown(TimePoint now);
  // An advert that passed the receive filter, from `source`.
  Output onAdvert(const Advert& advert, const IpAddress& source, TimePoint now);
  Output onTimer(TimePoint now);
  // The effective priority from the scoring engine (1-254, or 255 for the owner).
  Output setPriority(int priority, TimePoint now);
  // A tracked weight-0 item or the interface went down (true) or came back (false).
  Output setFault(bool fault, const std::string& reason, TimePoint now);
  // vrrp_sync_group: follow another member. A Backup becomes Master, a Master
  // becomes Backup; any other state is left alone.
  Output followToMaster(const std::string& reason, TimePoint now);
  Output followToBackup(const std::string& reason, TimePoint now);
  // Planned handover (holdfastctl handover): a Master advertises priority 0 once, so
  // that the best backup takes over after its Skew_Time, and keeps its VIPs, sending
  // no adverts, until another router's advert says it is master: then, kHandoverRelease
  // later, Backup ("handed over to ..."), so the new master has announced the VIPs
  // (it sends its advert first, then its gratuitous ARPs) before this node drops them.
  // No taker by `wait`: it advertises its priority again, still Master
  // (Output::handoverExpired). Afterwards it does not preempt the router it handed
  // over to while that router advertises at least the priority it took over with.
  Output handOver(TimePoint now, Microseconds wait);
  bool handingOver() const { return handoverDeadline_.has_value(); }
  std::optional<IpAddress> yieldingTo() const { return yieldTo_; }
  // Maintenance ended: the router handed over to is preempted again as usual.
  void stopYielding() { yieldTo_.reset(); }
  // Reload: the same router with new settings (the version stays), applied without a
  // transition. The effective priority is the caller's (setPriority) and stays. A
  // master with a new interval advertises at once, so v3 backups learn it now.
  Output reconfigure(StateMachineConfig next, TimePoint now);
  const StateMachineConfig& config() const { return config_; }

  State state() const { return state_; }
  int priority() const { return priority_; }
  std::optional<TimePoint> nextDeadline() const;
  // When the advert after one sent at `now` is due (see alignAdverts).
  TimePoint nextAdvertAfter(TimePoint now) const;
  // The priority of a routine advert: a Backup that hears a master at this priority
  // does nothing but re-arm Master_Down_Timer from the advert's arrival, so such an
  // advert may be processed late (with its arrival time) without a different outcome.
  // None when an advert could mean more (Master, a preemption pending or due, the
  // first wait, a handover's yield).
  std::optional<int> routinePriority() const;
  // The timers in force: Master_Adver_Interval (learnt from the master for v3),
  // Skew_Time and Master_Down_Interval for our priority.
  Timers timers() const;
  // Who we believe is master (ourselves when Master), and its last priority.
  std::optional<IpAddress> masterAddress() const { return masterAddress_; }
  int masterPriority() const { return masterPriority_; }

 private:
  Output becomeMaster(TimePoint now, std::string reason);
  Output becomeBackup(TimePoint now, std::string reason, State to = State::kBackup);
  Output transitionTo(State to, std::string reason);
  void armMasterDown(TimePoint now);
  void armPreempt(TimePoint now, int theirPriority, const IpAddress& source, Output& out);
  Microseconds masterDownInterval() const;
  Microseconds advertInterval() const;

  StateMachineConfig config_;
  State state_ = State::kInitialize;
  int priority_;
  Centiseconds masterAdvertInterval_;
  std::optional<TimePoint> advertDeadline_;      // Adver_Timer (Master)
  std::optional<TimePoint> masterDownDeadline_;  // Master_Down_Timer (Backup)
  bool startWait_ = false;  // the Master_Down_Timer is state MASTER's short first wait
  std::optional<TimePoint> preemptDeadline_;  // fast preemption (Backup)
  std::string preemptReason_;
  std::optional<IpAddress> masterAddress_;
  int masterPriority_ = 0;
  std::optional<TimePoint> handoverDeadline_;  // handing over (Master)
  std::optional<TimePoint> releaseAt_;         // the taker advertised: Backup at this time
  std::string releaseReason_;
  std::optional<IpAddress> yieldTo_;  // handed over to (Backup): not preempted
  int yieldPriority_ = 0;             // ... while it advertises at least this
};

}  // namespace holdfast::vrrp
