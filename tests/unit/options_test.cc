#include <catch2/catch.hpp>

#include "core/daemon/options.h"

using namespace holdfast::daemon;

TEST_CASE("command line options map to the daemon's settings") {
  auto cl = parseCommandLine({"holdfastd", "-f", "/x.conf", "-t", "-l", "--log-level", "debug",
                              "--pid-file", "/tmp/p", "--control-socket", "/tmp/s"});
  REQUIRE_FALSE(cl.exitCode);
  CHECK(cl.options.configPath == "/x.conf");
  CHECK(cl.options.configTest);
  CHECK(cl.options.logConsole);
  CHECK(cl.options.logLevel == holdfast::log::Level::kDebug);
  CHECK(cl.options.pidFile == "/tmp/p");
  CHECK(cl.options.controlSocket == "/tmp/s");
}

TEST_CASE("defaults are the documented paths") {
  auto cl = parseCommandLine({"holdfastd"});
  REQUIRE_FALSE(cl.exitCode);
  CHECK(cl.options.configPath == "/etc/holdfast/holdfast.conf");
  CHECK(cl.options.pidFile == "/run/holdfastd.pid");
  CHECK(cl.options.controlSocket == "/run/holdfast/holdfast.sock");
  CHECK_FALSE(cl.options.configTest);
}

TEST_CASE("usage errors exit 2 with a message") {
  auto unknown = parseCommandLine({"holdfastd", "--bogus"});
  CHECK(unknown.exitCode == 2);
  CHECK_THAT(unknown.text, Catch::Contains("unrecognised option '--bogus'"));
  auto level = parseCommandLine({"holdfastd", "--log-level", "loud"});
  CHECK(level.exitCode == 2);
  CHECK(level.text ==
        "holdfastd: --log-level: expected error, warning, info or debug, found 'loud'\n");
  CHECK(parseCommandLine({"holdfastd", "--help"}).exitCode == 0);
}
