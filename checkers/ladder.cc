#include "checkers/ladder.h"

namespace holdfast::checkers {

namespace {
std::optional<Layer> lowestFailing(std::span<const CheckStatus> checks) {
  std::optional<Layer> low;
  for (const CheckStatus& c : checks) {
    if (!c.up && (!low || c.layer < *low)) low = c.layer;
  }
  return low;
}
}  // namespace

Verdict judgeBackend(std::span<const CheckStatus> checks) {
  Verdict v;
  v.failingLayer = lowestFailing(checks);
  v.up = !v.failingLayer;
  if (v.up) return v;
  for (const CheckStatus& c : checks) {
    if (!c.up && c.layer == *v.failingLayer) {
      v.reason = std::string(toString(c.layer)) + ": " + c.reason;
      break;
    }
  }
  return v;
}

std::string describeCheck(const CheckStatus& check, std::span<const CheckStatus> all) {
  if (check.up) return "up";
  auto low = lowestFailing(all);
  if (low == Layer::kL3 && check.layer != Layer::kL3) return "unreachable (L3)";
  return check.reason;
}

Verdict judgeGroup(std::span<const MemberStatus> members, int quorum) {
  int up = 0;
  std::string down;
  for (const MemberStatus& m : members) {
    if (m.up) {
      ++up;
    } else {
      down += (down.empty() ? "" : ", ") + m.name;
    }
  }
  Verdict v;
  v.up = up >= quorum;
  v.reason = std::to_string(up) + " of " + std::to_string(members.size()) + " up, quorum " +
             std::to_string(quorum) + (down.empty() ? "" : "; down: " + down);
  if (v.up) v.reason.clear();
  return v;
}

}  // namespace holdfast::checkers
