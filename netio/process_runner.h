#pragma once
// Runs one shell command at a time on an event loop without blocking it: spawned
// through /bin/sh as a given user (netio/process.h), its exit seen through a pidfd,
// killed with its whole process group at a timeout. Shared by vrrp_script tracking
// and notify scripts.

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "netio/process.h"

namespace holdfast::netio {

struct ScriptIdentity {
  std::string user;
  uid_t uid = 0;
  gid_t gid = 0;
};

// How a run ended: `exitStatus` (128 + signal if killed by one), or a timeout, or an
// error starting it.
struct RunResult {
  int exitStatus = 0;
  bool timedOut = false;
  std::string error;  // non-empty: the command could not be started
};

class ProcessRunner {
 public:
  using Done = std::function<void(const RunResult&)>;

  explicit ProcessRunner(boost::asio::io_context& io) : io_(io), timer_(io) {}
  ~ProcessRunner() { kill(); }

  bool running() const { return running_; }
  // Starts `command`; `done` is called once, from the loop: at exit, or at the
  // timeout (the process group is killed and reaped first). Either way the runner
  // is free again when `done` runs.
  void start(const std::string& command, const ScriptIdentity& who,
             std::chrono::microseconds timeout, Done done);
  // Kills a running command now and reaps it (bounded); `done` is not called.
  void kill();

 private:
  void exited();

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> exitWatch_;
  Child child_;
  Done done_;
  bool running_ = false;
};

}  // namespace holdfast::netio
