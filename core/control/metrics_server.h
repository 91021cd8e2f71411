#pragma once
// Serves GET /metrics over HTTP/1.1 with Boost.Beast, on two threads of its own, so
// that a scrape never runs on the VRRP thread. Beast rather than cpp-httplib: it
// needs no OpenSSL, which is 3.5 MiB of resident memory in a daemon that otherwise
// loads it only for HTTPS checks (netio/curl_library.h).

#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/config/model.h"

namespace holdfast::control {

// What one request gets (pure, unit-tested): GET or HEAD /metrics (any query) is
// 200 with the page, 503 when the daemon did not answer in time; another path 404;
// another method 405.
struct ScrapeAnswer {
  int status = 200;
  std::string contentType;
  std::string body;          // HEAD: the length is sent, not the body
  bool allowHeader = false;  // 405: Allow: GET, HEAD
};
ScrapeAnswer answerScrape(std::string_view method, std::string_view target,
                          const std::function<std::optional<std::string>()>& collect);

class MetricsServer {
 public:
  // Returns the page, or nothing when the daemon did not answer in time.
  using Collect = std::function<std::optional<std::string>()>;

  // Binds ADDR:PORT at once (an error says why) and serves on its own threads.
  // A connection serves up to 10 requests; each must arrive and be written in 5 s.
  static std::expected<std::unique_ptr<MetricsServer>, std::string> start(
      const std::string& address, int port, Collect collect);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  // "127.0.0.1:9650", "[::1]:9650"
  const std::string& where() const { return where_; }

 private:
  struct Impl;
  MetricsServer() = default;
  std::unique_ptr<Impl> impl_;
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
