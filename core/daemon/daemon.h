#pragma once
// The running daemon: owns the current config and the main event loop, and handles
// the signals that drive it (SIGTERM/SIGINT stop, SIGHUP reload). The VRRP and
// checker loops hang off this class as their issues land.

#include <memory>

#include "core/config/model.h"
#include "core/daemon/options.h"
#include "core/runtime/vrrp_runtime.h"
#include "netio/event_loop.h"

namespace holdfast::daemon {

class Daemon {
 public:
  Daemon(Options options, config::Config initial);

  // Runs until SIGTERM or SIGINT; returns the process exit code.
  int run();

  // Re-reads the config file. A config with errors is refused as a whole: every
  // error is logged and the running config stays untouched. Returns true if applied.
  bool reload();

  const config::Config& config() const { return *config_; }

 private:
  void onSignal(int signo);
  bool startVrrp(const config::Config& cfg);

  Options options_;
  std::shared_ptr<const config::Config> config_;
  netio::EventLoop loop_;
  std::unique_ptr<runtime::VrrpRuntime> vrrp_;
  int reloads_ = 0;
  int refusedReloads_ = 0;
};

}  // namespace holdfast::daemon
