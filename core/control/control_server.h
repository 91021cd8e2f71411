#pragma once
// The control socket (docs/ARCHITECTURE.md, Diagnostics): a unix stream socket, mode 0600,
// serving JSON lines (core/control/request.h) on the daemon's main loop, never on
// the VRRP thread. A client cannot stall the daemon: a request line is at most
// kMaxRequestBytes, a connection idle for kIdleTimeout is closed, a reply that
// does not come within kReplyTimeout is answered with an error, a client that
// does not read its replies is dropped once kMaxQueuedBytes are queued, and at
// most kMaxClients are served at once (the next is told so and closed).

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/control/request.h"

namespace holdfast::control {

inline constexpr size_t kMaxClients = 64;
inline constexpr size_t kMaxQueuedBytes = 4 * 1024 * 1024;
inline constexpr auto kIdleTimeout = std::chrono::seconds(10);
inline constexpr auto kReplyTimeout = std::chrono::seconds(5);
// After a failed accept (out of descriptors, say): a pause, not a tight loop.
inline constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

// What the server counts, for the metrics and the tests.
struct ServerCounters {
  uint64_t accepted = 0;
  uint64_t requests = 0;
  uint64_t badRequests = 0;    // not JSON, unknown command, bad field
  uint64_t tooLong = 0;        // request line over kMaxRequestBytes
  uint64_t idleClosed = 0;     // no complete request within kIdleTimeout
  uint64_t refusedFull = 0;    // over kMaxClients
  uint64_t slowDropped = 0;    // did not read its replies
  uint64_t replyTimeouts = 0;  // the daemon did not answer within kReplyTimeout
};

class ControlServer {
 public:
  // Reply: may be called from any thread, at most once.
  using Reply = std::function<void(nlohmann::json)>;
  using Handler = std::function<void(const Request&, Reply)>;

  // Creates the socket's directory (0755) if needed, replaces a stale socket file,
  // binds, and sets mode 0600. An error says what failed and where.
  static std::expected<std::unique_ptr<ControlServer>, std::string> open(
      boost::asio::io_context& io, const std::string& path, Handler handler);
  ~ControlServer();

  // Streams new events to the clients following them; call on the server's loop.
  void publishEvents();
  const ServerCounters& counters() const { return counters_; }

 private:
  class Session;
  ControlServer(boost::asio::io_context& io, std::string path, Handler handler);
  void accept();

  boost::asio::io_context& io_;
  std::string path_;
  Handler handler_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  std::set<std::shared_ptr<Session>> sessions_;
  ServerCounters counters_;
  std::shared_ptr<bool> alive_;
};

}  // namespace holdfast::control
