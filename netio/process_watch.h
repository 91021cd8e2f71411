#pragma once
// Process events for track_process, in any network namespace:
// - exits: a pidfd per watched process, readable the moment it exits (no polling);
// - new processes (started, exec'd, renamed): the kernel's proc connector where it
//   answers (the initial network namespace, as root), else a scan of /proc every
//   `kScanInterval` that reads each process's /proc/PID/stat (and its cmdline only
//   when it is new or renamed, and asked for).
// The proc connector has no libnl object: its two messages are built here.

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace holdfast::netio {

struct ProcessEntry {
  pid_t pid = 0;
  std::string comm;
  std::string cmdline;  // argv, NUL-terminated each; empty unless asked for
};

// Every process /proc shows now, zombies left out.
std::vector<ProcessEntry> scanProcesses(bool cmdline);
// One process, or nullopt when it is gone or a zombie.
std::optional<ProcessEntry> readProcess(pid_t pid, bool cmdline);

class ProcessWatch {
 public:
  static constexpr std::chrono::milliseconds kScanInterval{1000};
  using Seen = std::function<void(const ProcessEntry&)>;
  using Exited = std::function<void(pid_t)>;

  ProcessWatch(boost::asio::io_context& io, bool cmdline, Seen seen, Exited exited);
  ~ProcessWatch();

  // Reports every running process, then listens (connector) or scans (fallback).
  void start();
  bool watchExit(pid_t pid);
  void unwatch(pid_t pid);
  std::string how() const;
  // Times the connector dropped events (ENOBUFS) and /proc was scanned again.
  int lostEvents() const { return lost_; }

 private:
  struct Exit;
  bool openConnector();
  void readConnector();
  void scanLater();
  void scan(bool everything);

  boost::asio::io_context& io_;
  bool cmdline_;
  Seen seen_;
  Exited exited_;
  std::map<pid_t, std::unique_ptr<Exit>> exits_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> connector_;
  boost::asio::steady_timer scanTimer_;
  std::map<pid_t, std::string> known_;  // the last scan's comm of each pid
  std::string connectorError_;
  int lost_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace holdfast::netio
