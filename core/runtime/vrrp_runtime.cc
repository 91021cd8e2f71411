#include "core/runtime/vrrp_runtime.h"

#include <pthread.h>
#include <sched.h>

#include <cstring>

#include "core/log/logger.h"
#include "netio/await_reply.h"
#include "netio/cpu_affinity.h"
#include "netio/duration_text.h"

namespace holdfast::runtime {

VrrpRuntime::VrrpRuntime() : graceTimer_(loop_.context()) {}

VrrpRuntime::~VrrpRuntime() {
  stop();
}

std::expected<std::unique_ptr<VrrpRuntime>, std::string> VrrpRuntime::create(
    const config::Config& cfg, const std::map<std::string, TrackedHealth>& backends,
    const std::string& stateDir) {
  std::unique_ptr<VrrpRuntime> rt(new VrrpRuntime());
  auto kernel = NetioKernel::open(rt->loop_.context(), stateDir);
  if (!kernel) return std::unexpected(kernel.error());
  rt->kernel_ = std::move(*kernel);
  auto links = LinkWatch::open(rt->loop_.context());
  if (!links) return std::unexpected(links.error());
  rt->links_ = std::move(*links);
  auto set = InstanceSet::create(*rt->kernel_, cfg, backends);
  if (!set) return std::unexpected(set.error());
  rt->set_ = std::move(*set);
  rt->rtPriority_ = cfg.global.vrrpRtPriority;
  rt->cpus_ = cfg.global.vrrpCpus;
  return rt;
}

void VrrpRuntime::start() {
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] {
    // Before the real-time class: a SCHED_FIFO thread on a CPU it may not keep.
    if (auto why = netio::pinThisThread(cpus_)) {
      log::warning("VRRP thread not pinned to CPUs " + netio::formatCpus(cpus_) + ": " + *why);
    } else if (!cpus_.empty()) {
      log::info("VRRP thread pinned to CPUs " + netio::formatCpus(cpus_) + " (vrrp_cpu_affinity)");
    }
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
  loop_.post([this] {
    set_->start();
    kernel_->startReading([this](AdvertChannel& c, const netio::ReceivedPacket& p, TimePoint at,
                                 uint64_t copies) { return set_->receive(c, p, at, true, copies); },
                          [this] { set_->receiveDone(); });
    links_->start([this](const netio::LinkEvent& e) { set_->linkEvent(e); });
  });
}

std::expected<ReloadPlan, std::string> VrrpRuntime::reconfigure(
    const config::Config& cfg, const std::map<std::string, TrackedHealth>& backends) {
  using Result = std::expected<ReloadPlan, std::string>;
  if (!started_) return set_->reconfigure(cfg, backends);
  // Copies: the posted work outlives this call when it is abandoned. callOn is all
  // or nothing: a reload the daemon refuses is never applied later behind its back.
  auto next = std::make_shared<const config::Config>(cfg);
  auto result = netio::callOn<Result>(
      loop_, [this, next, backends] { return set_->reconfigure(*next, backends); },
      netio::waits::kReload, "reload on the VRRP thread");
  if (!result) {
    return std::unexpected("the VRRP thread did not start the reload within " +
                           netio::formatDuration(netio::waits::kReload) +
                           "; it was abandoned, nothing changed");
  }
  return std::move(*result);
}

void VrrpRuntime::inspect(std::function<void(std::vector<InstanceReport>)> done) {
  loop_.post([this, done = std::move(done)] {
    kernel_->catchUp();  // counters and last adverts as of now
    done(set_->reports());
  });
}

void VrrpRuntime::handOver(std::vector<std::string> names, bool all, std::chrono::microseconds wait,
                           std::function<void(std::vector<InstanceSet::HandoverStart>)> done) {
  loop_.post([this, names = std::move(names), all, wait, done = std::move(done)] {
    done(set_->handOver(names, all, wait));
  });
}

void VrrpRuntime::setMaintenance(
    std::optional<Maintenance> m, std::chrono::microseconds wait,
    std::function<void(std::vector<InstanceSet::HandoverStart>)> done) {
  if (!started_) {
    done(set_->setMaintenance(std::move(m), wait));
    return;
  }
  loop_.post([this, m = std::move(m), wait, done = std::move(done)] {
    done(set_->setMaintenance(m, wait));
  });
}

void VrrpRuntime::backendChanged(const TrackedHealth& h) {
  loop_.post([this, h] { set_->backendChanged(h); });
}

void VrrpRuntime::stop() {
  if (!started_) return;
  started_ = false;
  // Bounded: a wedged loop must not keep the process from exiting.
  netio::awaitReply<bool>(
      loop_,
      [this](std::function<void(bool)> done) {
        set_->stop();
        kernel_->stopReading();
        links_->stop();
        // notify_stop scripts were just queued: let them run, for up to 3 s.
        awaitNotifiers(std::move(done), 150);
      },
      netio::waits::kStop, "VRRP stop");
  loop_.stop();
  if (thread_.joinable()) thread_.join();
}

void VrrpRuntime::awaitNotifiers(std::function<void(bool)> done, int pollsLeft) {
  if (set_->notifiersIdle() || pollsLeft <= 0) {
    done(true);
    return;
  }
  graceTimer_.expires_after(std::chrono::milliseconds(20));
  graceTimer_.async_wait(
      [this, done = std::move(done), pollsLeft](const boost::system::error_code&) mutable {
        awaitNotifiers(std::move(done), pollsLeft - 1);
      });
}

}  // namespace holdfast::runtime
