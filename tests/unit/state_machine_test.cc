// RFC 5798 section 6 behaviour in simulated time, on a fake network of 2-3 routers.

#include <catch2/catch.hpp>

#include "tests/unit/fake_vrrp_network.h"

using namespace holdfast::vrrp;
using holdfast::test::FakeVrrpNetwork;
using namespace std::chrono_literals;

namespace {
using Net = FakeVrrpNetwork;
std::chrono::microseconds since(const Net& net, TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(net.now() - t);
}
}  // namespace

TEST_CASE("election: the highest priority becomes the only master after its Master_Down_Interval") {
  Net net;
  auto a = net.add(Net::config(100, "192.0.2.11"));
  auto b = net.add(Net::config(150, "192.0.2.12"));
  auto c = net.add(Net::config(120, "192.0.2.13"));
  net.start(a);
  net.start(b);
  net.start(c);
  net.runFor(3s);
  CHECK(net.masters().empty());  // everyone still waits out Master_Down_Interval
  // b's Master_Down_Interval at priority 150, 1 s adverts: 3 s + 106*100/256 cs = 3.41 s;
  // it fired before the others' (3.60 s, 3.53 s) and their timers were reset by b's advert.
  net.runFor(1s);
  REQUIRE(net.masters() == std::vector<size_t>{b});
  CHECK(*net.lastMasterSince(b) - TimePoint{} == 3410ms);
  CHECK(net[a].sm.state() == State::kBackup);
  CHECK(net[c].sm.state() == State::kBackup);
  CHECK(net[b].transitions.back().reason == "no advert for Master_Down_Interval 3.41s");
}

TEST_CASE("adverts keep their cadence while master") {
  Net net;
  auto a = net.add(Net::config(200, "192.0.2.11", 3, Centiseconds(10)));
  net.start(a);
  net.runFor(2s);
  std::vector<TimePoint> times;
  for (auto& s : net.sent()) times.push_back(s.at);
  REQUIRE(times.size() > 10);
  for (size_t i = 2; i < times.size(); ++i) CHECK(times[i] - times[i - 1] == 100ms);
}

TEST_CASE("the address owner (priority 255) becomes master at once") {
  Net net;
  auto a = net.add(Net::config(255, "192.0.2.11"));
  auto b = net.add(Net::config(200, "192.0.2.12"));
  net.start(b);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{b});
  net.start(a);
  CHECK(net.masters() == std::vector<size_t>{a});
  CHECK(net[a].transitions.back().reason == "address owner (priority 255)");
  CHECK(net[b].sm.state() == State::kBackup);
}

TEST_CASE("state MASTER below 255 waits one advert interval for a master, as keepalived does") {
  Net net;
  auto cfg = Net::config(100, "192.0.2.11", 2);
  cfg.startAsMaster = true;
  auto a = net.add(cfg);
  net.start(a);
  CHECK(net[a].sm.state() == State::kBackup);
  CHECK(net[a].transitions.back().reason ==
        "start: state MASTER: waiting 1s (one advert_int) for a master, as keepalived does");
  net.runFor(990ms);
  CHECK(net.masters().empty());
  net.runFor(20ms);  // 1 s + Skew_Time(255) = 1 s + 0 cs (v2: 1/256 s, truncated to cs)
  REQUIRE(net.masters() == std::vector<size_t>{a});
  CHECK(net[a].transitions.back().reason == "state MASTER: no master heard for one advert_int");
}

TEST_CASE("state MASTER hears a running higher-priority master and stays backup") {
  Net net;
  auto b = net.add(Net::config(200, "192.0.2.12", 2));
  auto cfg = Net::config(100, "192.0.2.11", 2);
  cfg.startAsMaster = true;
  auto a = net.add(cfg);
  net.start(b);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{b});
  net.start(a);
  net.runFor(5s);
  CHECK(net.masters() == std::vector<size_t>{b});
  CHECK(net[a].sm.state() == State::kBackup);
}

TEST_CASE("a preempting backup takes over at once on a lower-priority advert") {
  Net net;
  auto low = net.add(Net::config(100, "192.0.2.11"));
  auto high = net.add(Net::config(150, "192.0.2.12"));
  net.start(low);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{low});
  net.start(high);
  net.runFor(1s);  // within one advert interval high hears low and takes over
  REQUIRE(net.masters() == std::vector<size_t>{high});
  CHECK(since(net, *net.lastMasterSince(high)) > 0ms);
  CHECK(net[high].transitions.back().reason == "preempting 192.0.2.11 (priority 100 < ours 150)");
  CHECK(net[low].transitions.back().reason == "higher priority 150 from 192.0.2.12");
}

TEST_CASE("strict_preempt waits out Master_Down_Interval as the RFC says") {
  Net net;
  auto low = net.add(Net::config(100, "192.0.2.11"));
  auto cfg = Net::config(150, "192.0.2.12");
  cfg.strictPreempt = true;
  auto high = net.add(cfg);
  net.start(low);
  net.runFor(5s);
  net.start(high);
  TimePoint started = net.now();
  net.runFor(3s);
  CHECK(net.masters() == std::vector<size_t>{low});  // 3.41 s not yet over
  net.runFor(1s);
  REQUIRE(net.masters() == std::vector<size_t>{high});
  CHECK(*net.lastMasterSince(high) - started == 3410ms);
}

TEST_CASE("nopreempt: a higher-priority backup leaves a running master alone") {
  Net net;
  auto low = net.add(Net::config(100, "192.0.2.11"));
  auto cfg = Net::config(150, "192.0.2.12");
  cfg.preempt = false;
  auto high = net.add(cfg);
  net.start(low);
  net.runFor(5s);
  net.start(high);
  net.runFor(20s);
  CHECK(net.masters() == std::vector<size_t>{low});
  CHECK(net[high].sm.state() == State::kBackup);
}

TEST_CASE("preempt_delay delays the takeover by exactly that long") {
  Net net;
  auto low = net.add(Net::config(100, "192.0.2.11"));
  auto cfg = Net::config(150, "192.0.2.12");
  cfg.preemptDelay = 2s;
  auto high = net.add(cfg);
  net.start(low);
  net.runFor(5s);
  net.start(high);
  TimePoint started = net.now();
  net.runFor(1900ms);
  CHECK(net.masters() == std::vector<size_t>{low});
  net.runFor(3s);
  REQUIRE(net.masters() == std::vector<size_t>{high});
  // low's first advert reaches high within 1 s of its start; the delay counts from it.
  auto gap = *net.lastMasterSince(high) - started;
  CHECK(gap >= 2s);
  CHECK(gap <= 3s);
}

TEST_CASE("priority 0 on shutdown hands over after Skew_Time, not Master_Down_Interval") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(100, "192.0.2.12"));
  net.start(a);
  net.start(b);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{a});
  TimePoint stop = net.now();
  net.shutdown(a);
  CHECK(net.sent().back().priority == 0);
  net.runFor(1s);
  REQUIRE(net.masters() == std::vector<size_t>{b});
  // Skew_Time at priority 100, 1 s: 156*100/256 = 60 cs.
  CHECK(*net.lastMasterSince(b) - stop == 600ms);
  CHECK(net[b].transitions.back().reason == "master 192.0.2.11 left (priority 0 advert)");
  CHECK(net[a].sm.state() == State::kStop);
}

TEST_CASE("equal priority: the larger primary address wins") {
  Net net;
  auto small = net.add(Net::config(100, "192.0.2.11"));
  auto large = net.add(Net::config(100, "192.0.2.12"));
  net.start(small);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{small});
  // large, as backup, hears an equal priority and stays backup (RFC 5798 6.4.2)...
  net.start(large);
  net.runFor(10s);
  CHECK(net.masters() == std::vector<size_t>{small});
  // ...but when both are master (a partition heals), the larger address keeps it.
  net.partition(large, 1);
  net.runFor(5s);
  REQUIRE(net.masters().size() == 2);
  net.partition(large, 0);
  net.runFor(2s);
  CHECK(net.masters() == std::vector<size_t>{large});
  CHECK(net[small].transitions.back().reason == "equal priority from 192.0.2.12, a larger address");
}

TEST_CASE("split brain heals when the partition ends: the higher priority keeps the VIP") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(100, "192.0.2.12"));
  auto c = net.add(Net::config(120, "192.0.2.13"));
  for (auto i : {a, b, c}) net.start(i);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{a});
  net.partition(b, 1);
  net.partition(c, 1);
  net.runFor(5s);
  CHECK(net.masters() == std::vector<size_t>{a, c});
  net.partition(b, 0);
  net.partition(c, 0);
  net.runFor(3s);
  CHECK(net.masters() == std::vector<size_t>{a});
  CHECK(net[b].sm.state() == State::kBackup);
  CHECK(net[c].sm.state() == State::kBackup);
}

TEST_CASE("a VRRPv3 backup adopts the master's advert interval") {
  Net net;
  auto fast = net.add(Net::config(150, "192.0.2.11", 3, Centiseconds(10)));
  auto slow = net.add(Net::config(100, "192.0.2.12", 3, Centiseconds(100)));
  net.start(fast);
  net.runFor(1s);
  net.start(slow);
  net.runFor(1s);
  auto t = net[slow].sm.timers();
  CHECK(t.advertInterval == Centiseconds(10));
  CHECK(t.masterDownInterval == Centiseconds(30 + 156 * 10 / 256));
  // So a dead fast master is detected in ~0.36 s, not ~3.6 s.
  TimePoint killed = net.now();
  net.partition(fast, 1);
  net.runFor(1s);
  REQUIRE(net.masters().size() == 2);
  CHECK(*net.lastMasterSince(slow) - killed <= 360ms);
}

TEST_CASE("fault on the master hands over at once; recovery preempts back") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(100, "192.0.2.12"));
  net.start(a);
  net.start(b);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{a});
  TimePoint fault = net.now();
  net.setFault(a, true);
  CHECK(net[a].sm.state() == State::kFault);
  CHECK(net.sent().back().priority == 0);
  net.runFor(1s);
  REQUIRE(net.masters() == std::vector<size_t>{b});
  CHECK(*net.lastMasterSince(b) - fault == 600ms);  // Skew_Time
  net.setFault(a, false);
  CHECK(net[a].sm.state() == State::kBackup);
  net.runFor(2s);
  CHECK(net.masters() == std::vector<size_t>{a});
}

TEST_CASE("a priority drop on the master is advertised at once and the backup takes over at once") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(120, "192.0.2.12"));
  net.start(a);
  net.start(b);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{a});
  size_t before = net.sent().size();
  TimePoint change = net.now();
  net.setPriority(a, 100);  // e.g. nginx check down, weight -50
  REQUIRE(net.sent().size() > before);
  CHECK(net.sent()[before].priority == 100);
  CHECK(net.sent()[before].at == change);
  CHECK(net.masters() == std::vector<size_t>{b});
  CHECK(*net.lastMasterSince(b) == change);
  // And back: the recovered router preempts at once too.
  TimePoint recover = net.now();
  net.setPriority(a, 150);
  CHECK(net.masters() == std::vector<size_t>{a});
  CHECK(*net.lastMasterSince(a) == recover);
}

TEST_CASE("VRRPv2 does not adopt the master's interval") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11", 2, Centiseconds(200)));
  auto b = net.add(Net::config(100, "192.0.2.12", 2, Centiseconds(100)));
  net.start(a);
  net.start(b);
  net.runFor(10s);
  CHECK(net[b].sm.timers().advertInterval == Centiseconds(100));
}

TEST_CASE("sync group following: a backup follows to master, a master hands over with priority 0") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11"));
  auto b = net.add(Net::config(100, "192.0.2.12"));
  net.start(a);
  net.start(b);
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{a});
  // b follows a group member elsewhere to MASTER; a hears a lower priority and
  // answers, and b (lower) goes back: following never overrides the election here.
  auto out = net[b].sm.followToMaster("sync group G: VI_2 became MASTER", net.now());
  REQUIRE(out.transition);
  CHECK(out.transition->to == State::kMaster);
  // A master told to follow to backup leaves with a priority 0 advert.
  auto back = net[a].sm.followToBackup("sync group G: VI_2 became BACKUP", net.now());
  REQUIRE(back.transition);
  CHECK(back.transition->to == State::kBackup);
  CHECK(std::vector<int>(back.adverts.begin(), back.adverts.end()) == std::vector<int>{0});
  // Other states are left alone.
  CHECK_FALSE(net[a].sm.followToBackup("again", net.now()).transition);
}

TEST_CASE("a lone v2 backup at advert_int 5 takes over after 3 intervals + (256-prio)/256 s") {
  // RFC 3768 6.1: 15 s + 156/256 s -> 15.60 s at priority 100; 15 s + 56/256 s at 200.
  for (auto [priority, expected] :
       {std::pair{100, TimePoint{} + 15600ms}, std::pair{200, TimePoint{} + 15210ms}}) {
    Net net;
    auto a = net.add(Net::config(priority, "192.0.2.11", 2, Centiseconds(500)));
    net.start(a);
    net.runFor(20s);
    REQUIRE(net.masters() == std::vector<size_t>{a});
    CHECK(*net.lastMasterSince(a) == expected);
    CHECK(net[a].sm.timers().masterDownInterval == expected - TimePoint{});
  }
}

TEST_CASE("a lone v3 backup at advert_int 5 takes over after 3 intervals + skew scaled by 5 s") {
  // RFC 5798 6.1: 15 s + 156*500/256 cs -> 18.04 s at priority 100; 15 s + 1.09 s at 200.
  for (auto [priority, expected] :
       {std::pair{100, TimePoint{} + 18040ms}, std::pair{200, TimePoint{} + 16090ms}}) {
    Net net;
    auto a = net.add(Net::config(priority, "192.0.2.11", 3, Centiseconds(500)));
    net.start(a);
    net.runFor(20s);
    REQUIRE(net.masters() == std::vector<size_t>{a});
    CHECK(*net.lastMasterSince(a) == expected);
  }
}

TEST_CASE("at advert_int 1 both versions wait 3 s + (256-prio)/256 s") {
  for (int version : {2, 3}) {
    for (auto [priority, expected] :
         {std::pair{100, TimePoint{} + 3600ms}, std::pair{200, TimePoint{} + 3210ms}}) {
      Net net;
      auto a = net.add(Net::config(priority, "192.0.2.11", version, Centiseconds(100)));
      net.start(a);
      net.runFor(5s);
      REQUIRE(net.masters() == std::vector<size_t>{a});
      CHECK(*net.lastMasterSince(a) == expected);
    }
  }
}

TEST_CASE("a v2 backup at advert_int 5 takes over 156/256 s after a priority-0 advert") {
  Net net;
  auto a = net.add(Net::config(150, "192.0.2.11", 2, Centiseconds(500)));
  auto b = net.add(Net::config(100, "192.0.2.12", 2, Centiseconds(500)));
  net.start(a);
  net.runFor(20s);
  net.start(b);
  net.runFor(10s);
  REQUIRE(net.masters() == std::vector<size_t>{a});
  TimePoint fault = net.now();
  net.setFault(a, true);  // advertises priority 0
  net.runFor(5s);
  REQUIRE(net.masters() == std::vector<size_t>{b});
  CHECK(*net.lastMasterSince(b) - fault == 600ms);  // 156/256 s, not 5 * 156/256 s
}

TEST_CASE("a master answers a lower-priority advert at once, unless lower_prio_no_advert") {
  for (bool quiet : {false, true}) {
    Net net;
    auto ca = Net::config(150, "192.0.2.11");
    ca.lowerPrioNoAdvert = quiet;
    auto a = net.add(ca);
    auto b = net.add(Net::config(100, "192.0.2.12"));
    net.start(a);
    net.runFor(5s);
    REQUIRE(net.masters() == std::vector<size_t>{a});
    Advert lower;
    lower.version = 3;
    lower.vrid = 1;
    lower.priority = 100;
    lower.interval = Centiseconds(100);
    const size_t before = net.sent().size();
    Output out = net[a].sm.onAdvert(lower, IpAddress::parse("192.0.2.12").value(), net.now());
    CHECK(out.lowerPriorityHeard);
    CHECK(out.adverts.size() == (quiet ? 0u : 1u));
    CHECK(net.sent().size() == before);
    (void)b;
  }
}

TEST_CASE("higher_prio_send_advert: a master sends its own advert before yielding") {
  for (bool send : {false, true}) {
    Net net;
    auto ca = Net::config(100, "192.0.2.11");
    ca.higherPrioSendAdvert = send;
    auto a = net.add(ca);
    net.start(a);
    net.runFor(5s);
    REQUIRE(net.masters() == std::vector<size_t>{a});
    Advert higher;
    higher.version = 3;
    higher.vrid = 1;
    higher.priority = 200;
    higher.interval = Centiseconds(100);
    Output out = net[a].sm.onAdvert(higher, IpAddress::parse("192.0.2.12").value(), net.now());
    REQUIRE(out.transition);
    CHECK(out.transition->to == State::kBackup);
    CHECK(std::vector<int>(out.adverts.begin(), out.adverts.end()) ==
          (send ? std::vector<int>{100} : std::vector<int>{}));
    CHECK_FALSE(out.lowerPriorityHeard);
  }
}

TEST_CASE("down_timer_adverts sets how many adverts make Master_Down_Interval") {
  Net net;
  auto c = Net::config(100, "192.0.2.11");
  c.downTimerAdverts = 1;
  auto a = net.add(c);
  net.start(a);
  // 1 advert of 1 s + Skew_Time 156/256 s (0.60 s truncated to centiseconds).
  net.runFor(1590ms);
  CHECK(net.masters().empty());
  net.runFor(20ms);
  CHECK(net.masters() == std::vector<size_t>{a});
  CHECK(net[a].transitions.back().reason == "no advert for Master_Down_Interval 1.6s");
}
