// The keyword tables are consistent: a keyword is implemented or known without effect,
// never both, and never listed twice. (Which keepalived keywords they must hold is
// tests/cli/keyword_census_test.sh's business: it reads keepalived.conf(5).)

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/config/schema.h"
#include "tests/unit/config_test_util.h"

using namespace holdfast::config;

namespace {

// Every block reachable from the top level, each once.
std::vector<const BlockSpec*> allBlocks() {
  std::vector<const BlockSpec*> out{&rootSpec()};
  for (size_t i = 0; i < out.size(); ++i) {
    for (const KeywordSpec& k : out[i]->keywords) {
      if (k.block && std::find(out.begin(), out.end(), k.block) == out.end()) {
        out.push_back(k.block);
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("no keyword is both implemented and without effect, or listed twice") {
  auto blocks = allBlocks();
  CHECK(blocks.size() >= 10);
  for (const BlockSpec* b : blocks) {
    INFO("block " << b->what);
    std::set<std::string_view> implemented;
    for (const KeywordSpec& k : b->keywords) CHECK(implemented.insert(k.name).second);
    for (const KeywordSpec& k : b->itemModifiers) CHECK(implemented.insert(k.name).second);
    std::set<std::string_view> noEffect;
    for (const UnimplementedSpec& u : b->unimplemented) {
      INFO("keyword " << u.name);
      CHECK(noEffect.insert(u.name).second);
      CHECK_FALSE(implemented.contains(u.name));
      CHECK(b->findUnimplemented(u.name) == &u);
      // Only a word after a list item takes a counted number of values.
      if (!b->isList) CHECK(u.maxArgs == 0);
    }
  }
}

TEST_CASE(
    "the no-effect warning says why: LVS, SNMP, DBus, BFD, keepalived's processes, or "
    "not built yet") {
  CHECK(noEffectMessage("virtual_server", NoEffect::kLvs) ==
        "'virtual_server' is a keepalived LVS keyword; holdfast does not do load balancing "
        "(IPVS): no effect");
  CHECK(noEffectMessage("enable_traps", NoEffect::kSnmp) ==
        "'enable_traps' is a keepalived SNMP keyword; holdfast has no SNMP agent (it serves "
        "Prometheus metrics, see metrics_listen): no effect");
  CHECK(noEffectMessage("enable_dbus", NoEffect::kDbus) ==
        "'enable_dbus' is a keepalived DBus keyword; holdfast has no DBus interface "
        "(holdfastctl talks to its control socket): no effect");
  CHECK(noEffectMessage("bfd_instance", NoEffect::kBfd) ==
        "'bfd_instance' is a keepalived BFD keyword; holdfast does not do BFD: no effect");
  CHECK(noEffectMessage("vrrp_no_swap", NoEffect::kDaemon) ==
        "'vrrp_no_swap' tunes keepalived's own processes or files; holdfastd is one process "
        "with options of its own: no effect");
  CHECK(noEffectMessage("noreverse", NoEffect::kDefault) ==
        "'noreverse' asks for what holdfast does anyway: no effect");
  CHECK(noEffectMessage("debug", NoEffect::kInert) ==
        "'debug' does nothing in keepalived either: no effect");
  CHECK(noEffectMessage("track_file", NoEffect::kNotYet) ==
        "'track_file' is not implemented in holdfast yet: no effect");
}

TEST_CASE("a word without effect after a list item takes only its own values") {
  // 'home' takes none, so 'dev eth0' still applies; 'peer' takes one address.
  std::string text = holdfast::test::instance("");
  text.replace(text.find("{ 192.0.2.1 }"), 13,
               "{\n    192.0.2.1/24 home dev eth1\n    192.0.2.2/24 peer 192.0.2.9 label eth0:2\n  "
               "}");
  auto r = loadText(text, "test.conf");
  INFO(r.diagnostics.str());
  REQUIRE(r.config);
  const auto& vips = r.config->instances[0].virtualAddresses;
  REQUIRE(vips.size() == 2);
  CHECK(vips[0].dev == "eth1");
  CHECK(vips[1].label == "eth0:2");
  CHECK(holdfast::test::noEffectOf(text) ==
        std::vector<std::string>{
            "test.conf:5:18: warning: 'home' is not implemented in holdfast yet: no effect",
            "test.conf:6:18: warning: 'peer' is not implemented in holdfast yet: no effect"});
}
