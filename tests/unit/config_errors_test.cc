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
      {"unclosed block before the next top-level block",
       "global_defs {\n  router_id a\nvrrp_script s {\n  script x\n}\n",
       {"test.conf:3:1: error: expected '}' to close 'global_defs' opened at test.conf:1 before "
        "'vrrp_script'"}},
      {"VRID zero leaves the instance without one",
       instance("", "VI_1", "0"),
       {"test.conf:1:1: error: vrrp_instance 'VI_1' needs 'virtual_router_id'"}},
      {"missing interface",
       "vrrp_instance VI_1 {\n  virtual_router_id 5\n  virtual_ipaddress { 192.0.2.1 }\n}\n",
       {"test.conf:1:1: error: vrrp_instance 'VI_1' needs 'interface'"}},
      {"missing virtual_router_id",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_ipaddress { 192.0.2.1 }\n}\n",
       {"test.conf:1:1: error: vrrp_instance 'VI_1' needs 'virtual_router_id'"}},
      {"no VIP with VRRP version 3",
       "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n  version 3\n}\n",
       {"test.conf:1:1: error: vrrp_instance 'VI_1' has no virtual_ipaddress; keepalived "
        "requires one with VRRP version 3"}},
      {"no VIP with vrrp_strict",
       "global_defs {\n  vrrp_strict\n}\nvrrp_instance VI_1 {\n  interface eth0\n"
       "  virtual_router_id 1\n}\n",
       {"test.conf:4:1: error: vrrp_instance 'VI_1' has no virtual_ipaddress; keepalived "
        "requires one with vrrp_strict"}},
      {"track_backend names nothing",
       instance("  track_backend { web weight -10 }\n"),
       {"test.conf:5:19: error: track_backend 'web' names no backend or backend_group"}},
      {"duplicate interface and VRID",
       instance("", "VI_1", "7") + instance("", "VI_2", "7"),
       {"test.conf:6:1: error: vrrp_instance 'VI_2' uses virtual_router_id 7 on eth0 (IPv4), "
        "already used by 'VI_1' at test.conf:1"}},
      {"priority 255 with a weighted backend",
       "backend b {\n  address 192.0.2.5\n}\n" +
           instance("  priority 255\n  track_backend { b weight -10 }\n"),
       {"test.conf:9:19: error: 'b' has weight -10 but vrrp_instance 'VI_1' has priority 255 "
        "(address owner), which tracking never changes; use weight 0 or a lower priority"}},
      {"auth_type AH",
       instance("  authentication {\n    auth_type AH\n    auth_pass x\n  }\n"),
       {"test.conf:6:15: error: 'auth_type': AH is not supported by holdfast (RFC 3768 "
        "deprecated it and RFC 5798 removed authentication); running without it would make "
        "this node a second master beside an AH peer. Use PASS on both nodes, or remove the "
        "authentication block from both"}},
      {"tcp check without port",
       "backend b {\n  address 192.0.2.5\n  check tcp { interval 1s }\n}\n",
       {"test.conf:3:3: error: tcp check needs a 'port'"}},
      {"check keyword for the wrong kind",
       "backend b {\n  address 192.0.2.5\n  check icmp { port 80 }\n}\n",
       {"test.conf:3:16: error: 'port' does not apply to a icmp check"}},
      {"unknown keyword in a backend",
       "backend b {\n  adress 192.0.2.5\n}\n",
       {"test.conf:1:1: error: backend 'b' needs an 'address'",
        "test.conf:2:3: error: unknown keyword 'adress' in backend; did you mean 'address'?"}},
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
  };
}

}  // namespace

TEST_CASE("every bad config is refused with its exact error text") {
  auto all = cases();
  REQUIRE(all.size() >= 20);
  for (const Case& c : all) {
    SECTION(c.name) {
      CHECK(errorsOf(c.text) == c.errors);
    }
  }
}

TEST_CASE("all errors of a file are reported in one pass, in source order") {
  std::string text =
      "backend b {\n  adress x\n}\n"
      "vrrp_instance VI_1 {\n  state MASTR\n  interface eth0\n  virtual_router_id 300\n"
      "  virtual_ipaddress { 192.0.2.1 }\n}\n";
  Lines errors = errorsOf(text);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].starts_with("test.conf:1:1: error: backend 'b' needs an 'address'"));
  CHECK(errors[1].starts_with("test.conf:2:3: error: unknown keyword 'adress'"));
  CHECK(errors[2].starts_with("test.conf:4:1: error: vrrp_instance 'VI_1' needs"));
}

TEST_CASE("a binary file does not produce unbounded errors or warnings") {
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += "backend x" + std::to_string(i) + " {\n}\n";
  Lines errors = errorsOf(junk);
  CHECK(static_cast<int>(errors.size()) == holdfast::config::Diagnostics::kMaxErrors);
  CHECK(errors.back().ends_with("(too many errors; stopping here)"));
  std::string lines;
  for (int i = 0; i < 5000; ++i) lines += "x" + std::to_string(i) + "\n";
  Lines warnings = holdfast::test::warningsOf(lines);
  CHECK(static_cast<int>(warnings.size()) == holdfast::config::Diagnostics::kMaxWarnings);
  CHECK(warnings.back().ends_with("(too many warnings; the rest are not shown)"));
}

TEST_CASE("conflict_action with a value it does not know is a tolerated mistake at its column") {
  const std::string text =
      "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 5\n  virtual_ipaddress { "
      "192.0.2.1 }\n  conflict_action loud\n}\n";
  CHECK(errorsOf(text).empty());
  CHECK(holdfast::test::warningsOf(text) ==
        Lines{"test.conf:5:19: warning: 'conflict_action': expected none, announce or off, found "
              "'loud'; ignored, as keepalived does"});
}
