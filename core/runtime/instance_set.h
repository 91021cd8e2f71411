#pragma once
// The VRRP instances of one config, running: their slots, the vrrp_scripts they
// track, the states tracked items read, sync groups, transition effects, and the
// reload that applies a ReloadPlan to them. Single-threaded: everything here runs
// on the VRRP loop (vrrp_runtime.h owns the thread and posts into it). The kernel
// is behind kernel.h, so a whole set runs in simulated time in unit tests.

#include <array>
#include <expected>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/config/model.h"
#include "core/runtime/accept_filter.h"
#include "core/runtime/file_tracker.h"
#include "core/runtime/health_policy.h"
#include "core/runtime/instance_slot.h"
#include "core/runtime/kernel.h"
#include "core/runtime/process_tracker.h"
#include "core/runtime/reload_plan.h"
#include "core/runtime/route_keeper.h"
#include "core/runtime/sync_group.h"
#include "core/runtime/vrrp_report.h"
#include "netio/link_monitor.h"
#include "netio/vrrp_socket.h"

namespace holdfast::runtime {

// keepalived's default_interface: where a static address without `dev` goes.
inline const std::string kDefaultInterface = "eth0";

class InstanceSet final : public SlotEvents {
 public:
  // Resolves interfaces, opens sockets, builds every instance without running it;
  // an error names the instance (file:line) and why. `backends`: every backend's
  // and group's state now.
  static std::expected<std::unique_ptr<InstanceSet>, std::string> create(
      Kernel& kernel, const config::Config& cfg,
      const std::map<std::string, TrackedHealth>& backends);
  ~InstanceSet() override;

  // Removes VIPs a crashed run left behind, starts the scripts, then every instance.
  void start();
  // Every master advertises priority 0 and removes its VIPs; scripts stop.
  void stop();
  // No notify script queued or running.
  bool notifiersIdle() const;

  // Hitless reload: plans against the running config, builds what is new (nothing
  // running is touched until everything is built: on an error nothing changes),
  // then applies: removed and restarted instances stop, changed ones change in
  // place without a transition, added ones start. `backends`: what scoring reads
  // from now on.
  std::expected<ReloadPlan, std::string> reconfigure(
      const config::Config& next, const std::map<std::string, TrackedHealth>& backends);

  // A packet from `port`'s socket, received by the kernel at `arrival`. `batched`:
  // one of a queue read at once; receiveDone() follows the last. `copies`: as many
  // equal packets, the newest at `arrival`. True when an instance honoured it.
  bool receive(AdvertPort& port, const netio::ReceivedPacket& p, TimePoint arrival,
               bool batched = false, uint64_t copies = 1);
  void receiveDone();
  void linkEvent(const netio::LinkEvent& e);
  void backendChanged(const TrackedHealth& h);

  std::vector<InstanceReport> reports() const;
  // holdfastctl handover: each named instance (or every master, `all`) that is master
  // starts a planned handover (InstanceSlot::handOver); the others say why not.
  struct HandoverStart {
    std::string name;
    bool started = false;
    std::string why;  // when not started: "no such instance", "BACKUP", ...
  };
  std::vector<HandoverStart> handOver(const std::vector<std::string>& names, bool all,
                                      std::chrono::microseconds wait);
  // holdfastctl maintenance on (`m`) or off (nullopt), also at start from the saved
  // state: every instance is rescored (maintenance.h); on entry every master hands
  // over first (`wait`, as handOver), on leaving the routers handed over to are
  // preempted as usual again; the `notify` scripts run with "INSTANCE name
  // MAINTENANCE|MAINTENANCE_OFF priority". A new reason alone only rescores.
  std::vector<HandoverStart> setMaintenance(std::optional<Maintenance> m,
                                            std::chrono::microseconds wait);
  const std::optional<Maintenance>& maintenance() const { return tracked_.maintenance; }
  const config::Config& running() const { return running_; }

 private:
  using Scripts = std::map<std::string, std::unique_ptr<TrackedScript>>;
  // What a slot needs that a reload re-derives for an instance changed in place.
  struct Derived {
    vrrp::InstanceSettings settings;
    std::vector<netio::AddressSpec> vips;
  };

  explicit InstanceSet(Kernel& kernel) : kernel_(kernel) {}
  // `vmac`: the instance's VMAC, which takes the VIPs of its interface and family;
  // `addressVmacs`: those of use_vmac_addr / a VIP's use_vmac (the VIPs they want).
  std::expected<Derived, std::string> derive(
      const config::VrrpInstance& vi, const config::GlobalDefs& g, const netio::InterfaceInfo& info,
      const VmacLink* vmac = nullptr, const std::vector<AddressVmac>* addressVmacs = nullptr);
  // use_vmac: the instance's VMAC, made or reused, and the link as read back
  // (instance_set_vmac.cc); nullopt without use_vmac.
  std::expected<std::optional<std::pair<VmacLink, netio::InterfaceInfo>>, std::string> makeVmac(
      const config::VrrpInstance& vi, const config::Config& cfg, const netio::InterfaceInfo& base);
  // use_vmac_addr and use_vmac on a VIP entry: one VMAC per (link, family) that the
  // instance's VIPs and eVIPs want beside its own (instance_set_vmac.cc); `own` is
  // the instance's VMAC, whose name they do not take.
  std::expected<std::vector<AddressVmac>, std::string> makeAddressVmacs(
      const config::VrrpInstance& vi, const config::Config& cfg, const netio::InterfaceInfo& base,
      const VmacLink* own);
  // Gratuitous ARPs / NAs leave each VIP's and eVIP's own link (an address VMAC, or
  // another interface named with `dev`), as keepalived sends them: the ports of the
  // links other than the instance's interface and VMAC.
  std::expected<std::vector<InstanceSlot::AnnounceVia>, std::string> announceTargets(
      const netio::InterfaceInfo& info, const VmacLink* link,
      const std::vector<AddressVmac>& addressVmacs, const std::vector<netio::AddressSpec>& vips,
      const std::vector<KeptItem>& kept);
  // Is `name` a VMAC name another instance than `instance` gives or uses.
  bool vmacClaimed(const std::string& name, const std::string& instance,
                   const config::Config& cfg) const;
  // Split-brain detection: one claim watch per link a slot's VIPs live on (unless
  // conflict_action off), opened and closed as the slots change
  // (instance_set_claims.cc); each claim goes to every slot.
  void syncClaimWatches();
  std::map<std::string, std::unique_ptr<ClaimSource>> claimWatches_;
  std::set<std::string> claimWatchFailed_;  // logged once each
  // VMACs of retired slots that no running slot uses any more are deleted.
  void sweepVmacs();
  std::expected<std::unique_ptr<InstanceSlot>, std::string> build(const config::VrrpInstance& vi,
                                                                  const config::Config& cfg,
                                                                  Scripts& staged);
  // The scripts `vi` tracks that do not run yet are staged; the interfaces it tracks
  // are read (link events keep them current from then on).
  std::expected<void, std::string> stageTracked(const config::VrrpInstance& vi,
                                                const config::Config& cfg, Scripts& staged);
  std::expected<void, std::string> stageScript(const config::VrrpScript& script,
                                               const config::GlobalDefs& g, Scripts& staged);
  std::expected<void, std::string> configureEffects(InstanceSlot& slot,
                                                    const config::VrrpInstance& vi,
                                                    const config::GlobalDefs& g);
  std::expected<std::vector<std::unique_ptr<SyncGroup>>, std::string> buildGroups(
      const config::Config& cfg);
  // Sync group membership of the slots, from `cfg` (groups_ built already).
  void joinGroups(const config::Config& cfg);
  void adopt(std::unique_ptr<InstanceSlot> slot);
  void retire(InstanceSlot& slot);
  InstanceSlot* find(const std::string& name) const;
  void startScripts(const std::vector<std::string>& names);
  // Starts every instance (unless a weight-0 script is pending): at start, or when
  // vrrp_startup_delay has passed.
  void startInstances();
  void onScriptChange(const std::string& name);
  // Starts `slot` unless a weight-0 tracked script is still pending; true if started.
  bool startUnlessPending(InstanceSlot& slot);
  // Scores `slot`'s tracked items and applies the verdict; a change of the slot's
  // own FAULT re-judges the other members of its sync group.
  void applyHealth(InstanceSlot& slot, bool propagate = true);
  std::optional<std::string> faultReason(const InstanceSlot& slot) const;
  void transitioned(InstanceSlot& slot, const vrrp::Transition& t, int priority) override;
  // no_accept's nftables table made to match the slots' states now.
  void syncFilter();
  // track_file and track_process (file_tracker.h, process_tracker.h): watch what
  // `cfg`'s instances track; a change re-scores the slots that track it.
  void syncTrackers(const config::Config& cfg, bool reload);
  void trackedChanged(std::vector<config::TrackRef> Tracking::*list, const std::string& name);

  Kernel& kernel_;
  AcceptFilter filter_{kernel_.vipFilter()};
  config::Config running_;
  TrackedStates tracked_;
  std::vector<std::unique_ptr<InstanceSlot>> slots_;
  std::vector<std::unique_ptr<InstanceSlot>> retired_;  // stopped by a reload; notify_stop may run
  std::vector<std::unique_ptr<SyncGroup>> groups_;
  std::vector<VmacLink> retiredVmacs_;        // deleted by sweepVmacs unless reused
  bool slotsStopped_ = false;                 // stop(): no slot uses its VMAC any more
  std::vector<InstanceSlot*> armAfterBatch_;  // received in the batch being read
  std::unordered_map<const AdvertPort*, std::array<InstanceSlot*, 256>> byVrid_;
  // Every received advert is decoded into this one (its VIP list keeps its
  // capacity): nothing is allocated per packet.
  vrrp::Advert received_;
  std::unique_ptr<RouteKeeper> statics_;  // static_ipaddress, static_routes, static_rules
  std::unique_ptr<MailPort> mail_;
  std::vector<std::thread> mailReapers_;  // replaced mailers finishing their queue
  std::string routerId_;
  std::unique_ptr<Timer> startupTimer_;  // vrrp_startup_delay
  bool startupDelayed_ = false;
  std::unique_ptr<FileTracker> files_;
  std::unique_ptr<ProcessTracker> processes_;
};

}  // namespace holdfast::runtime
