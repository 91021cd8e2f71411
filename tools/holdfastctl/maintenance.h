#pragma once
// holdfastctl maintenance [on|off] [--reason TEXT] [--wait SECONDS]: shows or changes
// holdfastd's maintenance mode (core/runtime/maintenance.h). `on` follows the
// handover of every master instance it starts, as `handover --all` does.

#include <csignal>
#include <string>
#include <vector>

namespace holdfast::ctl {

struct MaintenanceOptions {
  std::string socket;
  std::vector<std::string> words;  // [on|off]
  std::string reason;
  double waitSeconds = 10;
  bool json = false;
  int timeoutMs = 10000;
};

// Exit 0: shown, or changed with every master handed over; 1: refused, or a master
// found no peer to take over (it stays master at priority 1); 2 usage; 3 holdfastd
// unreachable.
int maintenanceCommand(const MaintenanceOptions& o, const volatile std::sig_atomic_t& interrupted);

}  // namespace holdfast::ctl
