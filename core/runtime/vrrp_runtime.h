#pragma once
// The VRRP runtime: runs a config's VRRP instances (instance_set.h) on their own
// event loop thread (ten thousand checks never delay an advert), over the real
// kernel (netio_kernel.h), with the sockets' packets and the link events posted into
// it. Everything else in this folder is a part it assembles; docs/ARCHITECTURE.md
// has the map. Every method here is called from the daemon's main thread.

#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "core/config/model.h"
#include "core/runtime/health_policy.h"
#include "core/runtime/instance_set.h"
#include "core/runtime/link_watch.h"
#include "core/runtime/netio_kernel.h"
#include "core/runtime/reload_plan.h"
#include "core/runtime/vrrp_report.h"
#include "netio/event_loop.h"

namespace holdfast::runtime {

class VrrpRuntime {
 public:
  // Resolves interfaces and opens sockets; an error names the instance and why.
  // `backends`: every backend's and group's state at start (HealthMonitor::initial).
  // `stateDir`: where the record of a programmed nftables table is kept
  // (netio::NftVipFilter); empty: none.
  static std::expected<std::unique_ptr<VrrpRuntime>, std::string> create(
      const config::Config& cfg, const std::map<std::string, TrackedHealth>& backends = {},
      const std::string& stateDir = {});
  ~VrrpRuntime();

  // Starts the VRRP thread: removes VIPs a crashed run left behind, then starts
  // every instance.
  void start();
  // Hitless reload, on the VRRP thread (the caller waits, bounded): applies
  // planReload(running, cfg) — see reload_plan.h for what changes in place, what
  // restarts. All or nothing: on an error nothing changes.
  std::expected<ReloadPlan, std::string> reconfigure(
      const config::Config& cfg, const std::map<std::string, TrackedHealth>& backends);
  // A copy of every instance's state; `done` runs on the VRRP thread.
  void inspect(std::function<void(std::vector<InstanceReport>)> done);
  // holdfastctl handover, on the VRRP thread (InstanceSet::handOver).
  void handOver(std::vector<std::string> names, bool all, std::chrono::microseconds wait,
                std::function<void(std::vector<InstanceSet::HandoverStart>)> done);
  // Maintenance on or off (InstanceSet::setMaintenance): on the VRRP thread once
  // started, else at once (the saved state, before the instances start).
  void setMaintenance(std::optional<Maintenance> m, std::chrono::microseconds wait,
                      std::function<void(std::vector<InstanceSet::HandoverStart>)> done);
  // Stops every instance (a master advertises priority 0 and removes its VIPs),
  // lets notify_stop scripts run (bounded) and joins the thread. Idempotent.
  void stop();
  // A backend or backend_group changed (from any thread): instances tracking it are
  // rescored on the VRRP thread at once, and a master advertises the new priority.
  void backendChanged(const TrackedHealth& h);

 private:
  VrrpRuntime();
  // Completes `done` once no notify script is queued or running, or after
  // `pollsLeft` polls 20 ms apart.
  void awaitNotifiers(std::function<void(bool)> done, int pollsLeft);

  netio::EventLoop loop_;
  std::thread thread_;
  std::unique_ptr<NetioKernel> kernel_;
  std::unique_ptr<LinkWatch> links_;
  std::unique_ptr<InstanceSet> set_;
  boost::asio::steady_timer graceTimer_;
  bool started_ = false;
  int rtPriority_ = 0;     // SCHED_FIFO priority of the thread; 0: normal class
  std::vector<int> cpus_;  // vrrp_cpu_affinity; empty: any CPU
};

}  // namespace holdfast::runtime
