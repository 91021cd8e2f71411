#pragma once
// Split-brain detection of one instance at run time (conflict_detector.h decides):
// while master and not `conflict_action off`, each VIP is probed kFirstProbe after
// taking over and every kProbeEvery since (ARP probe / neighbour solicitation: a
// machine that holds it answers); the claims the instance set's watches see and the
// adverts of another master come in here. Each conflict that starts is logged (a
// warning; "still" at most once a minute), put in the event log, counted, and given
// to the notify script as "INSTANCE name CONFLICT priority"; each that ends is logged
// and put in the event log. `conflict_action announce` re-announces the VIPs at most
// once every kAnnounceEvery while a conflict lasts, on its own timer: never in answer
// to the other node's announcement.

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/config/model.h"
#include "core/runtime/conflict_detector.h"
#include "core/runtime/kernel.h"
#include "core/runtime/vrrp_report.h"

namespace holdfast::runtime {

inline constexpr std::chrono::milliseconds kFirstProbe{500};
inline constexpr std::chrono::seconds kProbeEvery{2};
inline constexpr std::chrono::seconds kAnnounceEvery{5};

class SlotConflicts {
 public:
  struct Hooks {
    std::function<void()> probeAll;  // one probe per VIP
    std::function<void()> announceAll;
    std::function<void(const Conflict&)> started;  // notify
  };
  SlotConflicts(std::string instance, Kernel& kernel, Hooks hooks);
  ~SlotConflicts() { timer_->cancel(); }

  void setAction(config::ConflictAction a);
  config::ConflictAction action() const { return action_; }
  // `grid`: the master's advert interval when its adverts are aligned to it (else
  // zero). Routine probes go at multiples of it (vrrp::onGrid: at most one interval
  // late, never early), in the wake-up that sends the adverts.
  void becameMaster(const std::vector<netio::IpAddress>& vips,
                    const std::set<netio::MacAddress>& ours, std::chrono::microseconds grid);
  void leftMaster();
  void claim(const vrrp::AddressClaim& c);
  void otherMaster(const netio::IpAddress& source, int priority);
  void mismatch(const std::string& kind, const netio::IpAddress& from, std::string how);
  void fill(InstanceReport& r) const;

 private:
  void handle(const std::optional<ConflictDetector::Verdict>& v);
  void fire();
  void arm();

  std::string instance_;
  Kernel& kernel_;
  Hooks hooks_;
  config::ConflictAction action_ = config::ConflictAction::kNone;
  ConflictDetector detector_;
  std::unique_ptr<Timer> timer_;
  std::optional<TimePoint> nextProbe_, nextAnnounce_;
  std::chrono::microseconds grid_{0};
};

}  // namespace holdfast::runtime
