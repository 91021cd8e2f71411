#pragma once
// Prometheus metrics (text exposition format 0.0.4), opt-in with `metrics_listen`
// in global_defs: instance state and priority, transitions, adverts and discards
// by reason, VIP-list mismatches, backend state, check results by reason and
// latency histograms. A VRRP series names its instance in the label vrrp_instance.
// renderMetrics is pure; MetricsServer serves it with cpp-httplib on a thread of
// its own, so a scrape never runs on the VRRP thread.

#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "checkers/check_engine.h"
#include "core/config/model.h"
#include "core/control/control_server.h"
#include "core/runtime/vrrp_report.h"

namespace httplib {
class Server;
}

namespace holdfast::control {

std::string renderMetrics(const std::vector<runtime::InstanceReport>& instances,
                          const checkers::EngineReport& checks,
                          const ServerCounters* control = nullptr);

class MetricsServer {
 public:
  // Returns the page, or nothing when the daemon did not answer in time.
  using Collect = std::function<std::optional<std::string>()>;

  // Binds ADDR:PORT at once (an error says why) and serves on its own thread.
  static std::expected<std::unique_ptr<MetricsServer>, std::string> start(
      const std::string& address, int port, Collect collect);
  ~MetricsServer();
  // "127.0.0.1:9650", "[::1]:9650"
  const std::string& where() const { return where_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string where_;
};

// Makes `server` follow the config's metrics_listen (start and reload): started where
// `listen` says, kept as it is when it already serves there, moved, or stopped when
// `listen` is unset; each change is logged. An error says why it cannot listen, and
// `server` is then empty.
std::expected<void, std::string> serveMetrics(std::unique_ptr<MetricsServer>& server,
                                              const std::optional<config::Endpoint>& listen,
                                              MetricsServer::Collect collect);

}  // namespace holdfast::control
