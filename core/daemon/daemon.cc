#include "core/daemon/daemon.h"

#include <csignal>

#include "core/config/loader.h"
#include "core/log/logger.h"

namespace holdfast::daemon {

Daemon::Daemon(Options options, config::Config initial)
    : options_(std::move(options)),
      config_(std::make_shared<const config::Config>(std::move(initial))) {}

namespace {

// Keywords that this build parses but does not act on yet: say so at start and
// reload, so that nobody relies on them silently.
void warnInactive(const config::Config& cfg) {
  for (const auto& vi : cfg.instances) {
    auto warn = [&](const std::vector<config::TrackRef>& refs, const char* what) {
      for (const auto& t : refs) {
        log::warning(vi.name + ": " + what + " '" + t.name + "' (" + t.where.fileLine() +
                     ") is not acted on by this build yet; it does not change the priority");
      }
    };
    warn(vi.trackBackends, "track_backend");
    if (vi.useVmac) {
      log::warning(vi.name + ": use_vmac (" + vi.locations.at("use_vmac", vi.where).fileLine() +
                   ") has no effect in this build: the VIPs use the interface's own MAC");
    }
    if (!vi.accept) {
      log::warning(vi.name + ": no_accept (" + vi.locations.at("no_accept", vi.where).fileLine() +
                   ") has no effect in this build: a master accepts traffic to its VIPs");
    }
  }

  if (!cfg.backends.empty()) log::warning("backend checks are not run by this build yet");
}

}  // namespace

bool Daemon::startVrrp(const config::Config& cfg) {
  auto rt = runtime::VrrpRuntime::create(cfg);
  if (!rt) {
    log::error("cannot start VRRP: " + rt.error());
    return false;
  }
  vrrp_ = std::move(*rt);
  vrrp_->start();
  return true;
}

int Daemon::run() {
  loop_.watchSignals({SIGTERM, SIGINT, SIGHUP}, [this](int signo) { onSignal(signo); });
  log::info("started with " + options_.configPath + ": " +
            std::to_string(config_->instances.size()) + " vrrp_instance, " +
            std::to_string(config_->backends.size()) + " backend");
  warnInactive(*config_);
  if (!startVrrp(*config_)) return 1;
  loop_.run();
  if (vrrp_) vrrp_->stop();
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
  auto next = std::make_shared<const config::Config>(std::move(*result.config));
  if (vrrp_ && vrrp_->runsSameInstances(*next)) {
    log::info("reload: VRRP instances unchanged; they keep running untouched");
  } else {
    // Not yet hitless: changed instances restart (a master hands over with priority
    // 0 first). Per-instance reload comes with the operations issue.
    log::warning("reload: VRRP instances changed; restarting them");
    auto rt = runtime::VrrpRuntime::create(*next);
    if (!rt) {
      ++refusedReloads_;
      log::error("reload refused: " + rt.error() + "; the running configuration is kept unchanged");
      return false;
    }
    if (vrrp_) vrrp_->stop();
    vrrp_ = std::move(*rt);
    vrrp_->start();
  }
  config_ = std::move(next);
  warnInactive(*config_);
  ++reloads_;
  log::info("reload applied: " + std::to_string(config_->instances.size()) + " vrrp_instance, " +
            std::to_string(config_->backends.size()) + " backend");
  return true;
}

}  // namespace holdfast::daemon
