#pragma once
// One running VRRP instance: the vrrp::Instance and everything around it that the
// protocol does not decide: its socket, its VIPs in the kernel (only the difference
// touches it on a reload), gratuitous ARP / NA, its timer, its tracking and health
// verdict, its notify queue, its counters and its report. Implements
// vrrp::InstanceIo over the small kernel interfaces of kernel.h, so it runs in
// simulated time in unit tests.

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/runtime/health_policy.h"
#include "core/runtime/kernel.h"
#include "core/runtime/route_keeper.h"
#include "core/runtime/slot_conflicts.h"
#include "core/runtime/vmac.h"
#include "core/runtime/vrrp_report.h"
#include "vrrp/instance.h"

namespace holdfast::runtime {

class InstanceSlot;
class SyncGroup;

// What a slot tells its owner (the instance set): sync groups follow, effects run.
class SlotEvents {
 public:
  virtual ~SlotEvents() = default;
  virtual void transitioned(InstanceSlot& slot, const vrrp::Transition& t, int priority) = 0;
};

class InstanceSlot final : public vrrp::InstanceIo {
 public:
  struct Ports {
    AdvertPort* adverts = nullptr;  // use_vmac: the VMAC's, unless vmac_xmit_base
    AnnouncePort* announcer = nullptr;
    AddressTable* addresses = nullptr;
    std::unique_ptr<Timer> timer;
  };
  // `vips`: the settings' VIPs as the kernel needs them (interfaces resolved), in
  // the same order.
  InstanceSlot(Kernel& kernel, SlotEvents& events, vrrp::InstanceSettings settings,
               netio::InterfaceInfo iface, std::vector<netio::AddressSpec> vips, Ports ports);
  ~InstanceSlot() override;

  const std::string& name() const { return instance_->settings().name; }
  const vrrp::Instance& instance() const { return *instance_; }
  vrrp::State state() const { return instance_->state(); }
  AdvertPort* port() const { return ports_.adverts; }
  int ifindex() const { return iface_.index; }
  const netio::InterfaceInfo& interfaceInfo() const { return iface_; }
  const std::vector<netio::AddressSpec>& vips() const { return vips_; }
  // use_vmac: the VMAC (its VIPs and gratuitous ARPs); `info` as lookupInterface read it.
  void setVmac(VmacLink link, netio::InterfaceInfo info, bool xmitBase);
  const std::optional<VmacLink>& vmac() const { return vmac_; }
  // Where the addresses on a link other than the instance's (or its VMAC's) are
  // announced from: that link's port and MAC.
  struct AnnounceVia {
    int ifindex = 0;
    AnnouncePort* port = nullptr;
    netio::InterfaceInfo info;
  };
  // use_vmac_addr's VMACs, and the announcement ports of the other links.
  void setAddressVmacs(std::vector<AddressVmac> vmacs, std::vector<AnnounceVia> via);
  void setAnnounceVia(std::vector<AnnounceVia> via) { announceVia_ = std::move(via); }
  const std::vector<AddressVmac>& addressVmacs() const { return addressVmacs_; }

  // Removes VIPs of ours that a crashed run left behind (an address owner's are its
  // own addresses: they stay, and are never removed by us).
  void removeStaleVips();
  // Starts with the current score; in FAULT from the start when `fault` says why.
  void start(const std::optional<std::string>& fault);
  // A master advertises priority 0 and removes its VIPs.
  void stop();
  // `rearm` false: the caller arms the timer once after a batch (armDeferred), so
  // that a queue of adverts does not leave the loop's timer set for the first one.
  // `copies` as vrrp::Instance::receive; true when the advert passed the checks.
  bool receive(const vrrp::Advert& advert, const vrrp::PacketInfo& info, TimePoint arrival,
               bool rearm = true, uint64_t copies = 1);
  // After receive(..., false): arms the timer (once, however many adverts).
  void armDeferred();
  // Applies a new score and fault verdict: FAULT entered or left, priority set (a
  // master advertises a change at once). Logs a priority change with its reason.
  void applyVerdict(scoring::Score score, const std::optional<std::string>& fault);
  // Reload in place (same interface, VRID, family, version): no transition; a VIP
  // that stays is never touched, added ones are added and announced, removed ones
  // removed (while master).
  void reconfigure(vrrp::InstanceSettings settings, std::vector<netio::AddressSpec> vips);
  // vrrp_sync_group: follow another member (see SyncGroup::follow).
  void followToMaster(const std::string& why, TimePoint now);
  void followToBackup(const std::string& why, TimePoint now);
  // holdfastctl handover: see vrrp::StateMachine::handOver. False when not master.
  bool handOver(std::chrono::microseconds wait);
  void stopYielding() { instance_->stopYielding(); }
  // The interface went up/down, or was re-read (its addresses or MAC may differ).
  void interfaceChanged(netio::InterfaceInfo info, bool usable);
  // An address left an interface: a VIP of ours while we are master is put back.
  void addressRemoved(const netio::IpAddress& address, int ifindex);

  // Split-brain detection (slot_conflicts.h): conflict_action, a claim one of the
  // instance set's watches saw, and the links whose claims matter (the interface and
  // those of VIPs elsewhere).
  void setConflictAction(config::ConflictAction a) { conflicts_->setAction(a); }
  // (While handing over, the taker's announcements are expected: no conflict.)
  void claimSeen(const vrrp::AddressClaim& c) {
    if (!instance_->handingOver()) conflicts_->claim(c);
  }
  std::vector<std::string> claimInterfaces() const;

  // Why this instance is in FAULT for reasons of its own, or nothing.
  std::optional<std::string> ownFault() const;
  InstanceReport report(const std::optional<std::string>& faultReason) const;

  Tracking tracking;
  OwnHealth health;
  scoring::Score score;
  config::NotifyCommands notify;  // vetted
  std::unique_ptr<NotifyQueue> notifier;
  bool smtpAlert = false;
  bool noAccept = false;  // no_accept and not the address owner (accept_filter.h)
  SyncGroup* group = nullptr;
  // Not started yet: a weight-0 tracked script has no result (keepalived holds such an
  // instance in INIT until the script's first result decides BACKUP or FAULT).
  bool awaitingFirstResult = false;
  // virtual_ipaddress_excluded, virtual_routes, virtual_rules: held while master, in
  // and out with the VIPs. Null when the instance has none.
  std::unique_ptr<RouteKeeper> extras;

  // vrrp::InstanceIo
  void sendAdvert(const vrrp::InstanceSettings& s, std::span<const uint8_t> message,
                  const netio::IpAddress& destination) override;
  void addVips(const vrrp::InstanceSettings& s) override;
  void removeVips(const vrrp::InstanceSettings& s) override;
  void announce(const vrrp::InstanceSettings& s) override;
  void transitioned(const vrrp::InstanceSettings& s, const vrrp::Transition& t,
                    int priority) override;
  void discarded(const vrrp::InstanceSettings& s, vrrp::DiscardReason r,
                 const netio::IpAddress& from) override;
  void vipListMismatch(const vrrp::InstanceSettings& s, const vrrp::Advert& advert,
                       const netio::IpAddress& from) override;
  void handoverExpired(const vrrp::InstanceSettings& s) override;

  // Rearms the timer for the instance's next deadline (after anything that moved it).
  void arm();

 private:
  bool armDue_ = false;       // receive(..., false) left the arming to armDeferred
  bool routineFire_ = false;  // in a master's timer: its advert is routine
  bool owned(const netio::IpAddress& a) const;
  void addOne(const netio::AddressSpec& v);
  void announceOne(const netio::IpAddress& vip, int ifindex);
  void probeOne(const netio::IpAddress& vip, int ifindex);
  // The port and the link (its MAC, its link-local) that speak for an address on
  // link `ifindex`.
  std::pair<AnnouncePort*, const netio::InterfaceInfo*> announcerFor(int ifindex) const;
  // The MACs that are ours: the interface's, the VMACs', the other links'.
  std::set<netio::MacAddress> ourMacs() const;

  Kernel& kernel_;
  SlotEvents& events_;
  netio::InterfaceInfo iface_;
  std::optional<VmacLink> vmac_;
  netio::InterfaceInfo vmacInfo_;
  bool vmacXmitBase_ = false;
  std::vector<AddressVmac> addressVmacs_;
  std::vector<AnnounceVia> announceVia_;
  std::vector<netio::AddressSpec> vips_;  // parallel to settings().vips
  Ports ports_;
  std::unique_ptr<vrrp::Instance> instance_;
  std::unique_ptr<SlotConflicts> conflicts_;
  std::vector<netio::IpAddress> ownedAtStart_;  // owner: the interface's own addresses
  uint64_t garpsSent_ = 0;
  uint64_t handovers_ = 0, handoversExpired_ = 0;  // started; ended without a taker
  uint64_t transitions_ = 0;
  bool vipsHeld_ = false;  // every VIP added and none removed behind our back since
  std::optional<TransitionRecord> lastTransition_;
  VipListMismatch mismatch_;
  TimePoint mismatchLoggedAt_{};
  uint64_t mismatchUnlogged_ = 0;
};

}  // namespace holdfast::runtime
