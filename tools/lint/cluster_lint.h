#pragma once
// holdfastctl lint: the configs of the nodes of one cluster (keepalived or holdfast
// syntax, loaded by core/config) read side by side, per VRID and family: do the nodes
// agree on what VRRP needs them to agree on (VIPs, advert_int, version,
// authentication, unicast peers), are their priorities distinct, and does each
// tracked item's failure on the master actually move the VIP to a peer, given every
// priority, weight and nopreempt (scored by the one scoring function,
// core/scoring/score.h). Pure: configs in, findings out.

#include <string>
#include <vector>

#include "core/config/model.h"

namespace holdfast::lint {

struct Node {
  std::string name;  // the file, as given
  config::Config config;
};

enum class Severity {
  kOk,       // a check that passed, shown so that the table says what was checked
  kAdvice,   // works, but there is a better way
  kProblem,  // the cluster does not do what the configs suggest: exit 1
};
const char* toString(Severity s);

struct Finding {
  Severity severity = Severity::kProblem;
  std::string group;  // "VRID 51 IPv4", or "" for what concerns no VRID
  std::string kind;   // vips, advert_int, version, auth, unicast, priority, nopreempt,
                      // failover, no_master, peer, script
  std::string text;
};

std::vector<Finding> lintCluster(const std::vector<Node>& nodes);

// True when a finding is a problem.
bool anyProblem(const std::vector<Finding>& findings);

}  // namespace holdfast::lint
