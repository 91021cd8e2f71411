#pragma once
// Runs one vrrp_script on its interval, on an event loop, without ever blocking it:
// the script is spawned (netio/process.h), its exit arrives through a pidfd, a
// timeout kills its process group and counts as a failure. Results go through
// keepalived's rules (script_verdict.h: the first result decides at once, then
// rise/fall); a change of state is reported through the callback.
//
// Scripts run as keepalived runs them by default (keepalived_script if that user
// exists, else root), with a clean environment. A script file that a non-root user could
// modify is refused: it never runs and counts as down. (A script that cannot run at
// all, or an unsafe root one with enable_script_security, never gets here: loading
// the config disabled its tracking, core/config/script_access.h.)

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/config/model.h"
#include "core/runtime/kernel.h"
#include "core/runtime/script_verdict.h"
#include "netio/process_runner.h"

namespace holdfast::runtime {

// `user` empty: the default unprivileged user.
std::expected<netio::ScriptIdentity, std::string> resolveScriptUser(const std::string& user,
                                                                    const std::string& group);
// Why the script must not run (its file is writable by someone other than root), or
// nothing. Only a command whose first word is an absolute path is checked.
std::optional<std::string> unsafeScript(const std::string& command);

class ScriptTracker final : public TrackedScript {
 public:
  using OnChange = std::function<void(const ScriptTracker&)>;

  ScriptTracker(boost::asio::io_context& io, config::VrrpScript script, netio::ScriptIdentity who,
                OnChange onChange);
  ~ScriptTracker() override;

  void start(std::chrono::microseconds firstRunIn) override;
  void stop() override;

  const std::string& name() const { return script_.name; }
  const config::VrrpScript& script() const override { return script_; }
  bool pending() const override { return policy_.pending(); }
  bool up() const override { return policy_.up(); }
  const std::string& lastResult() const { return lastResult_; }

 private:
  void schedule(std::chrono::microseconds in);
  void run();
  void record(bool success, std::string what);

  config::VrrpScript script_;
  netio::ScriptIdentity who_;
  OnChange onChange_;
  ScriptVerdict policy_;
  boost::asio::steady_timer intervalTimer_;
  netio::ProcessRunner runner_;
  bool stopped_ = false;
  std::optional<std::string> refused_;
  std::string lastResult_ = "not run yet";
};

}  // namespace holdfast::runtime
