#pragma once
// The typed, validated configuration. Every entity records where it was declared so
// that later errors (reload, runtime) can point at the config line.

#include <array>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "checkers/check_params.h"
#include "core/config/model_routes.h"
#include "core/config/model_tuning.h"
#include "core/config/source_location.h"

namespace holdfast::config {

using Duration = std::chrono::microseconds;
using IpAddress = boost::asio::ip::address;

struct Endpoint {
  IpAddress address;
  int port = 0;
  bool operator==(const Endpoint&) const = default;
};

enum class AddressFamily { kIPv4, kIPv6 };
const char* toString(AddressFamily f);

struct SmtpServer {
  std::string host;
  int port = 25;
  bool operator==(const SmtpServer&) const = default;
};

struct GlobalDefs {
  KeywordLocations locations;  // where each keyword was given
  std::string routerId;        // empty: the host name
  std::vector<std::string> notificationEmails;
  std::string notificationEmailFrom;
  std::optional<SmtpServer> smtpServer;
  Duration smtpConnectTimeout = std::chrono::seconds(30);
  std::string scriptUser;  // empty: the default unprivileged user
  std::string scriptGroup;
  bool enableScriptSecurity = false;
  int vrrpVersion = 2;
  // Checker threads; 0: one per 4,000 distinct checks (checkers::kChecksPerThread),
  // up to the cores.
  int checkerThreads = 0;
  std::optional<Endpoint> metricsListen;  // Prometheus /metrics; off unless set
  bool lockMemory = true;                 // mlockall: never paged out under memory pressure
  // SCHED_FIFO priority of the VRRP thread (keepalived's keyword); 0: the normal
  // class. On by default so that busy checks or a loaded host never delay adverts.
  int vrrpRtPriority = 10;
  // CPUs the VRRP thread and the checker threads may run on (keepalived's
  // vrrp_cpu_affinity / checker_cpu_affinity, which pin its processes); empty: any.
  std::vector<int> vrrpCpus;
  std::vector<int> checkerCpus;
  bool skipCheckAdvAddr = false;
  bool strict = false;
  // no_accept's drop rules (netio/nft_filter.h): nftables [TABLE], nftables_priority,
  // nftables_counters.
  std::string nftTable = "holdfast";
  int nftPriority = -1;
  bool nftCounters = false;
  Duration garpInterval{0};
  Duration gnaInterval{0};
  Duration garpMasterDelay = std::chrono::seconds(5);
  int garpMasterRepeat = 5;
  Duration garpMasterRefresh{0};
  int garpMasterRefreshRepeat = 1;
  IpAddress mcastGroup4 = boost::asio::ip::make_address("224.0.0.18");
  IpAddress mcastGroup6 = boost::asio::ip::make_address("ff02::12");
  GlobalTuning tuning;
  std::string vmacPrefix = "vrrp";  // VMAC names: PREFIX.VRID (vmac.h)
  std::string vmacAddrPrefix;       // use_vmac_addr's names; empty: vmacPrefix
  bool operator==(const GlobalDefs&) const = default;
};

struct VrrpScript {
  KeywordLocations locations;  // where each keyword was given
  std::string name;
  SourceLocation where;
  std::string command;
  Duration interval = std::chrono::seconds(1);
  std::optional<Duration> timeout;  // unset: the interval
  int weight = 0;
  bool reverse = false;
  int rise = 1;
  int fall = 1;
  std::string user;
  std::string group;
  bool initFail = false;
  // Set when loading found that keepalived would not run it (script_access.h): why.
  // Its tracking is removed from every instance.
  std::string disabledReason;
  bool operator==(const VrrpScript&) const = default;
};

// track_file NAME { file PATH  weight W [reverse]  init_file [VALUE] [overwrite] }
// (keepalived's vrrp_track_file is its deprecated synonym).
struct TrackFile {
  std::string name;
  SourceLocation where;
  std::string path;
  int weight = 1;  // keepalived's default
  bool reverse = false;
  bool init = false;       // init_file given: create the file with initValue if missing
  bool overwrite = false;  // init_file ... overwrite: write initValue at start even if it exists
  int initValue = 0;
  bool operator==(const TrackFile&) const = default;
};

// vrrp_track_process NAME { process NAME-or-path [ARGS...]  param_match ...  quorum N ... }
enum class ParamMatch { kNone, kExact, kPartial, kInitial };
struct TrackProcess {
  std::string name;
  SourceLocation where;
  std::string process;              // the command name (comm), or argv[0] with full_command
  std::vector<std::string> params;  // argv[1..] to match (full_command)
  ParamMatch paramMatch = ParamMatch::kNone;
  bool fullCommand = false;  // match /proc/PID/cmdline instead of the comm name
  int weight = 0;            // keepalived 2.2.7's default (its man page says 1; the code 0)
  bool reverse = false;
  int quorum = 1;
  int quorumMax = 65535;  // keepalived: unbounded
  Duration forkDelay{0};
  Duration terminateDelay{0};
  bool operator==(const TrackProcess&) const = default;
};

struct VirtualAddress {
  IpAddress address;
  int prefixLength = 0;
  std::string dev;    // empty: the instance's interface
  std::string label;  // e.g. eth0:0
  std::optional<IpAddress> broadcast;
  std::string scope;
  bool noTrack = false;
  bool useVmac = false;  // a VMAC of its own when not on the instance's link and family
  SourceLocation where;
  bool operator==(const VirtualAddress&) const = default;
};

// A reference from an instance to a tracked thing (script, interface, backend or
// backend_group) with its weight.
struct TrackRef {
  std::string name;
  int weight = 0;
  bool hasWeight = false;  // false: the tracked item's own weight applies
  bool reverse = false;
  SourceLocation where;
  bool operator==(const TrackRef&) const = default;
};

enum class AuthType { kNone, kPass, kAh };

struct Authentication {
  AuthType type = AuthType::kNone;
  std::string pass;  // at most 8 characters count (RFC 3768 5.3.6.1)
  bool operator==(const Authentication&) const = default;
};

enum class InitialState { kBackup, kMaster };

// What a master does when another machine holds one of its VIPs (split brain):
// detect and report only (none), also re-announce the VIPs every few seconds
// (announce), or not watch at all (off).
enum class ConflictAction { kNone, kAnnounce, kOff };

// IPv4 VRRPv3 checksum: with the IPv6-style pseudo-header (keepalived, FRR) or over
// the message alone (RFC 9568 errata). Both are accepted on receive.
enum class ChecksumForm { kPseudoHeader, kMessageOnly };

// notify_master/backup/fault/stop and notify, for an instance or a sync group.
struct NotifyCommands {
  std::string master, backup, fault, stop, notify;
  bool any() const {
    return !master.empty() || !backup.empty() || !fault.empty() || !stop.empty() || !notify.empty();
  }
  bool operator==(const NotifyCommands&) const = default;
};

struct VrrpInstance {
  KeywordLocations locations;  // where each keyword was given
  std::string name;
  SourceLocation where;
  InitialState initialState = InitialState::kBackup;
  std::string interface;
  int virtualRouterId = 0;
  int priority = 100;
  Duration advertInterval = std::chrono::seconds(1);
  int version = 2;
  Authentication auth;
  std::vector<VirtualAddress> virtualAddresses;
  std::vector<VirtualAddress> excludedAddresses;
  std::vector<RouteSpec> virtualRoutes;  // installed while master (model_routes.h)
  std::vector<RuleSpec> virtualRules;
  AddressFamily family = AddressFamily::kIPv4;  // of virtual_ipaddress
  std::vector<TrackRef> trackScripts;
  std::vector<TrackRef> trackInterfaces;
  std::vector<TrackRef> trackBackends;
  std::vector<TrackRef> trackFiles;      // track_file names
  std::vector<TrackRef> trackProcesses;  // track_process names
  bool preempt = true;
  Duration preemptDelay{0};
  // RFC-strict: a backup waits out Master_Down_Interval instead of taking over at
  // once on a lower-priority advert.
  bool strictPreempt = false;
  std::optional<IpAddress> mcastSrcIp;
  std::optional<IpAddress> unicastSrcIp;
  std::vector<IpAddress> unicastPeers;
  NotifyCommands notify;
  bool smtpAlert = false;
  std::optional<Duration> garpMasterDelay;
  std::optional<int> garpMasterRepeat;
  std::optional<Duration> garpMasterRefresh;
  std::optional<int> garpMasterRefreshRepeat;
  std::optional<Duration> garpInterval;
  std::optional<Duration> gnaInterval;
  bool accept = true;
  bool useVmac = false;
  std::string vmacName;                           // empty: keepalived's default (vmac.h)
  std::string vmacMacText;                        // use_vmac's MAC as written
  std::optional<std::array<uint8_t, 6>> vmacMac;  // parsed; unset: the VRRP MAC
  bool vmacXmitBase = false;                      // adverts from the base interface
  bool useVmacAddr = false;  // VIPs on other links or of the other family get VMACs too
  ChecksumForm checksum = ChecksumForm::kPseudoHeader;
  ConflictAction conflictAction = ConflictAction::kNone;
  bool strict = false;  // vrrp_strict (global_defs) applies to this instance
  InstanceTuning tuning;
  bool operator==(const VrrpInstance&) const = default;
};

struct SyncGroup {
  KeywordLocations locations;  // where each keyword was given
  std::string name;
  SourceLocation where;
  std::vector<TrackRef> members;  // instance names
  NotifyCommands notify;
  bool smtpAlert = false;
  // sync_group_tracking_weight: members keep their weighted tracking (keepalived
  // ignores it otherwise).
  bool trackingWeight = false;
  // Tracked by the group: added to every member's own lists, with their weights
  // (cleared when a member is an address owner), as keepalived does.
  std::vector<TrackRef> trackScripts, trackInterfaces, trackFiles, trackProcesses;
  bool operator==(const SyncGroup&) const = default;
};

using checkers::CheckKind;

using checkers::StatusRange;

// A `check` block: the check's parameters and where each was written.
struct CheckSpec : checkers::CheckParams {
  KeywordLocations locations;  // where each keyword was given
  SourceLocation where;
};

struct Backend {
  KeywordLocations locations;  // where each keyword was given
  std::string name;
  SourceLocation where;
  IpAddress address;
  std::vector<CheckSpec> checks;
  std::string notifyUp, notifyDown;
};

struct BackendGroup {
  KeywordLocations locations;  // where each keyword was given
  std::string name;
  SourceLocation where;
  std::vector<TrackRef> members;  // backend names
  int quorum = 1;
};

struct Config {
  std::vector<std::string> files;  // every file read, the main one first
  GlobalDefs global;
  std::vector<VrrpScript> scripts;
  std::vector<VrrpInstance> instances;
  std::vector<SyncGroup> syncGroups;
  std::vector<Backend> backends;
  std::vector<BackendGroup> backendGroups;
  std::vector<GarpGroup> garpGroups;
  // static_ipaddress, static_routes, static_rules: installed while holdfastd runs.
  std::vector<VirtualAddress> staticAddresses;
  std::vector<RouteSpec> staticRoutes;
  std::vector<RuleSpec> staticRules;
  std::vector<TrackFile> trackFiles;
  std::vector<TrackProcess> trackProcesses;

  const VrrpScript* findScript(std::string_view name) const;
  const VrrpInstance* findInstance(std::string_view name) const;
  const Backend* findBackend(std::string_view name) const;
  const BackendGroup* findBackendGroup(std::string_view name) const;
  const TrackFile* findTrackFile(std::string_view name) const;
  const TrackProcess* findTrackProcess(std::string_view name) const;
};

}  // namespace holdfast::config
