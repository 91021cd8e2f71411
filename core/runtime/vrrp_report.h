#pragma once
// What the diagnostics show of one VRRP instance: a copy taken on the VRRP thread,
// so readers on other threads never touch the running instance.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/scoring/score.h"
#include "vrrp/advert.h"
#include "vrrp/state_machine.h"
#include "vrrp/timers.h"

namespace holdfast::runtime {

struct TransitionRecord {
  vrrp::State from = vrrp::State::kInitialize;
  vrrp::State to = vrrp::State::kInitialize;
  std::string reason;
  int priority = 0;
  std::chrono::system_clock::time_point time;
};

// Adverts from the master whose VIP list differs from ours: honoured, counted and
// flagged (a rolling reload, or two configs that disagree).
struct VipListMismatch {
  uint64_t count = 0;                  // since the instance started
  bool active = false;                 // the last valid advert differed
  std::string lastFrom;                // who sent the last such advert
  std::vector<std::string> theirVips;  // what it listed
  std::chrono::system_clock::time_point lastAt;
};

// A virtual route, virtual rule or excluded address of an instance (route_keeper.h):
// what it is, whether it is in the kernel now, and how often it was put back.
struct KeptItemReport {
  std::string kind;  // "address", "route" or "rule"
  std::string text;  // "198.51.100.0/24 via 192.0.2.254 dev eth0 proto keepalived"
  bool installed = false;
  std::string error;  // the kernel's last refusal, if any
  uint64_t putBack = 0;
};

// A split brain seen while master (slot_conflicts.h): another MAC holding a VIP, or
// another master's advert.
struct ConflictReport {
  std::string kind, address, by, how;
  uint64_t seen = 0;
  std::chrono::steady_clock::time_point since, last;
};

struct InstanceReport {
  std::string name;
  std::string interface;
  int vrid = 0;
  int version = 3;
  bool ipv6 = false;
  vrrp::State state = vrrp::State::kInitialize;
  int basePriority = 0;
  int effectivePriority = 0;
  std::string source;                        // our advert source address
  std::optional<std::string> masterAddress;  // who we believe is master (ourselves when master)
  int masterPriority = 0;
  std::vector<std::string> vips;          // "192.0.2.100/24 dev eth0"
  bool vipsHeld = false;                  // master: the VIPs are on the interface
  bool handingOver = false;               // holdfastctl handover: waiting for a peer to take over
  std::string yieldingTo;                 // handed over to this router: not preempted while healthy
  std::vector<ConflictReport> conflicts;  // ongoing
  std::map<std::string, uint64_t> conflictsStarted;  // by kind, since start
  std::string conflictAction;                        // none, announce, off
  uint64_t handovers = 0;                            // planned handovers started
  uint64_t handoversExpired = 0;                     // of which no peer took over within the wait
  std::vector<std::string> unicastPeers;
  bool preempt = true;
  std::string syncGroup;
  vrrp::Timers timers;       // in force (v3: the master's interval once learnt)
  vrrp::Counters counters;   // this instance: received, sent, discards by filter reason
  vrrp::Counters socket;     // its interface and family: structural discards, unknown VRID
  uint64_t garpsSent = 0;    // gratuitous ARPs and unsolicited NAs, one per VIP
  uint64_t transitions = 0;  // since this instance started
  std::optional<TransitionRecord> lastTransition;
  scoring::Score score;
  std::optional<std::string> faultReason;
  VipListMismatch vipListMismatch;
  bool accept = true;         // false: no_accept (and not the address owner)
  bool vipsFiltered = false;  // its VIPs are dropped in nftables now (accept_filter.h)
  uint64_t filterErrors = 0;  // nftables changes that failed (the whole table's)
  std::string filterLastError;
  std::vector<KeptItemReport> kept;  // virtual_ipaddress_excluded, virtual_routes, virtual_rules
  std::string vmac;                  // use_vmac: the VMAC's name; empty without one
  std::string vmacMac;               // and its MAC
  bool vmacXmitBase = false;
  // use_vmac_addr / use_vmac on an address: the VMACs of its addresses on other links
  // or of the other family.
  struct AddressVmac {
    std::string name, mac, on;
  };
  std::vector<AddressVmac> addressVmacs;
};

}  // namespace holdfast::runtime
