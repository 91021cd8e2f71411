#pragma once
// holdfastctl handover [INSTANCE... | --all] [--wait SECONDS]: asks holdfastd to hand
// the named master instances over (vrrp::StateMachine::handOver), then follows each
// through `vrrp` replies until a peer is master (printed with the time it took) or
// the instance is advertising again (no peer took over: nothing changed).

#include <csignal>
#include <string>
#include <vector>

namespace holdfast::ctl {

struct HandoverOptions {
  std::string socket;
  std::vector<std::string> instances;
  bool all = false;
  double waitSeconds = 10;
  bool json = false;
  int timeoutMs = 10000;
};

// Exit 0 when every instance asked for was handed over; 1 when one was not master or
// no peer took it over; 2 usage; 3 holdfastd unreachable.
int handoverCommand(const HandoverOptions& o, const volatile std::sig_atomic_t& interrupted);

}  // namespace holdfast::ctl
