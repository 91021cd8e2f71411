#include "core/runtime/vrrp_runtime.h"

#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cassert>
#include <cstring>
#include <set>

#include "core/log/event_log.h"
#include "core/log/logger.h"
#include "core/runtime/instance_settings.h"
#include "vrrp/announce.h"

namespace holdfast::runtime {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct VrrpRuntime::Channel {
  std::string interface;
  netio::Family family;
  int ifindex = 0;
  netio::VrrpSocket socket;
  asio::posix::stream_descriptor readable;
  vrrp::Counters counters;             // discards before an instance is known
  std::array<Running*, 256> byVrid{};  // the instance for each VRID on this channel
};

struct VrrpRuntime::Running {
  Running(asio::io_context& io, Channel* c, int index) : timer(io), channel(c), ifindex(index) {}
  std::unique_ptr<vrrp::Instance> instance;
  asio::steady_timer timer;
  Channel* channel = nullptr;
  int ifindex = 0;
  std::vector<netio::AddressSpec> vips;        // the VIPs as the kernel needs them
  std::vector<netio::IpAddress> ownedAtStart;  // owner: the interface's own addresses
  std::vector<config::TrackRef> trackScripts;
  std::vector<config::TrackRef> trackInterfaces;
  std::vector<config::TrackRef> trackBackends;
  bool linkDown = false;
  bool sourceGone = false;  // the advert source address left the interface
  scoring::Score score;
  config::NotifyCommands notify;  // vetted at start
  std::unique_ptr<Notifier> notifier;
  SyncGroup* group = nullptr;
  bool smtpAlert = false;
  uint64_t garpsSent = 0;
  uint64_t transitions = 0;
  bool vipsHeld = false;  // every VIP added and none removed behind our back since
  std::optional<TransitionRecord> lastTransition;
};

namespace {

bool usable(const netio::InterfaceInfo& i) {
  return i.up && i.running;
}

// The parts of a config that tracking depends on, as text: reload keeps the runtime
// only when these and the instance settings are unchanged.
std::string scriptSignature(const config::VrrpScript& s) {
  return s.command + "|" + std::to_string(s.interval.count()) + "|" +
         std::to_string(s.timeout ? s.timeout->count() : -1) + "|" + std::to_string(s.weight) +
         std::to_string(s.reverse) + "|" + std::to_string(s.rise) + "|" + std::to_string(s.fall) +
         "|" + s.user + "|" + s.group + "|" + std::to_string(s.initFail);
}

// What an instance depends on besides its settings: a reload keeps it running only
// when this is unchanged too.
std::string instanceSignature(const config::VrrpInstance& vi, const config::Config& cfg) {
  const auto& n = vi.notify;
  std::string sig = n.master + "|" + n.backup + "|" + n.fault + "|" + n.stop + "|" + n.notify +
                    "|" + std::to_string(vi.smtpAlert) +
                    std::to_string(vi.locations.has("smtp_alert")) + "|";
  for (const auto* refs : {&vi.trackScripts, &vi.trackInterfaces, &vi.trackBackends}) {
    for (const auto& t : *refs) {
      sig += t.name + "/" + std::to_string(t.weight) + "/" + std::to_string(t.hasWeight) +
             std::to_string(t.reverse) + ",";
    }
    sig += ";";
  }
  for (const auto& t : vi.trackScripts) {
    if (const auto* script = cfg.findScript(t.name)) sig += scriptSignature(*script) + ";";
  }
  for (const auto& g : cfg.syncGroups) {
    bool member = false;
    std::string members;
    for (const auto& m : g.members) {
      member = member || m.name == vi.name;
      members += m.name + ",";
    }
    if (member) {
      const auto& gn = g.notify;
      sig += "group " + g.name + "{" + members + gn.master + "|" + gn.backup + "|" + gn.fault +
             "|" + gn.stop + "|" + gn.notify + "}";
    }
  }
  return sig + "|" + cfg.global.scriptUser + "|" + cfg.global.scriptGroup;
}

// The commands that may run: each refused one is logged once, here at start,
// rather than at every transition, and dropped.
config::NotifyCommands vetNotify(const config::NotifyCommands& in, const std::string& owner,
                                 const config::SourceLocation& where) {
  config::NotifyCommands out = in;
  for (auto [cmd, what] : {std::pair{&out.master, "notify_master"},
                           {&out.backup, "notify_backup"},
                           {&out.fault, "notify_fault"},
                           {&out.stop, "notify_stop"},
                           {&out.notify, "notify"}}) {
    if (cmd->empty()) continue;
    if (auto why = unsafeScript(*cmd)) {
      log::error(owner + ": refusing to run " + what + " (" + where.fileLine() + "): " + *why);
      cmd->clear();
    }
  }
  return out;
}

// keepalived's order on entering `state`: the state's own script, then `notify`
// with its arguments (INSTANCE name state priority, or GROUP name state).
void queueNotify(Notifier& notifier, const config::NotifyCommands& cmds, vrrp::State state,
                 const std::string& notifyArgs) {
  const std::string* own = state == vrrp::State::kMaster   ? &cmds.master
                           : state == vrrp::State::kBackup ? &cmds.backup
                           : state == vrrp::State::kFault  ? &cmds.fault
                           : state == vrrp::State::kStop   ? &cmds.stop
                                                           : nullptr;
  if (own && !own->empty()) {
    std::string label = std::string("notify_") + vrrp::toString(state);
    std::transform(label.begin(), label.end(), label.begin(), ::tolower);
    notifier.enqueue(*own, label);
  }
  if (!cmds.notify.empty()) notifier.enqueue(cmds.notify + " " + notifyArgs, "notify");
}

std::string routerIdOf(const config::GlobalDefs& g) {
  if (!g.routerId.empty()) return g.routerId;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

std::string vipList(const vrrp::InstanceSettings& s) {
  std::string out;
  for (const auto& v : s.vips) {
    if (!out.empty()) out += ", ";
    out += v.address.str() + "/" + std::to_string(v.prefixLength) + " on " + v.interface;
  }
  return out;
}
}  // namespace

std::expected<std::unique_ptr<VrrpRuntime>, std::string> VrrpRuntime::create(
    const config::Config& cfg, const std::map<std::string, TrackedHealth>& backends) {
  auto am = netio::AddressManager::open();
  if (!am) return std::unexpected(am.error());
  std::unique_ptr<VrrpRuntime> rt(new VrrpRuntime(std::move(*am)));
  auto links = netio::LinkMonitor::open();
  if (!links) return std::unexpected(links.error());
  rt->links_ = std::make_unique<netio::LinkMonitor>(std::move(*links));
  rt->linksReadable_ = std::make_unique<asio::posix::stream_descriptor>(rt->loop_.context(),
                                                                        ::dup(rt->links_->fd()));
  rt->backends_ = backends;
  rt->rtPriority_ = cfg.global.vrrpRtPriority;
  for (const auto& vi : cfg.instances) {
    auto r = rt->build(vi, cfg);
    if (!r) {
      return std::unexpected("vrrp_instance '" + vi.name + "' (" + vi.where.fileLine() +
                             "): " + r.error());
    }
    rt->adopt(std::move(*r));
    rt->instanceSignatures_[vi.name] = instanceSignature(vi, cfg);
  }
  for (const auto& sc : cfg.scripts) rt->scriptSignatures_[sc.name] = scriptSignature(sc);
  // Sync group notify scripts run as the script user: refuse at start if it is unknown.
  for (const auto& g : cfg.syncGroups) {
    if (!g.notify.any()) continue;
    auto who = resolveScriptUser(cfg.global.scriptUser, cfg.global.scriptGroup);
    if (!who) return std::unexpected("vrrp_sync_group " + g.name + ": " + who.error());
  }
  rt->buildSyncGroups(cfg);
  rt->routerId_ = routerIdOf(cfg.global);
  if (mailConfigured(cfg.global)) rt->mailer_ = std::make_unique<Mailer>(mailSettings(cfg.global));
  return rt;
}

void VrrpRuntime::buildSyncGroups(const config::Config& cfg) {
  std::map<std::string, vrrp::State> before;
  for (const auto& g : groups_) before[g->name] = g->state;
  groups_.clear();
  for (auto& r : instances_) r->group = nullptr;
  for (const auto& g : cfg.syncGroups) {
    auto group = std::make_unique<SyncGroup>();
    group->name = g.name;
    if (auto it = before.find(g.name); it != before.end()) group->state = it->second;
    group->notify = vetNotify(g.notify, "vrrp_sync_group " + g.name, g.where);
    if (g.notify.any()) {
      // Resolved at start (refused there when unknown); a user deleted since is
      // reported here and the group runs without its scripts.
      auto who = resolveScriptUser(cfg.global.scriptUser, cfg.global.scriptGroup);
      if (who) {
        group->notifier =
            std::make_unique<Notifier>(loop_.context(), "vrrp_sync_group " + g.name, *who);
      } else {
        log::error("vrrp_sync_group " + g.name + ": notify scripts disabled: " + who.error());
      }
    }
    for (const auto& m : g.members) {
      for (auto& r : instances_) {
        if (r->instance->settings().name == m.name) {
          r->group = group.get();
          group->members.push_back(r.get());
        }
      }
    }
    groups_.push_back(std::move(group));
  }
}

VrrpRuntime::VrrpRuntime(netio::AddressManager addresses)
    : addresses_(std::move(addresses)), graceTimer_(loop_.context()) {}

VrrpRuntime::~VrrpRuntime() {
  stop();
}

bool VrrpRuntime::runsSameInstances(const config::Config& cfg) const {
  if (cfg.instances.size() != instances_.size()) return false;
  for (const auto& vi : cfg.instances) {
    auto sig = instanceSignatures_.find(vi.name);
    if (sig == instanceSignatures_.end() || sig->second != instanceSignature(vi, cfg)) return false;
    auto r = std::find_if(instances_.begin(), instances_.end(),
                          [&](const auto& p) { return p->instance->settings().name == vi.name; });
    auto info = netio::lookupInterface(vi.interface);
    if (r == instances_.end() || !info) return false;
    auto s = makeInstanceSettings(vi, cfg.global, *info);
    if (!s || !(*s == (*r)->instance->settings())) return false;
  }
  return true;
}

VrrpRuntime::Channel* VrrpRuntime::channelFor(const std::string& interface, netio::Family family,
                                              int ifindex, const netio::IpAddress& group, bool join,
                                              std::string& error) {
  for (auto& c : channels_) {
    if (c->interface == interface && c->family == family) return c.get();
  }
  auto sock = netio::VrrpSocket::open(interface, ifindex, family, group, join);
  if (!sock) {
    error = sock.error();
    return nullptr;
  }
  int fd = ::dup(sock->fd());
  channels_.push_back(
      std::unique_ptr<Channel>(new Channel{interface,
                                           family,
                                           ifindex,
                                           std::move(*sock),
                                           asio::posix::stream_descriptor(loop_.context(), fd),
                                           {}}));
  return channels_.back().get();
}

std::expected<void, std::string> VrrpRuntime::addScript(const config::VrrpScript& script,
                                                        const config::GlobalDefs& g) {
  if (scripts_.contains(script.name)) return {};
  auto who = resolveScriptUser(script.user.empty() ? g.scriptUser : script.user,
                               script.user.empty() ? g.scriptGroup : script.group);
  if (!who) return std::unexpected("vrrp_script " + script.name + ": " + who.error());
  scripts_[script.name] = std::make_unique<ScriptTracker>(
      loop_.context(), script, *who, [this](const ScriptTracker& t) {
        for (auto& r : instances_) {
          for (const auto& ref : r->trackScripts) {
            if (ref.name == t.name()) applyHealth(*r);
          }
        }
      });
  return {};
}

std::expected<std::unique_ptr<VrrpRuntime::Running>, std::string> VrrpRuntime::build(
    const config::VrrpInstance& vi, const config::Config& cfg) {
  const config::GlobalDefs& g = cfg.global;
  for (const auto& ref : vi.trackScripts) {
    if (auto r = addScript(*cfg.findScript(ref.name), g); !r) return std::unexpected(r.error());
  }
  for (const auto& ref : vi.trackInterfaces) {
    auto info = netio::lookupInterface(ref.name);
    if (!info) {
      log::warning(vi.name + ": track_interface " + ref.name + ": " + info.error() +
                   "; counted as down");
    }
    trackedInterfaceUp_[ref.name] = info && usable(*info);
  }
  auto info = netio::lookupInterface(vi.interface);
  if (!info) return std::unexpected(info.error());
  interfaces_[vi.interface] = *info;
  auto settings = makeInstanceSettings(vi, g, *info);
  if (!settings) return std::unexpected(settings.error());

  std::string error;
  Channel* ch = channelFor(vi.interface, settings->family, info->index,
                           settings->destinations.front(), vi.unicastPeers.empty(), error);
  if (!ch) return std::unexpected("VRRP socket on " + vi.interface + ": " + error);
  if (!announcers_.contains(vi.interface)) {
    auto a = netio::Announcer::open(info->index);
    if (!a) return std::unexpected(a.error());
    announcers_[vi.interface] = std::make_unique<netio::Announcer>(std::move(*a));
  }
  auto r = std::make_unique<Running>(loop_.context(), ch, info->index);
  r->instance =
      std::make_unique<vrrp::Instance>(std::move(*settings), static_cast<vrrp::InstanceIo&>(*this));
  r->notify = vetNotify(vi.notify, vi.name, vi.where);
  if (vi.notify.any()) {
    auto who = resolveScriptUser(g.scriptUser, g.scriptGroup);
    if (!who) return std::unexpected("notify scripts: " + who.error());
    r->notifier = std::make_unique<Notifier>(loop_.context(), vi.name, *who);
  }
  // The guides' configs set notification_email and smtp_server and expect mail on
  // every transition; an explicit `smtp_alert off` on the instance turns it off.
  r->smtpAlert = mailConfigured(g) && (vi.locations.has("smtp_alert") ? vi.smtpAlert : true);
  r->trackScripts = vi.trackScripts;
  r->trackInterfaces = vi.trackInterfaces;
  r->trackBackends = vi.trackBackends;
  r->linkDown = !usable(*info);
  // The VIPs' interfaces are resolved once, here: a `dev` that does not exist is a
  // start-up error, not a failure at the first transition.
  for (const auto& v : r->instance->settings().vips) {
    const int ifindex =
        v.interface == vi.interface ? info->index
                                    : static_cast<int>(::if_nametoindex(v.interface.c_str()));
    if (ifindex == 0) {
      return std::unexpected("virtual_ipaddress " + v.address.str() + ": no interface '" +
                             v.interface + "'");
    }
    r->vips.push_back({v.address, v.prefixLength, ifindex, v.label});
  }
  return r;
}

void VrrpRuntime::adopt(std::unique_ptr<Running> r) {
  const int vrid = r->instance->settings().vrid;
  // Config validation refuses two instances with one (interface, VRID, family).
  assert(!r->channel->byVrid[vrid]);
  r->channel->byVrid[vrid] = r.get();
  bySettings_[&r->instance->settings()] = r.get();
  instances_.push_back(std::move(r));
}

void VrrpRuntime::retire(Running& r) {
  r.group = nullptr;  // a removed member drags no other member along
  r.instance->stop(Clock::now());
  r.timer.cancel();
  const int vrid = r.instance->settings().vrid;
  if (r.channel->byVrid[vrid] == &r) r.channel->byVrid[vrid] = nullptr;
  auto it = std::find_if(instances_.begin(), instances_.end(),
                         [&r](const auto& p) { return p.get() == &r; });
  // bySettings_ keeps the entry while notify_stop may still look it up.
  retired_.push_back(std::move(*it));
  instances_.erase(it);
}

VrrpRuntime::Running& VrrpRuntime::running(const vrrp::InstanceSettings& s) {
  return *bySettings_.at(&s);  // a settings object always belongs to one of our instances
}

void VrrpRuntime::start() {
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] {
    if (rtPriority_ > 0) {
      // Adverts and failover timers must not wait behind checks, scripts or
      // anything else busy on the host (keepalived's "thread timer expired").
      sched_param sp{};
      sp.sched_priority = rtPriority_;
      if (int rc = ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &sp); rc != 0) {
        log::warning("VRRP thread stays in the normal scheduling class: SCHED_FIFO " +
                     std::to_string(rtPriority_) + ": " + std::strerror(rc));
      } else {
        log::info("VRRP thread runs SCHED_FIFO priority " + std::to_string(rtPriority_));
      }
    }
    loop_.run();
  });
  loop_.post([this] { startAll(); });
}

void VrrpRuntime::removeStaleVips(Running& r) {
  const auto& s = r.instance->settings();
  for (size_t i = 0; i < r.vips.size(); ++i) {
    const netio::AddressSpec& v = r.vips[i];
    auto present = addresses_.has(v.address, v.ifindex);
    if (!present || !*present) continue;
    if (s.machine.priority == vrrp::kOwnerPriority) {
      // The address owner's VIPs are its own addresses: never ours to remove.
      r.ownedAtStart.push_back(v.address);
      continue;
    }
    if (auto rm = addresses_.remove(v); rm) {
      log::warning(s.name + ": removed VIP " + v.address.str() + " from " + s.vips[i].interface +
                   ", left by an earlier run");
    } else {
      log::error(s.name + ": cannot remove stale VIP: " + rm.error());
    }
  }
}

std::vector<scoring::TrackedItem> VrrpRuntime::trackedItems(const Running& r) const {
  std::vector<scoring::TrackedItem> items;
  for (const auto& ref : r.trackScripts) {
    const ScriptTracker& t = *scripts_.at(ref.name);
    items.push_back({"script", ref.name, ref.hasWeight ? ref.weight : t.script().weight,
                     ref.reverse || t.script().reverse, t.up(), ""});
  }
  for (const auto& ref : r.trackInterfaces) {
    items.push_back(
        {"interface", ref.name, ref.weight, ref.reverse, trackedInterfaceUp_.at(ref.name), ""});
  }
  for (const auto& ref : r.trackBackends) {
    // Validation made every name a backend or group; the monitor reports them all.
    auto it = backends_.find(ref.name);
    const bool known = it != backends_.end();
    items.push_back({known && it->second.group ? "backend_group" : "backend", ref.name, ref.weight,
                     ref.reverse, known && it->second.up,
                     known ? it->second.reason : "not checked"});
  }
  return items;
}

bool VrrpRuntime::ownFault(const Running& r) {
  return r.linkDown || r.sourceGone || r.score.fault;
}

std::optional<std::string> VrrpRuntime::faultReason(const Running& r) const {
  const auto& s = r.instance->settings();
  if (r.linkDown) return "interface " + s.interface + " is down";
  if (r.sourceGone) return "address " + s.source.str() + " is gone from " + s.interface;
  if (r.score.fault) return "tracked item down: " + r.score.explain();
  // A sync group is in FAULT while any member is, for its own reasons.
  if (r.group) {
    for (const Running* m : r.group->members) {
      if (m != &r && ownFault(*m)) {
        return "sync group " + r.group->name + ": " + m->instance->settings().name + " is in FAULT";
      }
    }
  }
  return std::nullopt;
}

void VrrpRuntime::applyHealth(Running& r, bool propagate) {
  const auto& s = r.instance->settings();
  const bool wasFaulty = ownFault(r);
  scoring::Score score = scoring::computeScore(s.machine.priority, trackedItems(r));
  if (score.effective != r.score.effective || score.fault != r.score.fault) {
    log::info(s.name + ": priority " + std::to_string(r.score.effective) + " -> " +
              (score.fault ? std::string("FAULT") : std::to_string(score.effective)) + ": " +
              score.explain());
  }
  r.score = score;
  const auto why = faultReason(r);
  const bool faulted = r.instance->state() == vrrp::State::kFault;
  const auto now = Clock::now();
  if (why && !faulted) r.instance->setFault(true, *why, now);
  r.instance->setPriority(score.effective, now);
  if (!why && faulted) {
    r.instance->setFault(
        false, "interface " + s.interface + " is up; no tracked item or group member faults it",
        now);
  }
  arm(r);
  if (propagate && r.group && wasFaulty != ownFault(r)) {
    for (Running* m : r.group->members) {
      if (m != &r) applyHealth(*m, false);
    }
  }
}

void VrrpRuntime::startAll() {
  for (auto& r : instances_) removeStaleVips(*r);
  for (auto& c : channels_) readLoop(*c);
  watchLinks();
  // Scripts start at once (keepalived does too), a little apart.
  int n = 0;
  for (auto& [name, t] : scripts_) t->start(std::chrono::milliseconds(10 * n++));
  // Every score first: a member's FAULT depends on the rest of its sync group.
  for (auto& r : instances_) {
    r->score = scoring::computeScore(r->instance->settings().machine.priority, trackedItems(*r));
  }
  for (auto& r : instances_) startOne(*r);
}

void VrrpRuntime::startOne(Running& r) {
  const auto& s = r.instance->settings();
  r.instance->setPriority(r.score.effective, Clock::now());  // before start: sets it only
  log::info(s.name + ": starting on " + s.interface + " vrid " + std::to_string(s.vrid) + " VRRPv" +
            std::to_string(s.machine.version) + " priority " + std::to_string(s.machine.priority) +
            ", adverts from " + s.source.str() + " to " + s.destinations.front().str() +
            (s.destinations.size() > 1
                 ? " and " + std::to_string(s.destinations.size() - 1) + " more"
                 : ""));
  if (!r.trackScripts.empty() || !r.trackInterfaces.empty() || !r.trackBackends.empty()) {
    log::info(s.name + ": initial score: " + r.score.explain());
  }
  const auto why = faultReason(r);
  r.instance->start(Clock::now(), why.has_value(), why.value_or(""));
  arm(r);
}

std::expected<VrrpRuntime::ReconfigureSummary, std::string> VrrpRuntime::reconfigure(
    const config::Config& cfg, const std::map<std::string, TrackedHealth>& backends) {
  if (!started_) return reconfigureHere(cfg, backends);
  using Result = std::expected<ReconfigureSummary, std::string>;
  auto done = std::make_shared<std::promise<Result>>();
  auto result = done->get_future();
  auto copy = std::make_shared<const config::Config>(cfg);
  loop_.post([this, done, copy, backends] { done->set_value(reconfigureHere(*copy, backends)); });
  if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return std::unexpected("the VRRP thread did not answer within 10 s");
  }
  return result.get();
}

std::expected<VrrpRuntime::ReconfigureSummary, std::string> VrrpRuntime::reconfigureHere(
    const config::Config& cfg, const std::map<std::string, TrackedHealth>& backends) {
  // Scripts whose definition changed or that are gone are set aside (put back on
  // failure); build() makes the new ones.
  std::map<std::string, std::string> scriptSigs;
  for (const auto& sc : cfg.scripts) scriptSigs[sc.name] = scriptSignature(sc);
  std::map<std::string, std::unique_ptr<ScriptTracker>> displaced;
  for (auto it = scripts_.begin(); it != scripts_.end();) {
    auto want = scriptSigs.find(it->first);
    if (want != scriptSigs.end() && want->second == scriptSignatures_[it->first]) {
      ++it;
      continue;
    }
    displaced[it->first] = std::move(it->second);
    it = scripts_.erase(it);
  }
  std::set<std::string> scriptsBefore;
  for (const auto& [name, t] : scripts_) scriptsBefore.insert(name);
  std::set<std::string> announcersBefore;
  for (const auto& [name, a] : announcers_) announcersBefore.insert(name);
  const size_t channelsBefore = channels_.size();

  ReconfigureSummary sum;
  std::set<Running*> keep;
  std::vector<std::unique_ptr<Running>> built;
  std::map<std::string, std::string> signatures;
  for (const auto& vi : cfg.instances) {
    signatures[vi.name] = instanceSignature(vi, cfg);
    Running* old = nullptr;
    for (auto& r : instances_) {
      if (r->instance->settings().name == vi.name) old = r.get();
    }
    if (old && signatures[vi.name] == instanceSignatures_[vi.name]) {
      auto info = netio::lookupInterface(vi.interface);
      auto settings = info ? makeInstanceSettings(vi, cfg.global, *info)
                           : std::unexpected<std::string>(info.error());
      if (settings && *settings == old->instance->settings()) {
        keep.insert(old);
        sum.kept.push_back(vi.name);
        continue;
      }
    }
    auto r = build(vi, cfg);
    if (!r) {
      // Roll back what the builds made; the running instances were not touched.
      built.clear();
      for (auto it = scripts_.begin(); it != scripts_.end();) {
        it = scriptsBefore.contains(it->first) ? std::next(it) : scripts_.erase(it);
      }
      for (auto& [name, t] : displaced) scripts_[name] = std::move(t);
      for (auto it = announcers_.begin(); it != announcers_.end();) {
        it = announcersBefore.contains(it->first) ? std::next(it) : announcers_.erase(it);
      }
      channels_.resize(channelsBefore);
      return std::unexpected("vrrp_instance '" + vi.name + "' (" + vi.where.fileLine() +
                             "): " + r.error());
    }
    (old ? sum.restarted : sum.added).push_back(vi.name);
    built.push_back(std::move(*r));
  }

  // Commit. Stopped instances go first: a changed one frees its VRID for its successor.
  std::erase_if(retired_, [this](const auto& r) {
    if (r->notifier && !r->notifier->idle()) return false;
    bySettings_.erase(&r->instance->settings());
    return true;
  });
  std::vector<Running*> leaving;
  for (auto& r : instances_) {
    if (!keep.contains(r.get())) leaving.push_back(r.get());
  }
  for (Running* r : leaving) {
    const std::string name = r->instance->settings().name;
    if (!signatures.contains(name)) sum.removed.push_back(name);
    log::info(name + (signatures.contains(name) ? ": configuration changed; restarting"
                                                : ": removed from the configuration; stopping"));
    retire(*r);
  }
  for (auto& [name, t] : displaced) t->stop();
  displaced.clear();
  backends_ = backends;
  instanceSignatures_ = std::move(signatures);
  scriptSignatures_ = std::move(scriptSigs);
  std::vector<Running*> fresh;
  for (auto& r : built) {
    fresh.push_back(r.get());
    adopt(std::move(r));
  }
  for (size_t i = channelsBefore; i < channels_.size(); ++i) readLoop(*channels_[i]);
  buildSyncGroups(cfg);
  routerId_ = routerIdOf(cfg.global);
  mailer_.reset();
  if (mailConfigured(cfg.global)) mailer_ = std::make_unique<Mailer>(mailSettings(cfg.global));
  int n = 0;
  for (auto& [name, t] : scripts_) {
    if (!scriptsBefore.contains(name)) t->start(std::chrono::milliseconds(10 * n++));
  }
  // Kept instances rescore against the new backend states (unchanged ones: no-op).
  for (auto& r : instances_) {
    if (keep.contains(r.get())) applyHealth(*r, false);
  }
  for (Running* r : fresh) {
    r->score = scoring::computeScore(r->instance->settings().machine.priority, trackedItems(*r));
  }
  for (Running* r : fresh) startOne(*r);
  return sum;
}

void VrrpRuntime::inspect(std::function<void(std::vector<InstanceReport>)> done) {
  loop_.post([this, done = std::move(done)] {
    std::vector<InstanceReport> out;
    for (const auto& r : instances_) {
      const auto& s = r->instance->settings();
      const auto& m = r->instance->machine();
      InstanceReport rep;
      rep.name = s.name;
      rep.interface = s.interface;
      rep.vrid = s.vrid;
      rep.version = s.machine.version;
      rep.ipv6 = s.family == netio::Family::kIPv6;
      rep.state = m.state();
      rep.basePriority = s.machine.priority;
      rep.effectivePriority = m.priority();
      rep.source = s.source.str();
      if (auto a = m.masterAddress()) rep.masterAddress = a->str();
      rep.masterPriority = m.masterPriority();
      for (const auto& v : s.vips) {
        rep.vips.push_back(v.address.str() + "/" + std::to_string(v.prefixLength) + " dev " +
                           v.interface);
      }
      // Tracked, not queried: a netlink round trip per request has no place here.
      rep.vipsHeld = m.state() == vrrp::State::kMaster && r->vipsHeld;
      for (const auto& p : s.receive.unicastPeers) rep.unicastPeers.push_back(p.str());
      rep.preempt = s.machine.preempt;
      rep.syncGroup = r->group ? r->group->name : "";
      rep.timers = m.timers();
      rep.counters = r->instance->counters();
      rep.socket = r->channel->counters;
      rep.garpsSent = r->garpsSent;
      rep.transitions = r->transitions;
      rep.lastTransition = r->lastTransition;
      rep.score = r->score;
      rep.faultReason = faultReason(*r);
      out.push_back(std::move(rep));
    }
    done(std::move(out));
  });
}

void VrrpRuntime::stop() {
  if (!started_) return;
  started_ = false;
  std::promise<void> done;
  loop_.post([this, &done] {
    for (auto& [name, t] : scripts_) t->stop();
    for (auto& r : instances_) {
      r->instance->stop(Clock::now());
      r->timer.cancel();
    }
    for (auto& c : channels_) c->readable.cancel();
    linksReadable_->cancel();
    // notify_stop scripts were just queued: let them run, for up to 3 s.
    awaitNotifiers(&done, 150);
  });
  // Bounded: a wedged loop must not keep the process from exiting.
  done.get_future().wait_for(std::chrono::seconds(8));
  loop_.stop();
  if (thread_.joinable()) thread_.join();
}

void VrrpRuntime::backendChanged(const TrackedHealth& h) {
  loop_.post([this, h] {
    backends_[h.name] = h;
    for (auto& r : instances_) {
      for (const auto& ref : r->trackBackends) {
        if (ref.name == h.name) {
          applyHealth(*r);
          break;
        }
      }
    }
  });
}

void VrrpRuntime::awaitNotifiers(std::promise<void>* done, int pollsLeft) {
  const bool idle = std::all_of(instances_.begin(), instances_.end(),
                                [](auto& r) { return !r->notifier || r->notifier->idle(); }) &&
                    std::all_of(groups_.begin(), groups_.end(),
                                [](auto& g) { return !g->notifier || g->notifier->idle(); });
  if (idle || pollsLeft <= 0) {
    done->set_value();
    return;
  }
  graceTimer_.expires_after(std::chrono::milliseconds(20));
  graceTimer_.async_wait([this, done, pollsLeft](const boost::system::error_code&) {
    awaitNotifiers(done, pollsLeft - 1);
  });
}

void VrrpRuntime::arm(Running& r) {
  auto deadline = r.instance->nextDeadline();
  if (!deadline) {
    r.timer.cancel();
    return;
  }
  // A backup's timers (Master_Down_Interval, Skew_Time, preemption) decide when a
  // failover happens, and they fire only when the master has really gone: every
  // advert re-arms them before this early wake-up. Waking kSpin early and spinning
  // the rest keeps the VM's wake-up latency (up to ~2 ms here after seconds of
  // idle) out of the failover time, for at most kSpin of CPU per failover.
  constexpr auto kSpin = std::chrono::microseconds(1500);
  const bool precise = r.instance->state() == vrrp::State::kBackup;
  const auto now = Clock::now();
  const auto wake = precise && *deadline - now > kSpin ? *deadline - kSpin : *deadline;
  r.timer.expires_at(wake);
  r.timer.async_wait(
      [this, &r, precise, deadline = *deadline](const boost::system::error_code& ec) {
        if (ec) return;  // re-armed or stopped: the deadline moved
        if (precise) {
          while (Clock::now() < deadline) {
          }
        }
        r.instance->onTimer(Clock::now());
        arm(r);
      });
}

void VrrpRuntime::readLoop(Channel& c) {
  c.readable.async_wait(asio::posix::stream_descriptor::wait_read,
                        [this, &c](const boost::system::error_code& ec) {
                          if (ec) return;
                          // Drain what is queued, bounded so a flood cannot starve timers.
                          for (int i = 0; i < 256; ++i) {
                            auto p = c.socket.receive();
                            if (!p) break;
                            onPacket(c, *p);
                          }
                          readLoop(c);
                        });
}

namespace {
// The steady-clock time at which the kernel received a packet: the RFC's timers
// start when the advert arrived, not when this thread got round to it (after a
// second of idle that wake-up alone costs a few hundred microseconds).
std::chrono::steady_clock::time_point arrival(const netio::ReceivedPacket& p) {
  const auto now = std::chrono::steady_clock::now();
  if (p.receivedRealtimeNs == 0) return now;
  const int64_t realNow = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  const int64_t age = realNow - p.receivedRealtimeNs;
  // A timestamp from the future or older than a second is not trusted (clock step).
  if (age < 0 || age > 1'000'000'000) return now;
  return now - std::chrono::nanoseconds(age);
}
}  // namespace

void VrrpRuntime::onPacket(Channel& c, const netio::ReceivedPacket& p) {
  vrrp::PacketInfo info{p.source, p.destination, p.ttl};
  auto advert = vrrp::decode(p.payload, info);
  if (!advert) {
    c.counters.discard(advert.error());
    // Built only when wanted: under a flood this runs for every packet.
    if (log::enabled(log::Level::kDebug)) {
      log::debug("discarded VRRP packet from " + p.source.str() + " on " + c.interface + ": " +
                 vrrp::toString(advert.error()));
    }
    return;
  }
  if (Running* r = c.byVrid[advert->vrid]) {
    r->instance->receive(*advert, info, arrival(p));
    arm(*r);
    return;
  }
  c.counters.discard(vrrp::DiscardReason::kUnknownVrid);
}

void VrrpRuntime::watchLinks() {
  linksReadable_->async_wait(asio::posix::stream_descriptor::wait_read,
                             [this](const boost::system::error_code& ec) {
                               if (ec) return;
                               for (const auto& e : links_->drain()) onLinkEvent(e);
                               watchLinks();
                             });
}

void VrrpRuntime::onLinkEvent(const netio::LinkEvent& e) {
  if (e.kind == netio::LinkEvent::Kind::kLinkChanged) {
    char name[IF_NAMESIZE] = {};
    const bool known = ::if_indextoname(static_cast<unsigned>(e.ifindex), name) != nullptr;
    if (known && trackedInterfaceUp_.contains(name)) trackedInterfaceUp_[name] = e.usable;
    for (auto& r : instances_) {
      const auto& s = r->instance->settings();
      if (r->ifindex == e.ifindex) {
        // Re-read the interface: addresses (the advert source, the MAC) may have changed.
        if (auto info = netio::lookupInterface(s.interface)) interfaces_[s.interface] = *info;
        r->linkDown = !e.usable;
      }
      applyHealth(*r);
    }
    return;
  }
  for (auto& r : instances_) {
    const auto& s = r->instance->settings();
    // The advert source leaving the interface (or coming back) is a fault of its own:
    // RFC 5798 5.1.1.1 adverts must come from the interface's address.
    if (e.address == s.source && r->ifindex == e.ifindex) {
      const bool gone = e.kind == netio::LinkEvent::Kind::kAddressRemoved;
      if (gone != r->sourceGone) {
        r->sourceGone = gone;
        applyHealth(*r);
      }
      continue;
    }
    if (e.kind != netio::LinkEvent::Kind::kAddressRemoved) continue;
    // A VIP removed while we are master was not removed by us: put it back.
    if (r->instance->state() != vrrp::State::kMaster) continue;
    for (size_t i = 0; i < r->vips.size(); ++i) {
      const netio::AddressSpec& v = r->vips[i];
      if (v.address != e.address || v.ifindex != e.ifindex) continue;
      log::warning(s.name + ": VIP " + v.address.str() + " was removed from " +
                   s.vips[i].interface + " while master; putting it back");
      if (auto a = addresses_.add(v); !a) {
        log::error(s.name + ": cannot put VIP back: " + a.error());
        r->vipsHeld = false;
      }
    }
  }
}

void VrrpRuntime::sendAdvert(const vrrp::InstanceSettings& s, std::span<const uint8_t> message,
                             const netio::IpAddress& destination) {
  if (auto e = running(s).channel->socket.send(message, s.source, destination)) {
    log::warning(s.name + ": cannot send advert to " + destination.str() + ": " + *e);
  }
}

void VrrpRuntime::addVips(const vrrp::InstanceSettings& s) {
  Running& run = running(s);
  run.vipsHeld = true;
  for (const auto& v : run.vips) {
    if (auto r = addresses_.add(v); !r) {
      log::error(s.name + ": cannot add VIP: " + r.error());
      run.vipsHeld = false;
    }
  }
  log::info(s.name + ": VIPs added: " + vipList(s));
}

void VrrpRuntime::removeVips(const vrrp::InstanceSettings& s) {
  Running& r = running(s);
  r.vipsHeld = false;
  for (const auto& v : r.vips) {
    if (std::find(r.ownedAtStart.begin(), r.ownedAtStart.end(), v.address) != r.ownedAtStart.end())
      continue;
    if (auto rm = addresses_.remove(v); !rm)
      log::error(s.name + ": cannot remove VIP: " + rm.error());
  }
  log::info(s.name + ": VIPs removed: " + vipList(s));
}

void VrrpRuntime::announce(const vrrp::InstanceSettings& s) {
  auto& announcer = *announcers_.at(s.interface);
  const auto& iface = interfaces_.at(s.interface);
  for (const auto& v : s.vips) {
    if (v.address.family == netio::Family::kIPv4) {
      if (auto r = announcer.sendArp(vrrp::gratuitousArp(iface.mac, v.address)); !r) {
        log::warning(s.name + ": " + r.error());
      } else {
        ++running(s).garpsSent;
      }
    } else if (!iface.ipv6LinkLocal.empty()) {
      auto r = announcer.sendNeighbourAdvert(vrrp::unsolicitedNeighbourAdvert(iface.mac, v.address),
                                             iface.ipv6LinkLocal.front());
      if (!r) {
        log::warning(s.name + ": " + r.error());
      } else {
        ++running(s).garpsSent;
      }
    }
  }
}

void VrrpRuntime::followGroup(Running& r, const vrrp::Transition& t) {
  // vrrp_sync_group: the other members follow a member's move to MASTER, or down
  // from MASTER to BACKUP. Following does not cascade.
  if (!r.group || following_) return;
  const bool toMaster = t.to == vrrp::State::kMaster;
  const bool toBackup = t.from == vrrp::State::kMaster && t.to == vrrp::State::kBackup;
  if (!toMaster && !toBackup) return;
  following_ = true;
  const std::string why = "sync group " + r.group->name + ": " + r.instance->settings().name +
                          " became " + vrrp::toString(t.to);
  for (Running* m : r.group->members) {
    if (m == &r) continue;
    if (toMaster) m->instance->followToMaster(why, Clock::now());
    if (toBackup) m->instance->followToBackup(why, Clock::now());
    arm(*m);
  }
  following_ = false;
}

void VrrpRuntime::notifyGroup(SyncGroup& g) {
  // The group's own state: FAULT while any member is; otherwise the state all
  // members agree on; unchanged while they are still moving.
  std::optional<vrrp::State> now;
  bool agree = true;
  for (Running* m : g.members) {
    vrrp::State s = m->instance->state();
    if (s == vrrp::State::kFault) {
      now = vrrp::State::kFault;
      agree = true;
      break;
    }
    if (now && *now != s) agree = false;
    now = s;
  }
  if (!now || !agree || *now == g.state || *now == vrrp::State::kInitialize) return;
  g.state = *now;
  log::info("vrrp_sync_group " + g.name + ": now " + vrrp::toString(g.state));
  if (g.notifier) {
    queueNotify(*g.notifier, g.notify, g.state, "GROUP " + g.name + " " + vrrp::toString(g.state));
  }
}

void VrrpRuntime::transitioned(const vrrp::InstanceSettings& s, const vrrp::Transition& t,
                               int priority) {
  log::info(s.name + ": " + vrrp::toString(t.from) + " -> " + vrrp::toString(t.to) + ": " +
            t.reason + " (priority " + std::to_string(priority) + ")");
  Running& r = running(s);
  ++r.transitions;
  r.lastTransition =
      TransitionRecord{t.from, t.to, t.reason, priority, std::chrono::system_clock::now()};
  log::events().append("instance", s.name,
                       std::string(vrrp::toString(t.from)) + " -> " + vrrp::toString(t.to) + ": " +
                           t.reason + " (priority " + std::to_string(priority) + ")");
  if (r.smtpAlert && mailer_) {
    mailer_->send("[" + routerId_ + "] VRRP Instance " + s.name + " - Entering " +
                      vrrp::toString(t.to) + " state",
                  "=> VRRP Instance " + s.name + " is now " + vrrp::toString(t.to) + " (priority " +
                      std::to_string(priority) + "): " + t.reason + " <=");
  }
  followGroup(r, t);
  if (r.group) notifyGroup(*r.group);
  if (r.notifier) {
    queueNotify(*r.notifier, r.notify, t.to,
                "INSTANCE " + s.name + " " + vrrp::toString(t.to) + " " + std::to_string(priority));
  }
}

void VrrpRuntime::discarded(const vrrp::InstanceSettings& s, vrrp::DiscardReason r,
                            const netio::IpAddress& from) {
  if (log::enabled(log::Level::kDebug)) {
    log::debug(s.name + ": discarded advert from " + from.str() + ": " + vrrp::toString(r));
  }
}

}  // namespace holdfast::runtime
