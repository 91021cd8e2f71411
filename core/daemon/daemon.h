#pragma once
// The running daemon: owns the current config and the main event loop, and handles
// the signals that drive it (SIGTERM/SIGINT stop, SIGHUP reload). The VRRP runtime
// and the health monitor (backend checks) each run on a thread of their own; backend
// changes flow from the monitor to the VRRP runtime. The control socket and the
// metrics server read both through reports, never blocking either thread.

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config/loader.h"
#include "core/config/model.h"
#include "core/control/control_server.h"
#include "core/control/metrics.h"
#include "core/control/metrics_server.h"
#include "core/daemon/options.h"
#include "core/runtime/health_monitor.h"
#include "core/runtime/maintenance.h"
#include "core/runtime/vrrp_runtime.h"
#include "netio/event_loop.h"

namespace holdfast::daemon {

struct ReloadOutcome {
  bool applied = false;
  std::vector<std::string> messages;  // config diagnostics, "file:line:col: error: ..."
  std::string summary;                // what changed, or why it was refused
};

// Loads the config as start and reload do: read and validated, then checked against
// this machine (an interface it names must exist); `config` is unset on any error.
config::LoadResult loadToRun(const Options& options);
// Logs every diagnostic at its level (error, warning; a note at info).
void logDiagnostics(const config::Diagnostics& diags);

class Daemon {
 public:
  // `mistakes`: the tolerated mistakes of the initial config (Diagnostics::mistakes),
  // which a reload may keep but not add to.
  Daemon(Options options, config::Config initial, std::map<std::string, int> mistakes = {});
  ~Daemon();

  // Runs until SIGTERM or SIGINT; returns the process exit code.
  int run();

  // Re-reads the config file. A config with errors, or with tolerated mistakes the
  // running one does not have, is refused as a whole: every reason is logged and the
  // running config stays untouched. Instances whose
  // configuration did not change keep running untouched (hitless).
  ReloadOutcome reload();

  const config::Config& config() const { return *config_; }

 private:
  void onSignal(int signo);
  // Builds both runtimes for `cfg`; nothing of the running ones is touched.
  struct Runtimes {
    std::unique_ptr<runtime::HealthMonitor> health;
    std::unique_ptr<runtime::VrrpRuntime> vrrp;
  };
  std::expected<Runtimes, std::string> build(const config::Config& cfg) const;
  void startRuntimes(Runtimes r);
  void startHealth(std::unique_ptr<runtime::HealthMonitor> h);
  void stopRuntimes();
  // Control socket requests, on the main loop.
  void handle(const control::Request& req, control::ControlServer::Reply reply);
  // Operator actions (operator_actions.cc): holdfastctl handover and maintenance.
  void handleHandover(const control::Request& req, control::ControlServer::Reply reply);
  void handleMaintenance(const control::Request& req, control::ControlServer::Reply reply);
  // At start, before the instances run: the saved maintenance state.
  void restoreMaintenance(runtime::VrrpRuntime& vrrp);
  nlohmann::json maintenanceJson() const;
  // Reports of both runtimes; `done` runs on the main loop.
  using Reports = std::function<void(std::vector<runtime::InstanceReport>, checkers::EngineReport)>;
  void collect(Reports done);
  std::expected<void, std::string> startMetrics();

  Options options_;
  std::shared_ptr<const config::Config> config_;
  std::map<std::string, int> mistakes_;  // of config_
  netio::EventLoop loop_;
  std::unique_ptr<runtime::HealthMonitor> health_;
  std::unique_ptr<runtime::VrrpRuntime> vrrp_;
  std::unique_ptr<control::ControlServer> control_;
  std::unique_ptr<control::MetricsServer> metrics_;
  // Once start-up has settled (kSettled after the start), what it touched is given
  // back again (releaseFreedMemory).
  std::unique_ptr<boost::asio::steady_timer> settled_;
  bool memoryLocked_ = false;
  int reloads_ = 0;
  int refusedReloads_ = 0;
  std::optional<runtime::Maintenance> maintenance_;  // as saved under options_.stateDir
};

}  // namespace holdfast::daemon
