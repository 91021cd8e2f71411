// Split-brain verdicts (core/runtime/conflict_detector.h) in simulated time: another
// MAC's claim on one of our VIPs is a conflict once confirmed, ours and other
// addresses are not, nothing is while not master, and a conflict ends kConflictHold
// after its last claim; its "still" line comes at most once per kLogEvery.

#include "core/runtime/conflict_detector.h"

#include <catch2/catch.hpp>

using namespace holdfast;
using namespace std::chrono_literals;
using runtime::ConflictDetector;

namespace {
const auto kVip = netio::IpAddress::parse("192.0.2.100").value();
const netio::MacAddress kOurs{2, 0, 0, 0, 0, 1};
const netio::MacAddress kTheirs{2, 0, 0, 0, 0, 2};
vrrp::AddressClaim claim(const netio::MacAddress& mac,
                         vrrp::ClaimKind kind = vrrp::ClaimKind::kArpReply) {
  return {kVip, mac, kind};
}
}  // namespace

TEST_CASE("a claim by another MAC is a conflict once a second one confirms it") {
  ConflictDetector d;
  const runtime::TimePoint t0{std::chrono::hours(1)};
  d.setOwned({kVip}, {kOurs});
  auto v = d.claim(claim(kTheirs, vrrp::ClaimKind::kGratuitousArp), t0);
  REQUIRE(v);
  CHECK(!v->conflict);
  CHECK(*v->confirmAt == t0 + runtime::kConfirm);
  CHECK(d.active().empty());
  v = d.claim(claim(kTheirs), t0 + 100ms);  // too soon: still a candidate
  CHECK(!v->conflict);
  v = d.claim(claim(kTheirs), t0 + 500ms);
  REQUIRE(v->conflict);
  CHECK(v->started);
  CHECK(v->conflict->by == "02:00:00:00:00:02");
  CHECK(v->conflict->how == "arp_reply");
  CHECK(runtime::describe(*v->conflict) ==
        "192.0.2.100 is also held by 02:00:00:00:00:02 (arp_reply)");
  CHECK(d.started().at("address") == 1);
  v = d.claim(claim(kTheirs), t0 + 1s);
  CHECK(!v->started);
  CHECK(!v->logAgain);
  v = d.claim(claim(kTheirs), t0 + 500ms + runtime::kLogEvery);
  CHECK(v->logAgain);
  // No claim for kConflictHold: over.
  CHECK(d.expire(t0 + 500ms + runtime::kLogEvery + 4s).empty());
  CHECK(d.expire(t0 + 500ms + runtime::kLogEvery + runtime::kConflictHold).size() == 1);
  CHECK(d.active().empty());
}

TEST_CASE("our own MAC, another address, or not being master is no conflict") {
  ConflictDetector d;
  const runtime::TimePoint t0{std::chrono::hours(1)};
  CHECK(!d.claim(claim(kTheirs), t0));  // not master
  d.setOwned({kVip}, {kOurs});
  CHECK(!d.claim(claim(kOurs), t0));
  CHECK(!d.claim(
      {netio::IpAddress::parse("192.0.2.7").value(), kTheirs, vrrp::ClaimKind::kArpReply}, t0));
  d.claim(claim(kTheirs), t0);
  d.claim(claim(kTheirs), t0 + 1s);
  CHECK(d.active().size() == 1);
  d.setOwned({}, {});  // Backup: every conflict ends
  CHECK(d.active().empty());
  CHECK(!d.nextExpiry());
}

TEST_CASE("another master's advert while we stay master is a conflict of kind master") {
  ConflictDetector d;
  const runtime::TimePoint t0{std::chrono::hours(1)};
  const auto peer = netio::IpAddress::parse("192.0.2.12").value();
  d.setOwned({kVip}, {kOurs});
  CHECK(!d.otherMaster(peer, 0, t0));  // a master leaving is no conflict
  d.otherMaster(peer, 100, t0);
  auto v = d.otherMaster(peer, 100, t0 + 1s);
  REQUIRE(v->conflict);
  CHECK(v->conflict->kind == "master");
  CHECK(runtime::describe(*v->conflict) ==
        "another master advertises on our VRID: 192.0.2.12 (advert priority 100)");
}
