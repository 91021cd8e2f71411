#pragma once
// Runs the VRRP instances of a config on their own event loop thread (DESIGN.md:
// ten thousand checks never delay an advert): one raw socket per interface and
// family, a timer per instance, VIPs through netlink, GARP/NA through packet
// sockets. Implements vrrp::InstanceIo over netio.

#include <expected>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "checkers/check_engine.h"
#include "core/config/model.h"
#include "core/runtime/mailer.h"
#include "core/runtime/notifier.h"
#include "core/runtime/script_tracker.h"
#include "core/runtime/vrrp_report.h"
#include "core/scoring/score.h"
#include "netio/address_manager.h"
#include "netio/announcer.h"
#include "netio/event_loop.h"
#include "netio/interface_info.h"
#include "netio/link_monitor.h"
#include "netio/vrrp_socket.h"
#include "vrrp/instance.h"

namespace holdfast::runtime {

using TrackedHealth = checkers::HealthChange;

class VrrpRuntime : private vrrp::InstanceIo {
 public:
  // Resolves interfaces and opens sockets; an error names the instance and why.
  // `backends`: every backend's and group's state at start (HealthMonitor::initial).
  static std::expected<std::unique_ptr<VrrpRuntime>, std::string> create(
      const config::Config& cfg, const std::map<std::string, TrackedHealth>& backends = {});
  ~VrrpRuntime() override;

  // Starts the VRRP thread: removes VIPs a crashed run left behind, then starts
  // every instance.
  void start();
  // Whether `cfg` would run exactly the instances running now (same settings).
  bool runsSameInstances(const config::Config& cfg) const;

  // What a reload did to the instances.
  struct ReconfigureSummary {
    std::vector<std::string> kept, added, removed, restarted;
  };
  // Hitless reload, on the VRRP thread (the caller waits, bounded): an instance
  // whose settings, tracking and notify commands did not change keeps running
  // untouched (state, VIPs, timers); a removed one stops (a master advertises
  // priority 0 and removes its VIPs); an added one starts; a changed one stops and
  // starts anew. `backends`: the states scoring reads from now on. All or nothing:
  // on an error (an interface gone, a socket refused) nothing changes.
  std::expected<ReconfigureSummary, std::string> reconfigure(
      const config::Config& cfg, const std::map<std::string, TrackedHealth>& backends);

  // A copy of every instance's state; `done` runs on the VRRP thread.
  void inspect(std::function<void(std::vector<InstanceReport>)> done);
  // Stops every instance (a master advertises priority 0 and removes its VIPs) and
  // joins the thread. Idempotent.
  void stop();
  // A backend or backend_group changed (from any thread): instances tracking it are
  // rescored on the VRRP thread at once, and a master advertises the new priority.
  void backendChanged(const TrackedHealth& h);

 private:
  struct Channel;
  struct Running;
  struct SyncGroup {
    std::string name;
    std::vector<Running*> members;
    vrrp::State state = vrrp::State::kInitialize;  // FAULT if any; else what all agree on
    config::NotifyCommands notify;                 // vetted at start
    std::unique_ptr<Notifier> notifier;
  };

  explicit VrrpRuntime(netio::AddressManager addresses);
  // Builds the instance (sockets, interfaces, scripts it tracks) without running it.
  std::expected<std::unique_ptr<Running>, std::string> build(const config::VrrpInstance& vi,
                                                             const config::Config& cfg);
  void adopt(std::unique_ptr<Running> r);
  void retire(Running& r);
  void buildSyncGroups(const config::Config& cfg);
  void startOne(Running& r);
  std::expected<ReconfigureSummary, std::string> reconfigureHere(
      const config::Config& cfg, const std::map<std::string, TrackedHealth>& backends);
  std::expected<void, std::string> addScript(const config::VrrpScript& script,
                                             const config::GlobalDefs& g);
  // Scores the tracked items of `r` and applies the result: priority, or FAULT.
  void applyHealth(Running& r, bool propagate = true);
  static bool ownFault(const Running& r);
  // Why `r` must be in FAULT now (its interface, its source address, weight-0
  // tracking, or another member of its sync group), or nothing.
  std::optional<std::string> faultReason(const Running& r) const;
  std::vector<scoring::TrackedItem> trackedItems(const Running& r) const;
  Channel* channelFor(const std::string& interface, netio::Family family, int ifindex,
                      const netio::IpAddress& group, bool join, std::string& error);
  Running& running(const vrrp::InstanceSettings& s);
  void startAll();
  void removeStaleVips(Running& r);
  void arm(Running& r);
  // Completes `done` once no notify script is queued or running, or after
  // `pollsLeft` polls 20 ms apart.
  void awaitNotifiers(std::promise<void>* done, int pollsLeft);
  void readLoop(Channel& c);
  void onPacket(Channel& c, const netio::ReceivedPacket& p);
  void watchLinks();
  void followGroup(Running& r, const vrrp::Transition& t);
  void notifyGroup(SyncGroup& g);
  void onLinkEvent(const netio::LinkEvent& e);

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

  netio::EventLoop loop_;
  std::thread thread_;
  netio::AddressManager addresses_;
  std::map<std::string, netio::InterfaceInfo> interfaces_;
  std::map<std::string, std::unique_ptr<netio::Announcer>> announcers_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::vector<std::unique_ptr<Running>> instances_;
  std::vector<std::unique_ptr<Running>> retired_;  // stopped by a reload; notify_stop may run
  std::unordered_map<const vrrp::InstanceSettings*, Running*> bySettings_;
  std::map<std::string, std::unique_ptr<ScriptTracker>> scripts_;
  std::vector<std::unique_ptr<SyncGroup>> groups_;
  std::unique_ptr<Mailer> mailer_;
  std::string routerId_;    // set when smtp_server and notification_email are
  bool following_ = false;  // a sync group member is following another
  std::map<std::string, bool> trackedInterfaceUp_;         // track_interface name -> usable
  std::map<std::string, TrackedHealth> backends_;          // track_backend name -> state
  std::map<std::string, std::string> instanceSignatures_;  // by instance name
  std::map<std::string, std::string> scriptSignatures_;    // by vrrp_script name
  std::unique_ptr<netio::LinkMonitor> links_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> linksReadable_;
  boost::asio::steady_timer graceTimer_;
  bool started_ = false;
  int rtPriority_ = 0;  // SCHED_FIFO priority of the thread; 0: normal class
};

}  // namespace holdfast::runtime
