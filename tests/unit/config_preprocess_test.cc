// keepalived's definitions, conditional lines and ~SEQ/~LST (core/config/preprocess.h),
// with the results keepalived 2.2.7 gives for the same lines (`keepalived -t`).

#include <sys/utsname.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/config/loader.h"
#include "core/config/preprocess.h"
#include "core/daemon/options.h"
#include "tests/unit/config_test_util.h"

using namespace holdfast::config;

namespace {

struct Expanded {
  std::vector<ExpandedLine> lines;
  Diagnostics diags;

  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& l : lines) out.push_back(l.text);
    return out;
  }
  std::vector<std::string> warnings() const {
    std::vector<std::string> out;
    for (const auto& d : diags.all()) out.push_back(format(d));
    return out;
  }
};

Expanded expand(const std::string& text, const std::string& configId = "main",
                const std::string& dir = "/etc/keepalived") {
  Expanded e;
  Definitions defs(configId, 1);
  LineExpander x(text, std::make_shared<const std::string>("test.conf"), dir, defs, e.diags);
  ExpandedLine line;
  while (x.next(line)) e.lines.push_back(line);
  return e;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("a definition is used as $NAME before a blank and as ${NAME} anywhere", "[preprocess]") {
  auto e = expand("$IF=eth0\ninterface $IF\nuse_vmac vrrp.${IF}.1\nx $IF,$IF)\n");
  CHECK(e.texts() == Lines{"interface eth0", "use_vmac vrrp.eth0.1", "x eth0,eth0)"});
  CHECK(e.diags.all().empty());
}

TEST_CASE("$NAME followed by other text is left as it is, as keepalived does", "[preprocess]") {
  // keepalived: `k3_$P.x` stays, `"$P"` stays ($P is followed by '"'), `"${P}"` expands.
  auto e = expand("$P=100\nk $P.x\nk \"$P\"\nk \"${P}\"\nk $P}\n");
  CHECK(e.texts() == Lines{"k $P.x", "k \"$P\"", "k \"100\"", "k $P}"});
  CHECK(e.diags.all().empty());
}

TEST_CASE("a value may hold several words and be empty", "[preprocess]") {
  auto e = expand("$VIPS=192.0.2.1   192.0.2.2\n$E=\nvirtual_ipaddress { $VIPS }\nk [${E}]\n");
  CHECK(e.texts() == Lines{"virtual_ipaddress { 192.0.2.1   192.0.2.2 }", "k []"});
}

TEST_CASE("a redefinition applies from its line on; values expand when used, not when defined",
          "[preprocess]") {
  // The man page's example.
  auto e = expand(
      "$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n$ADDRESS_BASE_SUB=0\n${ADDRESS_BASE}.100/32\n"
      "$ADDRESS_BASE_SUB=10\n${ADDRESS_BASE}.100/32\n");
  CHECK(e.texts() == Lines{"10.2.0.100/32", "10.2.10.100/32"});
}

TEST_CASE("a multi-line definition continues over lines ending in '\\'", "[preprocess]") {
  auto e = expand(
      "$INST= \\\n"
      "  vrrp_instance VI_${NUM} {  \\\n"
      "     interface eth0.${NUM}   # the VLAN \\\n"
      "     priority 100 \\\n"
      "  }\n"
      "$NUM=0\n"
      "$INST\n"
      "$NUM=1\n"
      "${INST}\n");
  CHECK(e.texts() == Lines{"vrrp_instance VI_0 {", "interface eth0.0", "priority 100", "}",
                           "vrrp_instance VI_1 {", "interface eth0.1", "priority 100", "}"});
  CHECK(e.diags.all().empty());
}

TEST_CASE("a multi-line definition's lines may define, be conditional and use definitions",
          "[preprocess]") {
  auto e = expand(
      "$RS=rs ${N} \\\n"
      "   @main main_only \\\n"
      "   @backup backup_only\n"
      "$VS=vs \\\n"
      "  $N=1 \\\n"
      "  $RS \\\n"
      "  $N=2 \\\n"
      "  $RS\n"
      "$VS\n");
  CHECK(e.texts() == Lines{"vs", "rs 1", "main_only", "rs 2", "main_only"});
}

TEST_CASE("a line with only a comment ends a multi-line definition, with a warning",
          "[preprocess]") {
  // keepalived's VRRP process reads a copy of the file without comments, in which
  // this line is empty: the definition ends there.
  auto e = expand("$M=a \\\n  # note\n  b\n$M\n");
  CHECK(e.texts() == Lines{"b", "a"});
  CHECK(e.warnings() ==
        Lines{"test.conf:2:3: warning: a line with only blanks or a comment ends the multi-line "
              "definition of $M begun at test.conf:1:1 (as in keepalived's VRRP process); the "
              "lines after it are read as ordinary lines"});
}

TEST_CASE("an empty line ends a multi-line definition quietly", "[preprocess]") {
  auto e = expand("$M=a \\\n  b \\\n\nc\n$M\n");
  CHECK(e.texts() == Lines{"c", "a", "b"});
  CHECK(e.diags.all().empty());
}

TEST_CASE("a multi-line definition is usable only at the end of a line", "[preprocess]") {
  auto e = expand("$M=a \\\n b\nx $M y\n");
  CHECK(e.texts() == Lines{"x $M y"});
  CHECK(e.warnings() == Lines{"test.conf:3:3: warning: $M is a multi-line definition, usable "
                              "only at the end of a line; left as it is (as keepalived does)"});
}

TEST_CASE("an undefined $NAME is left as it is without a warning", "[preprocess]") {
  // Scripts use shell variables; keepalived passes them through.
  auto e = expand("script \"/bin/check $HOME ${HOME}\"\nk $UNDEF\n");
  CHECK(e.texts() == Lines{"script \"/bin/check $HOME ${HOME}\"", "k $UNDEF"});
  CHECK(e.diags.all().empty());
}

TEST_CASE("an undefined ${NAME} outside quotes is left as it is with a warning", "[preprocess]") {
  auto e = expand("priority ${PRIO}\n");
  CHECK(e.texts() == Lines{"priority ${PRIO}"});
  CHECK(e.warnings() ==
        Lines{"test.conf:1:10: warning: '${PRIO}': PRIO is not defined; left as it is "
              "(keepalived leaves it too, and then reads its braces as a block)"});
}

TEST_CASE("an @ID line is kept only when the config id is ID", "[preprocess]") {
  const std::string text = "@main router_id main_router\n@backup\trouter_id backup_router\n";
  CHECK(expand(text, "main").texts() == Lines{"router_id main_router"});
  CHECK(expand(text, "backup").texts() == Lines{"router_id backup_router"});
  CHECK(expand(text, "other").texts().empty());
  CHECK(expand(text, "MAIN").texts().empty());  // ids compare exactly
  // Nothing after the id: keepalived drops the line.
  CHECK(expand("@main\n", "main").texts().empty());
}

TEST_CASE("an @^ID line is kept only when the config id is not ID", "[preprocess]") {
  const std::string text =
      "unicast_peer {\n  @^main 192.0.2.1\n  @^backup 192.0.2.2\n  @^backup2 192.0.2.3\n}\n";
  CHECK(expand(text, "main").texts() == Lines{"unicast_peer {", "192.0.2.2", "192.0.2.3", "}"});
  CHECK(expand(text, "backup2").texts() == Lines{"unicast_peer {", "192.0.2.1", "192.0.2.2", "}"});
}

TEST_CASE("a conditional line may carry a definition", "[preprocess]") {
  const std::string text = "@main $PRIORITY=240\n@backup $PRIORITY=200\npriority $PRIORITY\n";
  CHECK(expand(text, "main").texts() == Lines{"priority 240"});
  CHECK(expand(text, "backup").texts() == Lines{"priority 200"});
  // A definition may hold the conditional itself (the man page's $IF_MAIN).
  CHECK(expand("$IF_MAIN=@main\n$IF_MAIN priority 240\n", "main").texts() == Lines{"priority 240"});
  CHECK(expand("$IF_MAIN=@main\n$IF_MAIN priority 240\n", "backup").texts().empty());
}

TEST_CASE("a conditional after a brace applies to the rest of the line", "[preprocess]") {
  CHECK(expand("virtual_ipaddress { @main 192.0.2.1 }\n", "main").texts() ==
        Lines{"virtual_ipaddress { 192.0.2.1 }"});
  auto e = expand("virtual_ipaddress { @main 192.0.2.1 }\n", "backup");
  CHECK(e.texts() == Lines{"virtual_ipaddress { }"});
  CHECK(e.warnings() ==
        Lines{"test.conf:1:21: warning: conditional text after a brace is not selected: it is "
              "skipped up to the end of the line, braces kept (keepalived 2.2.7 drops those "
              "braces too)"});
}

TEST_CASE("a ~SEQ line repeats the rest of the line for each number", "[preprocess]") {
  CHECK(expand("~SEQ(SUBNET, 0, 3) ip_address 10.0.${SUBNET}.1\n").texts() ==
        Lines{"ip_address 10.0.0.1", "ip_address 10.0.1.1", "ip_address 10.0.2.1",
              "ip_address 10.0.3.1"});
  CHECK(expand("~SEQ(I, 3) k$I\n~SEQ(J, 5, -2, 1) j$J\n").texts() ==
        Lines{"k1", "k2", "k3", "j5", "j3", "j1"});
  CHECK(expand("~SEQx(S, 0x90, 0x10, 0xc0) fe80::20:${S}:1\n").texts() ==
        Lines{"fe80::20:90:1", "fe80::20:a0:1", "fe80::20:b0:1", "fe80::20:c0:1"});
  // Several on a line nest; the variable stays defined afterwards, as in keepalived.
  CHECK(expand("~SEQ(A,1,2) ~SEQ(B,1,2) ${A}.$B\nlast $B\n").texts() ==
        Lines{"1.1", "1.2", "2.1", "2.2", "last 2"});
}

TEST_CASE("a ~LST line repeats the rest of the line for each value or set of values",
          "[preprocess]") {
  CHECK(expand("~LST(IP, 1, 2) 192.169.${IP}.0\n").texts() == Lines{"192.169.1.0", "192.169.2.0"});
  CHECK(expand("~LST({IP, IP1}, {10,1},{20,4}, {5}) 192.168.${IP}.${IP1}\n").texts() ==
        Lines{"192.168.10.1", "192.168.20.4", "192.168.5."});
}

TEST_CASE("an invalid ~SEQ is skipped with a warning", "[preprocess]") {
  auto e = expand("~SEQ(I, 1, -1, 5) k$I\n");
  CHECK(e.texts().empty());
  CHECK(e.warnings() == Lines{"test.conf:1:1: warning: invalid ~SEQ '~SEQ(I, 1, -1, 5)': the "
                              "step does not lead from START to END; line skipped (keepalived "
                              "skips it too)"});
}

TEST_CASE("the predefined names hold the config id, the file's directory and comment signs",
          "[preprocess]") {
  auto e = expand(
      "router_id ${_INSTANCE}\nscript \"${_PWD}/check.sh ${_HASH}1 ${_BANG}\"\n"
      "x ${_RANDOM 7 7}\n",
      "lb1", "/etc/keepalived");
  CHECK(e.texts() == Lines{"router_id lb1", "script \"/etc/keepalived/check.sh #1 !\"", "x 7"});
  // A definition may replace a predefined one.
  CHECK(expand("$_INSTANCE=other\nk ${_INSTANCE}\n").texts() == Lines{"k other"});
}

TEST_CASE("${_RANDOM} gives a number in its range", "[preprocess]") {
  auto e = expand("~SEQ(I, 50) ${_RANDOM 3 5}\n");
  REQUIRE(e.lines.size() == 50);
  for (const auto& l : e.texts()) CHECK((l == "3" || l == "4" || l == "5"));
}

TEST_CASE("a definition that uses itself is skipped with a warning, not expanded forever",
          "[preprocess]") {
  auto e = expand("$A=x${B}\n$B=y${A}\nk $A\nnext\n");
  CHECK(e.texts() == Lines{"next"});
  CHECK(e.warnings() == Lines{"test.conf:3:3: warning: expanding $A does not end (a definition "
                              "that uses itself?); line skipped"});
}

TEST_CASE("expanded text is placed at the '$' of its use; other text keeps its column",
          "[preprocess]") {
  auto e = expand("$M=a \\\n b\n$V=1.2.3.4 5.6.7.8\n\n  addr $V  dev x\nk $M\n");
  REQUIRE(e.lines.size() == 3);
  const ExpandedLine& l = e.lines[0];
  CHECK(l.text == "addr 1.2.3.4 5.6.7.8  dev x");
  CHECK(l.line == 5);
  CHECK(l.columnAt(1) == 3);    // addr
  CHECK(l.columnAt(6) == 8);    // 1.2.3.4: at $V
  CHECK(l.columnAt(14) == 8);   // 5.6.7.8: at $V too
  CHECK(l.columnAt(23) == 12);  // dev
  // A multi-line definition's further lines are placed at its use.
  CHECK(e.lines[2].text == "b");
  CHECK(e.lines[2].line == 6);
  CHECK(e.lines[2].columnAt(1) == 3);
}

TEST_CASE("a value's error is reported at the '$' of its use", "[preprocess]") {
  auto warnings =
      holdfast::test::warningsOf("$S=MASTR\n" + holdfast::test::instance("  state $S\n"));
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].starts_with("test.conf:6:9: warning: state MASTR is not MASTER or BACKUP"));
}

TEST_CASE("the config id chooses a conditional line's value", "[preprocess]") {
  const std::string text =
      "@main $P=150\n@^main $P=100\n" + holdfast::test::instance("  priority $P\n");
  auto main = loadText(text, "test.conf", {"main"});
  auto backup = loadText(text, "test.conf", {"backup"});
  REQUIRE(main.config);
  REQUIRE(backup.config);
  CHECK(main.config->instances[0].priority == 150);
  CHECK(backup.config->instances[0].priority == 100);
}

TEST_CASE("the default config id is the host name up to its first '.'", "[preprocess]") {
  struct utsname u {};
  REQUIRE(::uname(&u) == 0);
  std::string node = u.nodename;
  CHECK(hostConfigId() == node.substr(0, node.find('.')));
  auto r =
      loadText("@" + hostConfigId() + " $P=222\n" + holdfast::test::instance("  priority $P\n"),
               "test.conf");
  REQUIRE(r.config);
  CHECK(r.config->instances[0].priority == 222);
}

TEST_CASE("definitions carry into included files and back", "[preprocess]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("holdfast-defs-" + std::to_string(::getpid()));
  fs::create_directories(dir / "conf.d");
  std::ofstream(dir / "main.conf") << "$IF=eth0\n$F=conf.d/vi.conf\ninclude $F\n"
                                   << holdfast::test::instance("  priority $P\n", "VI_2", "52");
  std::ofstream(dir / "conf.d" / "vi.conf")
      << "$P=120\nglobal_defs {\n  router_id ${_PWD}\n}\n"
         "vrrp_instance VI_1 {\n  interface $IF\n  virtual_router_id 51\n"
         "  virtual_ipaddress { 192.0.2.1 }\n}\n";
  LoadResult r = loadFile((dir / "main.conf").string(), {"main"});
  INFO(r.diagnostics.str());
  REQUIRE(r.config);
  REQUIRE(r.config->instances.size() == 2);
  CHECK(r.config->instances[0].interface == "eth0");
  CHECK(r.config->instances[1].priority == 120);
  CHECK(r.config->files.size() == 2);
  CHECK(r.config->global.routerId == fs::canonical(dir / "conf.d").string());
  fs::remove_all(dir);
}

TEST_CASE("holdfastd -i sets the config id; without it none is set", "[preprocess]") {
  using holdfast::daemon::parseCommandLine;
  auto given = parseCommandLine({"holdfastd", "-i", "lb2"});
  REQUIRE_FALSE(given.exitCode);
  CHECK(given.options.configId == "lb2");
  CHECK(parseCommandLine({"holdfastd", "--config-id", ""}).options.configId == "");
  CHECK_FALSE(parseCommandLine({"holdfastd"}).options.configId);
}
