// Good configs load into the typed model with keepalived's meanings and defaults.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/config/loader.h"
#include "core/config/summary.h"
#include "tests/unit/config_test_util.h"

using namespace holdfast::config;
using namespace std::chrono_literals;
using holdfast::test::errorsOf;
using holdfast::test::warningsOf;

namespace {

Config load(const std::string& text) {
  LoadResult r = loadText(text, "test.conf");
  INFO(r.diagnostics.str());
  REQUIRE(r.config);
  return *r.config;
}

const char* kClassic = R"(
global_defs {
   notification_email {
     admin@example.com
     ops@example.com
   }
   notification_email_from lb@example.com
   smtp_server 192.0.2.25 2525
   router_id LB1
}
vrrp_script check_nginx {
    script "pidof nginx"
    interval 2
    weight -20
    fall 3
    rise 2
}
vrrp_instance VI_1
{
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        172.16.12.254/16 dev eth0 label eth0:0
        192.0.2.100
    }
    track_script {
        check_nginx
    }
    notify_master "/etc/keepalived/notify.sh master"
    notify_backup /etc/keepalived/notify.sh backup
}
)";

}  // namespace

TEST_CASE("the classic nginx pair config loads with keepalived's meaning") {
  Config c = load(kClassic);
  CHECK(c.global.routerId == "LB1");
  CHECK(c.global.notificationEmails ==
        std::vector<std::string>{"admin@example.com", "ops@example.com"});
  REQUIRE(c.global.smtpServer);
  CHECK(c.global.smtpServer->host == "192.0.2.25");
  CHECK(c.global.smtpServer->port == 2525);

  REQUIRE(c.scripts.size() == 1);
  const VrrpScript& s = c.scripts[0];
  CHECK(s.command == "pidof nginx");
  CHECK(s.interval == 2s);
  CHECK(s.weight == -20);
  CHECK(s.fall == 3);
  CHECK(s.rise == 2);

  REQUIRE(c.instances.size() == 1);
  const VrrpInstance& vi = c.instances[0];
  CHECK(vi.initialState == InitialState::kMaster);
  CHECK(vi.interface == "eth0");
  CHECK(vi.virtualRouterId == 51);
  CHECK(vi.priority == 100);
  CHECK(vi.advertInterval == 1s);
  CHECK(vi.version == 2);
  CHECK(vi.auth.type == AuthType::kPass);
  CHECK(vi.auth.pass == "1111");
  REQUIRE(vi.virtualAddresses.size() == 2);
  CHECK(vi.virtualAddresses[0].address.to_string() == "172.16.12.254");
  CHECK(vi.virtualAddresses[0].prefixLength == 16);
  CHECK(vi.virtualAddresses[0].dev == "eth0");
  CHECK(vi.virtualAddresses[0].label == "eth0:0");
  CHECK(vi.virtualAddresses[1].prefixLength == 32);
  CHECK(vi.family == AddressFamily::kIPv4);
  REQUIRE(vi.trackScripts.size() == 1);
  CHECK(vi.trackScripts[0].name == "check_nginx");
  CHECK_FALSE(vi.trackScripts[0].hasWeight);
  CHECK(vi.notify.master == "/etc/keepalived/notify.sh master");
  CHECK(vi.notify.backup == "/etc/keepalived/notify.sh backup");
  CHECK(vi.preempt);
}

TEST_CASE("values remember the line they were given on") {
  Config c = load(kClassic);
  const VrrpInstance& vi = c.instances[0];
  CHECK(vi.where.str() == "test.conf:18:1");
  CHECK(vi.locations.at("priority", vi.where).str() == "test.conf:23:5");
  CHECK(vi.virtualAddresses[1].where.str() == "test.conf:31:9");
}

TEST_CASE("one-line blocks of holdfast's own hold several statements") {
  Config c = load(R"(
backend web1 {
    address 192.0.2.21
    check icmp { interval 1s  timeout 300ms  fall 3  rise 2 }
    check http { port 8080  path /health  expect_status 200-299 301  expect_body "UP"  host app.example }
}
backend web2 { address 2001:db8::22 }
backend_group web { backends web1 web2  quorum 1 }
vrrp_instance VI_1 { interface eth0
    virtual_router_id 9
    virtual_ipaddress { 192.0.2.1 }
    track_backend { web1 weight -50   web weight -20 }
}
)");
  REQUIRE(c.backends.size() == 2);
  const Backend& b = c.backends[0];
  REQUIRE(b.checks.size() == 2);
  CHECK(b.checks[0].kind == CheckKind::kIcmp);
  CHECK(b.checks[0].interval == 1s);
  CHECK(b.checks[0].timeout == 300ms);
  CHECK(b.checks[0].fall == 3);
  CHECK(b.checks[0].rise == 2);
  const CheckSpec& http = b.checks[1];
  CHECK(http.port == 8080);
  CHECK(http.path == "/health");
  REQUIRE(http.expectStatus.size() == 2);
  CHECK(http.expectStatus[0].low == 200);
  CHECK(http.expectStatus[0].high == 299);
  CHECK(http.expectStatus[1].low == 301);
  CHECK(http.expectBody == "UP");
  CHECK(http.host == "app.example");
  CHECK(c.backends[1].address.is_v6());
  REQUIRE(c.backendGroups.size() == 1);
  CHECK(c.backendGroups[0].members.size() == 2);
  CHECK(c.backendGroups[0].quorum == 1);
  const auto& tb = c.instances[0].trackBackends;
  REQUIRE(tb.size() == 2);
  CHECK(tb[0].name == "web1");
  CHECK(tb[0].weight == -50);
  CHECK(tb[1].name == "web");
  CHECK(tb[1].weight == -20);
}

TEST_CASE("check defaults: rise 2, fall 3, down until proven up, http port 80") {
  Config c = load("backend b {\n  address 192.0.2.5\n  check http { }\n}\n");
  const CheckSpec& k = c.backends[0].checks[0];
  CHECK(k.rise == 2);
  CHECK(k.fall == 3);
  CHECK_FALSE(k.initiallyUp);
  CHECK(k.port == 80);
  CHECK(k.method == "GET");
  CHECK(k.path == "/");
}

TEST_CASE("VRRPv3 takes sub-second adverts and IPv6, from global_defs wherever it stands") {
  Config c = load(R"(
vrrp_instance VI_6 {
  interface eth0
  virtual_router_id 1
  advert_int 0.01
  virtual_ipaddress { 2001:db8::1/64 }
}
global_defs { vrrp_version 3 }
)");
  const VrrpInstance& vi = c.instances[0];
  CHECK(vi.version == 3);
  CHECK(vi.advertInterval == 10ms);
  CHECK(vi.family == AddressFamily::kIPv6);
  CHECK(vi.virtualAddresses[0].prefixLength == 64);
}

TEST_CASE("keepalived keywords holdfast does not implement are accepted with a warning") {
  std::string text =
      "global_defs {\n  enable_snmp_vrrp\n  lvs_id LB\n}\n"
      "virtual_server 192.0.2.1 80 {\n  delay_loop 6\n  real_server 192.0.2.2 80 {\n"
      "    weight 1\n  }\n}\n";
  text += holdfast::test::instance("");
  CHECK(errorsOf(text).empty());
  CHECK(holdfast::test::noEffectOf(text) ==
        std::vector<std::string>{
            "test.conf:2:3: warning: 'enable_snmp_vrrp' is a keepalived SNMP keyword; holdfast "
            "has no SNMP agent (it serves Prometheus metrics, see metrics_listen): no effect",
            "test.conf:3:3: warning: 'lvs_id' is a keepalived LVS keyword; holdfast does not do "
            "load balancing (IPVS): no effect",
            "test.conf:5:1: warning: 'virtual_server' is a keepalived LVS keyword; holdfast does "
            "not do load balancing (IPVS): no effect"});
}

TEST_CASE("auth_pass longer than 8 characters warns and keeps the first 8") {
  std::string text = holdfast::test::instance(
      "  authentication {\n    auth_type PASS\n    auth_pass 0123456789\n  }\n");
  auto w = warningsOf(text);
  REQUIRE(w.size() == 1);
  CHECK(w[0] ==
        "test.conf:7:15: warning: auth_pass is longer than 8 characters; only the first 8 "
        "('01234567') are used, as keepalived does");
  CHECK(load(text).instances[0].auth.pass == "01234567");
}

TEST_CASE("a keyword given twice warns and the last one wins") {
  std::string text = holdfast::test::instance("  priority 10\n  priority 20\n");
  CHECK(warningsOf(text) ==
        std::vector<std::string>{"test.conf:6:3: warning: 'priority' given more than once; the "
                                 "last one wins"});
  CHECK(load(text).instances[0].priority == 20);
}

TEST_CASE("a script with shell syntax is kept whole for /bin/sh -c") {
  Config c = load("vrrp_script chk {\n  script \"[[ -f /tmp/down ]] && exit 1 || exit 0\"\n}\n");
  CHECK(c.scripts[0].command == "[[ -f /tmp/down ]] && exit 1 || exit 0");
}

TEST_CASE("vrrp_garp_interval 0 is valid") {
  Config c = load("global_defs {\n  vrrp_garp_interval 0\n}\n" + holdfast::test::instance(""));
  CHECK(c.global.garpInterval == 0s);
}

TEST_CASE("the summary names instances, VIPs, tracks and backends") {
  Config c = load(kClassic);
  std::string s = summarize(c);
  CHECK_THAT(s, Catch::Contains("vrrp_instance VI_1: eth0 vrid 51 VRRPv2 IPv4, starts MASTER, "
                                "priority 100, advert_int 1s, auth PASS"));
  CHECK_THAT(s, Catch::Contains("VIP 172.16.12.254/16 dev eth0 label eth0:0"));
  CHECK_THAT(s, Catch::Contains("track script check_nginx weight -20"));
}

TEST_CASE("includes expand globs relative to the including file, in sorted order") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("holdfast-include-" + std::to_string(::getpid()));
  fs::create_directories(dir / "conf.d");
  std::ofstream(dir / "main.conf") << "include conf.d/*.conf\n";
  std::ofstream(dir / "conf.d" / "b.conf") << holdfast::test::instance("", "VI_B", "2");
  std::ofstream(dir / "conf.d" / "a.conf") << holdfast::test::instance("", "VI_A", "1");
  LoadResult r = loadFile((dir / "main.conf").string());
  INFO(r.diagnostics.str());
  REQUIRE(r.config);
  REQUIRE(r.config->instances.size() == 2);
  CHECK(r.config->instances[0].name == "VI_A");
  CHECK(r.config->instances[1].name == "VI_B");
  CHECK(r.config->files.size() == 3);
  CHECK(r.config->instances[1].where.str() == (dir / "conf.d" / "b.conf").string() + ":1:1");
  fs::remove_all(dir);
}

TEST_CASE("an include cycle is an error, not a hang") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("holdfast-cycle-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.conf") << "include b.conf\n";
  std::ofstream(dir / "b.conf") << "include a.conf\n";
  LoadResult r = loadFile((dir / "a.conf").string());
  REQUIRE_FALSE(r.config);
  REQUIRE(r.diagnostics.errorCount() == 1);
  std::string a = fs::canonical(dir / "a.conf").string();
  std::string b = fs::canonical(dir / "b.conf").string();
  CHECK(format(r.diagnostics.all()[0]) ==
        (dir / "b.conf").string() + ":1:9: error: include cycle: " + a + " -> " + b + " -> " + a);
  fs::remove_all(dir);
}

TEST_CASE("a missing config file is one clear error") {
  LoadResult r = loadFile("/nonexistent/holdfast.conf");
  REQUIRE_FALSE(r.config);
  CHECK(r.diagnostics.str() ==
        "/nonexistent/holdfast.conf: error: cannot read config file: No such file or directory\n");
}
