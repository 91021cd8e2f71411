// The VRRP runtime's parts together (InstanceSet, InstanceSlot, SyncGroup, health
// policy, transition effects) on a fake kernel, in simulated time: pairs of nodes on
// a fake LAN, reloads applied in place, sync groups, fault propagation, the order of
// a transition's side effects, a VIP put back.

#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "core/config/loader.h"
#include "fake_kernel.h"

using namespace holdfast;
using namespace std::chrono_literals;
using test::FakeLan;
using test::FakeNode;

namespace {

config::Config load(const std::string& text) {
  return test::loadOrFail(text);
}

struct Inst {
  std::string name = "VI_1";
  int vrid = 51;
  int priority = 100;
  std::string advertInt = "0.1";
  std::string vips = "192.0.2.100/24";
  std::string extra;
  std::string text() const {
    return "vrrp_instance " + name + " {\n  interface eth0\n  virtual_router_id " +
           std::to_string(vrid) + "\n  version 3\n  priority " + std::to_string(priority) +
           "\n  advert_int " + advertInt + "\n  virtual_ipaddress {\n    " + vips + "\n  }\n" +
           extra + "}\n";
  }
};

void run(FakeNode& n, const std::string& text) {
  auto set = runtime::InstanceSet::create(n, load(text), {});
  REQUIRE(set);
  n.set = std::move(*set);
  n.set->start();
}

std::string reload(FakeNode& n, const std::string& text) {
  auto plan = n.set->reconfigure(load(text), {});
  REQUIRE(plan);
  return runtime::summarize(*plan);
}

// A pair: r1 at 150 (master), r2 at 100 (backup), VRRPv3 at 100 ms, settled.
struct Pair {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  FakeNode& r2 = lan.add("r2", "192.0.2.12");
  Inst a{.priority = 150};
  Inst b{.priority = 100};
  Pair() {
    run(r1, a.text());
    run(r2, b.text());
    lan.advance(2s);
    REQUIRE(r1.report("VI_1").state == vrrp::State::kMaster);
    REQUIRE(r2.report("VI_1").state == vrrp::State::kBackup);
    r1.journal.clear();
    r2.journal.clear();
  }
  uint64_t transitions() { return r1.report("VI_1").transitions + r2.report("VI_1").transitions; }
};

}  // namespace

TEST_CASE("a priority raised by a reload is advertised at once, with no transition") {
  Pair p;
  const auto before = p.transitions();
  p.a.priority = 160;
  CHECK(reload(p.r1, p.a.text()) ==
        "instances kept none; changed in place VI_1 (priority 150 -> 160); added none; removed "
        "none; restarted none");
  p.lan.advance(1ms);  // well inside one advert interval: it went out at once
  CHECK(p.r2.report("VI_1").masterPriority == 160);
  CHECK(p.r1.report("VI_1").effectivePriority == 160);
  CHECK(p.r1.report("VI_1").basePriority == 160);
  p.lan.advance(2s);
  CHECK(p.transitions() == before);
  CHECK(p.r1.lines("remove").empty());
  CHECK(p.r1.holds("192.0.2.100"));
}

TEST_CASE(
    "a VIP added by a reload touches only that VIP; the unreloaded backup honours the advert") {
  Pair p;
  const auto before = p.transitions();
  p.a.vips = "192.0.2.100/24\n    192.0.2.101/24";
  reload(p.r1, p.a.text());
  CHECK(p.r1.journal == std::vector<std::string>{"add 192.0.2.101", "garp 192.0.2.101"});
  p.lan.advance(2s);
  // r2 still has one VIP: it counts and flags the difference, and stays backup.
  auto r2 = p.r2.report("VI_1");
  CHECK(r2.state == vrrp::State::kBackup);
  CHECK(r2.vipListMismatch.count >= 19);
  CHECK(r2.vipListMismatch.active);
  CHECK(r2.vipListMismatch.lastFrom == "192.0.2.11");
  CHECK(r2.vipListMismatch.theirVips == std::vector<std::string>{"192.0.2.100", "192.0.2.101"});
  // Once r2 has the same list, the flag clears at the next advert.
  p.b.vips = p.a.vips;
  reload(p.r2, p.b.text());
  p.lan.advance(200ms);
  CHECK_FALSE(p.r2.report("VI_1").vipListMismatch.active);
  CHECK(p.transitions() == before);
  // And the VIP leaves again alone.
  p.r1.journal.clear();
  p.a.vips = "192.0.2.100/24";
  reload(p.r1, p.a.text());
  CHECK(p.r1.journal == std::vector<std::string>{"remove 192.0.2.101"});
}

TEST_CASE("a backup raised above the master by a reload preempts at once") {
  Pair p;
  p.b.priority = 200;
  reload(p.r2, p.b.text());
  p.lan.advance(1ms);
  CHECK(p.r2.report("VI_1").state == vrrp::State::kMaster);
  CHECK(p.r1.report("VI_1").state == vrrp::State::kBackup);
  CHECK(p.r2.report("VI_1").lastTransition->reason.starts_with("preempting 192.0.2.11"));
}

TEST_CASE("a master lowered below its backup by a reload hands over at once") {
  Pair p;
  p.a.priority = 90;
  reload(p.r1, p.a.text());
  p.lan.advance(1ms);
  CHECK(p.r2.report("VI_1").state == vrrp::State::kMaster);
  CHECK(p.r1.report("VI_1").state == vrrp::State::kBackup);
}

TEST_CASE("a new advert interval on a VRRPv3 master reaches the backup without a transition") {
  Pair p;
  const auto before = p.transitions();
  p.a.advertInt = "0.2";
  reload(p.r1, p.a.text());
  p.lan.advance(1ms);
  CHECK(p.r2.report("VI_1").timers.advertInterval == vrrp::Centiseconds(20));
  const auto sent = p.r1.report("VI_1").counters.sent;
  p.lan.advance(2s);
  CHECK(p.r1.report("VI_1").counters.sent - sent == 10);  // 2 s at 200 ms
  CHECK(p.transitions() == before);
}

TEST_CASE("notify commands, preemption and garp settings change in place") {
  Pair p;
  const auto before = p.transitions();
  p.a.extra = "  notify_master /bin/true\n  nopreempt\n  garp_master_refresh 1\n";
  CHECK(reload(p.r1, p.a.text()) ==
        "instances kept none; changed in place VI_1 (nopreempt; notify_master; garp settings); "
        "added none; removed none; restarted none");
  p.lan.advance(2500ms);
  CHECK(p.r1.lines("garp").size() == 2);  // the refresh, every second
  CHECK_FALSE(p.r1.report("VI_1").preempt);
  CHECK(p.transitions() == before);
}

TEST_CASE("a VRID change restarts only that instance") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  Inst one{.priority = 150};
  Inst two{.name = "VI_2", .vrid = 52, .priority = 150, .vips = "192.0.2.102/24"};
  run(r1, one.text() + two.text());
  lan.advance(2s);
  REQUIRE(r1.report("VI_2").state == vrrp::State::kMaster);
  const auto t1 = r1.report("VI_1").transitions;
  two.vrid = 62;
  CHECK(reload(r1, one.text() + two.text()) ==
        "instances kept VI_1; changed in place none; added none; removed none; restarted VI_2 "
        "(virtual_router_id 52 -> 62)");
  CHECK(r1.report("VI_2").vrid == 62);
  CHECK(r1.report("VI_2").state == vrrp::State::kBackup);
  lan.advance(2s);
  CHECK(r1.report("VI_2").state == vrrp::State::kMaster);
  CHECK(r1.report("VI_1").transitions == t1);
  CHECK(r1.holds("192.0.2.100"));
}

TEST_CASE("a refused reload changes nothing") {
  Pair p;
  Inst bad{.name = "VI_9", .vrid = 59, .vips = "192.0.2.109/24"};
  bad.extra = "";
  std::string text = p.a.text() + bad.text();
  text.replace(text.rfind("interface eth0"), 14, "interface eth9");
  p.a.priority = 160;
  auto next = load(Inst{.priority = 160}.text() +
                   bad.text().replace(bad.text().find("interface eth0"), 14, "interface eth9"));
  auto plan = p.r1.set->reconfigure(next, {});
  REQUIRE_FALSE(plan);
  CHECK(plan.error() == "vrrp_instance 'VI_9' (test.conf:11): no interface eth9");
  p.lan.advance(1s);
  CHECK(p.r1.report("VI_1").effectivePriority == 150);
  CHECK(p.r1.set->reports().size() == 1);
  std::erase_if(p.r1.journal, [](const auto& l) { return l.starts_with("probe "); });
  CHECK(p.r1.journal.empty());
}

TEST_CASE("a tracked script's weight changed by a reload rescores at once") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  auto conf = [](int weight) {
    return "vrrp_script chk {\n  script /bin/true\n  weight " + std::to_string(weight) + "\n}\n" +
           Inst{.priority = 150, .extra = "  track_script {\n    chk\n  }\n"}.text();
  };
  run(r1, conf(-20));
  lan.advance(1s);
  r1.scripts.at("chk")->result(false);
  CHECK(r1.report("VI_1").effectivePriority == 130);
  reload(r1, conf(-40));
  // The new tracker is pending (adds nothing) until its first result.
  CHECK(r1.report("VI_1").effectivePriority == 150);
  r1.scripts.at("chk")->result(false);
  CHECK(r1.report("VI_1").effectivePriority == 110);
  CHECK(r1.report("VI_1").transitions == 2);  // INIT -> BACKUP -> MASTER at start only
}

TEST_CASE("sync group: a member's FAULT faults the group, and its notify runs when it settles") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  const std::string text =
      "vrrp_script chk {\n  script /bin/true\n}\n" +
      Inst{.priority = 150, .extra = "  track_script {\n    chk weight 0\n  }\n"}.text() +
      Inst{.name = "VI_2", .vrid = 52, .priority = 150, .vips = "192.0.2.102/24"}.text() +
      "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n  notify_fault \"/bin/echo "
      "g-fault\"\n"
      "  notify_master \"/bin/echo g-master\"\n}\n";
  run(r1, text);
  r1.scripts.at("chk")->result(true);  // VI_1 waits in INIT for it (weight 0)
  lan.advance(2s);
  REQUIRE(r1.report("VI_2").state == vrrp::State::kMaster);
  CHECK(r1.lines("notify_master (vrrp_sync_group G)").size() == 1);
  r1.scripts.at("chk")->result(false);
  CHECK(r1.report("VI_1").state == vrrp::State::kFault);
  CHECK(r1.report("VI_2").state == vrrp::State::kFault);
  CHECK(*r1.report("VI_2").faultReason == "sync group G: VI_1 is in FAULT");
  CHECK(r1.lines("notify_fault (vrrp_sync_group G)") ==
        std::vector<std::string>{"notify_fault (vrrp_sync_group G): /bin/echo g-fault"});
  CHECK_FALSE(r1.holds("192.0.2.102"));
  r1.scripts.at("chk")->result(true);
  lan.advance(2s);
  CHECK(r1.report("VI_2").state == vrrp::State::kMaster);
  CHECK(r1.report("VI_1").state == vrrp::State::kMaster);
}

TEST_CASE("sync group: one member taking over pulls the other along") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  FakeNode& r2 = lan.add("r2", "192.0.2.12");
  auto conf = [](int p1, int p2) {
    return Inst{.priority = p1}.text() +
           Inst{.name = "VI_2", .vrid = 52, .priority = p2, .vips = "192.0.2.102/24"}.text() +
           "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n";
  };
  run(r1, conf(150, 150));
  run(r2, conf(100, 100));
  lan.advance(2s);
  REQUIRE(r1.report("VI_2").state == vrrp::State::kMaster);
  // r2's members are raised above r1's by a reload: VI_1 (first) preempts, and VI_2
  // follows it rather than preempting on its own.
  reload(r2, conf(200, 200));
  lan.advance(1ms);
  CHECK(r2.report("VI_1").state == vrrp::State::kMaster);
  CHECK(r2.report("VI_2").state == vrrp::State::kMaster);
  CHECK(r2.report("VI_2").lastTransition->reason == "sync group G: VI_1 became MASTER");
  lan.advance(1s);
  CHECK(r1.report("VI_1").state == vrrp::State::kBackup);
  CHECK(r1.report("VI_2").state == vrrp::State::kBackup);
  CHECK(r2.report("VI_2").state == vrrp::State::kMaster);
}

TEST_CASE("sync group: handing over one member hands over the group, each VIP kept until taken") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  FakeNode& r2 = lan.add("r2", "192.0.2.12");
  auto conf = [](int p) {
    return Inst{.priority = p}.text() +
           Inst{.name = "VI_2", .vrid = 52, .priority = p, .vips = "192.0.2.102/24"}.text() +
           "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n";
  };
  run(r1, conf(150));
  run(r2, conf(100));
  lan.advance(2s);
  REQUIRE(r1.report("VI_2").state == vrrp::State::kMaster);
  r1.journal.clear();
  const auto started = r1.set->handOver({"VI_1"}, false, 3s);
  REQUIRE(started.size() == 2);
  CHECK(started[0].name == "VI_1");
  CHECK(started[1].name == "VI_2");
  CHECK((started[0].started && started[1].started));
  CHECK(r1.report("VI_2").handingOver);
  // Neither VIP leaves r1 before r2 has taken it: r1's journal holds no removal
  // until r2 is master of both.
  lan.advance(1s);
  CHECK(r2.report("VI_1").state == vrrp::State::kMaster);
  CHECK(r2.report("VI_2").state == vrrp::State::kMaster);
  CHECK(r1.report("VI_1").state == vrrp::State::kBackup);
  CHECK(r1.report("VI_2").state == vrrp::State::kBackup);
  CHECK(r1.report("VI_1").lastTransition->reason == "handed over to 192.0.2.12 (priority 100)");
  CHECK(r1.report("VI_2").lastTransition->reason == "handed over to 192.0.2.12 (priority 100)");
  // a (150) leaves both with r2 (100).
  lan.advance(5s);
  CHECK(r2.report("VI_1").state == vrrp::State::kMaster);
  CHECK(r2.report("VI_2").state == vrrp::State::kMaster);
}

TEST_CASE("a transition's side effects run in keepalived's order") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1,
      "global_defs {\n  notification_email {\n    ops@example.org\n  }\n  smtp_server 192.0.2.25\n"
      "  router_id lb1\n}\n" +
          Inst{.priority = 150,
               .extra = "  notify_master \"/bin/echo m\"\n  notify \"/bin/echo n\"\n"}
              .text());
  lan.advance(2s);
  // The mail first, then the state's own script, then `notify` with its arguments;
  // the VIP is added and announced by the state machine's own action.
  std::vector<std::string> effects;
  for (const auto& l : r1.journal) {
    if (!l.starts_with("garp") && !l.starts_with("probe") && !l.starts_with("watch claims")) {
      effects.push_back(l);
    }
  }
  CHECK(effects == std::vector<std::string>{
                       "mail [lb1] VRRP Instance VI_1 - Entering BACKUP state",
                       "notify (VI_1): /bin/echo n INSTANCE VI_1 BACKUP 150",
                       "mail [lb1] VRRP Instance VI_1 - Entering MASTER state",
                       "notify_master (VI_1): /bin/echo m",
                       "notify (VI_1): /bin/echo n INSTANCE VI_1 MASTER 150",
                       "add 192.0.2.100",
                   });
}

TEST_CASE("a VIP removed behind a master's back is put back") {
  Pair p;
  p.r1.vips.present.clear();
  p.r1.set->linkEvent({netio::LinkEvent::Kind::kAddressRemoved, 2, false,
                       netio::IpAddress::parse("192.0.2.100").value()});
  CHECK(p.r1.journal == std::vector<std::string>{"add 192.0.2.100"});
  CHECK(p.r1.holds("192.0.2.100"));
}

TEST_CASE("a master's timed adverts may wait for the wake-up's others; priority 0 goes at once") {
  Pair p;
  auto& port = *p.r1.ports.at({"eth0", netio::Family::kIPv4});
  port.sent.clear();
  port.routine.clear();
  p.lan.advance(1s);
  REQUIRE(port.sent.size() == 10);
  for (bool r : port.routine) CHECK(r);  // Adver_Timer: routine (AdvertPort::sendRoutine)
  p.a.priority = 160;
  reload(p.r1, p.a.text());
  REQUIRE(port.sent.size() == 11);
  CHECK_FALSE(port.routine.back());  // a changed priority is sent by the reload, at once
  p.r1.set->linkEvent({netio::LinkEvent::Kind::kLinkChanged, 2, false, {}});
  REQUIRE(port.sent.size() == 12);
  CHECK(port.sent.back()[2] == 0);
  CHECK_FALSE(port.routine.back());  // giving up: before the VIPs are removed
}

TEST_CASE("an interface going down faults its instance, which hands over with priority 0") {
  Pair p;
  p.r1.set->linkEvent({netio::LinkEvent::Kind::kLinkChanged, 2, false, {}});
  CHECK(p.r1.report("VI_1").state == vrrp::State::kFault);
  CHECK(*p.r1.report("VI_1").faultReason == "interface eth0 is down");
  CHECK(p.r1.lines("remove") == std::vector<std::string>{"remove 192.0.2.100"});
  p.lan.advance(10ms);  // Skew_Time at priority 100: (256-100)/256 * 100 ms = 61 ms
  CHECK(p.r2.report("VI_1").state == vrrp::State::kBackup);
  p.lan.advance(60ms);
  CHECK(p.r2.report("VI_1").state == vrrp::State::kMaster);
  p.r1.set->linkEvent({netio::LinkEvent::Kind::kLinkChanged, 2, true, {}});
  p.lan.advance(150ms);                                      // the next advert of r2 (100 < 150)
  CHECK(p.r1.report("VI_1").state == vrrp::State::kMaster);  // preempts back at once
}

TEST_CASE(
    "an instance that starts tracking a script and an interface in place reads their states") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  netio::InterfaceInfo eth1 = r1.interfaces.at("eth0");
  eth1.name = "eth1";
  eth1.index = 3;
  eth1.running = false;  // no carrier
  r1.interfaces["eth1"] = eth1;
  const std::string script = "vrrp_script chk {\n  script /bin/true\n  weight -20\n}\n";
  run(r1, script + Inst{.priority = 150}.text());
  lan.advance(1s);
  CHECK(r1.scripts.empty());  // defined, tracked by nobody: not run
  reload(r1, script + Inst{.priority = 150,
                           .extra = "  track_script {\n    chk\n  }\n  track_interface {\n    "
                                    "eth1 weight -30\n  }\n"}
                          .text());
  REQUIRE(r1.scripts.contains("chk"));
  auto rep = r1.report("VI_1");
  // The script has not run yet (pending: nothing); eth1 has no carrier: -30.
  CHECK(rep.effectivePriority == 120);
  CHECK(rep.score.explain() == "base 150; script chk pending: 0; interface eth1 down: -30 => 120");
  CHECK(rep.state == vrrp::State::kMaster);
}

namespace {
std::string scriptConf(const std::string& weight) {
  return "vrrp_script chk {\n  script /bin/true\n  interval 1\n  fall 3\n  rise 2\n  weight " +
         weight + "\n}\n" +
         Inst{.priority = 100, .extra = "  track_script {\n    chk\n  }\n"}.text();
}
}  // namespace

TEST_CASE(
    "a script failing from its first run costs its weight at the first failure, not after fall") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, scriptConf("-20"));
  auto& chk = *r1.scripts.at("chk");
  CHECK(r1.report("VI_1").effectivePriority == 100);  // pending: no weight yet
  chk.result(false);
  CHECK(r1.report("VI_1").effectivePriority == 80);  // fall 3 does not delay it
  chk.result(false);
  chk.result(true);  // 1 of rise 2
  CHECK(r1.report("VI_1").effectivePriority == 80);
  chk.result(true);
  CHECK(r1.report("VI_1").effectivePriority == 100);
}

TEST_CASE("a script succeeding from its first run is up at once: a positive weight applies then") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, scriptConf("20"));
  auto& chk = *r1.scripts.at("chk");
  CHECK(r1.report("VI_1").effectivePriority == 100);  // pending: no bonus yet
  chk.result(true);
  CHECK(r1.report("VI_1").effectivePriority == 120);  // not after rise 2
  chk.result(false);
  chk.result(false);
  CHECK(r1.report("VI_1").effectivePriority == 120);  // 2 of fall 3
  chk.result(false);
  CHECK(r1.report("VI_1").effectivePriority == 100);
}

TEST_CASE(
    "an instance with a weight-0 script waits in INIT for its first result, as keepalived "
    "does: a failure faults it at once") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, scriptConf("0"));
  lan.advance(5s);
  CHECK(r1.report("VI_1").state == vrrp::State::kInitialize);
  CHECK(r1.report("VI_1").transitions == 0);
  r1.scripts.at("chk")->result(false);
  CHECK(r1.report("VI_1").state == vrrp::State::kFault);
  CHECK(r1.report("VI_1").transitions == 1);  // INIT -> FAULT: no BACKUP first
  CHECK(*r1.report("VI_1").faultReason ==
        "tracked item down: base 100; script chk down: FAULT => FAULT");
}

TEST_CASE("an instance with a weight-0 script starts as BACKUP at its first success") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, scriptConf("0"));
  CHECK(r1.report("VI_1").state == vrrp::State::kInitialize);
  r1.scripts.at("chk")->result(true);
  CHECK(r1.report("VI_1").state == vrrp::State::kBackup);
  lan.advance(5s);
  CHECK(r1.report("VI_1").state == vrrp::State::kMaster);
}

namespace {
runtime::Maintenance upgrade() {
  return {"kernel upgrade", "alice", std::chrono::system_clock::time_point(std::chrono::hours(1))};
}
}  // namespace

TEST_CASE("maintenance: the master hands over, runs at priority 1, and takes over again when off") {
  Pair p;
  p.a.extra = "  notify \"/bin/echo n\"\n";
  reload(p.r1, p.a.text());
  p.r1.journal.clear();
  const auto started = p.r1.set->setMaintenance(upgrade(), 3s);
  REQUIRE(started.size() == 1);
  CHECK(started[0].started);
  // The VIP stays on r1 until r2 is master.
  p.lan.advance(1s);
  CHECK(p.r2.report("VI_1").state == vrrp::State::kMaster);
  auto r1 = p.r1.report("VI_1");
  CHECK(r1.state == vrrp::State::kBackup);
  CHECK(r1.effectivePriority == 1);
  CHECK(r1.score.maintenance);
  CHECK(r1.score.explain() ==
        "base 150; maintenance (kernel upgrade; set by alice at 1970-01-01T01:00:00Z): priority 1 "
        "=> 1");
  CHECK(p.r1.lines("notify (VI_1)") ==
        std::vector<std::string>{"notify (VI_1): /bin/echo n INSTANCE VI_1 MAINTENANCE 1",
                                 "notify (VI_1): /bin/echo n INSTANCE VI_1 BACKUP 1"});
  p.lan.advance(5s);
  CHECK(p.r2.report("VI_1").state == vrrp::State::kMaster);
  // Off: priority 150 again, and r1 preempts r2 (100) as configured.
  p.r1.set->setMaintenance(std::nullopt, 3s);
  p.lan.advance(1s);
  CHECK(p.r1.report("VI_1").state == vrrp::State::kMaster);
  CHECK(p.r1.report("VI_1").effectivePriority == 150);
  CHECK(p.r1.lines("notify (VI_1)").back() ==
        "notify (VI_1): /bin/echo n INSTANCE VI_1 MASTER 150");
  CHECK(p.r1.lines("notify (VI_1)").at(2) ==
        "notify (VI_1): /bin/echo n INSTANCE VI_1 MAINTENANCE_OFF 150");
}

TEST_CASE("maintenance: a node alone keeps the VIP at priority 1, and never preempts a peer") {
  FakeLan lan;
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  run(r1, Inst{.priority = 150}.text());
  lan.advance(2s);
  REQUIRE(r1.report("VI_1").state == vrrp::State::kMaster);
  r1.set->setMaintenance(upgrade(), 1s);
  lan.advance(3s);
  // No peer took over: still master (availability beats maintenance), at priority 1.
  CHECK(r1.report("VI_1").state == vrrp::State::kMaster);
  CHECK(r1.report("VI_1").effectivePriority == 1);
  CHECK(r1.report("VI_1").handoversExpired == 1);
  // A peer (100) arriving takes the VIP: r1 at 1 does not hold on to it.
  FakeNode& r2 = lan.add("r2", "192.0.2.12");
  run(r2, Inst{.priority = 100}.text());
  lan.advance(3s);
  CHECK(r2.report("VI_1").state == vrrp::State::kMaster);
  CHECK(r1.report("VI_1").state == vrrp::State::kBackup);
}

TEST_CASE("maintenance from the saved state: the instance starts at priority 1 and stays backup") {
  FakeLan lan;
  FakeNode& r2 = lan.add("r2", "192.0.2.12");
  run(r2, Inst{.priority = 100}.text());
  lan.advance(2s);
  FakeNode& r1 = lan.add("r1", "192.0.2.11");
  auto set = runtime::InstanceSet::create(r1, load(Inst{.priority = 150}.text()), {});
  REQUIRE(set);
  r1.set = std::move(*set);
  r1.set->setMaintenance(upgrade(), 0s);  // before start, as the daemon restores it
  r1.set->start();
  lan.advance(5s);
  CHECK(r1.report("VI_1").state == vrrp::State::kBackup);
  CHECK(r1.report("VI_1").effectivePriority == 1);
  CHECK(r2.report("VI_1").state == vrrp::State::kMaster);
}

TEST_CASE("split brain: with the adverts cut both masters report the other within 2 s") {
  Pair p;
  p.a.extra = "  notify \"/bin/echo n\"\n";
  p.b.extra = "  notify \"/bin/echo n\"\n";
  reload(p.r1, p.a.text());
  reload(p.r2, p.b.text());
  p.lan.advance(3s);  // probes while alone: nobody else holds the VIP
  CHECK(p.r1.report("VI_1").conflicts.empty());
  CHECK(!p.r1.lines("probe 192.0.2.100").empty());
  p.lan.cut = {&p.r1, &p.r2};  // VRRP dropped both ways, ARP still flows
  p.lan.advance(400ms);        // r2's Master_Down_Interval (v3, 100 ms adverts)
  REQUIRE(p.r2.report("VI_1").state == vrrp::State::kMaster);
  REQUIRE(p.r1.report("VI_1").state == vrrp::State::kMaster);
  p.lan.advance(2s);
  auto c1 = p.r1.report("VI_1").conflicts;
  auto c2 = p.r2.report("VI_1").conflicts;
  REQUIRE(c1.size() == 1);
  REQUIRE(c2.size() == 1);
  CHECK(c1[0].kind == "address");
  CHECK(c1[0].address == "192.0.2.100");
  CHECK(c1[0].by == "02:00:00:00:00:02");  // r2's MAC
  CHECK(c2[0].by == "02:00:00:00:00:01");
  CHECK(c2[0].how == "arp_reply");  // r2 learns of r1 from r1's answer to its probe
  CHECK(p.r1.lines("notify (VI_1): /bin/echo n INSTANCE VI_1 CONFLICT") ==
        std::vector<std::string>{"notify (VI_1): /bin/echo n INSTANCE VI_1 CONFLICT 150"});
  CHECK(p.r1.report("VI_1").conflictsStarted.at("address") == 1);
  // The adverts flow again: r2 (100) yields to r1 (150); r1's conflict ends once no
  // claim came for kConflictHold, r2's at once.
  p.lan.cut.clear();
  p.lan.advance(500ms);
  CHECK(p.r2.report("VI_1").state == vrrp::State::kBackup);
  CHECK(p.r2.report("VI_1").conflicts.empty());
  p.lan.advance(6s);
  CHECK(p.r1.report("VI_1").conflicts.empty());
  CHECK(p.r1.report("VI_1").conflictsStarted.at("address") == 1);
}

TEST_CASE("a master's conflict probes go out in the wake-up of its adverts, every 2 s") {
  Pair p;
  p.r1.probedAt.clear();
  p.lan.advance(7s);
  REQUIRE(p.r1.probedAt.size() >= 3);
  for (size_t i = 0; i < p.r1.probedAt.size(); ++i) {
    // Adverts go at multiples of advert_int (0.1 s) on the steady clock; so do the
    // probes, rather than waking the loop at times of their own.
    const auto at =
        std::chrono::duration_cast<std::chrono::microseconds>(p.r1.probedAt[i].time_since_epoch());
    CHECK(at.count() % 100'000 == 0);
    if (i > 0) CHECK(p.r1.probedAt[i] - p.r1.probedAt[i - 1] == 2s);
  }
}

TEST_CASE(
    "split brain: a normal takeover is no conflict, and conflict_action off watches nothing") {
  Pair p;
  // r2 preempts (raised above r1): r1 hears r2's gratuitous ARP around the switch.
  p.b.priority = 200;
  reload(p.r2, p.b.text());
  p.lan.advance(5s);
  REQUIRE(p.r2.report("VI_1").state == vrrp::State::kMaster);
  CHECK(p.r1.report("VI_1").conflictsStarted.empty());
  CHECK(p.r2.report("VI_1").conflictsStarted.empty());
  p.b.extra = "  conflict_action off\n";
  reload(p.r2, p.b.text());
  CHECK(p.r2.report("VI_1").conflictAction == "off");
  p.lan.cut = {&p.r1, &p.r2};
  p.lan.advance(3s);
  CHECK(p.r2.report("VI_1").conflicts.empty());
  CHECK(p.r1.report("VI_1").conflicts.size() == 1);  // r1 still watches
}

TEST_CASE("a peer whose adverts list other VIPs is a conflict of kind vip_list, in any state") {
  Pair p;
  p.b.vips = "192.0.2.100/24\n    192.0.2.101/24";
  reload(p.r2, p.b.text());
  p.lan.advance(2s);
  REQUIRE(p.r2.report("VI_1").state == vrrp::State::kBackup);  // honoured
  auto c = p.r2.report("VI_1").conflicts;
  REQUIRE(c.size() == 1);
  CHECK(c[0].kind == "vip_list");
  CHECK(c[0].address == "192.0.2.11");
  CHECK(p.r2.report("VI_1").conflictsStarted.at("vip_list") == 1);
  // The configs agree again: it ends kConflictHold after the last such advert.
  p.b.vips = "192.0.2.100/24";
  reload(p.r2, p.b.text());
  p.lan.advance(6s);
  CHECK(p.r2.report("VI_1").conflicts.empty());
}
