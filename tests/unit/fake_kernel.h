#pragma once
// A fake kernel for the VRRP runtime's parts (core/runtime/kernel.h): a LAN of
// nodes sharing one simulated clock. Adverts a node sends reach every other node's
// socket on the same interface and family (after the sender's call returns, in
// order); VIPs, announcements, notify commands and mail are recorded in a journal.
// advance() fires due timers in time order, so whole runtimes run in simulated time.

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/runtime/instance_set.h"
#include "core/runtime/kernel.h"
#include "core/runtime/script_verdict.h"

namespace holdfast::test {

using runtime::TimePoint;

class FakeLan;

class FakeNode final : public runtime::Kernel {
 public:
  struct Port final : runtime::AdvertPort {
    FakeNode* node;
    std::string interface;
    std::string wire;  // the link the adverts travel on (a VMAC's base link)
    netio::Family family;
    vrrp::Counters c;
    std::vector<std::vector<uint8_t>> sent;
    std::vector<bool> routine;  // per advert in `sent`: handed over by sendRoutine
    std::optional<std::string> send(std::span<const uint8_t> m, const netio::IpAddress& source,
                                    const netio::IpAddress& destination, int ttl) override;
    std::optional<std::string> sendRoutine(std::span<const uint8_t> m,
                                           const netio::IpAddress& source,
                                           const netio::IpAddress& destination, int ttl,
                                           const std::string&) override {
      auto e = send(m, source, destination, ttl);
      routine.back() = true;
      return e;
    }
    int lastTtl = 0;
    vrrp::Counters& counters() override { return c; }
  };
  struct Addresses final : runtime::AddressTable {
    FakeNode* node;
    std::set<std::pair<std::string, int>> present;  // address, ifindex
    std::expected<void, std::string> add(const netio::AddressSpec& a) override {
      present.insert({a.address.str(), a.ifindex});
      node->journal.push_back("add " + a.address.str());
      return {};
    }
    std::expected<void, std::string> remove(const netio::AddressSpec& a) override {
      present.erase({a.address.str(), a.ifindex});
      node->journal.push_back("remove " + a.address.str());
      return {};
    }
    std::expected<bool, std::string> has(const netio::IpAddress& a, int ifindex) override {
      return present.contains({a.str(), ifindex});
    }
  };
  // no_accept's nftables table: what is programmed (not journaled: every start
  // programs it once).
  struct Filter final : runtime::VipFilter {
    std::optional<netio::NftFilterSpec> table;  // as applied; nullopt: removed
    int applies = 0;
    std::optional<std::string> fail;  // set: apply and remove fail with this reason
    std::expected<void, std::string> apply(const netio::NftFilterSpec& spec) override {
      ++applies;
      if (fail) return std::unexpected(*fail);
      table = spec;
      return {};
    }
    std::expected<void, std::string> remove() override {
      if (fail) return std::unexpected(*fail);
      table.reset();
      return {};
    }
  };
  // Routes and rules, by a key of their fields; `refuse` makes every add fail.
  struct Routes final : runtime::Routing {
    FakeNode* node;
    std::set<std::string> routes, rules;
    bool refuse = false;
    static std::string key(const netio::Route& r) {
      return r.dst.str() + "/" + std::to_string(r.dstLength) + " table " + std::to_string(r.table) +
             (r.via ? " via " + r.via->str() : "") + " type " + std::to_string(r.type) + " proto " +
             std::to_string(r.protocol);
    }
    static std::string key(const netio::Rule& r) {
      return (r.from ? "from " + r.from->str() : std::string("from all")) + " lookup " +
             std::to_string(r.table) + " priority " + std::to_string(r.priority);
    }
    std::expected<bool, std::string> add(const netio::Route& r) override {
      if (refuse) return std::unexpected("refused");
      node->journal.push_back("route add " + key(r));
      return routes.insert(key(r)).second;
    }
    std::expected<void, std::string> remove(const netio::Route& r) override {
      node->journal.push_back("route remove " + key(r));
      routes.erase(key(r));
      return {};
    }
    std::expected<bool, std::string> add(const netio::Rule& r) override {
      if (refuse) return std::unexpected("refused");
      node->journal.push_back("rule add " + key(r));
      return rules.insert(key(r)).second;
    }
    std::expected<void, std::string> remove(const netio::Rule& r) override {
      node->journal.push_back("rule remove " + key(r));
      rules.erase(key(r));
      return {};
    }
  };
  struct Announcer final : runtime::AnnouncePort {
    FakeNode* node;
    std::string port;  // the link the port sends on
    std::expected<void, std::string> announce(const netio::InterfaceInfo& from,
                                              const netio::IpAddress& vip) override {
      node->journal.push_back("garp " + vip.str());
      // Which link sent it, and whose MAC it carries.
      node->announced.push_back(vip.str() + " on " + port + " from " + from.name);
      node->claimToOthers(vip, from.mac, vrrp::ClaimKind::kGratuitousArp);
      return {};
    }
    // Every other node that holds `vip` answers with its eth0 MAC (ARP flows while
    // the adverts are cut: the split brain the detection is for).
    std::expected<void, std::string> probe(const netio::InterfaceInfo&,
                                           const netio::IpAddress& vip) override {
      node->journal.push_back("probe " + vip.str());
      node->probedAt.push_back(node->now());
      node->answersTo(vip);
      return {};
    }
  };
  struct Claims final : runtime::ClaimSource {
    FakeNode* node;
    std::string interface;
    ~Claims() override { node->claimWatchers.erase(interface); }
  };
  // When each conflict probe went out.
  std::vector<TimePoint> probedAt;
  // Claim watches by interface (watchClaims).
  std::map<std::string, std::function<void(const vrrp::AddressClaim&)>> claimWatchers;
  void claimToOthers(const netio::IpAddress& vip, const netio::MacAddress& mac,
                     vrrp::ClaimKind kind);
  void answersTo(const netio::IpAddress& vip);
  void hear(const vrrp::AddressClaim& c) {
    for (auto& [name, w] : claimWatchers) {
      if (name == "eth0") w(c);
    }
  }
  struct Timer final : runtime::Timer {
    FakeLan* lan;
    std::optional<TimePoint> at;
    std::function<void()> fire;
    ~Timer() override;
    void armAt(TimePoint when, std::function<void()> f, bool) override {
      at = when;
      fire = std::move(f);
    }
    void cancel() override { at.reset(); }
  };
  struct Queue final : runtime::NotifyQueue {
    FakeNode* node;
    std::string owner;
    void enqueue(std::string command, std::string what) override {
      node->journal.push_back(what + " (" + owner + "): " + command);
    }
    bool idle() const override { return true; }
  };
  struct Script final : runtime::TrackedScript {
    config::VrrpScript s;
    runtime::ScriptVerdict verdict{1, 1};
    std::function<void()> onChange;
    // One result of the script, judged by the real tracker's rules (script_verdict.h).
    void result(bool ok) {
      if (verdict.feed(ok)) onChange();
    }
    void start(std::chrono::microseconds) override {}
    void stop() override {}
    bool pending() const override { return verdict.pending(); }
    bool up() const override { return verdict.up(); }
    const config::VrrpScript& script() const override { return s; }
  };
  struct Mail final : runtime::MailPort {
    FakeNode* node;
    void send(std::string subject, std::string) override {
      node->journal.push_back("mail " + subject);
    }
  };

  // use_vmac's links: created macvlans appear in `interfaces` too.
  struct Vmacs final : runtime::VmacTable {
    FakeNode* node;
    std::map<std::string, netio::LinkDescription> links;  // by name; veths and macvlans
    std::map<std::string, int> sysctls;                   // path -> value
    int nextIndex = 100;
    std::expected<std::optional<netio::LinkDescription>, std::string> find(
        const std::string& name) override {
      if (auto it = links.find(name); it != links.end()) return it->second;
      if (auto it = node->interfaces.find(name); it != node->interfaces.end()) {
        netio::LinkDescription d;
        d.index = it->second.index;
        d.kind = "veth";
        d.mac = it->second.mac;
        d.up = it->second.up;
        return d;
      }
      return std::nullopt;
    }
    std::expected<void, std::string> create(const std::string& name, int lowerIndex,
                                            const netio::MacAddress& mac) override {
      if (links.contains(name) || node->interfaces.contains(name)) return std::unexpected("exists");
      netio::LinkDescription d{
          nextIndex++, "macvlan", lowerIndex, mac, 1 /* MACVLAN_MODE_PRIVATE */, false};
      links[name] = d;
      netio::InterfaceInfo info;
      info.name = name;
      info.index = d.index;
      info.mac = mac;
      node->interfaces[name] = info;
      node->journal.push_back("vmac create " + name);
      return {};
    }
    std::expected<void, std::string> setUp(int index, bool ipv4Rules, bool ipv6Rules) override {
      for (auto& [n, d] : links) {
        if (d.index != index) continue;
        d.up = node->interfaces[n].up = node->interfaces[n].running = true;
        if (ipv4Rules) node->journal.push_back("vmac igmp rule " + n);
        if (ipv6Rules) node->journal.push_back("vmac mld rule " + n);
      }
      return {};
    }
    std::expected<void, std::string> addLinkLocal(int index,
                                                  const netio::IpAddress& address) override {
      for (auto& [n, d] : links) {
        if (d.index != index) continue;
        node->interfaces[n].ipv6LinkLocal.push_back(address);
        node->journal.push_back("vmac link-local " + n + " " + address.str());
      }
      return {};
    }
    std::expected<void, std::string> remove(int index) override {
      for (auto it = links.begin(); it != links.end(); ++it) {
        if (it->second.index != index) continue;
        node->journal.push_back("vmac remove " + it->first);
        node->interfaces.erase(it->first);
        links.erase(it);
        break;
      }
      return {};
    }
    std::expected<int, std::string> readSysctl(const std::string& path) override {
      auto it = sysctls.find(path);
      if (it == sysctls.end()) return std::unexpected("no " + path);
      return it->second;
    }
    std::expected<void, std::string> writeSysctl(const std::string& path, int value) override {
      sysctls[path] = value;
      return {};
    }
  };
  // A track_file's file: its content in `files` (absent: missing).
  struct File final : runtime::WatchedFile {
    FakeNode* node;
    std::string path;
    std::expected<std::optional<std::string>, std::string> read() override {
      if (node->unreadable.contains(path)) return std::unexpected("Permission denied");
      auto it = node->files.find(path);
      if (it == node->files.end()) return std::optional<std::string>{};
      return std::optional<std::string>{it->second};
    }
    std::expected<void, std::string> write(const std::string& content) override {
      node->files[path] = content;
      node->journal.push_back("write " + path + ": " + content);
      return {};
    }
  };
  // Processes for track_process: `processes` is /proc; start/exit them with the
  // helpers below, which tell the watcher as the kernel would.
  struct Processes final : runtime::ProcessEvents {
    FakeNode* node;
    std::function<void(const runtime::ProcessInfo&)> seen;
    std::function<void(int)> exited;
    std::set<int> watched;
    ~Processes() override {
      if (node->processWatch == this) node->processWatch = nullptr;
    }
    void start() override {
      for (const auto& [pid, info] : node->processes) seen(info);
    }
    bool watchExit(int pid) override {
      if (!node->processes.contains(pid)) return false;
      watched.insert(pid);
      return true;
    }
    void unwatch(int pid) override { watched.erase(pid); }
    std::string how() const override { return "fake"; }
  };

  FakeNode(FakeLan& lan, std::string name, const std::string& address);

  std::map<std::string, std::string> files;  // track files by path
  std::set<std::string> unreadable;
  std::map<std::string, std::function<void()>> fileWatchers;
  std::map<int, runtime::ProcessInfo> processes;
  Processes* processWatch = nullptr;
  // Writes (or removes, with nullopt) a track file and tells its watcher.
  void setFile(const std::string& path, std::optional<std::string> content) {
    if (content) {
      files[path] = *content;
    } else {
      files.erase(path);
    }
    if (auto it = fileWatchers.find(path); it != fileWatchers.end()) it->second();
  }
  void startProcess(int pid, const std::string& comm, const std::string& cmdline = "") {
    processes[pid] = runtime::ProcessInfo{pid, comm, cmdline};
    if (processWatch) processWatch->seen(processes[pid]);
  }
  void exitProcess(int pid) {
    processes.erase(pid);
    if (processWatch && processWatch->watched.erase(pid)) processWatch->exited(pid);
  }

  std::string name;
  std::map<std::string, netio::InterfaceInfo> interfaces;
  std::map<std::pair<std::string, netio::Family>, std::unique_ptr<Port>> ports;
  Addresses vips;
  Filter filter;
  Routes rtable;
  Announcer announcer;                                           // eth0's
  std::map<std::string, std::unique_ptr<Announcer>> announcers;  // the other links'
  std::vector<std::string> announced;                            // "VIP on PORT from LINK"
  Vmacs vmacTable;
  std::map<std::string, Script*> scripts;
  std::vector<std::string> journal;
  std::unique_ptr<runtime::InstanceSet> set;  // the runtime under test

  bool holds(const std::string& address) const {
    return std::any_of(vips.present.begin(), vips.present.end(),
                       [&](const auto& p) { return p.first == address; });
  }
  // Journal lines starting with `prefix`.
  std::vector<std::string> lines(const std::string& prefix) const {
    std::vector<std::string> out;
    for (const auto& l : journal) {
      if (l.rfind(prefix, 0) == 0) out.push_back(l);
    }
    return out;
  }
  std::vector<runtime::InstanceReport> reports() const { return set->reports(); }
  runtime::InstanceReport report(const std::string& instance) const {
    for (auto& r : set->reports()) {
      if (r.name == instance) return r;
    }
    return {};
  }

  // runtime::Kernel
  TimePoint now() override;
  std::expected<netio::InterfaceInfo, std::string> lookupInterface(const std::string& n) override {
    auto it = interfaces.find(n);
    if (it == interfaces.end()) return std::unexpected("no interface " + n);
    return it->second;
  }
  std::optional<std::string> interfaceName(int ifindex) override {
    for (const auto& [n, i] : interfaces) {
      if (i.index == ifindex) return n;
    }
    return std::nullopt;
  }
  std::expected<runtime::AdvertPort*, std::string> advertPort(const std::string& interface,
                                                              netio::Family family, int,
                                                              const netio::IpAddress&,
                                                              bool) override {
    auto& p = ports[{interface, family}];
    if (!p) {
      p = std::make_unique<Port>();
      p->node = this;
      // A VMAC's adverts go out on its base link's wire.
      auto link = vmacTable.links.find(interface);
      p->interface = interface;
      p->wire = interface;
      if (link != vmacTable.links.end()) {
        for (const auto& [n, i] : interfaces) {
          if (i.index == link->second.lowerIndex) p->wire = n;
        }
      }
      p->family = family;
    }
    return p.get();
  }
  std::expected<runtime::AnnouncePort*, std::string> announcePort(const std::string& on,
                                                                  int) override {
    if (on == "eth0") return &announcer;
    auto& a = announcers[on];
    if (!a) {
      a = std::make_unique<Announcer>();
      a->node = this;
      a->port = on;
    }
    return a.get();
  }
  runtime::AddressTable& addresses() override { return vips; }
  runtime::VipFilter& vipFilter() override { return filter; }
  runtime::Routing& routing() override { return rtable; }
  runtime::VmacTable& vmacs() override { return vmacTable; }
  std::unique_ptr<runtime::Timer> timer() override;
  std::expected<netio::ScriptIdentity, std::string> scriptUser(const std::string&,
                                                               const std::string&) override {
    return netio::ScriptIdentity{};
  }
  std::unique_ptr<runtime::NotifyQueue> notifier(const std::string& owner,
                                                 const netio::ScriptIdentity&) override {
    auto q = std::make_unique<Queue>();
    q->node = this;
    q->owner = owner;
    return q;
  }
  std::unique_ptr<runtime::TrackedScript> script(const config::VrrpScript& s,
                                                 const netio::ScriptIdentity&,
                                                 std::function<void()> onChange) override {
    auto t = std::make_unique<Script>();
    t->s = s;
    t->verdict = runtime::ScriptVerdict(s.rise, s.fall);
    t->onChange = std::move(onChange);
    scripts[s.name] = t.get();
    return t;
  }
  std::unique_ptr<runtime::MailPort> mailer(const config::GlobalDefs& g) override {
    if (!g.smtpServer) return nullptr;
    auto m = std::make_unique<Mail>();
    m->node = this;
    return m;
  }
  std::expected<std::unique_ptr<runtime::WatchedFile>, std::string> watchFile(
      const std::string& path, std::function<void()> changed) override {
    if (path.starts_with("/nonexistent/")) return std::unexpected("no such directory");
    if (changed) fileWatchers[path] = std::move(changed);
    auto f = std::make_unique<File>();
    f->node = this;
    f->path = path;
    return f;
  }
  std::expected<std::unique_ptr<runtime::ClaimSource>, std::string> watchClaims(
      const std::string& interface,
      std::function<void(const vrrp::AddressClaim&)> onClaim) override {
    journal.push_back("watch claims " + interface);
    claimWatchers[interface] = std::move(onClaim);
    auto c = std::make_unique<Claims>();
    c->node = this;
    c->interface = interface;
    return c;
  }
  std::unique_ptr<runtime::ProcessEvents> processEvents(
      bool, std::function<void(const runtime::ProcessInfo&)> seen,
      std::function<void(int)> exited) override {
    auto p = std::make_unique<Processes>();
    p->node = this;
    p->seen = std::move(seen);
    p->exited = std::move(exited);
    processWatch = p.get();
    return p;
  }

 private:
  FakeLan& lan_;
};

class FakeLan {
 public:
  TimePoint now = TimePoint{} + std::chrono::hours(1);
  std::set<FakeNode::Timer*> timers;
  struct InFlight {
    FakeNode* from;
    std::string interface;
    netio::Family family;
    std::vector<uint8_t> bytes;
    netio::IpAddress source, destination;
  };
  std::deque<InFlight> wire;
  std::set<FakeNode*> cut;                       // nodes whose adverts are lost (a partition)
  std::vector<std::unique_ptr<FakeNode>> nodes;  // last: destroyed first (their timers)

  // A node with eth0 (index 2) at `address` (IPv4), up, with carrier.
  FakeNode& add(const std::string& name, const std::string& address) {
    nodes.push_back(std::make_unique<FakeNode>(*this, name, address));
    return *nodes.back();
  }

  // Delivers what is on the wire, then fires due timers in time order, until `d`
  // has passed (bounded: a runaway loop fails the test instead of hanging it).
  void advance(std::chrono::microseconds d) {
    const TimePoint end = now + d;
    for (int guard = 0; guard < 1'000'000; ++guard) {
      deliver();
      FakeNode::Timer* next = nullptr;
      for (auto* t : timers) {
        if (t->at && *t->at <= end && (!next || *t->at < *next->at)) next = t;
      }
      if (!next) break;
      now = std::max(now, *next->at);
      next->at.reset();
      auto fire = next->fire;
      fire();
    }
    deliver();
    now = end;
  }

  void deliver() {
    for (int guard = 0; guard < 100'000 && !wire.empty(); ++guard) {
      InFlight f = std::move(wire.front());
      wire.pop_front();
      if (cut.contains(f.from)) continue;
      for (auto& n : nodes) {
        if (n.get() == f.from || !n->set) continue;
        // Every socket on that wire hears it (a VMAC's too).
        for (auto& [key, port] : n->ports) {
          if (port->wire != f.interface || key.second != f.family) continue;
          netio::ReceivedPacket p;
          p.source = f.source;
          p.destination = f.destination;
          p.ttl = 255;
          p.payload = f.bytes;
          n->set->receive(*port, p, now);
        }
      }
    }
  }
};

inline FakeNode::FakeNode(FakeLan& lan, std::string n, const std::string& address)
    : name(std::move(n)), lan_(lan) {
  vips.node = this;
  rtable.node = this;
  announcer.node = this;
  announcer.port = "eth0";
  vmacTable.node = this;
  netio::InterfaceInfo eth0;
  eth0.name = "eth0";
  eth0.index = 2;
  eth0.up = eth0.running = true;
  eth0.mac = {0x02, 0, 0, 0, 0, static_cast<uint8_t>(lan.nodes.size() + 1)};
  eth0.ipv4 = {netio::IpAddress::parse(address).value()};
  eth0.ipv6LinkLocal = {
      netio::IpAddress::parse("fe80::" + std::to_string(lan.nodes.size() + 1)).value()};
  interfaces["eth0"] = eth0;
}

inline TimePoint FakeNode::now() {
  return lan_.now;
}

inline std::unique_ptr<runtime::Timer> FakeNode::timer() {
  auto t = std::make_unique<Timer>();
  t->lan = &lan_;
  lan_.timers.insert(t.get());
  return t;
}

inline FakeNode::Timer::~Timer() {
  lan->timers.erase(this);
}

inline std::optional<std::string> FakeNode::Port::send(std::span<const uint8_t> m,
                                                       const netio::IpAddress& source,
                                                       const netio::IpAddress& destination,
                                                       int ttl) {
  sent.emplace_back(m.begin(), m.end());
  routine.push_back(false);
  lastTtl = ttl;
  node->lan_.wire.push_back({node, wire, family, {m.begin(), m.end()}, source, destination});
  return std::nullopt;
}

inline void FakeNode::claimToOthers(const netio::IpAddress& vip, const netio::MacAddress& mac,
                                    vrrp::ClaimKind kind) {
  for (auto& n : lan_.nodes) {
    if (n.get() != this) n->hear({vip, mac, kind});
  }
}

inline void FakeNode::answersTo(const netio::IpAddress& vip) {
  for (auto& n : lan_.nodes) {
    if (n.get() != this && n->holds(vip.str())) {
      hear({vip, n->interfaces["eth0"].mac, vrrp::ClaimKind::kArpReply});
    }
  }
}

}  // namespace holdfast::test
