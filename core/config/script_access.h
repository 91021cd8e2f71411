#pragma once
// keepalived's start-up check of vrrp_scripts (check_script_secure in its lib/notify.c,
// check_vrrp_script_security in vrrp/vrrp.c): a script it cannot run (its program
// does not exist or is not executable by the script user, its user or group does not
// exist, or, with enable_script_security, a script run as root that a non-root user
// could modify) is disabled with a warning, and the instances that tracked it run
// without it. holdfastd does the same when it loads a config (start, -t, reload).
//
// The program is the command's first word: an absolute path as it is, a bare name
// looked up in the PATH scripts run with. A command that starts with a shell word
// (`[[`, `exit`, `test`, `!`, a variable assignment, ...) is run by /bin/sh -c, which
// keepalived does not do, and has no program to check.

#include <optional>
#include <string>

#include "core/config/build_context.h"
#include "core/config/model.h"

namespace holdfast::config {

// The user a script without `user` and without global_defs script_user runs as, as
// keepalived chooses it: keepalived_script if that user exists, else root. (With
// enable_script_security keepalived runs none as this default root: see below.)
std::string defaultScriptUser();

// Why `script` cannot run, or nothing: "/usr/local/bin/chk.sh does not exist".
std::optional<std::string> scriptAccessProblem(const VrrpScript& script, const GlobalDefs& global);

namespace detail {

// For each vrrp_script with a problem: a warning at its `script` keyword, its
// disabledReason set, and every track_script entry that names it removed.
void disableInaccessibleScripts(BuildContext& ctx, Config& cfg);

}  // namespace detail
}  // namespace holdfast::config
