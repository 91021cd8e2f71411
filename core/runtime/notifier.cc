#include "core/runtime/notifier.h"

#include "core/log/logger.h"
#include "netio/duration_text.h"

namespace holdfast::runtime {

Notifier::Notifier(boost::asio::io_context& io, std::string owner, netio::ScriptIdentity who)
    : owner_(std::move(owner)), who_(std::move(who)), runner_(io) {}

Notifier::~Notifier() {
  stop();
}

void Notifier::enqueue(std::string command, std::string what) {
  queue_.emplace_back(std::move(command), std::move(what));
  if (!runner_.running()) next();
}

void Notifier::stop() {
  queue_.clear();
  runner_.kill();
}

void Notifier::next() {
  if (queue_.empty() || runner_.running()) return;
  auto [command, what] = std::move(queue_.front());
  queue_.pop_front();
  log::debug(owner_ + ": running " + what + ": " + command);
  runner_.start(command, who_, kTimeout, [this, what = what](const netio::RunResult& r) {
    if (!r.error.empty()) {
      log::warning(owner_ + ": " + what + ": " + r.error);
    } else if (r.timedOut) {
      log::warning(owner_ + ": " + what + " still running after " +
                   netio::formatDuration(kTimeout) + "; killed");
    } else if (r.exitStatus != 0) {
      log::warning(owner_ + ": " + what + " exited with status " + std::to_string(r.exitStatus));
    }
    next();  // ordered, one at a time
  });
}

}  // namespace holdfast::runtime
