#include "core/runtime/vrrp_runtime.h"

#include <net/if.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

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
  vrrp::Counters counters;  // discards before an instance is known
};

struct VrrpRuntime::Running {
  std::unique_ptr<vrrp::Instance> instance;
  asio::steady_timer timer;
  Channel* channel = nullptr;
  int ifindex = 0;
  std::vector<netio::IpAddress> ownedAtStart;  // owner: the interface's own addresses
};

namespace {
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
    const config::Config& cfg) {
  auto am = netio::AddressManager::open();
  if (!am) return std::unexpected(am.error());
  std::unique_ptr<VrrpRuntime> rt(new VrrpRuntime(std::move(*am)));
  auto links = netio::LinkMonitor::open();
  if (!links) return std::unexpected(links.error());
  rt->links_ = std::make_unique<netio::LinkMonitor>(std::move(*links));
  rt->linksReadable_ = std::make_unique<asio::posix::stream_descriptor>(rt->loop_.context(),
                                                                        ::dup(rt->links_->fd()));
  for (const auto& vi : cfg.instances) {
    if (auto r = rt->add(vi, cfg.global); !r) {
      return std::unexpected("vrrp_instance '" + vi.name + "' (" + vi.where.fileLine() +
                             "): " + r.error());
    }
  }
  return rt;
}

VrrpRuntime::VrrpRuntime(netio::AddressManager addresses) : addresses_(std::move(addresses)) {}

VrrpRuntime::~VrrpRuntime() {
  stop();
}

bool VrrpRuntime::runsSameInstances(const config::Config& cfg) const {
  if (cfg.instances.size() != instances_.size()) return false;
  for (size_t i = 0; i < cfg.instances.size(); ++i) {
    auto info = netio::lookupInterface(cfg.instances[i].interface);
    if (!info) return false;
    auto s = makeInstanceSettings(cfg.instances[i], cfg.global, *info);
    if (!s || !(*s == instances_[i]->instance->settings())) return false;
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

std::expected<void, std::string> VrrpRuntime::add(const config::VrrpInstance& vi,
                                                  const config::GlobalDefs& g) {
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
  auto r = std::unique_ptr<Running>(
      new Running{nullptr, asio::steady_timer(loop_.context()), ch, info->index, {}});
  r->instance =
      std::make_unique<vrrp::Instance>(std::move(*settings), static_cast<vrrp::InstanceIo&>(*this));
  instances_.push_back(std::move(r));
  return {};
}

VrrpRuntime::Running& VrrpRuntime::running(const vrrp::InstanceSettings& s) {
  for (auto& r : instances_) {
    if (&r->instance->settings() == &s) return *r;
  }
  std::abort();  // a settings object always belongs to one of our instances
}

void VrrpRuntime::start() {
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { loop_.run(); });
  loop_.post([this] { startAll(); });
}

void VrrpRuntime::removeStaleVips(Running& r) {
  const auto& s = r.instance->settings();
  for (const auto& v : s.vips) {
    int ifindex = static_cast<int>(::if_nametoindex(v.interface.c_str()));
    auto present = addresses_.has(v.address, ifindex);
    if (!present || !*present) continue;
    if (s.machine.priority == vrrp::kOwnerPriority) {
      // The address owner's VIPs are its own addresses: never ours to remove.
      r.ownedAtStart.push_back(v.address);
      continue;
    }
    if (auto rm = addresses_.remove({v.address, v.prefixLength, ifindex, v.label}); rm) {
      log::warning(s.name + ": removed VIP " + v.address.str() + " from " + v.interface +
                   ", left by an earlier run");
    } else {
      log::error(s.name + ": cannot remove stale VIP: " + rm.error());
    }
  }
}

void VrrpRuntime::startAll() {
  for (auto& r : instances_) removeStaleVips(*r);
  for (auto& c : channels_) readLoop(*c);
  watchLinks();
  for (auto& r : instances_) {
    const auto& s = r->instance->settings();
    const auto& iface = interfaces_[s.interface];
    bool down = !iface.up || !iface.running;
    log::info(
        s.name + ": starting on " + s.interface + " vrid " + std::to_string(s.vrid) + " VRRPv" +
        std::to_string(s.machine.version) + " priority " + std::to_string(s.machine.priority) +
        ", adverts from " + s.source.str() + " to " + s.destinations.front().str() +
        (s.destinations.size() > 1 ? " and " + std::to_string(s.destinations.size() - 1) + " more"
                                   : ""));
    r->instance->start(Clock::now(), down, "interface " + s.interface + " is down");
    arm(*r);
  }
}

void VrrpRuntime::stop() {
  if (!started_) return;
  started_ = false;
  std::promise<void> done;
  loop_.post([this, &done] {
    for (auto& r : instances_) {
      r->instance->stop(Clock::now());
      r->timer.cancel();
    }
    for (auto& c : channels_) c->readable.cancel();
    linksReadable_->cancel();
    done.set_value();
  });
  // Bounded: a wedged loop must not keep the process from exiting.
  done.get_future().wait_for(std::chrono::seconds(5));
  loop_.stop();
  if (thread_.joinable()) thread_.join();
}

void VrrpRuntime::arm(Running& r) {
  auto deadline = r.instance->nextDeadline();
  if (!deadline) {
    r.timer.cancel();
    return;
  }
  r.timer.expires_at(*deadline);
  r.timer.async_wait([this, &r](const boost::system::error_code& ec) {
    if (ec) return;
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

void VrrpRuntime::onPacket(Channel& c, const netio::ReceivedPacket& p) {
  vrrp::PacketInfo info{p.source, p.destination, p.ttl};
  auto advert = vrrp::decode(p.payload, info);
  if (!advert) {
    c.counters.discard(advert.error());
    log::debug("discarded VRRP packet from " + p.source.str() + " on " + c.interface + ": " +
               vrrp::toString(advert.error()));
    return;
  }
  for (auto& r : instances_) {
    if (r->channel == &c && r->instance->settings().vrid == advert->vrid) {
      r->instance->receive(*advert, info, Clock::now());
      arm(*r);
      return;
    }
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
  for (auto& r : instances_) {
    const auto& s = r->instance->settings();
    if (e.kind == netio::LinkEvent::Kind::kLinkChanged) {
      if (r->ifindex != e.ifindex) continue;
      // Re-read the interface: addresses (the advert source, the MAC) may have changed.
      if (auto info = netio::lookupInterface(s.interface)) interfaces_[s.interface] = *info;
      const bool fault = !e.usable;
      if (fault == (r->instance->state() == vrrp::State::kFault)) continue;
      r->instance->setFault(fault, "interface " + s.interface + (fault ? " is down" : " is up"),
                            Clock::now());
      arm(*r);
      continue;
    }
    // A VIP removed while we are master was not removed by us: put it back.
    if (r->instance->state() != vrrp::State::kMaster) continue;
    for (const auto& v : s.vips) {
      int ifindex = static_cast<int>(::if_nametoindex(v.interface.c_str()));
      if (v.address != e.address || ifindex != e.ifindex) continue;
      log::warning(s.name + ": VIP " + v.address.str() + " was removed from " + v.interface +
                   " while master; putting it back");
      if (auto a = addresses_.add({v.address, v.prefixLength, ifindex, v.label}); !a) {
        log::error(s.name + ": cannot put VIP back: " + a.error());
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
  for (const auto& v : s.vips) {
    int ifindex = static_cast<int>(::if_nametoindex(v.interface.c_str()));
    if (auto r = addresses_.add({v.address, v.prefixLength, ifindex, v.label}); !r) {
      log::error(s.name + ": cannot add VIP: " + r.error());
    }
  }
  log::info(s.name + ": VIPs added: " + vipList(s));
}

void VrrpRuntime::removeVips(const vrrp::InstanceSettings& s) {
  Running& r = running(s);
  for (const auto& v : s.vips) {
    if (std::find(r.ownedAtStart.begin(), r.ownedAtStart.end(), v.address) != r.ownedAtStart.end())
      continue;
    int ifindex = static_cast<int>(::if_nametoindex(v.interface.c_str()));
    if (auto rm = addresses_.remove({v.address, v.prefixLength, ifindex, v.label}); !rm) {
      log::error(s.name + ": cannot remove VIP: " + rm.error());
    }
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
      }
    } else if (!iface.ipv6LinkLocal.empty()) {
      auto r = announcer.sendNeighbourAdvert(vrrp::unsolicitedNeighbourAdvert(iface.mac, v.address),
                                             iface.ipv6LinkLocal.front());
      if (!r) log::warning(s.name + ": " + r.error());
    }
  }
}

void VrrpRuntime::transitioned(const vrrp::InstanceSettings& s, const vrrp::Transition& t,
                               int priority) {
  log::info(s.name + ": " + vrrp::toString(t.from) + " -> " + vrrp::toString(t.to) + ": " +
            t.reason + " (priority " + std::to_string(priority) + ")");
}

void VrrpRuntime::discarded(const vrrp::InstanceSettings& s, vrrp::DiscardReason r,
                            const netio::IpAddress& from) {
  log::debug(s.name + ": discarded advert from " + from.str() + ": " + vrrp::toString(r));
}

}  // namespace holdfast::runtime
