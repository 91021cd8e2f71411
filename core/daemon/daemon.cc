#include "core/daemon/daemon.h"

#include <systemd/sd-daemon.h>

#include <malloc.h>
#include <sys/mman.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

#include "core/config/host_check.h"
#include "core/config/loader.h"
#include "core/control/query.h"
#include "core/control/render.h"
#include "core/daemon/startup_pages.h"
#include "core/log/event_log.h"
#include "core/log/logger.h"
#include "netio/await_reply.h"
#include "netio/duration_text.h"
#include "netio/interface_info.h"

namespace holdfast::daemon {

config::LoadResult loadToRun(const Options& options) {
  config::LoadResult result = config::loadFile(options.configPath, {options.configId});
  if (result.config) {
    config::checkHost(*result.config, result.diagnostics, config::HostCheck::kStart,
                      netio::interfaceExists);
    if (result.diagnostics.hasErrors()) result.config.reset();
  }
  return result;
}

void logDiagnostics(const config::Diagnostics& diags) {
  for (const auto& d : diags.all()) {
    const auto& sink = d.severity == config::Severity::kError  ? log::error
                       : d.severity == config::Severity::kNote ? log::info
                                                               : log::warning;
    sink(config::format(d));
  }
}

Daemon::Daemon(Options options, config::Config initial, std::map<std::string, int> mistakes)
    : options_(std::move(options)),
      config_(std::make_shared<const config::Config>(std::move(initial))),
      mistakes_(std::move(mistakes)) {}

namespace {

constexpr int kLockFlags = MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT;
constexpr std::chrono::seconds kSettled{15};

// Keeps the daemon's pages in RAM (lock_memory, on by default): under memory
// pressure an advert must not wait for a page to come back from swap. MCL_ONFAULT
// locks pages as they are touched, so the resident size stays what it was.
void applyMemoryLock(bool wanted, bool& locked) {
#if defined(__SANITIZE_ADDRESS__)
  // ASan's shadow memory is terabytes of reserved address space: never lock it.
  if (wanted) log::info("lock_memory: not applied in a sanitizer build");
  return;
#else
  if (wanted == locked) return;
  if (!wanted) {
    ::munlockall();
    locked = false;
    log::info("lock_memory off: memory unlocked");
    return;
  }
  if (::mlockall(kLockFlags) != 0) {
    log::warning(std::string("lock_memory: cannot lock memory (") + std::strerror(errno) +
                 "); running unlocked");
    return;
  }
  locked = true;
  log::info("memory locked (lock_memory on): no page of holdfastd is swapped out");
#endif
}

// What start-up or a reload used and the steady state does not goes back to the
// kernel. Freed heap: glibc returns only the top of each arena by itself;
// malloc_trim also gives back the free pages below live allocations (with 10,000
// backends six reloads left 56 MiB resident untrimmed, tests/bench/scale.sh). The
// clean file pages start-up touched (startup_pages.h): 9.5 -> 5.8 MiB for 10
// instances. The kernel refuses both (MADV_DONTNEED) on locked pages, so the lock
// is lifted around them; what the daemon runs next is locked again as it is touched.
void releaseFreedMemory(bool& locked) {
  if (locked) ::munlockall();
  ::malloc_trim(0);
  auto pages = releaseStartupPages();
  log::info("memory: unmapped " + std::to_string(pages.residentKib) +
            " KiB of clean file pages in " + std::to_string(pages.mappings) + " mappings");
  if (pages.failures > 0)
    log::warning("memory: " + std::to_string(pages.failures) +
                 " read-only mappings could not be unmapped (madvise refused)");
  if (locked && ::mlockall(kLockFlags) != 0) {
    locked = false;
    log::warning(std::string("lock_memory: cannot lock memory again after a trim (") +
                 std::strerror(errno) + "); running unlocked");
  }
}

}  // namespace

std::expected<Daemon::Runtimes, std::string> Daemon::build(const config::Config& cfg) const {
  Runtimes r;
  auto health = runtime::HealthMonitor::create(cfg);
  if (!health) return std::unexpected("cannot start checks: " + health.error());
  r.health = std::move(*health);
  auto vrrp = runtime::VrrpRuntime::create(cfg, r.health->initial(), options_.stateDir);
  if (!vrrp) return std::unexpected("cannot start VRRP: " + vrrp.error());
  r.vrrp = std::move(*vrrp);
  return r;
}

void Daemon::startRuntimes(Runtimes r) {
  vrrp_ = std::move(r.vrrp);
  vrrp_->start();
  startHealth(std::move(r.health));
}

void Daemon::startHealth(std::unique_ptr<runtime::HealthMonitor> h) {
  health_ = std::move(h);
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

Daemon::~Daemon() = default;

std::expected<void, std::string> Daemon::startMetrics() {
  return control::serveMetrics(metrics_, config_->global.metricsListen, [this] {
    // On the metrics server's thread: the page is rendered on the main loop, where
    // the control server's counters live.
    return netio::awaitReply<std::string>(
        loop_,
        [this](std::function<void(std::string)> page) {
          collect([this, page](std::vector<runtime::InstanceReport> v, checkers::EngineReport e) {
            page(control::renderMetrics(v, e, control_ ? &control_->counters() : nullptr));
          });
        },
        netio::waits::kMetricsPage, "the main loop (metrics page)");
  });
}

int Daemon::run() {
  loop_.watchSignals({SIGTERM, SIGINT, SIGHUP}, [this](int signo) { onSignal(signo); });
  netio::setTimeoutReporter([](const std::string& what, std::chrono::milliseconds bound) {
    log::warning(what + " did not answer within " + netio::formatDuration(bound));
  });
  log::info("started with " + options_.configPath + ": " +
            std::to_string(config_->instances.size()) + " vrrp_instance, " +
            std::to_string(config_->backends.size()) + " backend");
  applyMemoryLock(config_->global.lockMemory, memoryLocked_);
  auto runtimes = build(*config_);
  if (!runtimes) {
    log::error(runtimes.error());
    return 1;
  }
  auto control = control::ControlServer::open(
      loop_.context(), options_.controlSocket,
      [this](const control::Request& req, control::ControlServer::Reply reply) {
        handle(req, std::move(reply));
      });
  if (!control) {
    log::error("not starting: " + control.error());
    return 1;
  }
  control_ = std::move(*control);
  if (auto m = startMetrics(); !m) {
    log::error("not starting: " + m.error());
    return 1;
  }
  // Events reach `events -f` followers through the main loop.
  log::events().setListener([this] {
    loop_.post([this] {
      if (control_) control_->publishEvents();
    });
  });
  restoreMaintenance(*runtimes->vrrp);
  startRuntimes(std::move(*runtimes));
  releaseFreedMemory(memoryLocked_);
  // Start-up goes on after the instances start: their first transitions, a new
  // master's address adds and GARP bursts (the second after vrrp_garp_master_delay,
  // 5 s by default, Master_Down_Interval at advert_int 1 being 3.6 s), the first
  // checks and replies. What they touched once goes back when they are over: at 100
  // instances 6.7 -> 4.5 MiB (master). A later transition maps what it runs again.
  settled_ = std::make_unique<boost::asio::steady_timer>(loop_.context(), kSettled);
  settled_->async_wait([this](const boost::system::error_code& e) {
    if (!e) releaseFreedMemory(memoryLocked_);
  });
  log::events().append("daemon", "", "started with " + options_.configPath);
  log::info("control socket: " + options_.controlSocket);
  ::sd_notify(0, "READY=1\nSTATUS=running");
  loop_.run();
  ::sd_notify(0, "STOPPING=1");
  stopRuntimes();
  log::events().setListener(nullptr);
  metrics_.reset();
  control_.reset();
  netio::setTimeoutReporter(nullptr);
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

ReloadOutcome Daemon::reload() {
  ::sd_notify(0, "RELOADING=1");
  ReloadOutcome out = [this] {
    ReloadOutcome o;
    log::info("reload: reading " + options_.configPath);
    config::LoadResult result = loadToRun(options_);
    logDiagnostics(result.diagnostics);
    for (const auto& d : result.diagnostics.all()) o.messages.push_back(config::format(d));
    auto refuse = [&](const std::string& why) {
      ++refusedReloads_;
      o.summary = "reload refused: " + why + "; the running configuration is kept unchanged";
      log::error(o.summary);
      log::events().append("reload", "", o.summary);
      return o;
    };
    if (!result.config) {
      return refuse(std::to_string(result.diagnostics.errorCount()) + " error(s) in " +
                    options_.configPath);
    }
    // At start a config with tolerated mistakes runs (availability first); on reload
    // the running config is better than one with new mistakes.
    auto mistakes = result.diagnostics.mistakes();
    int fresh = 0;
    for (const auto& [message, n] : mistakes) {
      auto it = mistakes_.find(message);
      fresh += std::max(0, n - (it == mistakes_.end() ? 0 : it->second));
    }
    if (fresh > 0) {
      return refuse(std::to_string(fresh) + " new tolerated mistake(s) in " + options_.configPath +
                    " (the warnings above; the running configuration does not have them)");
    }
    auto next = std::make_shared<const config::Config>(std::move(*result.config));
    const bool healthSame = runtime::healthSignature(*next) == runtime::healthSignature(*config_);
    if (healthSame && runtime::planReload(*config_, *next).changesNothing()) {
      o.summary = "reload applied: VRRP instances and backends unchanged; they keep running";
    } else {
      // Checks that did not change carry their state into the new monitor, so the
      // backends they prove stay where they are: no rescoring, no transition.
      std::unique_ptr<runtime::HealthMonitor> nextHealth;
      if (!healthSame) {
        auto h = runtime::HealthMonitor::create(*next, health_->carryOver());
        if (!h) return refuse("cannot start checks: " + h.error());
        nextHealth = std::move(*h);
      }
      // What scoring reads from now on: the new monitor's starting states (carried
      // over), or the running one's current states.
      const auto backends = nextHealth ? nextHealth->initial() : health_->current();
      auto sum = vrrp_->reconfigure(*next, backends);
      if (!sum) return refuse("cannot start VRRP: " + sum.error());
      if (nextHealth) {
        health_->stop();
        startHealth(std::move(nextHealth));
      }
      o.summary = "reload applied: " + runtime::summarize(*sum) +
                  (healthSame ? "; backends unchanged"
                              : "; backends rebuilt, unchanged checks kept their state");
    }
    config_ = std::move(next);
    mistakes_ = std::move(mistakes);
    applyMemoryLock(config_->global.lockMemory, memoryLocked_);
    if (auto m = startMetrics(); !m) log::error(m.error() + "; metrics not served");
    ++reloads_;
    o.applied = true;
    log::info(o.summary);
    log::events().append("reload", "", o.summary);
    return o;
  }();
  releaseFreedMemory(memoryLocked_);
  ::sd_notify(0, "READY=1");
  return out;
}

void Daemon::collect(Reports done) {
  // Each report is taken on its own thread and handed back to the main loop, so
  // that health_ and vrrp_ are only ever touched here (a reload may replace them).
  health_->inspect([this, done](checkers::EngineReport e) mutable {
    loop_.post([this, done = std::move(done), e = std::move(e)]() mutable {
      if (!vrrp_) return;
      vrrp_->inspect([this, done = std::move(done),
                      e = std::move(e)](std::vector<runtime::InstanceReport> v) mutable {
        loop_.post([done = std::move(done), e = std::move(e), v = std::move(v)]() mutable {
          done(std::move(v), std::move(e));
        });
      });
    });
  });
}

void Daemon::handle(const control::Request& req, control::ControlServer::Reply reply) {
  if (req.command == control::Command::kReload) {
    const ReloadOutcome o = reload();
    reply(control::reloadReply(o.applied, o.summary, o.messages));
    return;
  }
  if (req.command == control::Command::kHandover) {
    handleHandover(req, std::move(reply));
    return;
  }
  if (req.command == control::Command::kMaintenance) {
    handleMaintenance(req, std::move(reply));
    return;
  }
  collect([req, reply, m = maintenanceJson()](std::vector<runtime::InstanceReport> instances,
                                              checkers::EngineReport checks) {
    nlohmann::json answer = control::answerQuery(req, instances, checks);
    if (req.command == control::Command::kStatus && answer.value("ok", false)) {
      answer["maintenance"] = m;
    }
    reply(answer);
  });
}

}  // namespace holdfast::daemon
