#include "core/runtime/conflict_detector.h"

#include <cstdio>

namespace holdfast::runtime {

std::string macString(const netio::MacAddress& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

std::string describe(const Conflict& c) {
  if (c.kind == "master") {
    return "another master advertises on our VRID: " + c.address + " (" + c.how + ")";
  }
  if (c.kind != "address") {
    return "adverts from " + c.address + " disagree with our config: " + c.how;
  }
  return c.address + " is also held by " + c.by + " (" + c.how + ")";
}

void ConflictDetector::setOwned(const std::vector<netio::IpAddress>& vips,
                                const std::set<netio::MacAddress>& ours) {
  vips_ = {vips.begin(), vips.end()};
  ours_ = ours;
  if (vips_.empty()) {
    // Not master: nothing of ours to conflict with; a peer's config mismatch stays.
    auto mine = [](const auto& kv) {
      return kv.second.kind == "address" || kv.second.kind == "master";
    };
    for (const auto& [key, c] : active_) {
      if (mine(std::pair{key, c})) loggedAt_.erase(key);
    }
    std::erase_if(active_, mine);
    std::erase_if(candidates_, mine);
  }
}

std::optional<ConflictDetector::Verdict> ConflictDetector::note(std::string kind,
                                                                std::string address, std::string by,
                                                                std::string how, TimePoint now) {
  const std::string key = kind + "|" + address + "|" + by;
  auto it = active_.find(key);
  if (it == active_.end()) {
    auto cand = candidates_.find(key);
    if (cand == candidates_.end() || now - cand->second.since < kConfirm) {
      if (cand == candidates_.end()) {
        cand = candidates_
                   .emplace(key, Conflict{std::move(kind), std::move(address), std::move(by),
                                          std::move(how), now, now, 0})
                   .first;
      }
      cand->second.last = now;
      ++cand->second.seen;
      Verdict v;
      v.confirmAt = cand->second.since + kConfirm;
      return v;
    }
    it = active_.emplace(key, std::move(cand->second)).first;
    candidates_.erase(cand);
    Conflict& c = it->second;
    c.how = std::move(how);
    c.last = now;
    ++c.seen;
    ++startedByKind_[c.kind];
    loggedAt_[key] = now;
    return Verdict{&c, true, false, std::nullopt};
  }
  Conflict& c = it->second;
  Verdict v{&c, false, false, std::nullopt};
  {
    c.how = std::move(how);
    c.last = now;
    if (now - loggedAt_[key] >= kLogEvery) {
      v.logAgain = true;
      loggedAt_[key] = now;
    }
  }
  ++c.seen;
  return v;
}

std::optional<ConflictDetector::Verdict> ConflictDetector::claim(const vrrp::AddressClaim& c,
                                                                 TimePoint now) {
  if (vips_.empty() || !vips_.contains(c.address) || ours_.contains(c.mac)) return std::nullopt;
  return note("address", c.address.str(), macString(c.mac), vrrp::toString(c.kind), now);
}

std::optional<ConflictDetector::Verdict> ConflictDetector::otherMaster(
    const netio::IpAddress& source, int priority, TimePoint now) {
  if (vips_.empty() || priority <= 0) return std::nullopt;
  return note("master", source.str(), "", "advert priority " + std::to_string(priority), now);
}

std::optional<ConflictDetector::Verdict> ConflictDetector::mismatch(const std::string& kind,
                                                                    const netio::IpAddress& from,
                                                                    std::string how,
                                                                    TimePoint now) {
  return note(kind, from.str(), "", std::move(how), now);
}

std::vector<Conflict> ConflictDetector::expire(TimePoint now) {
  std::erase_if(candidates_, [&](const auto& kv) { return now - kv.second.last >= kConflictHold; });
  std::vector<Conflict> ended;
  for (auto it = active_.begin(); it != active_.end();) {
    if (now - it->second.last >= kConflictHold) {
      ended.push_back(it->second);
      loggedAt_.erase(it->first);
      it = active_.erase(it);
    } else {
      ++it;
    }
  }
  return ended;
}

std::optional<TimePoint> ConflictDetector::nextExpiry() const {
  std::optional<TimePoint> next;
  for (const auto* m : {&active_, &candidates_}) {
    for (const auto& [key, c] : *m) {
      const TimePoint t = c.last + kConflictHold;
      if (!next || t < *next) next = t;
    }
  }
  return next;
}

std::vector<Conflict> ConflictDetector::active() const {
  std::vector<Conflict> out;
  for (const auto& [key, c] : active_) out.push_back(c);
  return out;
}

}  // namespace holdfast::runtime
