#include "netio/process_runner.h"

#include <unistd.h>

namespace holdfast::netio {

namespace asio = boost::asio;

namespace {
constexpr const char* kSafePath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::vector<std::string> shellArgv(const std::string& command, const ScriptIdentity& who) {
  std::vector<std::string> argv;
  if (who.uid != ::geteuid()) {
    // Drop to the script user (setpriv, util-linux): posix_spawn cannot change ids.
    argv = {"/usr/bin/setpriv", "--reuid=" + std::to_string(who.uid),
            "--regid=" + std::to_string(who.gid), "--clear-groups", "--"};
  }
  argv.insert(argv.end(), {"/bin/sh", "-c", command});
  return argv;
}
}  // namespace

void ProcessRunner::start(const std::string& command, const ScriptIdentity& who,
                          std::chrono::microseconds timeout, Done done) {
  auto child = spawnProcess(shellArgv(command, who), {kSafePath});
  if (!child) {
    done(RunResult{0, false, child.error()});
    return;
  }
  child_ = *child;
  running_ = true;
  done_ = std::move(done);
  exitWatch_ = std::make_unique<asio::posix::stream_descriptor>(io_, child_.pidfd);
  exitWatch_->async_wait(asio::posix::stream_descriptor::wait_read,
                         [this](const boost::system::error_code& ec) {
                           if (!ec) exited();
                         });
  timer_.expires_after(timeout);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    auto done = std::move(done_);
    kill();  // SIGKILL and reap: the runner is free again when `done` runs
    if (done) done(RunResult{0, true, ""});
  });
}

void ProcessRunner::exited() {
  auto status = reapProcess(child_.pid);
  if (!status) return;  // spurious wake-up
  timer_.cancel();
  exitWatch_.reset();  // closes the pidfd
  running_ = false;
  if (done_) {
    auto done = std::move(done_);
    done_ = nullptr;
    done(RunResult{*status, false, ""});
  }
}

void ProcessRunner::kill() {
  timer_.cancel();
  done_ = nullptr;
  if (!running_) return;
  killProcessGroup(child_.pid);
  exitWatch_.reset();
  for (int i = 0; i < 100 && !reapProcess(child_.pid); ++i) ::usleep(1000);
  running_ = false;
}

}  // namespace holdfast::netio
