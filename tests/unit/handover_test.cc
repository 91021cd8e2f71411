// Planned handover in the state machine, on the fake LAN in simulated time: the
// master advertises priority 0 and keeps its VIPs until the taker advertises as
// master (so the taker announces the VIPs first); no taker within the wait leaves
// it master; afterwards it does not preempt the taker while the taker stays healthy.

#include <catch2/catch.hpp>

#include "tests/unit/fake_vrrp_network.h"

using namespace holdfast::vrrp;
using holdfast::test::FakeVrrpNetwork;
using namespace std::chrono_literals;
using Net = FakeVrrpNetwork;

TEST_CASE("handover: the best backup takes over before the master lets go", "[handover]") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(100, "192.0.2.12"));
  auto c = net.add(Net::config(90, "192.0.2.13"));
  for (auto r : {a, b, c}) net.start(r);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{a});
  const auto t0 = net.now();
  net.handOver(a, 3s);
  CHECK(net[a].sm.handingOver());
  CHECK(net.sent().back().priority == 0);
  // b's Skew_Time at priority 100, 1 s adverts: 156/256 s in whole centiseconds, 0.60 s;
  // a is still master until b's first advert as master reaches it.
  net.runFor(1s);
  REQUIRE(net.masters() == std::vector<size_t>{b});
  CHECK(*net.lastMasterSince(b) - t0 == 600ms);
  CHECK(net[a].sm.state() == State::kBackup);
  CHECK(net[a].transitions.back().reason == "handed over to 192.0.2.12 (priority 100)");
  CHECK(*net[a].sm.yieldingTo() == *IpAddress::parse("192.0.2.12"));
  CHECK(net[c].sm.state() == State::kBackup);
  // a (150) does not take the VIP back from b (100) while b stays at 100.
  net.runFor(10s);
  CHECK(net.masters() == std::vector<size_t>{b});
}

TEST_CASE("handover: no taker within the wait leaves the master in place", "[handover]") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  net.start(a);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{a});
  const size_t before = net.sent().size();
  net.handOver(a, 2s);
  net.runFor(1500ms);
  CHECK(net.sent().size() == before + 1);  // the priority 0 advert, then silence
  CHECK(net[a].sm.state() == State::kMaster);
  net.runFor(1s);
  CHECK(!net[a].sm.handingOver());
  CHECK(net[a].sm.state() == State::kMaster);
  CHECK(net.sent().back().priority == 150);  // advertising again
  CHECK(net[a].transitions.size() == 2);     // INIT -> BACKUP -> MASTER: nothing new
}

TEST_CASE("handover: the taker failing lets the node preempt back", "[handover]") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(100, "192.0.2.12"));
  net.start(a);
  net.start(b);
  net.runFor(5s);
  net.handOver(a, 3s);
  net.runFor(2s);
  REQUIRE(net.masters() == std::vector<size_t>{b});
  // b's check fails: its priority drops below what it took over with; a preempts.
  net.setPriority(b, 80);
  net.runFor(100ms);
  CHECK(net.masters() == std::vector<size_t>{a});
  CHECK(!net[a].sm.yieldingTo());
}

TEST_CASE("handover: the taker leaving (priority 0 or silence) makes the node master again",
          "[handover]") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(100, "192.0.2.12"));
  net.start(a);
  net.start(b);
  net.runFor(5s);
  net.handOver(a, 3s);
  net.runFor(2s);
  REQUIRE(net.masters() == std::vector<size_t>{b});
  net.shutdown(b);
  net.runFor(1s);
  CHECK(net.masters() == std::vector<size_t>{a});
  CHECK(!net[a].sm.yieldingTo());
}

TEST_CASE("handover: only a master hands over, once", "[handover]") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(100, "192.0.2.12"));
  net.start(a);
  net.start(b);
  net.runFor(5s);
  const size_t before = net.sent().size();
  net.handOver(b, 3s);  // a backup: nothing
  CHECK(net.sent().size() == before);
  CHECK(!net[b].sm.handingOver());
  net.handOver(a, 3s);
  net.handOver(a, 3s);  // already handing over: nothing more
  CHECK(net.sent().size() == before + 1);
}

TEST_CASE("handover: the VIPs stay kHandoverRelease after the taker's first advert", "[handover]") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(100, "192.0.2.12"));
  net.start(a);
  net.start(b);
  net.runFor(5s);
  const auto t0 = net.now();
  net.handOver(a, 3s);
  net.runFor(650ms);  // b is master from 600 ms (its Skew_Time)
  REQUIRE(*net.lastMasterSince(b) - t0 == 600ms);
  // Both hold the VIPs until 200 ms after b's advert: b's gratuitous ARPs go out
  // after its advert, and until clients have them they still send to a.
  CHECK(net[a].sm.state() == State::kMaster);
  CHECK(net[a].sm.handingOver());
  net.runFor(140ms);  // 790 ms
  CHECK(net[a].sm.state() == State::kMaster);
  net.runFor(20ms);  // 810 ms
  CHECK(net[a].sm.state() == State::kBackup);
}

TEST_CASE("handover: the taker leaving before the release leaves the node master", "[handover]") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(100, "192.0.2.12"));
  net.start(a);
  net.start(b);
  net.runFor(5s);
  net.handOver(a, 3s);
  net.runFor(650ms);
  REQUIRE(net[b].sm.state() == State::kMaster);
  net.shutdown(b);  // priority 0 from the taker, 50 ms after it took over
  net.runFor(10ms);
  CHECK(net[a].sm.state() == State::kMaster);
  CHECK(!net[a].sm.handingOver());
  CHECK(!net[a].sm.yieldingTo());
  CHECK(net.sent().back().priority == 150);  // advertising again at once
  CHECK(net[a].transitions.size() == 2);     // it never left MASTER
}
