// A vrrp_script keepalived would not run is disabled at load with a warning, and the
// instances that tracked it run without it (core/config/script_access.h). These tests
// make real files in a temporary directory.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/config/script_access.h"
#include "tests/unit/config_test_util.h"

using holdfast::test::instance;
using holdfast::test::loadOrFail;
using holdfast::test::warningsOf;
namespace fs = std::filesystem;

namespace {

// A directory anyone may search (the default script user is not root), removed after.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hf-script-access-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
    fs::permissions(path, fs::perms(0755));
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name, fs::perms mode) const {
    fs::path p = path / name;
    std::ofstream(p) << "#!/bin/sh\nexit 0\n";
    fs::permissions(p, mode);
    return p.string();
  }
};

std::string script(const std::string& name, const std::string& command,
                   const std::string& extra = "") {
  return "vrrp_script " + name + " {\n  script \"" + command + "\"\n" + extra + "}\n";
}

// Two instances: VI_1 tracks chk and ok, VI_2 tracks chk.
std::string tracking(const std::string& scripts) {
  return scripts + instance("  track_script {\n    chk\n    ok\n  }\n") +
         instance("  track_script {\n    chk weight -10\n  }\n", "VI_2", "52");
}

std::vector<std::string> tracked(const holdfast::config::Config& cfg, size_t instance) {
  std::vector<std::string> names;
  for (const auto& ref : cfg.instances.at(instance).trackScripts) names.push_back(ref.name);
  return names;
}

}  // namespace

TEST_CASE("a vrrp_script whose program does not exist is disabled with a warning, untracked") {
  TempDir dir;
  const std::string ok = dir.file("ok.sh", fs::perms(0755));
  const std::string missing = (dir.path / "missing.sh").string();
  const std::string text = tracking(script("chk", missing + " --quiet") + script("ok", ok));
  CHECK(warningsOf(text) ==
        std::vector<std::string>{"test.conf:2:3: warning: vrrp_script 'chk': " + missing +
                                 " does not exist; tracking of 'chk' is disabled, as "
                                 "keepalived does"});
  auto cfg = loadOrFail(text);
  CHECK(tracked(cfg, 0) == std::vector<std::string>{"ok"});
  CHECK(tracked(cfg, 1).empty());
  CHECK(cfg.scripts.at(0).disabledReason == missing + " does not exist");
  CHECK(cfg.scripts.at(1).disabledReason.empty());
}

TEST_CASE("a vrrp_script that its user may not execute is disabled with a warning, untracked") {
  TempDir dir;
  const std::string ok = dir.file("ok.sh", fs::perms(0755));
  const std::string noexec = dir.file("noexec.sh", fs::perms(0644));
  const std::string text = "global_defs {\n  script_user nobody\n}\n" +
                           tracking(script("chk", noexec) + script("ok", ok));
  CHECK(warningsOf(text) ==
        std::vector<std::string>{"test.conf:5:3: warning: vrrp_script 'chk': " + noexec +
                                 " is not executable by script user nobody (uid 65534, gid "
                                 "65534); tracking of 'chk' is disabled, as keepalived does"});
  auto cfg = loadOrFail(text);
  CHECK(tracked(cfg, 0) == std::vector<std::string>{"ok"});
  CHECK(tracked(cfg, 1).empty());
}

TEST_CASE("a vrrp_script whose user does not exist is disabled with a warning, untracked") {
  TempDir dir;
  const std::string ok = dir.file("ok.sh", fs::perms(0755));
  const std::string text =
      tracking(script("chk", ok, "  user hf_no_such_user\n") + script("ok", ok));
  CHECK(warningsOf(text) ==
        std::vector<std::string>{"test.conf:2:3: warning: vrrp_script 'chk': script user "
                                 "'hf_no_such_user' does not exist; tracking of 'chk' is "
                                 "disabled, as keepalived does"});
  auto cfg = loadOrFail(text);
  CHECK(tracked(cfg, 0) == std::vector<std::string>{"ok"});
  CHECK(cfg.scripts.at(0).disabledReason == "script user 'hf_no_such_user' does not exist");
}

TEST_CASE("script_user naming no user disables every vrrp_script that does not name its own") {
  TempDir dir;
  const std::string ok = dir.file("ok.sh", fs::perms(0755));
  const std::string text = "global_defs {\n  script_user hf_no_such_user\n}\n" +
                           tracking(script("chk", ok) + script("ok", ok, "  user nobody\n"));
  auto cfg = loadOrFail(text);
  CHECK(cfg.scripts.at(0).disabledReason == "script user 'hf_no_such_user' does not exist");
  CHECK(tracked(cfg, 0) == std::vector<std::string>{"ok"});
}

TEST_CASE("a bare program name is looked up in the scripts' PATH") {
  const std::string text =
      tracking(script("chk", "hf-no-such-program --check") + script("ok", "pidof nginx"));
  CHECK(warningsOf(text) ==
        std::vector<std::string>{"test.conf:2:3: warning: vrrp_script 'chk': "
                                 "'hf-no-such-program' is not found in PATH; tracking of 'chk' "
                                 "is disabled, as keepalived does"});
  CHECK(tracked(loadOrFail(text), 0) == std::vector<std::string>{"ok"});
}

TEST_CASE("a vrrp_script that can run, or that /bin/sh reads, is left alone") {
  TempDir dir;
  const std::string ok = dir.file("ok.sh", fs::perms(0755));
  const std::string text = tracking(script("chk", "[[ -f /run/hf-none ]] && exit 1 || exit 0") +
                                    script("ok", ok + " --quiet"));
  CHECK(warningsOf(text).empty());
  auto cfg = loadOrFail(text);
  CHECK(tracked(cfg, 0) == std::vector<std::string>{"chk", "ok"});
  CHECK(tracked(cfg, 1) == std::vector<std::string>{"chk"});
  CHECK(cfg.scripts.at(0).disabledReason.empty());
  CHECK(cfg.scripts.at(1).disabledReason.empty());
}

TEST_CASE("with enable_script_security a root script others may modify is disabled") {
  if (::geteuid() != 0) {
    WARN("not root: the temporary files are not root's, so every one would be unsafe");
    return;
  }
  TempDir dir;
  const std::string ok = dir.file("ok.sh", fs::perms(0755));
  const std::string open = dir.file("open.sh", fs::perms(0777));
  const std::string text = "global_defs {\n  script_user root\n  enable_script_security\n}\n" +
                           tracking(script("chk", open) + script("ok", ok));
  CHECK(warningsOf(text) ==
        std::vector<std::string>{"test.conf:6:3: warning: vrrp_script 'chk': " + open +
                                 " is writable by everyone (enable_script_security); tracking "
                                 "of 'chk' is disabled, as keepalived does"});
  CHECK(tracked(loadOrFail(text), 0) == std::vector<std::string>{"ok"});
  // Without enable_script_security keepalived runs it (with a warning of its own).
  CHECK(warningsOf("global_defs {\n  script_user root\n}\n" +
                   tracking(script("chk", open) + script("ok", ok)))
            .empty());
}
