#pragma once
// One VRRP instance: the state machine plus what surrounds it on the wire. It
// filters received adverts, encodes and sends its own, adds and removes the VIPs and
// schedules gratuitous ARP / NA bursts. All effects go through InstanceIo, so this
// stays pure logic, driven by the caller's clock.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vrrp/announce.h"
#include "vrrp/codec.h"
#include "vrrp/receive_filter.h"
#include "vrrp/state_machine.h"

namespace holdfast::vrrp {

struct Vip {
  IpAddress address;
  int prefixLength = 32;
  std::string label;
  std::string interface;               // where it is added (the instance's, unless `dev`)
  std::optional<IpAddress> broadcast;  // `brd` (IPv4)
  int scope = 0;                       // `scope`, as RT_SCOPE_* (0: global)
  bool operator==(const Vip&) const = default;
};

struct AnnounceSettings {
  int repeat = 5;                       // vrrp_garp_master_repeat
  Microseconds interval{0};             // vrrp_garp_interval / vrrp_gna_interval
  Microseconds masterDelay{5'000'000};  // second burst after becoming master; 0: none
  Microseconds refresh{0};              // periodic burst while master; 0: off
  int refreshRepeat = 1;
  // As master, on hearing a lower priority (garp_lower_prio_repeat/_delay): a burst
  // of `lowerPrioRepeat` now and another after `lowerPrioDelay` (0: none).
  int lowerPrioRepeat = 5;
  Microseconds lowerPrioDelay{5'000'000};
  bool operator==(const AnnounceSettings&) const = default;
};

struct InstanceSettings {
  std::string name;
  std::string interface;
  int vrid = 0;
  Family family = Family::kIPv4;
  StateMachineConfig machine;
  ReceiveSettings receive;
  IpAddress source;                     // adverts are sent from here
  std::vector<IpAddress> destinations;  // the multicast group, or the unicast peers
  ChecksumForm checksum = ChecksumForm::kPseudoHeader;
  std::vector<Vip> vips;
  AnnounceSettings announce;
  // TTL / hop limit of unicast adverts (unicast_ttl); multicast ones always carry 255.
  int unicastTtl = kRequiredTtl;
  bool operator==(const InstanceSettings&) const = default;
};

class InstanceIo {
 public:
  virtual ~InstanceIo() = default;
  virtual void sendAdvert(const InstanceSettings& s, std::span<const uint8_t> message,
                          const IpAddress& destination) = 0;
  virtual void addVips(const InstanceSettings& s) = 0;
  virtual void removeVips(const InstanceSettings& s) = 0;
  virtual void announce(const InstanceSettings& s) = 0;  // one GARP / NA per VIP
  virtual void transitioned(const InstanceSettings& s, const Transition& t, int priority) = 0;
  virtual void discarded(const InstanceSettings& s, DiscardReason r, const IpAddress& from) = 0;
  // An advert that is honoured although its VIP list differs from ours.
  virtual void vipListMismatch(const InstanceSettings& s, const Advert& advert,
                               const IpAddress& from) = 0;
  // A planned handover found no taker within its wait: still master.
  virtual void handoverExpired(const InstanceSettings&) {}
};

class Instance {
 public:
  Instance(InstanceSettings settings, InstanceIo& io);

  const InstanceSettings& settings() const { return settings_; }
  State state() const { return machine_.state(); }
  const StateMachine& machine() const { return machine_; }
  const Counters& counters() const { return counters_; }
  // Whether the last advert honoured (not discarded) listed other VIPs than ours.
  bool lastVipListDiffered() const { return lastVipListDiffered_; }

  void start(TimePoint now, bool fault = false, const std::string& faultReason = "");
  void stop(TimePoint now);
  // An advert for our VRID that passed the codec's structural checks.
  // `copies`: adverts equal to this one, the newest at `now` (a routine advert the
  // kernel counted, netio/routine_filter.h). True when it passed the checks.
  bool receive(const Advert& advert, const PacketInfo& info, TimePoint now, uint64_t copies = 1);
  void onTimer(TimePoint now);
  void setPriority(int priority, TimePoint now);
  void setFault(bool fault, const std::string& reason, TimePoint now);
  void followToMaster(const std::string& reason, TimePoint now);
  void followToBackup(const std::string& reason, TimePoint now);
  // Planned handover (StateMachine::handOver): false when not master or already
  // handing over. Pending gratuitous ARP repeats are dropped: the taker announces.
  bool handOver(std::chrono::microseconds wait, TimePoint now);
  bool handingOver() const { return machine_.handingOver(); }
  std::optional<IpAddress> yieldingTo() const { return machine_.yieldingTo(); }
  void stopYielding() { machine_.stopYielding(); }
  std::optional<TimePoint> nextDeadline() const;
  std::optional<int> routinePriority() const { return machine_.routinePriority(); }
  // Reload in place: new settings with the same name, interface, VRID, family and
  // version. No transition; VIPs are the caller's to add or remove (only the
  // difference); the advert carries the new interval, VIPs and auth from now on.
  void reconfigure(InstanceSettings next, TimePoint now);

 private:
  void buildAdvert();
  void apply(const Output& out, TimePoint now);
  void scheduleAnnouncements(TimePoint from);
  void scheduleLowerPriorityAnnouncements(TimePoint from);

  InstanceSettings settings_;
  InstanceIo& io_;
  StateMachine machine_;
  Counters counters_;
  Advert advert_;  // our advert, built once; priority set per send
  // advert_ encoded per destination (the v3 checksum covers it) at wirePriority_:
  // re-encoded only when the priority or the advert changes.
  std::vector<std::vector<uint8_t>> wire_;
  int wirePriority_ = -1;
  std::vector<TimePoint> announceDue_;  // sorted
  bool lastVipListDiffered_ = false;
  TimePoint lowerPrioPending_{};  // the last announcement planned for a lower priority
};

}  // namespace holdfast::vrrp
