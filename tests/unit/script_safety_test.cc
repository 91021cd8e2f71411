// Which script files holdfastd refuses to run: any that a non-root user could modify.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/runtime/script_tracker.h"

using holdfast::runtime::unsafeScript;
namespace fs = std::filesystem;

TEST_CASE("script files that others could modify are refused, with the reason") {
  fs::path dir = fs::temp_directory_path() / ("holdfast-safety-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ::chmod(dir.c_str(), 0755);
  fs::path script = dir / "check.sh";
  std::ofstream(script) << "#!/bin/sh\nexit 0\n";
  ::chmod(script.c_str(), 0755);

  if (::geteuid() == 0) {
    // Root-owned and only root-writable, under /tmp (sticky, so safe): allowed.
    CHECK_FALSE(unsafeScript(script.string() + " --arg").has_value());
    ::chmod(script.c_str(), 0777);
    CHECK(unsafeScript(script.string()) == script.string() + " is writable by everyone");
    ::chmod(script.c_str(), 0755);
    ::chmod(dir.c_str(), 0777);  // a non-sticky world-writable directory above it
    CHECK(unsafeScript(script.string()) == dir.string() + " is writable by everyone");
    ::chmod(dir.c_str(), 0755);
    REQUIRE(::chown(script.c_str(), 65534, 65534) == 0);
    CHECK(unsafeScript(script.string()) == script.string() + " is owned by uid 65534, not root");
  } else {
    WARN("not root: only the owner check runs");
    CHECK(unsafeScript(script.string()).has_value());
  }
  // Commands found through PATH and shell snippets are not files to check.
  CHECK_FALSE(unsafeScript("killall -0 nginx").has_value());
  CHECK_FALSE(unsafeScript("[[ -f /tmp/x ]] && exit 1 || exit 0").has_value());
  CHECK(unsafeScript("/nonexistent/check.sh") == "/nonexistent/check.sh does not exist");
  fs::remove_all(dir);
}
