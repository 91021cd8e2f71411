#pragma once
// What the VRRP runtime's parts need from the kernel and the clock, as small
// interfaces: netio_kernel.h implements them over netio (sockets, netlink, asio
// timers, processes); unit tests fake them (tests/unit/fake_kernel.h) and run the
// parts in simulated time. Nothing behind these interfaces makes a decision.

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/config/model.h"
#include "netio/address_manager.h"
#include "netio/interface_info.h"
#include "netio/nft_filter.h"
#include "netio/process_runner.h"
#include "netio/route_table.h"
#include "netio/vmac_link.h"
#include "vrrp/address_claims.h"
#include "vrrp/advert.h"

namespace holdfast::runtime {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// One VRRP socket: an interface and an address family. Shared by the instances on it.
class AdvertPort {
 public:
  virtual ~AdvertPort() = default;
  // An error text when the kernel refused the send. `ttl`: the TTL / hop limit
  // (255 on multicast; unicast_ttl on unicast).
  virtual std::optional<std::string> send(std::span<const uint8_t> message,
                                          const netio::IpAddress& source,
                                          const netio::IpAddress& destination, int ttl) = 0;
  // A master's routine advert (its Adver_Timer fired). The port may hold it until
  // every timer due at this wake-up has fired, and send what it holds in one system
  // call; it then logs a refusal under `sender`. An error text only for a send made
  // at once.
  virtual std::optional<std::string> sendRoutine(std::span<const uint8_t> message,
                                                 const netio::IpAddress& source,
                                                 const netio::IpAddress& destination, int ttl,
                                                 const std::string& sender) {
    (void)sender;
    return send(message, source, destination, ttl);
  }
  // Discards before an instance is known (structural, unknown VRID).
  virtual vrrp::Counters& counters() = 0;
  // The priority of the routine advert for `vrid` (vrrp::Instance::routinePriority),
  // or none: a port may leave such adverts queued, or count them without handing
  // them on, until catchUp(). None also forgets the advert last honoured for `vrid`.
  virtual void setRoutine(uint8_t vrid, std::optional<int> priority) {
    (void)vrid;
    (void)priority;
  }
  // Hands on every advert still queued, before a deadline is acted on.
  virtual void catchUp() {}
};

// Addresses on interfaces (the VIPs). add/remove succeed when already in / gone.
class AddressTable {
 public:
  virtual ~AddressTable() = default;
  virtual std::expected<void, std::string> add(const netio::AddressSpec& a) = 0;
  virtual std::expected<void, std::string> remove(const netio::AddressSpec& a) = 0;
  virtual std::expected<bool, std::string> has(const netio::IpAddress& a, int ifindex) = 0;
};

// Routes and policy rules (static_routes, virtual_routes, static_rules, virtual_rules).
// add: true when this call put it in, false when it was there already; remove
// succeeds when it is gone.
class Routing {
 public:
  virtual ~Routing() = default;
  virtual std::expected<bool, std::string> add(const netio::Route& r) = 0;
  virtual std::expected<void, std::string> remove(const netio::Route& r) = 0;
  virtual std::expected<bool, std::string> add(const netio::Rule& r) = 0;
  virtual std::expected<void, std::string> remove(const netio::Rule& r) = 0;
};

// Gratuitous ARP (IPv4) or unsolicited NA (IPv6) for one address, from `iface`'s MAC.
class AnnouncePort {
 public:
  virtual ~AnnouncePort() = default;
  virtual std::expected<void, std::string> announce(const netio::InterfaceInfo& iface,
                                                    const netio::IpAddress& vip) = 0;
  // Asks who holds `vip` (split-brain detection): an ARP probe (sender 0.0.0.0) or a
  // neighbour solicitation from `iface`'s link-local address; a holder answers.
  virtual std::expected<void, std::string> probe(const netio::InterfaceInfo& iface,
                                                 const netio::IpAddress& vip) = 0;
};

// Address claims (ARP, neighbour adverts) seen on one interface, delivered until
// this is destroyed (core/runtime/claim_watch.h).
class ClaimSource {
 public:
  virtual ~ClaimSource() = default;
};

// A one-shot timer on the VRRP loop; arming again replaces the pending deadline.
// `precise`: fire as close to `when` as the machine allows (a backup's failover
// timers), at the cost of a little CPU.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void armAt(TimePoint when, std::function<void()> fire, bool precise) = 0;
  // Precise, and `prepare` runs first (before and after the wait for the exact
  // moment): when it returns false (it moved the deadline and armed again) `fire` is
  // not called.
  virtual void armAtPrepared(TimePoint when, std::function<bool()> prepare,
                             std::function<void()> fire) {
    armAt(
        when,
        [prepare = std::move(prepare), fire = std::move(fire)] {
          if (prepare()) fire();
        },
        true);
  }
  virtual void cancel() = 0;
};

// Runs notify commands one at a time, in order, without blocking the loop.
class NotifyQueue {
 public:
  virtual ~NotifyQueue() = default;
  virtual void enqueue(std::string command, std::string what) = 0;
  virtual bool idle() const = 0;
};

// A running vrrp_script with rise/fall; `onChange` is called on the loop.
class TrackedScript {
 public:
  virtual ~TrackedScript() = default;
  virtual void start(std::chrono::microseconds firstRunIn) = 0;
  virtual void stop() = 0;
  // No result yet (keepalived's initial state): the script adds no weight and faults
  // nothing until it has run once (script_verdict.h).
  virtual bool pending() const = 0;
  virtual bool up() const = 0;
  virtual const config::VrrpScript& script() const = 0;
};

// Mail on transitions (smtp_alert); the real one has a thread and a bounded queue.
class MailPort {
 public:
  virtual ~MailPort() = default;
  virtual void send(std::string subject, std::string body) = 0;
};

// holdfast's own nftables table for no_accept (netio/nft_filter.h): `apply` makes it
// what the spec says (a crashed run's table replaced the first time), `remove`
// deletes it. An error is nft's reason; nothing of that change was applied.
class VipFilter {
 public:
  virtual ~VipFilter() = default;
  virtual std::expected<void, std::string> apply(const netio::NftFilterSpec& spec) = 0;
  virtual std::expected<void, std::string> remove() = 0;
};

// use_vmac's macvlan links and the /proc/sys files around them (core/runtime/vmac.h
// decides what to do with them; this only acts).
class VmacTable {
 public:
  virtual ~VmacTable() = default;
  // The link called `name` now, or nullopt.
  virtual std::expected<std::optional<netio::LinkDescription>, std::string> find(
      const std::string& name) = 0;
  // A private-mode macvlan `name` with `mac` on link `lowerIndex`, left down.
  virtual std::expected<void, std::string> create(const std::string& name, int lowerIndex,
                                                  const netio::MacAddress& mac) = 0;
  // `ipv4Rules`, `ipv6Rules`: the nftables rules the VMAC gets (IGMP; MLD and router
  // solicitations).
  virtual std::expected<void, std::string> setUp(int index, bool ipv4Rules, bool ipv6Rules) = 0;
  virtual std::expected<void, std::string> remove(int index) = 0;
  // An IPv6 instance's VMAC: its link-local address (/64, nodad, preferred_lft 0).
  virtual std::expected<void, std::string> addLinkLocal(int index,
                                                        const netio::IpAddress& address) = 0;
  // PATH under /proc/sys, such as "net/ipv4/conf/eth0/arp_ignore".
  virtual std::expected<int, std::string> readSysctl(const std::string& path) = 0;
  virtual std::expected<void, std::string> writeSysctl(const std::string& path, int value) = 0;
};

// A track_file's file. `changed` (given to Kernel::watchFile) is called on the loop
// whenever the file may have changed: closed after writing, created, moved in or
// away, deleted, its mode changed (the directory is watched, so an editor's
// write-a-copy-and-rename is seen).
class WatchedFile {
 public:
  virtual ~WatchedFile() = default;
  // Its first bytes; nullopt when it does not exist; an error text when unreadable.
  virtual std::expected<std::optional<std::string>, std::string> read() = 0;
  virtual std::expected<void, std::string> write(const std::string& content) = 0;
};

// A process as /proc shows it. `cmdline`: argv, each ending in a NUL (empty unless
// asked for).
struct ProcessInfo {
  int pid = 0;
  std::string comm;
  std::string cmdline;
};

// Process events for track_process. start() calls `seen` (given to
// Kernel::processEvents) for every running process, then for every process that
// starts, execs or renames itself later; `exited` once for each pid given to
// watchExit, as soon as it exits.
class ProcessEvents {
 public:
  virtual ~ProcessEvents() = default;
  virtual void start() = 0;
  // False when the process is gone already (`exited` will not be called).
  virtual bool watchExit(int pid) = 0;
  virtual void unwatch(int pid) = 0;
  // How new processes are found: "proc connector" or "a /proc scan every 1 s".
  virtual std::string how() const = 0;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual TimePoint now() = 0;
  virtual std::expected<netio::InterfaceInfo, std::string> lookupInterface(
      const std::string& name) = 0;
  virtual std::optional<std::string> interfaceName(int ifindex) = 0;
  // The socket for (interface, family), opened on first use; `join` the multicast
  // group `group` (false for unicast instances).
  virtual std::expected<AdvertPort*, std::string> advertPort(const std::string& interface,
                                                             netio::Family family, int ifindex,
                                                             const netio::IpAddress& group,
                                                             bool join) = 0;
  virtual std::expected<AnnouncePort*, std::string> announcePort(const std::string& interface,
                                                                 int ifindex) = 0;
  virtual AddressTable& addresses() = 0;
  virtual VipFilter& vipFilter() = 0;
  virtual Routing& routing() = 0;
  virtual std::unique_ptr<Timer> timer() = 0;
  virtual std::expected<netio::ScriptIdentity, std::string> scriptUser(
      const std::string& user, const std::string& group) = 0;
  virtual std::unique_ptr<NotifyQueue> notifier(const std::string& owner,
                                                const netio::ScriptIdentity& who) = 0;
  virtual std::unique_ptr<TrackedScript> script(const config::VrrpScript& script,
                                                const netio::ScriptIdentity& who,
                                                std::function<void()> onChange) = 0;
  // Null when mail is not configured.
  virtual std::unique_ptr<MailPort> mailer(const config::GlobalDefs& g) = 0;
  virtual VmacTable& vmacs() = 0;
  // An error text when the file's directory cannot be watched.
  virtual std::expected<std::unique_ptr<WatchedFile>, std::string> watchFile(
      const std::string& path, std::function<void()> changed) = 0;
  // Claims on `interface`, each to `onClaim` on the VRRP loop; an error text when the
  // capture cannot open.
  virtual std::expected<std::unique_ptr<ClaimSource>, std::string> watchClaims(
      const std::string& interface, std::function<void(const vrrp::AddressClaim&)> onClaim) = 0;
  // `cmdline`: ProcessInfo::cmdline is wanted (a full_command track_process).
  virtual std::unique_ptr<ProcessEvents> processEvents(bool cmdline,
                                                       std::function<void(const ProcessInfo&)> seen,
                                                       std::function<void(int pid)> exited) = 0;
};

}  // namespace holdfast::runtime
