#pragma once
// A command as a check (like keepalived's MISC_CHECK), for what the native checks
// cannot express: exit 0 is success. Run by /bin/sh as the script user, killed with
// its process group at the check's timeout.

#include <chrono>
#include <string>

#include "checkers/checker.h"
#include "netio/process_runner.h"

namespace holdfast::checkers {

class ScriptChecker : public Checker {
 public:
  ScriptChecker(boost::asio::io_context& io, std::string command, netio::ScriptIdentity who,
                std::chrono::microseconds timeout)
      : command_(std::move(command)), who_(std::move(who)), timeout_(timeout), runner_(io) {}
  ~ScriptChecker() override { cancel(); }
  void probe(Done done) override;
  void cancel() override { runner_.kill(); }

 private:
  std::string command_;
  netio::ScriptIdentity who_;
  std::chrono::microseconds timeout_;
  netio::ProcessRunner runner_;
};

}  // namespace holdfast::checkers
