// What keepalived 2.2.7 tolerates, holdfastd tolerates the same way: the config
// loads, the model holds keepalived's fallback, and each mistake is one warning at
// file:line:col that names it and says what was done. One case per pattern found in
// real keepalived.conf files (the drop-in issue's list).

#include <catch2/catch.hpp>
#include <functional>

#include "tests/unit/config_test_util.h"

using namespace holdfast::config;
using holdfast::test::instance;
using holdfast::test::loadOrFail;
using holdfast::test::warningsOf;
using Lines = std::vector<std::string>;

namespace {

struct Case {
  const char* name;
  std::string text;
  Lines warnings;
  std::function<void(const Config&)> model;
};

const VrrpInstance& first(const Config& c) {
  REQUIRE(!c.instances.empty());
  return c.instances.front();
}

std::string script(const std::string& name, const std::string& extra = "") {
  return "vrrp_script " + name + " {\n  script \"/bin/true\"\n" + extra + "}\n";
}

std::vector<Case> cases() {
  return {
      {"1. notification_email takes bare names",
       "global_defs {\n  notification_email {\n    acassen\n    ops@example.org\n  }\n}\n" +
           instance(""),
       {},
       [](const Config& c) {
         CHECK(c.global.notificationEmails ==
               std::vector<std::string>{"acassen", "ops@example.org"});
       }},
      {"2. priority 255 ignores a weighted track_script",
       script("chk", "  weight -20\n") +
           instance("  priority 255\n  track_script {\n    chk\n  }\n"),
       {"test.conf:11:5: warning: vrrp_instance 'VI_1' is priority 255 (the address owner, which "
        "tracking never changes): tracked script 'chk' with weight -20 is ignored, as keepalived "
        "does"},
       [](const Config& c) {
         CHECK(first(c).trackScripts.empty());
         CHECK(first(c).initialState == InitialState::kMaster);
       }},
      {"2. priority 255 keeps an unweighted track_script (a fault)",
       script("chk") + instance("  priority 255\n  track_script { chk }\n"),
       {},
       [](const Config& c) { CHECK(first(c).trackScripts.size() == 1); }},
      {"3. state SLAVE starts as BACKUP",
       instance("  state SLAVE\n"),
       {"test.conf:5:9: warning: state SLAVE is not MASTER or BACKUP: starting as BACKUP, as "
        "keepalived does"},
       [](const Config& c) { CHECK(first(c).initialState == InitialState::kBackup); }},
      {"3. state BACKUP|MASTER starts as BACKUP",
       instance("  state BACKUP|MASTER\n"),
       {"test.conf:5:9: warning: state BACKUP|MASTER is not MASTER or BACKUP: starting as "
        "BACKUP, as keepalived does"},
       [](const Config& c) { CHECK(first(c).initialState == InitialState::kBackup); }},
      {"4. a value after a keyword that takes none is ignored",
       "global_defs {\n  enable_script_security 1\n}\n" + instance("  nopreempt 1\n"),
       {"test.conf:2:26: warning: unexpected 1 after 'enable_script_security': "
        "'enable_script_security' takes no value; ignored, as keepalived does",
        "test.conf:8:13: warning: unexpected 1 after 'nopreempt': 'nopreempt' takes no value; "
        "ignored, as keepalived does"},
       [](const Config& c) {
         CHECK(!first(c).preempt);
         CHECK(c.global.enableScriptSecurity);
       }},
      {"5. unicast addresses written with a prefix",
       instance("  unicast_src_ip 192.0.2.11/24\n  unicast_peer {\n    192.0.2.12/24\n  }\n"),
       {"test.conf:5:18: warning: 'unicast_src_ip': '/24' after 192.0.2.11 is ignored (an "
        "address, not a prefix or range); using 192.0.2.11, as keepalived does",
        "test.conf:7:5: warning: 'unicast_peer': '/24' after 192.0.2.12 is ignored (an address, "
        "not a prefix or range); using 192.0.2.12, as keepalived does"},
       [](const Config& c) {
         CHECK(first(c).unicastSrcIp->to_string() == "192.0.2.11");
         REQUIRE(first(c).unicastPeers.size() == 1);
         CHECK(first(c).unicastPeers[0].to_string() == "192.0.2.12");
       }},
      {"6. auth_type PASS; is an unknown type: no authentication",
       instance("  authentication {\n    auth_type PASS;\n    auth_pass secret\n  }\n"),
       {"test.conf:6:15: warning: 'auth_type': unknown authentication type 'PASS;' (PASS or "
        "AH); no authentication, as keepalived does"},
       [](const Config& c) { CHECK(first(c).auth.type == AuthType::kNone); }},
      {"6. PASS without a password: no authentication",
       instance("  authentication {\n    auth_type PASS\n  }\n"),
       {"test.conf:5:3: warning: authentication with auth_type PASS but no auth_pass; no "
        "authentication, as keepalived does"},
       [](const Config& c) { CHECK(first(c).auth.type == AuthType::kNone); }},
      {"7. priority 100,comment: the default priority",
       instance("  priority 150\n  priority 100,comment\n"),
       {"test.conf:6:3: warning: 'priority' given more than once; the last one wins",
        "test.conf:6:12: warning: 'priority': expected a whole number 1-255, found "
        "'100,comment'; using the default 100, as keepalived does"},
       [](const Config& c) { CHECK(first(c).priority == 100); }},
      {"7. a bad advert_int keeps the default",
       instance("  advert_int abc\n"),
       {"test.conf:5:14: warning: 'advert_int': expected a duration such as 300ms, 2s or 1m, "
        "found 'abc'; ignored, as keepalived does"},
       [](const Config& c) { CHECK(first(c).advertInterval == std::chrono::seconds(1)); }},
      {"8. a keyword in the wrong block is named and skipped",
       "global_defs {\n  garp_master_delay 5\n}\n" + instance(""),
       {"test.conf:2:3: warning: unknown keyword 'garp_master_delay' in global_defs "
        "('garp_master_delay' belongs in vrrp_instance); skipped with its values and block, as "
        "keepalived does"},
       [](const Config& c) {
         CHECK(c.global.garpMasterDelay == std::chrono::seconds(5));
         CHECK(!first(c).garpMasterDelay);
       }},
      {"8. enable_script_security at the top level",
       "enable_script_security\n" + instance(""),
       {"test.conf:1:1: warning: unknown keyword 'enable_script_security' in the top level "
        "('enable_script_security' belongs in global_defs); skipped with its values and block, "
        "as keepalived does"},
       [](const Config& c) { CHECK(!c.global.enableScriptSecurity); }},
      {"8. a misspelling copied from old docs gets a suggestion",
       "global_defs {\n  lvs_sync_daemon_inteface eth0\n}\n" + instance(""),
       {"test.conf:2:3: warning: unknown keyword 'lvs_sync_daemon_inteface' in global_defs "
        "(did you mean 'lvs_sync_daemon_interface' (a vrrp_instance keyword)?); skipped with its "
        "values and block, as keepalived does"},
       {}},
      {"8. a block of another build is skipped whole",
       "local_address_group laddr_g1 {\n  192.0.2.200\n  192.0.2.201\n}\n" + instance(""),
       {"test.conf:1:1: warning: unknown keyword 'local_address_group' in the top level; "
        "skipped with its values and block, as keepalived does"},
       [](const Config& c) { CHECK(c.instances.size() == 1); }},
      {"9. a sync group without group is removed",
       "vrrp_sync_group VG_1 {\n  notify_master /bin/true\n}\n" + instance(""),
       {"test.conf:1:1: warning: vrrp_sync_group 'VG_1' has no instance (it needs 'group { "
        "INSTANCE... }'); removed, its instances run on their own, as keepalived does"},
       [](const Config& c) { CHECK(c.syncGroups.empty()); }},
      {"9. a sync group member that names nothing is ignored",
       "vrrp_sync_group VG_1 {\n  group {\n    VI_1\n    VI_9\n  }\n}\n" + instance(""),
       {"test.conf:1:1: warning: vrrp_sync_group 'VG_1' has only one instance ('VI_1'): a group "
        "syncs nothing; this probably isn't what you want",
        "test.conf:4:5: warning: vrrp_sync_group 'VG_1' names no vrrp_instance 'VI_9'; ignored, "
        "as keepalived does"},
       [](const Config& c) { CHECK(c.syncGroups.at(0).members.size() == 1); }},
      {"10. the other family's VIPs are skipped",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n"
       "  virtual_ipaddress {\n    192.0.2.1/24\n    2001:db8::1/64\n    192.0.2.2/24\n  }\n}\n",
       {"test.conf:6:5: warning: vrrp_instance 'VI_1': 2001:db8::1 is IPv6 but the instance is "
        "IPv4 (from its first address); the address is skipped, as keepalived does; use one "
        "vrrp_instance per address family"},
       [](const Config& c) {
         CHECK(first(c).virtualAddresses.size() == 2);
         CHECK(first(c).family == AddressFamily::kIPv4);
       }},
      {"10. an IPv6 first address makes an IPv6, VRRPv3 instance",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n"
       "  virtual_ipaddress {\n    2001:db8::1/64\n    192.0.2.1/24\n  }\n}\n",
       {"test.conf:6:5: warning: vrrp_instance 'VI_1': 192.0.2.1 is IPv4 but the instance is "
        "IPv6 (from its first address); the address is skipped, as keepalived does; use one "
        "vrrp_instance per address family"},
       [](const Config& c) {
         CHECK(first(c).family == AddressFamily::kIPv6);
         CHECK(first(c).version == 3);
       }},
      {"11. a duplicate vrrp_instance is skipped",
       instance("  priority 110\n", "VI_1", "1") + instance("  priority 120\n", "VI_1", "2"),
       {"test.conf:7:1: warning: duplicate vrrp_instance 'VI_1' (first declared at test.conf:1); "
        "the second is skipped, as keepalived does"},
       [](const Config& c) {
         REQUIRE(c.instances.size() == 1);
         CHECK(first(c).priority == 110);
       }},
      {"12. missing closing braces at the end of the file",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n"
       "  virtual_ipaddress {\n    192.0.2.1/24\n",
       {"test.conf:5: warning: expected '}' to close 'virtual_ipaddress' opened at test.conf:4; "
        "the block ends at the end of the file, as keepalived does",
        "test.conf:5: warning: expected '}' to close 'vrrp_instance VI_1' opened at test.conf:1; "
        "the block ends at the end of the file, as keepalived does"},
       [](const Config& c) { CHECK(first(c).virtualAddresses.size() == 1); }},
      {"12. CRLF line ends and Latin-1 bytes in comments",
       "! Konfiguration f\xFCr den Lastverteiler\r\nvrrp_instance VI_1 {\r\n  interface eth0\r\n"
       "  virtual_router_id 1 # \xE9t\xE9\r\n  virtual_ipaddress {\r\n    192.0.2.1/24\r\n  }\r\n}"
       "\r\n",
       {},
       [](const Config& c) {
         CHECK(first(c).interface == "eth0");
         CHECK(first(c).virtualRouterId == 1);
       }},
      {"13. track_script naming no vrrp_script is ignored",
       instance("  track_script {\n    chk_web\n  }\n"),
       {"test.conf:6:5: warning: track_script 'chk_web' names no vrrp_script; ignored, as "
        "keepalived does"},
       [](const Config& c) { CHECK(first(c).trackScripts.empty()); }},
      {"nopreempt with state MASTER: nopreempt cleared, starts MASTER",
       instance("  state MASTER\n  priority 150\n  nopreempt\n"),
       {"test.conf:7:3: warning: vrrp_instance 'VI_1': nopreempt does not work with state "
        "MASTER; nopreempt cleared (the instance starts as MASTER and preempts), as keepalived "
        "does. Use state BACKUP on every node for nopreempt"},
       [](const Config& c) {
         CHECK(first(c).initialState == InitialState::kMaster);
         CHECK(first(c).preempt);
       }},
      {"state MASTER without a priority is the address owner",
       instance("  state MASTER\n"),
       {"test.conf:5:3: warning: vrrp_instance 'VI_1': state MASTER without a priority: "
        "priority 255 (the address owner), as keepalived does; write 'priority' to choose "
        "another"},
       [](const Config& c) { CHECK(first(c).priority == 255); }},
      {"priority 255 without a state starts as MASTER",
       instance("  priority 255\n"),
       {},
       [](const Config& c) { CHECK(first(c).initialState == InitialState::kMaster); }},
      {"a VRRPv2 sub-second advert_int is rounded",
       instance("  advert_int 0.4\n"),
       {"test.conf:5:3: warning: vrrp_instance 'VI_1': advert_int 400ms is not valid: whole "
        "seconds 1-255 in VRRP version 2 (RFC 3768 5.3.7; use 'version 3' for sub-second "
        "adverts); using 1s, as keepalived does"},
       [](const Config& c) { CHECK(first(c).advertInterval == std::chrono::seconds(1)); }},
      {"vrrp_strict: authentication ignored, no_accept by default",
       "global_defs {\n  vrrp_strict\n}\n" +
           instance("  authentication {\n    auth_type PASS\n    auth_pass secret\n  }\n"),
       {"test.conf:8:3: warning: vrrp_instance 'VI_1': vrrp_strict does not allow "
        "authentication; ignored, as keepalived does"},
       [](const Config& c) {
         CHECK(first(c).auth.type == AuthType::kNone);
         CHECK(!first(c).accept);
       }},
      {"a sync group member's weighted script is ignored",
       script("chk", "  weight -20\n") +
           "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n" +
           instance("  track_script { chk }\n", "VI_1", "1") + instance("", "VI_2", "2"),
       {"test.conf:15:18: warning: vrrp_instance 'VI_1' is a vrrp_sync_group member (the group "
        "has no sync_group_tracking_weight): tracked script 'chk' with weight -20 is ignored, as "
        "keepalived does"},
       [](const Config& c) { CHECK(first(c).trackScripts.empty()); }},
      {"sync_group_tracking_weight keeps the weights",
       script("chk", "  weight -20\n") +
           "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n"
           "  sync_group_tracking_weight\n}\n" +
           instance("  track_script { chk }\n", "VI_1", "1") + instance("", "VI_2", "2"),
       {},
       [](const Config& c) { CHECK(first(c).trackScripts.size() == 1); }},
      {"several addresses on one line: keepalived takes the first",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n"
       "  virtual_ipaddress {\n    192.0.2.1/24 192.0.2.2/24\n  }\n}\n",
       {"test.conf:5:18: warning: unknown option '192.0.2.2/24' for '192.0.2.1/24' in "
        "virtual_ipaddress (one item per line); ignored, as keepalived does"},
       [](const Config& c) { CHECK(first(c).virtualAddresses.size() == 1); }},
      {"a '#' inside a word starts a comment",
       instance("  authentication {\n    auth_type PASS\n    auth_pass ab#cd\n  }\n"),
       {"test.conf:7:17: warning: '#' inside a word starts a comment: the rest of the line is "
        "ignored, as keepalived does (write \\# or quote the value to keep it)"},
       [](const Config& c) { CHECK(first(c).auth.pass == "ab"); }},
      {"the rest of a line after a statement is ignored, keywords too",
       instance("  priority 100 nopreempt\n"),
       {"test.conf:5:16: warning: unexpected nopreempt after 'priority 100': 'priority' takes "
        "one value (a number 1-255); ignored, as keepalived does"},
       [](const Config& c) { CHECK(first(c).preempt); }},
      {"a one-line vrrp_script keeps only its script, as keepalived reads it",
       "vrrp_script chk { script \"/bin/true\" interval 2 weight -20 }\n" +
           instance("  track_script { chk }\n"),
       {},
       [](const Config& c) {
         CHECK(c.scripts.at(0).command == "/bin/true interval 2 weight -20");
         CHECK(c.scripts.at(0).weight == 0);
       }},
      {"an include of a file that is not there is skipped",
       "include /nonexistent/holdfast-test.conf\n" + instance(""),
       {"test.conf:1:9: warning: cannot read included file '/nonexistent/holdfast-test.conf': "
        "no such file; skipped, as keepalived does"},
       {}},
      {"keepalived's include variants read their files too",
       "includer /nonexistent/holdfast-test.conf\n" + instance(""),
       {"test.conf:1:10: warning: cannot read included file '/nonexistent/holdfast-test.conf': "
        "no such file; skipped, as keepalived does"},
       {}},
      {"a block keyword without '{' reads the next lines as its block",
       "vrrp_instance VI_1\n  interface eth0\n  virtual_router_id 1\n"
       "  virtual_ipaddress { 192.0.2.1 }\n}\n",
       {"test.conf:1:1: warning: expected '{' after 'vrrp_instance VI_1'; the lines that follow "
        "are read as its block, as keepalived does"},
       [](const Config& c) { CHECK(first(c).virtualRouterId == 1); }},
  };
}

}  // namespace

TEST_CASE("what keepalived tolerates loads with keepalived's fallback and exact warnings") {
  for (const Case& c : cases()) {
    SECTION(c.name) {
      CHECK(warningsOf(c.text) == c.warnings);
      Config cfg = loadOrFail(c.text);
      if (c.model) c.model(cfg);
    }
  }
}
