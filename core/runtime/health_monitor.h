#pragma once
// The config's backends and backend_groups under check: builds the check engine
// (checkers/check_engine.h) from the typed config, logs every backend and group
// transition with its reason, runs notify_up / notify_down (ordered, one at a
// time, never blocking the checks), and forwards each change to whoever scores
// it (the VRRP runtime).

#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "checkers/check_engine.h"
#include "core/config/model.h"
#include "core/runtime/notifier.h"

namespace holdfast::runtime {

class HealthMonitor {
 public:
  using Forward = std::function<void(const checkers::HealthChange&)>;

  // `carried`: the states of the checks of the monitor this one replaces (reload),
  // by checkKey; checks found there start from that state, not from their initial one.
  static std::expected<std::unique_ptr<HealthMonitor>, std::string> create(
      const config::Config& cfg, const std::map<std::string, checkers::CarriedCheck>& carried = {});
  ~HealthMonitor();

  // Every backend's and group's state before start(): what scoring starts from.
  std::map<std::string, checkers::HealthChange> initial() const { return initial_; }
  // Starts the checks; `forward` runs on the checker thread after each change.
  void start(Forward forward);
  void stop();
  // A report of every check, backend and group; `done` runs on the checker home thread.
  void inspect(std::function<void(checkers::EngineReport)> done) {
    engine_->inspect(std::move(done));
  }
  // Every check's state, for the monitor that replaces this one; waits (bounded)
  // for the checker threads. Empty if they do not answer within netio::waits::kReport.
  std::map<std::string, checkers::CarriedCheck> carryOver();
  // Every backend's and group's state now (bounded wait, netio::waits::kReport; initial() if the
  // checker threads do not answer).
  std::map<std::string, checkers::HealthChange> current();

 private:
  struct Notify {
    std::string up, down;  // vetted
    std::unique_ptr<Notifier> notifier;
  };
  HealthMonitor() = default;
  void changed(const checkers::HealthChange& c);
  // A report from the checker threads, waited for (netio::waits::kReport at most).
  std::optional<checkers::EngineReport> report();

  std::unique_ptr<checkers::CheckEngine> engine_;
  std::vector<int> cpus_;  // checker_cpu_affinity, as logged
  std::map<std::string, checkers::HealthChange> initial_;
  std::map<std::string, Notify> notify_;  // by backend name, only those with scripts
  Forward forward_;
};

// The parts of a config the health monitor depends on, as text: reload keeps the
// running checks only when it is unchanged.
std::string healthSignature(const config::Config& cfg);

}  // namespace holdfast::runtime
