#include "core/runtime/netio_kernel.h"

#include <net/if.h>

#include "core/log/logger.h"
#include "core/runtime/accept_filter.h"
#include "core/runtime/claim_watch.h"
#include "core/runtime/mailer.h"
#include "core/runtime/notifier.h"
#include "core/runtime/script_tracker.h"
#include "netio/file_watch.h"
#include "netio/process_watch.h"
#include "netio/vmac_firewall.h"
#include "vrrp/announce.h"

namespace holdfast::runtime {

namespace {

class NetlinkAddresses final : public AddressTable {
 public:
  explicit NetlinkAddresses(netio::AddressManager m) : m_(std::move(m)) {}
  std::expected<void, std::string> add(const netio::AddressSpec& a) override { return m_.add(a); }
  std::expected<void, std::string> remove(const netio::AddressSpec& a) override {
    return m_.remove(a);
  }
  std::expected<bool, std::string> has(const netio::IpAddress& a, int ifindex) override {
    return m_.has(a, ifindex);
  }

 private:
  netio::AddressManager m_;
};

class NetlinkRouting final : public Routing {
 public:
  explicit NetlinkRouting(netio::RouteTable t) : t_(std::move(t)) {}
  std::expected<bool, std::string> add(const netio::Route& r) override { return t_.add(r); }
  std::expected<void, std::string> remove(const netio::Route& r) override { return t_.remove(r); }
  std::expected<bool, std::string> add(const netio::Rule& r) override { return t_.add(r); }
  std::expected<void, std::string> remove(const netio::Rule& r) override { return t_.remove(r); }

 private:
  netio::RouteTable t_;
};

class NetlinkVmacs final : public VmacTable {
 public:
  explicit NetlinkVmacs(netio::VmacLinks l) : l_(std::move(l)) {}
  std::expected<std::optional<netio::LinkDescription>, std::string> find(
      const std::string& name) override {
    return l_.describe(name);
  }
  std::expected<void, std::string> create(const std::string& name, int lowerIndex,
                                          const netio::MacAddress& mac) override {
    return l_.createMacvlan(name, lowerIndex, mac);
  }
  // The VMAC comes up with its IGMP rule in place (keepalived's nftables rule:
  // netio/vmac_firewall.h); an error is logged and the VMAC runs without it.
  std::expected<void, std::string> setUp(int index, bool ipv4Rules, bool ipv6Rules) override {
    if (auto name = nameOf(index)) {
      if (auto base = baseOf(index)) {
        if (auto r = firewall_.add(*name, *base, ipv4Rules, ipv6Rules); !r) {
          log::warning("VMAC " + *name + ": IGMP/MLD reports stay on the VMAC: " + r.error());
        }
      }
    }
    return l_.setUp(index);
  }
  std::expected<void, std::string> remove(int index) override {
    if (auto name = nameOf(index)) {
      if (auto r = firewall_.remove(*name); !r) log::warning("VMAC " + *name + ": " + r.error());
    }
    return l_.remove(index);
  }
  std::expected<void, std::string> addLinkLocal(int index,
                                                const netio::IpAddress& address) override {
    return l_.addLinkLocal(index, address);
  }
  std::expected<int, std::string> readSysctl(const std::string& path) override {
    return netio::readSysctl(path);
  }
  std::expected<void, std::string> writeSysctl(const std::string& path, int value) override {
    return netio::writeSysctl(path, value);
  }

 private:
  static std::optional<std::string> nameOf(int index) {
    char name[IF_NAMESIZE] = {};
    if (::if_indextoname(static_cast<unsigned>(index), name) == nullptr) return std::nullopt;
    return std::string(name);
  }
  std::optional<std::string> baseOf(int index) {
    auto name = nameOf(index);
    if (!name) return std::nullopt;
    auto d = l_.describe(*name);
    if (!d || !*d || (*d)->lowerIndex == 0) return std::nullopt;
    return nameOf((*d)->lowerIndex);
  }
  netio::VmacLinks l_;
  netio::VmacFirewall firewall_;
};

class InotifyFile final : public WatchedFile {
 public:
  explicit InotifyFile(std::unique_ptr<netio::FileWatch> w) : w_(std::move(w)) {}
  std::expected<std::optional<std::string>, std::string> read() override { return w_->read(); }
  std::expected<void, std::string> write(const std::string& content) override {
    return w_->write(content);
  }

 private:
  std::unique_ptr<netio::FileWatch> w_;
};

class ProcProcesses final : public ProcessEvents {
 public:
  ProcProcesses(boost::asio::io_context& io, bool cmdline,
                std::function<void(const ProcessInfo&)> seen, std::function<void(int)> exited)
      : w_(
            io, cmdline,
            [seen = std::move(seen)](const netio::ProcessEntry& e) {
              seen(ProcessInfo{e.pid, e.comm, e.cmdline});
            },
            std::move(exited)) {}
  void start() override { w_.start(); }
  bool watchExit(int pid) override { return w_.watchExit(pid); }
  void unwatch(int pid) override { w_.unwatch(pid); }
  std::string how() const override { return w_.how(); }

 private:
  netio::ProcessWatch w_;
};

class PacketAnnouncer final : public AnnouncePort {
 public:
  explicit PacketAnnouncer(netio::Announcer a) : a_(std::move(a)) {}
  std::expected<void, std::string> announce(const netio::InterfaceInfo& iface,
                                            const netio::IpAddress& vip) override {
    if (vip.family == netio::Family::kIPv4) return a_.sendArp(vrrp::gratuitousArp(iface.mac, vip));
    // An unsolicited NA must come from a link-local address (RFC 4861 7.2.6).
    if (iface.ipv6LinkLocal.empty()) {
      return std::unexpected("no unsolicited NA for " + vip.str() + ": " + iface.name +
                             " has no IPv6 link-local address");
    }
    return a_.sendNeighbourAdvert(vrrp::unsolicitedNeighbourAdvert(iface.mac, vip),
                                  iface.ipv6LinkLocal.front());
  }
  std::expected<void, std::string> probe(const netio::InterfaceInfo& iface,
                                         const netio::IpAddress& vip) override {
    if (vip.family == netio::Family::kIPv4) return a_.sendArp(vrrp::arpProbe(iface.mac, vip));
    if (iface.ipv6LinkLocal.empty()) {
      return std::unexpected("no neighbour solicitation for " + vip.str() + ": " + iface.name +
                             " has no IPv6 link-local address");
    }
    return a_.sendNeighbourSolicitation(vrrp::neighbourSolicitation(iface.mac, vip),
                                        iface.ipv6LinkLocal.front(),
                                        vrrp::solicitedNodeMulticast(vip));
  }

 private:
  netio::Announcer a_;
};

class WatchedClaims final : public ClaimSource {
 public:
  explicit WatchedClaims(std::unique_ptr<ClaimWatch> w) : w_(std::move(w)) {}

 private:
  std::unique_ptr<ClaimWatch> w_;
};

}  // namespace

NetioKernel::~NetioKernel() {
  // Timers still held by instances must not reach the channels once they are gone.
  if (timers_) timers_->setTurnHooks(nullptr, nullptr);
}

std::expected<std::unique_ptr<NetioKernel>, std::string> NetioKernel::open(
    boost::asio::io_context& io, const std::string& stateDir) {
  auto am = netio::AddressManager::open();
  if (!am) return std::unexpected(am.error());
  std::unique_ptr<NetioKernel> k(new NetioKernel(io));
  if (!stateDir.empty()) k->filterRecord_ = stateDir + "/nftables-table";
  k->addresses_ = std::make_unique<NetlinkAddresses>(std::move(*am));
  auto routes = netio::RouteTable::open();
  if (!routes) return std::unexpected(routes.error());
  k->routing_ = std::make_unique<NetlinkRouting>(std::move(*routes));
  auto links = netio::VmacLinks::open();
  if (!links) return std::unexpected(links.error());
  k->vmacs_ = std::make_unique<NetlinkVmacs>(std::move(*links));
  return k;
}

void NetioKernel::startReading(AdvertChannel::Handler handler, std::function<void()> batchDone) {
  handler_ = std::move(handler);
  batchDone_ = std::move(batchDone);
  for (auto& [key, c] : channels_) c->startReading(handler_, batchDone_);
}

void NetioKernel::catchUp() {
  for (auto& [key, c] : channels_) c->catchUp();
}

void NetioKernel::stopReading() {
  for (auto& [key, c] : channels_) c->stopReading();
  handler_ = nullptr;
  batchDone_ = nullptr;
}

std::expected<netio::InterfaceInfo, std::string> NetioKernel::lookupInterface(
    const std::string& name) {
  return netio::lookupInterface(name);
}

std::optional<std::string> NetioKernel::interfaceName(int ifindex) {
  char name[IF_NAMESIZE] = {};
  if (::if_indextoname(static_cast<unsigned>(ifindex), name) == nullptr) return std::nullopt;
  return std::string(name);
}

std::expected<AdvertPort*, std::string> NetioKernel::advertPort(const std::string& interface,
                                                                netio::Family family, int ifindex,
                                                                const netio::IpAddress& group,
                                                                bool join) {
  auto key = std::make_pair(interface, family);
  if (auto it = channels_.find(key); it != channels_.end() && channelIndex_[key] != ifindex) {
    // The link was made anew under the same name (a VMAC deleted and created again):
    // the old socket is bound to a link that is gone.
    channels_.erase(it);
  }
  if (auto it = channels_.find(key); it != channels_.end()) {
    // Shared by the instances on (interface, family): each multicast group is joined
    // by the first instance that needs it.
    if (join) {
      if (auto e = it->second->join(group)) return std::unexpected(*e);
    }
    return it->second.get();
  }
  auto c = AdvertChannel::open(io_, timer(), interface, family, ifindex, group, join);
  if (!c) return std::unexpected(c.error());
  AdvertChannel* raw = c->get();
  channels_[key] = std::move(*c);
  channelIndex_[key] = ifindex;
  if (handler_) raw->startReading(handler_, batchDone_);
  return raw;
}

std::expected<AnnouncePort*, std::string> NetioKernel::announcePort(const std::string& interface,
                                                                    int ifindex) {
  if (auto it = announcers_.find(interface); it != announcers_.end()) {
    if (announcerIndex_[interface] == ifindex) return it->second.get();
    announcers_.erase(it);  // a VMAC made anew under the same name
  }
  auto a = netio::Announcer::open(ifindex);
  if (!a) return std::unexpected(a.error());
  announcerIndex_[interface] = ifindex;
  auto& slot = announcers_[interface];
  slot = std::make_unique<PacketAnnouncer>(std::move(*a));
  return slot.get();
}

VipFilter& NetioKernel::vipFilter() {
  if (!vipFilter_) vipFilter_ = makeNftVipFilter(filterRecord_);
  return *vipFilter_;
}

std::unique_ptr<Timer> NetioKernel::timer() {
  if (!timers_) {
    timers_ = std::make_shared<TimerDriver>(io_);
    // Routine adverts sent while a wake-up's timers fire go out together at its end.
    timers_->setTurnHooks(
        [this] {
          for (auto& [key, c] : channels_) c->holdRoutine();
        },
        [this] {
          for (auto& [key, c] : channels_) c->releaseRoutine();
        });
  }
  return timers_->timer();
}

std::expected<netio::ScriptIdentity, std::string> NetioKernel::scriptUser(
    const std::string& user, const std::string& group) {
  return resolveScriptUser(user, group);
}

std::unique_ptr<NotifyQueue> NetioKernel::notifier(const std::string& owner,
                                                   const netio::ScriptIdentity& who) {
  return std::make_unique<Notifier>(io_, owner, who);
}

std::unique_ptr<TrackedScript> NetioKernel::script(const config::VrrpScript& script,
                                                   const netio::ScriptIdentity& who,
                                                   std::function<void()> onChange) {
  return std::make_unique<ScriptTracker>(
      io_, script, who, [onChange = std::move(onChange)](const ScriptTracker&) { onChange(); });
}

std::unique_ptr<MailPort> NetioKernel::mailer(const config::GlobalDefs& g) {
  if (!mailConfigured(g)) return nullptr;
  return std::make_unique<Mailer>(mailSettings(g));
}

std::expected<std::unique_ptr<WatchedFile>, std::string> NetioKernel::watchFile(
    const std::string& path, std::function<void()> changed) {
  auto w = netio::FileWatch::open(io_, path, std::move(changed));
  if (!w) return std::unexpected(w.error());
  return std::make_unique<InotifyFile>(std::move(*w));
}

std::expected<std::unique_ptr<ClaimSource>, std::string> NetioKernel::watchClaims(
    const std::string& interface, std::function<void(const vrrp::AddressClaim&)> onClaim) {
  auto w = ClaimWatch::open(io_, interface, std::move(onClaim));
  if (!w) return std::unexpected(w.error());
  return std::make_unique<WatchedClaims>(std::move(*w));
}

std::unique_ptr<ProcessEvents> NetioKernel::processEvents(
    bool cmdline, std::function<void(const ProcessInfo&)> seen,
    std::function<void(int pid)> exited) {
  return std::make_unique<ProcProcesses>(io_, cmdline, std::move(seen), std::move(exited));
}

}  // namespace holdfast::runtime
