// Each bad config is refused with exactly these gcc-style messages: the text is the
// user interface, so the tests pin it.

#include <catch2/catch.hpp>

#include "tests/unit/config_test_util.h"

using holdfast::test::errorsOf;
using holdfast::test::instance;
using Lines = std::vector<std::string>;

namespace {

struct Case {
  const char* name;
  std::string text;
  Lines errors;
};

std::vector<Case> cases() {
  return {
      {"unclosed block at end of file",
       "vrrp_instance VI_1 {\n  interface eth0 virtual_router_id 2\n",
       {"test.conf:2: error: expected '}' to close 'vrrp_instance VI_1' opened at test.conf:1"}},
      {"unclosed block before the next top-level block",
       "global_defs {\n  router_id a\nvrrp_script s {\n  script x\n}\n",
       {"test.conf:3:1: error: expected '}' to close 'global_defs' opened at test.conf:1 before "
        "'vrrp_script'"}},
      {"stray closing brace", "}\n", {"test.conf:1:1: error: unexpected '}' with no block open"}},
      {"misspelt keyword gets a suggestion",
       "global_defs {\n  router_idd x\n}\n",
       {"test.conf:2:3: error: unknown keyword 'router_idd' in global_defs; did you mean "
        "'router_id'?"}},
      {"unknown keyword without a close match",
       "global_defs {\n  frobnicate 1\n}\n",
       {"test.conf:2:3: error: unknown keyword 'frobnicate' in global_defs"}},
      {"unknown top-level keyword",
       "vrrp_instanse VI_1 {\n}\n",
       {"test.conf:1:1: error: unknown keyword 'vrrp_instanse' in the top level; did you mean "
        "'vrrp_instance'?"}},
      {"missing value",
       instance("  priority\n"),
       {"test.conf:5:3: error: expected a number 1-255 after 'priority'"}},
      {"too many values",
       instance("  priority 100 200\n"),
       {"test.conf:5:16: error: unexpected 200 after 'priority 100': 'priority' takes one value "
        "(a number 1-255)"}},
      {"priority out of range",
       instance("  priority 256\n"),
       {"test.conf:5:12: error: 'priority': value 256 is out of range 1-255"}},
      {"priority not a number",
       instance("  priority high\n"),
       {"test.conf:5:12: error: 'priority': expected a whole number 1-255, found 'high'"}},
      {"VRID zero",
       instance("", "VI_1", "0"),
       {"test.conf:3:21: error: 'virtual_router_id': value 0 is out of range 1-255"}},
      {"missing interface",
       "vrrp_instance VI_1 {\n  virtual_router_id 5\n}\n",
       {"test.conf:1:1: error: vrrp_instance 'VI_1' needs 'interface'"}},
      {"missing virtual_router_id",
       "vrrp_instance VI_1 {\n  interface eth0\n}\n",
       {"test.conf:1:1: error: vrrp_instance 'VI_1' needs 'virtual_router_id'"}},
      {"bad state",
       instance("  state PRIMARY\n"),
       {"test.conf:5:9: error: 'state': expected MASTER or BACKUP, found 'PRIMARY'"}},
      {"v2 sub-second advert_int",
       instance("  advert_int 0.5\n"),
       {"test.conf:5:3: error: vrrp_instance 'VI_1': advert_int 500ms is not valid for VRRP "
        "version 2 (whole seconds 1-255; use 'version 3' for sub-second adverts)"}},
      {"v3 advert_int too long",
       instance("  version 3\n  advert_int 41\n"),
       {"test.conf:6:3: error: vrrp_instance 'VI_1': advert_int 41s is not valid for VRRP "
        "version 3 (0.01s-40.95s in steps of 10ms)"}},
      {"bad duration",
       instance("  advert_int fast\n"),
       {"test.conf:5:14: error: 'advert_int': expected a duration such as 300ms, 2s or 1m, "
        "found 'fast'"}},
      {"mixed address families",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n  version 3\n"
       "  virtual_ipaddress {\n    192.0.2.1\n    2001:db8::1\n  }\n}\n",
       {"test.conf:7:5: error: virtual_ipaddress mixes IPv4 and IPv6: 2001:db8::1 is IPv6 but "
        "the first address (test.conf:6) is IPv4; use one vrrp_instance per address family"}},
      {"IPv6 with VRRPv2",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n"
       "  virtual_ipaddress { 2001:db8::1 }\n}\n",
       {"test.conf:1:1: error: vrrp_instance 'VI_1': IPv6 virtual addresses need VRRP version 3 "
        "(add 'version 3')"}},
      {"bad virtual address",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n"
       "  virtual_ipaddress {\n    192.0.2.300/24\n  }\n}\n",
       {"test.conf:5:5: error: expected an IPv4 or IPv6 address, found '192.0.2.300'"}},
      {"bad prefix length",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n"
       "  virtual_ipaddress {\n    192.0.2.1/33\n  }\n}\n",
       {"test.conf:5:5: error: expected a prefix length 0-32 after '/' in '192.0.2.1/33'"}},
      {"label not starting with the device",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n"
       "  virtual_ipaddress {\n    192.0.2.1/24 dev eth1 label eth0:0\n  }\n}\n",
       {"test.conf:5:5: error: label 'eth0:0' must start with 'eth1:' (the kernel requires labels "
        "to begin with the interface name)"}},
      {"track_script names nothing",
       instance("  track_script {\n    chk_web\n  }\n"),
       {"test.conf:6:5: error: track_script 'chk_web' names no vrrp_script"}},
      {"track_backend names nothing",
       instance("  track_backend { web weight -10 }\n"),
       {"test.conf:5:19: error: track_backend 'web' names no backend or backend_group"}},
      {"duplicate instance name",
       instance("", "VI_1", "1") + instance("", "VI_1", "2"),
       {"test.conf:6:1: error: duplicate vrrp_instance 'VI_1' (first declared at test.conf:1)"}},
      {"duplicate interface and VRID",
       instance("", "VI_1", "7") + instance("", "VI_2", "7"),
       {"test.conf:6:1: error: vrrp_instance 'VI_2' uses virtual_router_id 7 on eth0 (IPv4), "
        "already used by 'VI_1' at test.conf:1"}},
      {"priority 255 with a weighted track",
       "vrrp_script s {\n  script \"true\"\n  weight -10\n}\n" +
           instance("  priority 255\n  track_script { s }\n"),
       {"test.conf:10:18: error: 's' has weight -10 but vrrp_instance 'VI_1' has priority 255 "
        "(address owner), which tracking never changes; use weight 0 or a lower priority"}},
      {"weight out of range",
       instance("  track_interface { eth1 weight 300 }\n"),
       {"test.conf:5:33: error: 'weight': value 300 is out of range -253-253"}},
      {"auth_type unknown",
       instance("  authentication {\n    auth_type MD5\n    auth_pass x\n  }\n"),
       {"test.conf:6:15: error: 'auth_type': expected PASS or AH, found 'MD5'"}},
      {"PASS without a password",
       instance("  authentication {\n    auth_type PASS\n  }\n"),
       {"test.conf:5:3: error: authentication with auth_type PASS needs 'auth_pass'"}},
      {"vrrp_script without script",
       "vrrp_script chk {\n  interval 2\n}\n",
       {"test.conf:1:1: error: vrrp_script 'chk' needs a 'script' command"}},
      {"unterminated string",
       "vrrp_script chk {\n  script \"killall -0 nginx\n}\n",
       {"test.conf:2:10: error: unterminated string: expected '\"' before the end of the line"}},
      {"typographic quotes",
       "vrrp_script chk {\n  script \xE2\x80\x9Ckillall\xE2\x80\x9D\n}\n",
       {"test.conf:2:10: error: typographic quote \xE2\x80\x9C (U+201C) where a plain '\"' was "
        "expected (pasted from a web page or word processor?)"}},
      {"block missing its brace",
       "vrrp_instance VI_1\n  interface eth0\n",
       {"test.conf:1:1: error: expected '{' after 'vrrp_instance VI_1'",
        "test.conf:2:3: error: unknown keyword 'interface' in the top level"}},
      {"keyword that takes no block",
       instance("  priority 100 {\n  }\n"),
       {"test.conf:5:16: error: 'priority' does not take a block"}},
      {"sync group names nothing",
       "vrrp_sync_group G {\n  group {\n    VI_9\n  }\n}\n",
       {"test.conf:3:5: error: vrrp_sync_group 'G' names no vrrp_instance 'VI_9'"}},
      {"tcp check without port",
       "backend b {\n  address 192.0.2.5\n  check tcp { interval 1s }\n}\n",
       {"test.conf:3:3: error: tcp check needs a 'port'"}},
      {"check keyword for the wrong kind",
       "backend b {\n  address 192.0.2.5\n  check icmp { port 80 }\n}\n",
       {"test.conf:3:16: error: 'port' does not apply to a icmp check"}},
      {"a fast interval below 10ms",
       "backend b {\n  address 192.0.2.5\n  check icmp {\n    fast_interval 5ms\n  }\n}\n",
       {"test.conf:4:5: error: check fast_interval 5ms is below the minimum of 10ms"}},
      {"a check timeout below 1ms",
       "backend b {\n  address 192.0.2.5\n  check tcp { port 80  timeout 500us }\n}\n",
       {"test.conf:3:24: error: check timeout 500us is below the minimum of 1ms"}},
      {"lock_memory not a boolean",
       "global_defs {\n  lock_memory sometimes\n}\n",
       {"test.conf:2:15: error: 'lock_memory': expected on or off, found 'sometimes'"}},
      {"metrics_listen without a port",
       "global_defs {\n  metrics_listen 127.0.0.1\n}\n",
       {"test.conf:2:18: error: 'metrics_listen': expected ADDR:PORT (e.g. 127.0.0.1:9650 or "
        "[::1]:9650), found '127.0.0.1'"}},
      {"metrics_listen with an IPv6 address outside brackets",
       "global_defs {\n  metrics_listen ::1:9650\n}\n",
       {"test.conf:2:18: error: 'metrics_listen': expected ADDR:PORT (e.g. 127.0.0.1:9650 or "
        "[::1]:9650), found '::1:9650'"}},
      {"metrics_listen port out of range",
       "global_defs {\n  metrics_listen 127.0.0.1:70000\n}\n",
       {"test.conf:2:18: error: 'metrics_listen': expected ADDR:PORT (e.g. 127.0.0.1:9650 or "
        "[::1]:9650), found '127.0.0.1:70000': the port must be 1-65535"}},
      {"checker_threads out of range",
       "global_defs {\n  checker_threads 65\n}\n",
       {"test.conf:2:19: error: 'checker_threads': value 65 is out of range 0-64"}},
      {"vrrp_rt_priority out of range",
       "global_defs {\n  vrrp_rt_priority 100\n}\n",
       {"test.conf:2:20: error: 'vrrp_rt_priority': value 100 is out of range 0-99"}},
      {"unknown check kind",
       "backend b {\n  address 192.0.2.5\n  check udp { }\n}\n",
       {"test.conf:3:9: error: 'check': expected icmp, tcp, http or script, found 'udp'"}},
      {"bad expected status",
       "backend b {\n  address 192.0.2.5\n  check http { expect_status 200-2x9 }\n}\n",
       {"test.conf:3:30: error: expected an HTTP status 100-599 or a range such as 200-299, found "
        "'200-2x9'"}},
      {"backend without address",
       "backend b {\n  check icmp { }\n}\n",
       {"test.conf:1:1: error: backend 'b' needs an 'address'"}},
      {"quorum larger than the group",
       "backend a {\n  address 192.0.2.5\n}\nbackend_group g { backends a  quorum 2 }\n",
       {"test.conf:4:38: error: quorum 2 is larger than the 1 backends of group 'g'; it could "
        "never be up"}},
      {"group names a missing backend",
       "backend a {\n  address 192.0.2.5\n}\nbackend_group g { backends a z }\n",
       {"test.conf:4:30: error: backend_group 'g' names no backend 'z'"}},
      {"include of a missing file",
       "include /nonexistent/holdfast-test.conf\n",
       {"test.conf:1:9: error: cannot read included file '/nonexistent/holdfast-test.conf': no "
        "such file"}},
      {"multicast group of the wrong family",
       "global_defs {\n  vrrp_mcast_group4 ff02::12\n}\n",
       {"test.conf:2:21: error: 'vrrp_mcast_group4': expected an IPv4 multicast address"}},
  };
}

}  // namespace

TEST_CASE("every bad config is refused with its exact error text") {
  auto all = cases();
  REQUIRE(all.size() >= 25);
  for (const Case& c : all) {
    SECTION(c.name) {
      CHECK(errorsOf(c.text) == c.errors);
    }
  }
}

TEST_CASE("all errors of a file are reported in one pass, in source order") {
  std::string text =
      "global_defs {\n  router_idd x\n}\n"
      "vrrp_instance VI_1 {\n  state MASTR\n  interface eth0\n  virtual_router_id 300\n"
      "  virtual_ipaddress { 192.0.2.1 }\n}\n";
  Lines errors = errorsOf(text);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].starts_with("test.conf:2:3: error: unknown keyword 'router_idd'"));
  CHECK(errors[1].starts_with("test.conf:5:9: error: 'state'"));
  CHECK(errors[2].starts_with("test.conf:7:21: error: 'virtual_router_id'"));
}

TEST_CASE("a binary file does not produce unbounded errors") {
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += "x" + std::to_string(i) + "\n";
  Lines errors = errorsOf(junk);
  CHECK(static_cast<int>(errors.size()) == holdfast::config::Diagnostics::kMaxErrors);
  CHECK(errors.back().ends_with("(too many errors; stopping here)"));
}
