#include "core/runtime/transition_effects.h"

#include <unistd.h>

#include <algorithm>

#include "core/log/event_log.h"
#include "core/log/logger.h"
#include "core/runtime/script_tracker.h"

namespace holdfast::runtime {

std::optional<std::string> vetCommand(const std::string& command, const std::string& owner,
                                      const std::string& what,
                                      const config::SourceLocation& where) {
  if (command.empty()) return std::nullopt;
  if (auto why = unsafeScript(command)) {
    log::error(owner + ": refusing to run " + what + " (" + where.fileLine() + "): " + *why);
    return std::nullopt;
  }
  return command;
}

config::NotifyCommands vetNotify(const config::NotifyCommands& in, const std::string& owner,
                                 const config::SourceLocation& where) {
  config::NotifyCommands out = in;
  for (auto [cmd, what] : {std::pair{&out.master, "notify_master"},
                           {&out.backup, "notify_backup"},
                           {&out.fault, "notify_fault"},
                           {&out.stop, "notify_stop"},
                           {&out.notify, "notify"}}) {
    *cmd = vetCommand(*cmd, owner, what, where).value_or("");
  }
  return out;
}

void queueNotify(NotifyQueue& queue, const config::NotifyCommands& cmds, vrrp::State state,
                 const std::string& notifyArgs) {
  const std::string* own = state == vrrp::State::kMaster   ? &cmds.master
                           : state == vrrp::State::kBackup ? &cmds.backup
                           : state == vrrp::State::kFault  ? &cmds.fault
                           : state == vrrp::State::kStop   ? &cmds.stop
                                                           : nullptr;
  if (own && !own->empty()) {
    std::string label = std::string("notify_") + vrrp::toString(state);
    std::transform(label.begin(), label.end(), label.begin(), ::tolower);
    queue.enqueue(*own, label);
  }
  if (!cmds.notify.empty()) queue.enqueue(cmds.notify + " " + notifyArgs, "notify");
}

void recordTransition(const std::string& instance, const vrrp::Transition& t, int priority) {
  const std::string what = std::string(vrrp::toString(t.from)) + " -> " + vrrp::toString(t.to) +
                           ": " + t.reason + " (priority " + std::to_string(priority) + ")";
  log::info(instance + ": " + what);
  log::events().append("instance", instance, what);
}

void mailTransition(MailPort& mail, const std::string& routerId, const std::string& instance,
                    const vrrp::Transition& t, int priority) {
  mail.send("[" + routerId + "] VRRP Instance " + instance + " - Entering " + vrrp::toString(t.to) +
                " state",
            "=> VRRP Instance " + instance + " is now " + vrrp::toString(t.to) + " (priority " +
                std::to_string(priority) + "): " + t.reason + " <=");
}

std::string routerIdOf(const config::GlobalDefs& g) {
  if (!g.routerId.empty()) return g.routerId;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace holdfast::runtime
