#pragma once
// What a transition does besides the kernel work, in keepalived's order: the log
// line, the event log entry, the SMTP alert, then (after the sync group followed)
// the group's and the instance's notify scripts. Also the one place that vets
// notify commands (instances, sync groups, backends' notify_up/down).

#include <optional>
#include <string>

#include "core/config/model.h"
#include "core/runtime/kernel.h"
#include "vrrp/state_machine.h"

namespace holdfast::runtime {

// The command if it may run, or nothing: a refused one (a script file that a
// non-root user could modify) is logged once, here, naming `what` and `where`.
std::optional<std::string> vetCommand(const std::string& command, const std::string& owner,
                                      const std::string& what, const config::SourceLocation& where);
// Every command of `in` vetted; refused ones are cleared.
config::NotifyCommands vetNotify(const config::NotifyCommands& in, const std::string& owner,
                                 const config::SourceLocation& where);

// keepalived's order on entering `state`: the state's own script, then `notify`
// with its arguments (`notifyArgs`: "INSTANCE name state priority" or "GROUP name state").
void queueNotify(NotifyQueue& queue, const config::NotifyCommands& cmds, vrrp::State state,
                 const std::string& notifyArgs);

// The log line and the event log entry of an instance's transition.
void recordTransition(const std::string& instance, const vrrp::Transition& t, int priority);

// keepalived's alert mail for an instance entering a state.
void mailTransition(MailPort& mail, const std::string& routerId, const std::string& instance,
                    const vrrp::Transition& t, int priority);

// global_defs router_id, else the host name (the mail subject's tag).
std::string routerIdOf(const config::GlobalDefs& g);

}  // namespace holdfast::runtime
