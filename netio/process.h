#pragma once
// Starting helper processes (scripts) without blocking an event loop: posix_spawn
// into a new process group with a clean environment and stdio on /dev/null, and a
// pidfd that becomes readable when the process exits.

#include <sys/types.h>

#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace holdfast::netio {

struct Child {
  pid_t pid = -1;
  int pidfd = -1;  // owned by the caller: close it after reap()
};

std::expected<Child, std::string> spawnProcess(const std::vector<std::string>& argv,
                                               const std::vector<std::string>& env);
// The exit status once the process has exited (128 + signal if killed), or nullopt
// while it runs.
std::optional<int> reapProcess(pid_t pid);
// SIGKILL to the child's whole process group (a script's own children included).
void killProcessGroup(pid_t pid);

}  // namespace holdfast::netio
