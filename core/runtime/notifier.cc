#include "core/runtime/notifier.h"

#include <unistd.h>

#include "core/log/logger.h"

namespace holdfast::runtime {

namespace asio = boost::asio;

namespace {
constexpr const char* kSafePath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

std::vector<std::string> shellArgv(const std::string& command, const ScriptIdentity& who) {
  std::vector<std::string> argv;
  if (who.uid != ::geteuid()) {
    argv = {"/usr/bin/setpriv", "--reuid=" + std::to_string(who.uid),
            "--regid=" + std::to_string(who.gid), "--clear-groups", "--"};
  }
  argv.insert(argv.end(), {"/bin/sh", "-c", command});
  return argv;
}

Notifier::Notifier(asio::io_context& io, std::string owner, ScriptIdentity who)
    : io_(io), owner_(std::move(owner)), who_(std::move(who)), timeout_(io) {}

Notifier::~Notifier() {
  stop();
}

void Notifier::enqueue(std::string command, std::string what) {
  queue_.emplace_back(std::move(command), std::move(what));
  if (!running_) next();
}

void Notifier::stop() {
  queue_.clear();
  timeout_.cancel();
  if (running_) {
    netio::killProcessGroup(child_.pid);
    exitWatch_.reset();
    for (int i = 0; i < 100 && !netio::reapProcess(child_.pid); ++i) ::usleep(1000);
    running_ = false;
  }
}

void Notifier::next() {
  while (!queue_.empty() && !running_) {
    auto [command, what] = std::move(queue_.front());
    queue_.pop_front();
    auto child = netio::spawnProcess(shellArgv(command, who_), {kSafePath});
    if (!child) {
      log::warning(owner_ + ": " + what + ": " + child.error());
      continue;
    }
    log::debug(owner_ + ": running " + what + ": " + command);
    child_ = *child;
    current_ = what;
    running_ = true;
    killed_ = false;
    exitWatch_ = std::make_unique<asio::posix::stream_descriptor>(io_, child_.pidfd);
    exitWatch_->async_wait(asio::posix::stream_descriptor::wait_read,
                           [this](const boost::system::error_code& ec) {
                             if (!ec) finished();
                           });
    timeout_.expires_after(kTimeout);
    timeout_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !running_) return;
      log::warning(owner_ + ": " + current_ + " still running after " +
                   std::to_string(kTimeout.count()) + "s; killed");
      killed_ = true;
      netio::killProcessGroup(child_.pid);
    });
  }
}

void Notifier::finished() {
  auto status = netio::reapProcess(child_.pid);
  if (!status) return;
  timeout_.cancel();
  exitWatch_.reset();
  running_ = false;
  if (*status != 0 && !killed_) {
    log::warning(owner_ + ": " + current_ + " exited with status " + std::to_string(*status));
  }
  next();
}

}  // namespace holdfast::runtime
