// The reload plan (core/runtime/reload_plan.h): what a reload does to each running
// instance, decided from two configs alone.

#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "core/config/loader.h"
#include "core/runtime/reload_plan.h"

using namespace holdfast;
using runtime::InstanceFate;

namespace {

config::Config load(const std::string& text) {
  return test::loadOrFail(text);
}

std::string instance(const std::string& name, int vrid, int priority, const std::string& extra = "",
                     const std::string& vips = "192.0.2.100/24") {
  return "vrrp_instance " + name + " {\n  state BACKUP\n  interface eth0\n  virtual_router_id " +
         std::to_string(vrid) + "\n  priority " + std::to_string(priority) +
         "\n  advert_int 1\n  virtual_ipaddress {\n    " + vips + "\n  }\n" + extra + "}\n";
}

runtime::ReloadPlan plan(const std::string& before, const std::string& after) {
  return runtime::planReload(load(before), load(after));
}

const runtime::InstancePlan& of(const runtime::ReloadPlan& p, const std::string& name) {
  const auto* i = p.find(name);
  REQUIRE(i);
  return *i;
}

}  // namespace

TEST_CASE("the same config, written differently, changes nothing") {
  const std::string a = instance("VI_1", 51, 150);
  const std::string b = "! a comment\n\n" + instance("VI_1", 51, 150, "  # trailing note\n");
  auto p = plan(a, b);
  CHECK(p.changesNothing());
  CHECK(of(p, "VI_1").fate == InstanceFate::kUnchanged);
}

TEST_CASE("a priority change is applied in place and says from what to what") {
  auto p = plan(instance("VI_1", 51, 150), instance("VI_1", 51, 160));
  CHECK(of(p, "VI_1").fate == InstanceFate::kInPlace);
  CHECK(of(p, "VI_1").changes == std::vector<std::string>{"priority 150 -> 160"});
  CHECK_FALSE(p.changesNothing());
}

TEST_CASE("VIPs added and removed are listed by address") {
  auto p = plan(instance("VI_1", 51, 150, "", "192.0.2.100/24\n    192.0.2.102/24"),
                instance("VI_1", 51, 150, "", "192.0.2.100/24\n    192.0.2.101/24"));
  CHECK(of(p, "VI_1").fate == InstanceFate::kInPlace);
  CHECK(of(p, "VI_1").changes == std::vector<std::string>{"VIPs +192.0.2.101/24 -192.0.2.102/24"});
}

TEST_CASE("each in-place change is named") {
  const std::string base = instance("VI_1", 51, 150);
  auto changes = [&](const std::string& extra) {
    return of(plan(base, instance("VI_1", 51, 150, extra)), "VI_1").changes;
  };
  CHECK(changes("  nopreempt\n") == std::vector<std::string>{"nopreempt"});
  CHECK(changes("  preempt_delay 5\n") == std::vector<std::string>{"preempt_delay 0s -> 5s"});
  CHECK(changes("  notify_master /bin/true\n") == std::vector<std::string>{"notify_master"});
  CHECK(changes("  garp_master_refresh 10\n") == std::vector<std::string>{"garp settings"});
  CHECK(changes("  authentication {\n    auth_type PASS\n    auth_pass secret\n  }\n") ==
        std::vector<std::string>{"authentication"});
  auto p =
      plan(base, instance("VI_1", 51, 150)
                     .replace(instance("VI_1", 51, 150).find("advert_int 1"), 12, "advert_int 2"));
  CHECK(of(p, "VI_1").changes == std::vector<std::string>{"advert_int 1s -> 2s"});
}

TEST_CASE("what VRRP cannot change live restarts the instance, and says why first") {
  auto vrid = plan(instance("VI_1", 51, 150), instance("VI_1", 61, 160));
  CHECK(of(vrid, "VI_1").fate == InstanceFate::kRestart);
  CHECK(of(vrid, "VI_1").changes ==
        std::vector<std::string>{"virtual_router_id 51 -> 61", "priority 150 -> 160"});
  auto owner = plan(instance("VI_1", 51, 150), instance("VI_1", 51, 255));
  CHECK(of(owner, "VI_1").fate == InstanceFate::kRestart);
  CHECK(of(owner, "VI_1").changes ==
        std::vector<std::string>{"priority 150 -> 255 (becomes the address owner)"});
  auto version = plan(instance("VI_1", 51, 150), instance("VI_1", 51, 150, "  version 3\n"));
  CHECK(of(version, "VI_1").fate == InstanceFate::kRestart);
  auto unicast = plan(instance("VI_1", 51, 150),
                      instance("VI_1", 51, 150, "  unicast_peer {\n    192.0.2.12\n  }\n"));
  CHECK(of(unicast, "VI_1").changes.front() == "multicast -> unicast");
  auto group =
      plan("global_defs {\n  vrrp_mcast_group4 224.0.0.19\n}\n" + instance("VI_1", 51, 150),
           instance("VI_1", 51, 150));
  CHECK(of(group, "VI_1").fate == InstanceFate::kRestart);
  CHECK(of(group, "VI_1").changes.front() == "multicast group 224.0.0.19 -> 224.0.0.18");
}

TEST_CASE("a unicast peer list that changes stays unicast: in place") {
  auto p =
      plan(instance("VI_1", 51, 150, "  unicast_peer {\n    192.0.2.12\n  }\n"),
           instance("VI_1", 51, 150, "  unicast_peer {\n    192.0.2.12\n    192.0.2.13\n  }\n"));
  CHECK(of(p, "VI_1").fate == InstanceFate::kInPlace);
  CHECK(of(p, "VI_1").changes == std::vector<std::string>{"unicast_peer"});
}

TEST_CASE("added and removed instances; the others are kept") {
  auto p = plan(instance("VI_1", 51, 150) + instance("VI_2", 52, 150),
                instance("VI_1", 51, 150) + instance("VI_3", 53, 150));
  CHECK(of(p, "VI_1").fate == InstanceFate::kUnchanged);
  CHECK(of(p, "VI_3").fate == InstanceFate::kAdded);
  CHECK(of(p, "VI_2").fate == InstanceFate::kRemoved);
  CHECK(p.names(InstanceFate::kRemoved) == std::vector<std::string>{"VI_2"});
}

TEST_CASE("a tracked script's new definition changes its instance in place") {
  auto script = [](int weight) {
    return "vrrp_script chk {\n  script /bin/true\n  interval 1\n  weight " +
           std::to_string(weight) + "\n}\n";
  };
  const std::string tracked = "  track_script {\n    chk\n  }\n";
  auto p = plan(script(-20) + instance("VI_1", 51, 150, tracked) + instance("VI_2", 52, 150),
                script(-30) + instance("VI_1", 51, 150, tracked) + instance("VI_2", 52, 150));
  CHECK(p.scriptsChanged == std::vector<std::string>{"chk"});
  CHECK(of(p, "VI_1").changes == std::vector<std::string>{"vrrp_script chk"});
  CHECK(of(p, "VI_2").fate == InstanceFate::kUnchanged);
}

TEST_CASE("a track weight change names the item and both weights") {
  auto with = [](int w) {
    return "vrrp_script chk {\n  script /bin/true\n}\n" +
           instance("VI_1", 51, 150,
                    "  track_script {\n    chk weight " + std::to_string(w) + "\n  }\n");
  };
  auto p = plan(with(-20), with(-40));
  CHECK(of(p, "VI_1").changes == std::vector<std::string>{"track_script chk weight -20 -> -40"});
}

TEST_CASE("sync group membership is an in-place change of its members") {
  const std::string two = instance("VI_1", 51, 150) + instance("VI_2", 52, 150);
  auto p = plan(two, two + "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n");
  CHECK(of(p, "VI_1").changes == std::vector<std::string>{"joins vrrp_sync_group G"});
  CHECK(of(p, "VI_2").fate == InstanceFate::kInPlace);
}

TEST_CASE("the summary lists every fate with the changes") {
  auto p = plan(instance("VI_1", 51, 150) + instance("VI_2", 52, 150) + instance("VI_4", 54, 100),
                instance("VI_1", 51, 160) + instance("VI_2", 62, 150) + instance("VI_3", 53, 100));
  CHECK(runtime::summarize(p) ==
        "instances kept none; changed in place VI_1 (priority 150 -> 160); added VI_3; removed "
        "VI_4; restarted VI_2 (virtual_router_id 52 -> 62)");
}

TEST_CASE("mail settings changed alone are a change of the runtime, said in the summary") {
  const std::string mail =
      "global_defs {\n  notification_email {\n    ops@example.org\n  }\n"
      "  smtp_server 192.0.2.25\n}\n";
  auto p = plan(instance("VI_1", 51, 150), mail + instance("VI_1", 51, 150));
  CHECK_FALSE(p.changesNothing());
  CHECK(p.globalsChanged == std::vector<std::string>{"mail settings"});
  CHECK(of(p, "VI_1").fate == InstanceFate::kUnchanged);
  CHECK(runtime::summarize(p).ends_with("; restarted none; mail settings changed"));
}

TEST_CASE("use_vmac, its name, MAC, vmac_xmit_base and vmac_prefix restart the instance") {
  using Changes = std::vector<std::string>;
  auto on = plan(instance("VI_1", 51, 150), instance("VI_1", 51, 150, "  use_vmac\n"));
  CHECK(of(on, "VI_1").fate == InstanceFate::kRestart);
  CHECK(of(on, "VI_1").changes == Changes{"use_vmac"});
  auto name = plan(instance("VI_1", 51, 150, "  use_vmac\n"),
                   instance("VI_1", 51, 150, "  use_vmac vmac1\n"));
  CHECK(of(name, "VI_1").changes == Changes{"use_vmac"});
  auto mac = plan(instance("VI_1", 51, 150, "  use_vmac vm 02:00:00:00:01\n"),
                  instance("VI_1", 51, 150, "  use_vmac vm 02:00:00:00:02\n"));
  CHECK(of(mac, "VI_1").changes == Changes{"use_vmac"});
  auto base = plan(instance("VI_1", 51, 150, "  use_vmac\n"),
                   instance("VI_1", 51, 150, "  use_vmac\n  vmac_xmit_base\n"));
  CHECK(of(base, "VI_1").fate == InstanceFate::kRestart);
  CHECK(of(base, "VI_1").changes == Changes{"vmac_xmit_base"});
  auto prefix =
      plan(instance("VI_1", 51, 150, "  use_vmac\n"),
           "global_defs {\n  vmac_prefix hfv\n}\n" + instance("VI_1", 51, 150, "  use_vmac\n"));
  CHECK(of(prefix, "VI_1").fate == InstanceFate::kRestart);
  CHECK(of(prefix, "VI_1").changes == Changes{"vmac_prefix vrrp -> hfv"});
  // A named VMAC does not read vmac_prefix.
  auto named =
      plan(instance("VI_1", 51, 150, "  use_vmac vm\n"),
           "global_defs {\n  vmac_prefix hfv\n}\n" + instance("VI_1", 51, 150, "  use_vmac vm\n"));
  CHECK(of(named, "VI_1").fate == InstanceFate::kUnchanged);
}
