// keepalived's protocol tunings and sync-group tracking, read as keepalived 2.2.7
// reads them: global defaults, per-instance values, vrrp_strict's overrides, unicast
// keywords without peers, and a sync group's tracked items given to its members.

#include <catch2/catch.hpp>

#include "tests/unit/config_test_util.h"

using namespace holdfast::config;
using holdfast::test::instance;
using holdfast::test::loadOrFail;
using holdfast::test::noEffectOf;
using holdfast::test::warningsOf;
using namespace std::chrono_literals;

TEST_CASE("protocol tunings: global defaults and per-instance values are read") {
  Config c = loadOrFail(
      "global_defs {\n  vrrp_lower_prio_no_advert\n  vrrp_higher_prio_send_advert true\n"
      "  vrrp_garp_lower_prio_delay 7\n  vrrp_garp_lower_prio_repeat 2\n"
      "  vrrp_down_timer_adverts 4\n  vrrp_startup_delay 5.5\n}\n" +
      instance("  lower_prio_no_advert false\n  down_timer_adverts 10\n  unicast_ttl 64\n"
               "  dont_track_primary\n  garp_lower_prio_repeat 0\n"
               "  unicast_peer {\n    192.0.2.12 min_ttl 250 max_ttl 255\n  }\n"));
  const GlobalTuning& g = c.global.tuning;
  CHECK(g.lowerPrioNoAdvert);
  CHECK(g.higherPrioSendAdvert);
  CHECK(g.garpLowerPrioDelay == 7s);
  CHECK(g.garpLowerPrioRepeat == 2);
  CHECK(g.downTimerAdverts == 4);
  CHECK(g.startupDelay == 5500ms);
  const InstanceTuning& t = c.instances.at(0).tuning;
  CHECK(t.lowerPrioNoAdvert == false);
  CHECK(t.downTimerAdverts == 10);
  CHECK(t.unicastTtl == 64);
  CHECK(t.dontTrackPrimary);
  CHECK(t.garpLowerPrioRepeat == 0);
  REQUIRE(t.peerTtls.size() == 1);
  CHECK(t.peerTtls[0] == PeerTtl{"192.0.2.12", 250, 255});
  // None of them is "not implemented" any more.
  CHECK(noEffectOf("global_defs {\n  vrrp_startup_delay 1\n  vrrp_min_garp\n}\n" +
                   instance("  down_timer_adverts 2\n  higher_prio_send_advert\n")) ==
        std::vector<std::string>{});
}

TEST_CASE("down_timer_adverts out of 1-100 keeps the default with a warning") {
  auto w = warningsOf(instance("  down_timer_adverts 0\n"));
  REQUIRE(w.size() == 1);
  CHECK_THAT(w[0], Catch::Contains("test.conf:5:22") && Catch::Contains("down_timer_adverts"));
  CHECK_FALSE(
      loadOrFail(instance("  down_timer_adverts 0\n")).instances[0].tuning.downTimerAdverts);
}

TEST_CASE("vrrp_strict forces lower_prio_no_advert and no lower-priority GARP, as keepalived") {
  const std::string text = "global_defs {\n  vrrp_strict\n}\n" +
                           instance(
                               "  priority 100\n  lower_prio_no_advert false\n"
                               "  higher_prio_send_advert\n  garp_lower_prio_repeat 3\n");
  Config c = loadOrFail(text);
  const InstanceTuning& t = c.instances.at(0).tuning;
  CHECK(t.lowerPrioNoAdvert == true);
  CHECK(t.higherPrioSendAdvert == false);
  CHECK(t.garpLowerPrioRepeat == 0);
  auto w = warningsOf(text);
  CHECK(std::count_if(w.begin(), w.end(), [](const std::string& s) {
          return s.find("vrrp_strict") != std::string::npos &&
                 s.find("as keepalived does") != std::string::npos;
        }) >= 3);
}

TEST_CASE("a unicast keyword without peers: multicast with a warning, or FAULT when asked") {
  auto w = warningsOf(instance("  unicast_src_ip 192.0.2.11\n"));
  REQUIRE(w.size() == 1);
  CHECK_THAT(w[0], Catch::Contains("without any unicast_peer") && Catch::Contains("multicast"));
  Config c = loadOrFail(instance("  unicast_fault_no_peer\n"));
  CHECK(c.instances[0].tuning.unicastFaultNoPeer);
  CHECK(warningsOf(instance("  unicast_fault_no_peer\n")).empty());
}

TEST_CASE("a sync group's track_script and track_interface are added to every member") {
  const std::string text = "vrrp_script chk {\n  script \"/bin/true\"\n  weight -20\n}\n" +
                           instance("  priority 100\n", "VI_1", "51") +
                           instance("  priority 100\n", "VI_2", "52") +
                           "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n"
                           "  track_script {\n    chk\n    nothing\n  }\n  track_interface {\n    "
                           "eth1 weight 10\n  }\n}\n";
  Config c = loadOrFail(text);
  for (const VrrpInstance& vi : c.instances) {
    REQUIRE(vi.trackScripts.size() == 1);
    CHECK(vi.trackScripts[0].name == "chk");
    CHECK_FALSE(vi.trackScripts[0].hasWeight);  // the script's own -20 applies
    REQUIRE(vi.trackInterfaces.size() == 1);
    CHECK(vi.trackInterfaces[0].weight == 10);
  }
  auto w = warningsOf(text);
  REQUIRE(w.size() == 1);
  CHECK_THAT(w[0], Catch::Contains("track_script 'nothing' names no vrrp_script"));
}

TEST_CASE("a sync group with an address owner tracks without weights, as keepalived") {
  const std::string text = "vrrp_script chk {\n  script \"/bin/true\"\n  weight -20\n}\n" +
                           instance("  priority 255\n", "VI_1", "51") +
                           instance("  priority 100\n", "VI_2", "52") +
                           "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n  "
                           "track_script {\n    chk\n  }\n}\n";
  Config c = loadOrFail(text);
  for (const VrrpInstance& vi : c.instances) {
    REQUIRE(vi.trackScripts.size() == 1);
    CHECK(vi.trackScripts[0].hasWeight);
    CHECK(vi.trackScripts[0].weight == 0);
  }
  CHECK_THAT(warningsOf(text).at(0),
             Catch::Contains("address owner") && Catch::Contains("weight cleared"));
}

TEST_CASE("global_tracking is read as sync_group_tracking_weight, with keepalived's warning") {
  const std::string text = instance("", "VI_1", "51") + instance("", "VI_2", "52") +
                           "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n"
                           "  global_tracking\n}\n";
  CHECK(loadOrFail(text).syncGroups.at(0).trackingWeight);
  CHECK_THAT(warningsOf(text).at(0), Catch::Contains("global_tracking is deprecated"));
}

TEST_CASE("garp_group spaces the GARPs of instances on its interfaces without their own") {
  const std::string text =
      "garp_group {\n  garp_interval 0.01\n  gna_interval 0.02\n  interfaces {\n    eth0\n"
      "    eth1\n  }\n}\ngarp_group {\n  garp_interval 1\n  interface eth1\n}\n" +
      instance("", "VI_1", "51") + instance("  garp_interval 0.5\n", "VI_2", "52");
  Config c = loadOrFail(text);
  CHECK(c.instances[0].garpInterval == 10ms);
  CHECK(c.instances[0].gnaInterval == 20ms);
  CHECK(c.instances[1].garpInterval == 500ms);  // its own wins
  auto w = warningsOf(text);
  REQUIRE(w.size() == 1);
  CHECK_THAT(w[0], Catch::Contains("interface eth1 is already in the group at test.conf:1"));
  CHECK_THAT(warningsOf("garp_group {\n  interface eth0\n}\n" + instance("")).at(0),
             Catch::Contains("neither garp_interval nor gna_interval"));
}

TEST_CASE("a sync group's track_file and track_process reach every member") {
  const std::string text =
      "vrrp_track_file tf {\n  file /tmp/holdfast-unit-tf\n  weight -5\n}\n"
      "vrrp_track_process tp {\n  process nginx\n  weight -30\n}\n" +
      instance("", "VI_1", "51") + instance("", "VI_2", "52") +
      "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n"
      "  track_file {\n    tf weight 2\n    nofile\n  }\n  track_process {\n    tp\n  }\n}\n";
  Config c = loadOrFail(text);
  for (const VrrpInstance& vi : c.instances) {
    REQUIRE(vi.trackFiles.size() == 1);
    CHECK(vi.trackFiles[0].weight == 2);
    REQUIRE(vi.trackProcesses.size() == 1);
    CHECK(vi.trackProcesses[0].name == "tp");
  }
  CHECK_THAT(warningsOf(text).at(0), Catch::Contains("track_file 'nofile' names no track_file"));
  CHECK(noEffectOf(text).empty());
}

TEST_CASE("vrrp_cpu_affinity and checker_cpu_affinity are read as CPU lists, as keepalived") {
  Config c = loadOrFail("global_defs {\n  vrrp_cpu_affinity 0\n  checker_cpu_affinity 0 0\n}\n" +
                        instance(""));
  CHECK(c.global.vrrpCpus == std::vector<int>{0});
  CHECK(c.global.checkerCpus == std::vector<int>{0});
  CHECK(noEffectOf("global_defs {\n  vrrp_cpu_affinity 0\n  checker_cpu_affinity 0\n}\n" +
                   instance("")) == std::vector<std::string>{});
}

TEST_CASE("a bad CPU in an affinity list is a warning and no affinity at all, as keepalived") {
  // keepalived 2.2.7: "number '7' outside range [0, 1]" / "invalid number 'abc'",
  // then no affinity; the config still loads.
  const std::string huge = "global_defs {\n  vrrp_cpu_affinity 0 100000\n}\n" + instance("");
  auto w = warningsOf(huge);
  REQUIRE(w.size() == 1);
  CHECK_THAT(w[0], Catch::Contains("test.conf:2:23") && Catch::Contains("CPU 100000 outside"));
  CHECK(loadOrFail(huge).global.vrrpCpus.empty());

  const std::string word = "global_defs {\n  checker_cpu_affinity 0-1\n}\n" + instance("");
  w = warningsOf(word);
  REQUIRE(w.size() == 1);
  CHECK_THAT(w[0], Catch::Contains("invalid number '0-1'"));
  CHECK(loadOrFail(word).global.checkerCpus.empty());

  w = warningsOf("global_defs {\n  vrrp_cpu_affinity\n}\n" + instance(""));
  REQUIRE(w.size() == 1);
  CHECK_THAT(w[0], Catch::Contains("no CPU given"));
}
