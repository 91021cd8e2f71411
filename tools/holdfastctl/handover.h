#pragma once
// holdfastctl handover [INSTANCE... | --all] [--wait SECONDS]: asks holdfastd to hand
// the named master instances over (vrrp::StateMachine::handOver), then follows each
// through `vrrp` replies until a peer is master (printed with the time it took) or
// the instance is advertising again (no peer took over: nothing changed).

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/holdfastctl/client.h"

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

// Follows the instances of a reply's "handover" list (handover, maintenance on) until
// each is handed over or advertising again, printing one line each (none with
// `asJson`). rc: 0 every started one handed over and none refused, 1 otherwise, 3
// holdfastd unreachable; `result`: one JSON object per instance.
struct Followed {
  int rc = 0;
  nlohmann::json result;
};
Followed followHandover(Client& c, const nlohmann::json& started,
                        std::chrono::steady_clock::time_point start, long long waitMs, bool asJson,
                        int timeoutMs, const volatile std::sig_atomic_t& interrupted,
                        bool maintenance = false);

}  // namespace holdfast::ctl
