#pragma once
// Split-brain detection for one instance (pure: claims and the clock in, verdicts
// out). While master, another MAC claiming one of our VIPs on the wire (an ARP reply
// to our probe, a gratuitous ARP, a neighbour advert; vrrp/address_claims.h) or
// another router advertising as master on our VRID is a conflict: two masters. Each
// conflict (kind, address, MAC) starts once confirmed (kConfirm), is renewed by every
// claim, and ends kConflictHold after the last one, or at once when this node stops
// being master.
// Logging is rate-limited: a start, then at most one "still" line per kLogEvery.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/runtime/kernel.h"
#include "vrrp/address_claims.h"

namespace holdfast::runtime {

inline constexpr std::chrono::seconds kConflictHold{5};
// A claim starts a conflict only when another of the same kind, address and MAC comes
// at least this long after the first while we are still master: a normal takeover
// (the new master's gratuitous ARP can reach us just before its advert makes us
// Backup) is over by then.
inline constexpr std::chrono::milliseconds kConfirm{500};
inline constexpr std::chrono::seconds kLogEvery{60};

struct Conflict {
  // "address" (a VIP claimed by another MAC), "master" (another master's advert), or a
  // peer whose adverts disagree: "auth", "interval", "version", "vip_list"
  std::string kind;
  std::string address;  // the VIP, or the other master's advert source
  std::string by;       // the other MAC ("02:00:00:00:00:12"), or empty for "master"
  std::string how;      // arp_reply, gratuitous_arp, na, ..., or "advert priority 100"
  TimePoint since{}, last{};
  uint64_t seen = 0;
};

class ConflictDetector {
 public:
  // While master: the VIPs we hold and the MACs that are ours; empty when not master
  // (every conflict ends: a backup holds nothing to conflict with).
  void setOwned(const std::vector<netio::IpAddress>& vips, const std::set<netio::MacAddress>& ours);
  bool owning() const { return !vips_.empty(); }

  struct Verdict {
    const Conflict* conflict = nullptr;
    bool started = false;                // a new conflict: log, event, notify, count
    bool logAgain = false;               // an ongoing one whose "still" line is due
    std::optional<TimePoint> confirmAt;  // not confirmed yet: ask again then
  };
  // A claim seen on the wire. Nothing when it is no conflict (not master, not our
  // VIP, our own MAC).
  std::optional<Verdict> claim(const vrrp::AddressClaim& c, TimePoint now);
  // Another router's advert with priority > 0 on our VRID while we are master.
  std::optional<Verdict> otherMaster(const netio::IpAddress& source, int priority, TimePoint now);
  // An advert from a live peer that disagrees with our config (kind "auth", "interval",
  // "version": discarded; "vip_list": honoured, flagged): a conflict in any state,
  // confirmed and ended as the others. `how`: what differs.
  std::optional<Verdict> mismatch(const std::string& kind, const netio::IpAddress& from,
                                  std::string how, TimePoint now);
  // Conflicts with no claim for kConflictHold end; returns them.
  std::vector<Conflict> expire(TimePoint now);
  // When the next one would end, if any is ongoing.
  std::optional<TimePoint> nextExpiry() const;

  std::vector<Conflict> active() const;
  const std::map<std::string, uint64_t>& started() const { return startedByKind_; }

 private:
  std::optional<Verdict> note(std::string kind, std::string address, std::string by,
                              std::string how, TimePoint now);
  std::set<netio::IpAddress> vips_;
  std::set<netio::MacAddress> ours_;
  std::map<std::string, Conflict> active_;      // by kind|address|by
  std::map<std::string, Conflict> candidates_;  // seen once, not confirmed yet
  std::map<std::string, TimePoint> loggedAt_;
  std::map<std::string, uint64_t> startedByKind_;
};

// "02:00:00:00:00:12"
std::string macString(const netio::MacAddress& m);
// "192.0.2.100 is also held by 02:00:00:00:00:12 (arp_reply)": one line, for logs.
std::string describe(const Conflict& c);

}  // namespace holdfast::runtime
