#pragma once
// The state of a vrrp_script from its results, by keepalived's rules
// (vrrp_scheduler.c, vrrp_script_child_thread; vrrp_init_script), pure:
//
//  - Until its first result a script is pending: neither up nor down, so it adds no
//    weight of either sign and faults nothing (keepalived's SCRIPT_INIT_STATE_INIT).
//  - The first result decides at once, whatever rise and fall say: a first failure is
//    down (a negative weight applies, weight 0 faults), a first success is up.
//  - From then on rise consecutive successes bring it up and fall consecutive
//    failures bring it down, as for any check.
//
// `init_fail` would start it down (needing rise successes), but keepalived 2.2.7
// resets a script to pending whenever a track_script names it (alloc_track_script in
// vrrp_track.c), so init_fail never has an effect there; startDown is for that case
// only, should it ever be wanted.

#include "checkers/rise_fall.h"

namespace holdfast::runtime {

class ScriptVerdict {
 public:
  ScriptVerdict(int rise, int fall, bool startDown = false)
      : rise_(rise), fall_(fall), pending_(!startDown), policy_(rise, fall, false) {}

  // Feeds one result (a timeout or a failure to run counts as a failure); true when
  // the state changed, the first result included.
  bool feed(bool success) {
    if (pending_) {
      pending_ = false;
      policy_ = checkers::RiseFall(rise_, fall_, success);
      return true;
    }
    return policy_.feed(success);
  }

  bool pending() const { return pending_; }
  bool up() const { return !pending_ && policy_.up(); }
  // Consecutive results against the current state so far.
  int streak() const { return policy_.streak(); }

 private:
  int rise_;
  int fall_;
  bool pending_;
  checkers::RiseFall policy_;
};

}  // namespace holdfast::runtime
