#pragma once
// Runs notify scripts for one instance in the order their transitions happened, one
// at a time, without blocking the event loop; each run is killed (with its process
// group) if it outlives kTimeout. A failing notify script is logged, never retried.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "core/runtime/script_tracker.h"
#include "netio/process.h"

namespace holdfast::runtime {

class Notifier {
 public:
  static constexpr std::chrono::seconds kTimeout{10};

  Notifier(boost::asio::io_context& io, std::string owner, ScriptIdentity who);
  ~Notifier();

  // Queues `command` (run by /bin/sh -c); `what` names it in logs. The caller has
  // vetted the command with unsafeScript().
  void enqueue(std::string command, std::string what);
  void stop();
  bool idle() const { return !running_ && queue_.empty(); }

 private:
  void next();
  void finished();

  boost::asio::io_context& io_;
  std::string owner_;
  ScriptIdentity who_;
  std::deque<std::pair<std::string, std::string>> queue_;
  boost::asio::steady_timer timeout_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> exitWatch_;
  netio::Child child_;
  std::string current_;
  bool running_ = false;
  bool killed_ = false;
};

// The argv that runs `command` through /bin/sh as `who` (via setpriv when `who` is
// not the daemon's own user), shared by vrrp_script and notify scripts.
std::vector<std::string> shellArgv(const std::string& command, const ScriptIdentity& who);

}  // namespace holdfast::runtime
