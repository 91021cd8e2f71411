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
    if (vi.useVmac) {
      log::warning(vi.name + ": use_vmac (" + vi.locations.at("use_vmac", vi.where).fileLine() +
                   ") has no effect in this build: the VIPs use the interface's own MAC");
    }
    if (!vi.accept) {
      log::warning(vi.name + ": no_accept (" + vi.locations.at("no_accept", vi.where).fileLine() +
                   ") has no effect in this build: a master accepts traffic to its VIPs");
    }
  }
}

}  // namespace

std::expected<Daemon::Runtimes, std::string> Daemon::build(const config::Config& cfg) {
  Runtimes r;
  auto health = runtime::HealthMonitor::create(cfg);
  if (!health) return std::unexpected("cannot start checks: " + health.error());
  r.health = std::move(*health);
  auto vrrp = runtime::VrrpRuntime::create(cfg, r.health->initial());
  if (!vrrp) return std::unexpected("cannot start VRRP: " + vrrp.error());
  r.vrrp = std::move(*vrrp);
  return r;
}

void Daemon::startRuntimes(Runtimes r) {
  health_ = std::move(r.health);
  vrrp_ = std::move(r.vrrp);
  vrrp_->start();
  runtime::VrrpRuntime* vrrp = vrrp_.get();
  health_->start([vrrp](const runtime::TrackedHealth& h) { vrrp->backendChanged(h); });
}

void Daemon::stopRuntimes() {
  // Checks first: no change may reach a VRRP runtime that is stopping.
  if (health_) health_->stop();
  if (vrrp_) vrrp_->stop();
  health_.reset();
  vrrp_.reset();
}

int Daemon::run() {
  loop_.watchSignals({SIGTERM, SIGINT, SIGHUP}, [this](int signo) { onSignal(signo); });
  log::info("started with " + options_.configPath + ": " +
            std::to_string(config_->instances.size()) + " vrrp_instance, " +
            std::to_string(config_->backends.size()) + " backend");
  warnInactive(*config_);
  auto runtimes = build(*config_);
  if (!runtimes) {
    log::error(runtimes.error());
    return 1;
  }
  startRuntimes(std::move(*runtimes));
  loop_.run();
  stopRuntimes();
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
  if (vrrp_ && vrrp_->runsSameInstances(*next) &&
      runtime::healthSignature(*next) == runtime::healthSignature(*config_)) {
    log::info("reload: VRRP instances and backends unchanged; they keep running untouched");
  } else {
    // Not yet hitless: both runtimes restart (a master hands over with priority 0
    // first, and backends start from their initial state). Per-instance reload
    // comes with the operations issue.
    log::warning("reload: VRRP instances or backends changed; restarting them");
    auto runtimes = build(*next);
    if (!runtimes) {
      ++refusedReloads_;
      log::error("reload refused: " + runtimes.error() +
                 "; the running configuration is kept unchanged");
      return false;
    }
    stopRuntimes();
    startRuntimes(std::move(*runtimes));
  }
  config_ = std::move(next);
  warnInactive(*config_);
  ++reloads_;
  log::info("reload applied: " + std::to_string(config_->instances.size()) + " vrrp_instance, " +
            std::to_string(config_->backends.size()) + " backend");
  return true;
}

}  // namespace holdfast::daemon
