#include "core/daemon/daemon.h"

#include <csignal>

#include "core/config/loader.h"
#include "core/log/logger.h"

namespace holdfast::daemon {

Daemon::Daemon(Options options, config::Config initial)
    : options_(std::move(options)),
      config_(std::make_shared<const config::Config>(std::move(initial))) {}

int Daemon::run() {
  loop_.watchSignals({SIGTERM, SIGINT, SIGHUP}, [this](int signo) { onSignal(signo); });
  log::info("started with " + options_.configPath + ": " +
            std::to_string(config_->instances.size()) + " vrrp_instance, " +
            std::to_string(config_->backends.size()) + " backend");
  // Until the VRRP engine lands, say so plainly: nobody should read "started" as
  // "holding the VIP".
  log::warning(
      "this build has no VRRP engine or checkers yet: the configuration is loaded "
      "and reloadable, but no advert is sent and no VIP is added");
  loop_.run();
  log::info("stopped (" + std::to_string(reloads_) + " reloads applied, " +
            std::to_string(refusedReloads_) + " refused)");
  return 0;
}

void Daemon::onSignal(int signo) {
  if (signo == SIGHUP) {
    reload();
    return;
  }
  log::info(std::string("stopping: received ") + (signo == SIGTERM ? "SIGTERM" : "SIGINT"));
  loop_.stop();
}

bool Daemon::reload() {
  log::info("reload: reading " + options_.configPath);
  config::LoadResult result = config::loadFile(options_.configPath);
  for (const auto& d : result.diagnostics.all()) {
    (d.severity == config::Severity::kError ? log::error : log::warning)(config::format(d));
  }
  if (!result.config) {
    ++refusedReloads_;
    log::error("reload refused: " + std::to_string(result.diagnostics.errorCount()) +
               " error(s) in " + options_.configPath +
               "; the running configuration is kept unchanged");
    return false;
  }
  config_ = std::make_shared<const config::Config>(std::move(*result.config));
  ++reloads_;
  log::info("reload applied: " + std::to_string(config_->instances.size()) + " vrrp_instance, " +
            std::to_string(config_->backends.size()) + " backend");
  return true;
}

}  // namespace holdfast::daemon
