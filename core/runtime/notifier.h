#pragma once
// Runs notify scripts for one instance in the order their transitions happened, one
// at a time, without blocking the event loop; each run is killed (with its process
// group) if it outlives kTimeout. A failing notify script is logged, never retried.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "core/runtime/kernel.h"
#include "netio/process_runner.h"

namespace holdfast::runtime {

class Notifier final : public NotifyQueue {
 public:
  static constexpr std::chrono::seconds kTimeout{10};

  Notifier(boost::asio::io_context& io, std::string owner, netio::ScriptIdentity who);
  ~Notifier() override;

  // Queues `command` (run by /bin/sh -c); `what` names it in logs. The caller has
  // vetted the command with unsafeScript().
  void enqueue(std::string command, std::string what) override;
  void stop();
  bool idle() const override { return !runner_.running() && queue_.empty(); }

 private:
  void next();

  std::string owner_;
  netio::ScriptIdentity who_;
  std::deque<std::pair<std::string, std::string>> queue_;
  netio::ProcessRunner runner_;
};

}  // namespace holdfast::runtime
