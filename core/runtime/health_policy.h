#pragma once
// Tracked items -> score and fault reason (docs/ARCHITECTURE.md, Scoring), for one instance:
// what its track_script, track_interface and track_backend entries read now, and why
// it must be in FAULT (its interface, its advert source address, a weight-0 item).
// Pure: the states come in, the verdict goes out; instance_slot.h applies it.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checkers/check_engine.h"
#include "core/config/model.h"
#include "core/runtime/kernel.h"
#include "core/runtime/maintenance.h"
#include "core/scoring/score.h"

namespace holdfast::runtime {

using TrackedHealth = checkers::HealthChange;

// A track_file now: its value (0 while missing or unreadable, as keepalived counts it)
// and its block's default weight.
struct TrackedFile {
  int weight = 1;
  bool reverse = false;
  long long value = 0;
  std::string detail;  // "missing", "unreadable: ...", or empty
  // False when its directory cannot be watched: keepalived drops such a file from
  // tracking, so it adds nothing and faults nothing.
  bool watched = true;
};

// A vrrp_track_process now: whether its quorum holds (after fork/terminate delays).
struct TrackedProcess {
  int weight = 0;
  bool reverse = false;
  bool up = false;
  int count = 0;       // matching processes running
  std::string detail;  // "2 running, quorum 1..65535"
};

// What an instance tracks, in config order.
struct Tracking {
  std::vector<config::TrackRef> scripts, interfaces, backends;
  std::vector<config::TrackRef> files, processes;  // track_file, track_process
  bool any() const {
    return !scripts.empty() || !interfaces.empty() || !backends.empty() || !files.empty() ||
           !processes.empty();
  }
  bool tracks(const std::vector<config::TrackRef>& refs, const std::string& name) const;
};

// The states tracked items read, shared by every instance of a runtime.
struct TrackedStates {
  std::map<std::string, std::unique_ptr<TrackedScript>> scripts;  // by vrrp_script name
  std::map<std::string, bool> interfaces;                         // usable: up with carrier
  std::map<std::string, TrackedHealth> backends;                  // backends and groups
  std::map<std::string, TrackedFile> files;                       // by track_file name
  std::map<std::string, TrackedProcess> processes;                // by vrrp_track_process name
  std::optional<Maintenance> maintenance;                         // the node's, while on
};

// What an instance tracks, from its config.
Tracking trackingOf(const config::VrrpInstance& vi);

std::vector<scoring::TrackedItem> trackedItems(const Tracking& t, const TrackedStates& s);

// Why an instance must be in FAULT for reasons of its own, or nothing.
struct OwnHealth {
  bool linkDown = false;
  bool ignoreLink = false;  // dont_track_primary: the link going down is no fault
  bool sourceGone = false;  // the advert source address left the interface
  std::string configFault;  // a fault for good, from the config (unicast_fault_no_peer)
};
std::optional<std::string> ownFaultReason(const OwnHealth& h, const scoring::Score& score,
                                          const std::string& interface, const std::string& source);

}  // namespace holdfast::runtime
