#pragma once
// The layer ladder (docs/ARCHITECTURE.md, Layers), pure: a backend with checks at several
// layers is up when every check is up; when it is down, the cause is the lowest
// failing layer, and failures above a failing L3 are its consequences
// ("unreachable (L3)"), not separate causes. A backend_group is up while at least
// `quorum` members are.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checkers/check_kind.h"

namespace holdfast::checkers {

struct CheckStatus {
  Layer layer = Layer::kL3;
  bool up = false;
  std::string reason;  // of the last failure; used while down
};

struct Verdict {
  bool up = false;
  std::optional<Layer> failingLayer;  // set while down
  std::string reason;                 // "L5: status 503, expected 200-299"; empty while up
};

Verdict judgeBackend(std::span<const CheckStatus> checks);

// How one check's state reads in the light of the others: its own reason, or
// "unreachable (L3)" when it fails above a failing L3 check.
std::string describeCheck(const CheckStatus& check, std::span<const CheckStatus> all);

struct MemberStatus {
  std::string name;
  bool up = false;
};

// "2 of 3 members up, quorum 2: web1 down (L4: connection refused)"-style reasons
// are built by the caller; this says up/down and why in counts.
Verdict judgeGroup(std::span<const MemberStatus> members, int quorum);

}  // namespace holdfast::checkers
