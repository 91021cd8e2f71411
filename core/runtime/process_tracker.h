#pragma once
// The vrrp_track_process blocks some instance tracks: which running processes match
// each, and whether its quorum holds, into TrackedStates::processes. Processes come
// from Kernel::processEvents (a /proc scan at start, then the proc connector or a
// periodic scan for new ones; a pidfd per matching process says at once when it
// exits). keepalived 2.2.7's rules (core/track_process.c): zombies do not count; the
// quorum holds while quorum <= count <= quorum_max; a gain waits fork_delay and a
// loss terminate_delay before it counts, and the other way back cancels the wait.
// Runs on the VRRP loop.

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/config/model.h"
#include "core/runtime/health_policy.h"
#include "core/runtime/kernel.h"

namespace holdfast::runtime {

// keepalived's match of a process against a block: its comm name, or with
// full_command its argv[0], exactly; with param_match (implied by parameters) its
// further arguments exactly, as a prefix (partial) or with the last one a prefix
// (initial).
bool processMatches(const config::TrackProcess& p, const ProcessInfo& info);

class ProcessTracker {
 public:
  using Changed = std::function<void(const std::string& name)>;
  ProcessTracker(Kernel& kernel, std::map<std::string, TrackedProcess>& states, Changed changed);

  // Tracks exactly `wanted` from now on. A change of the list scans /proc again and
  // counts afresh (no delay). Calls nothing back: the caller scores after.
  void sync(const std::vector<config::TrackProcess>& wanted);
  // How new processes are found (ProcessEvents::how), or empty when nothing is tracked.
  std::string how() const { return events_ ? events_->how() : ""; }

 private:
  struct Entry {
    config::TrackProcess cfg;
    std::set<int> pids;
    std::unique_ptr<Timer> delay;  // armed while a gain or a loss waits
    bool delayed = false;
  };
  void seen(const ProcessInfo& info);
  void exited(int pid);
  // After a count change: the new quorum state, now or after its delay.
  void judge(const std::string& name, Entry& e);
  void settle(const std::string& name, Entry& e);
  bool quorate(const Entry& e) const;
  void count(int pid, int delta);

  Kernel& kernel_;
  std::map<std::string, TrackedProcess>& states_;
  Changed changed_;
  std::map<std::string, Entry> entries_;
  std::map<int, int> counted_;  // pid -> entries counting it (its exit is watched)
  std::unique_ptr<ProcessEvents> events_;
  bool scanning_ = false;  // the initial scan: no delays, no callbacks
};

}  // namespace holdfast::runtime
