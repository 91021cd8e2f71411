// track_file and vrrp_track_process: their config (keepalived 2.2.7's parsing and
// tolerance), the scoring of a file's value, the matching of processes, and both
// trackers driving instances on the fake kernel (file_tracker.h, process_tracker.h).

#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "core/runtime/file_tracker.h"
#include "core/runtime/process_tracker.h"
#include "core/scoring/score.h"
#include "fake_kernel.h"

using namespace holdfast;
using namespace std::chrono_literals;
using test::FakeLan;
using test::FakeNode;

namespace {

scoring::TrackedItem fileItem(long long value, int weight, bool reverse = false) {
  scoring::TrackedItem i{"file", "tf", weight, reverse, true, "", false, {}};
  i.value = value;
  return i;
}

std::string instanceWith(const std::string& tracking, int priority = 100) {
  return "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  version 3\n"
         "  priority " +
         std::to_string(priority) +
         "\n  advert_int 0.1\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n" + tracking + "}\n";
}

const std::string kFileBlock = "track_file tf {\n  file /run/hf/tf\n  weight 10\n}\n";

void run(FakeNode& n, const std::string& text) {
  auto set = runtime::InstanceSet::create(n, test::loadOrFail(text), {});
  REQUIRE(set);
  n.set = std::move(*set);
  n.set->start();
}

config::TrackProcess proc(const std::string& text) {
  auto cfg = test::loadOrFail("vrrp_track_process p {\n" + text + "\n}\n" +
                              instanceWith("  track_process { p }\n"));
  REQUIRE(cfg.trackProcesses.size() == 1);
  return cfg.trackProcesses[0];
}

runtime::ProcessInfo cmd(const std::string& comm, std::vector<std::string> argv) {
  runtime::ProcessInfo p{1, comm, ""};
  for (const auto& a : argv) {
    p.cmdline += a;
    p.cmdline += '\0';
  }
  return p;
}

}  // namespace

TEST_CASE("a track file adds value * weight, bounded to -254..253; -254 or below faults",
          "[track]") {
  CHECK(scoring::computeScore(100, {fileItem(3, 10)}).effective == 130);
  CHECK(scoring::computeScore(100, {fileItem(-3, 10)}).effective == 70);
  CHECK(scoring::computeScore(100, {fileItem(3, 10, true)}).effective == 70);
  CHECK(scoring::computeScore(100, {fileItem(0, 10)}).effective == 100);
  CHECK(scoring::computeScore(100, {fileItem(100, 10)}).why[0].added == 253);
  CHECK_FALSE(scoring::computeScore(100, {fileItem(-253, 1)}).fault);
  CHECK(scoring::computeScore(100, {fileItem(-253, 1)}).effective == 1);
  CHECK(scoring::computeScore(100, {fileItem(-254, 1)}).fault);
  CHECK(scoring::computeScore(100, {fileItem(-30, 10)}).fault);
  CHECK(scoring::computeScore(100, {fileItem(5, 10)}).explain() ==
        "base 100; file tf value 5: +50 => 150");
}

TEST_CASE("a track file at weight 0 faults on a non-zero value (a zero one with reverse)",
          "[track]") {
  CHECK_FALSE(scoring::computeScore(100, {fileItem(0, 0)}).fault);
  CHECK(scoring::computeScore(100, {fileItem(1, 0)}).fault);
  CHECK(scoring::computeScore(100, {fileItem(-7, 0)}).fault);
  CHECK(scoring::computeScore(100, {fileItem(0, 0, true)}).fault);
  CHECK_FALSE(scoring::computeScore(100, {fileItem(2, 0, true)}).fault);
}

TEST_CASE("weight 0 with reverse faults while the item is up (keepalived)", "[track]") {
  CHECK(scoring::computeScore(100, {{"process", "p", 0, true, true, "", false, {}}}).fault);
  CHECK_FALSE(scoring::computeScore(100, {{"process", "p", 0, true, false, "", false, {}}}).fault);
  CHECK(scoring::computeScore(100, {{"process", "p", 0, false, false, "", false, {}}}).fault);
}

TEST_CASE("a track file's content is read as keepalived's strtol reads it", "[track]") {
  using runtime::parseTrackFileValue;
  CHECK(parseTrackFileValue("5\n") == 5);
  CHECK(parseTrackFileValue("  -12 apples") == -12);
  CHECK(parseTrackFileValue("0x10") == 16);
  CHECK(parseTrackFileValue("010") == 8);
  CHECK(parseTrackFileValue("") == 0);
  CHECK(parseTrackFileValue("up") == 0);
  CHECK(parseTrackFileValue("2147483648") == 2147483648LL);
  CHECK_FALSE(parseTrackFileValue("2147483649"));
  CHECK_FALSE(parseTrackFileValue("-2147483649"));
}

TEST_CASE("track_file and vrrp_track_process blocks are read as keepalived reads them", "[track]") {
  auto cfg = test::loadOrFail(
      "track_file a {\n  file /tmp/a\n  weight -5 reverse\n  init_file 7 overwrite\n}\n"
      "vrrp_track_file b {\n  file /tmp/b\n}\n"
      "vrrp_track_process p {\n  process nginx\n  quorum 2\n  quorum_max 4\n  delay 1.5\n"
      "  weight 20\n}\n" +
      instanceWith("  track_file {\n    a\n    b weight 254 reverse\n  }\n"
                   "  track_process {\n    p weight -30\n  }\n"));
  REQUIRE(cfg.trackFiles.size() == 2);
  const auto& a = cfg.trackFiles[0];
  CHECK(a.path == "/tmp/a");
  CHECK(a.weight == -5);
  CHECK(a.reverse);
  CHECK(a.init);
  CHECK(a.overwrite);
  CHECK(a.initValue == 7);
  CHECK(cfg.trackFiles[1].weight == 1);  // keepalived's default
  REQUIRE(cfg.trackProcesses.size() == 1);
  const auto& p = cfg.trackProcesses[0];
  CHECK(p.process == "nginx");
  CHECK_FALSE(p.fullCommand);
  CHECK(p.quorum == 2);
  CHECK(p.quorumMax == 4);
  CHECK(p.forkDelay == 1500ms);
  CHECK(p.terminateDelay == 1500ms);
  CHECK(p.weight == 20);
  const auto& vi = cfg.instances[0];
  REQUIRE(vi.trackFiles.size() == 2);
  CHECK_FALSE(vi.trackFiles[0].hasWeight);
  CHECK(vi.trackFiles[1].weight == 254);
  CHECK(vi.trackFiles[1].reverse);
  REQUIRE(vi.trackProcesses.size() == 1);
  CHECK(vi.trackProcesses[0].weight == -30);
  // Nothing is "not implemented yet" any more.
  CHECK(test::noEffectOf("track_file a {\n  file /tmp/a\n}\n"
                         "vrrp_track_process p {\n  process x\n}\n" +
                         instanceWith("  track_file { a }\n  track_process { p }\n"))
            .empty());
}

TEST_CASE("process parameters imply full_command and an exact match; quorum_max 0", "[track]") {
  auto p = proc("  process /usr/bin/python3 app.py --port 80");
  CHECK(p.fullCommand);
  CHECK(p.paramMatch == config::ParamMatch::kExact);
  CHECK(p.params == std::vector<std::string>{"app.py", "--port", "80"});
  CHECK(proc("  process x\n  param_match initial").paramMatch == config::ParamMatch::kInitial);
  auto none = proc("  process x\n  quorum_max 0");
  CHECK(none.quorum == 0);
  CHECK(none.quorumMax == 0);
  CHECK(proc("  process \"/tmp/a b\" \"param 2\"").params == std::vector<std::string>{"param 2"});
}

TEST_CASE("tracking mistakes are tolerated with keepalived's outcome", "[track]") {
  auto w = test::warningsOf(
      "track_file nofile {\n  weight 3\n}\n"
      "track_file bad {\n  file /tmp/x\n  weight 300\n}\n"
      "vrrp_track_process np {\n  quorum 2\n}\n"
      "vrrp_track_process q {\n  process x\n  quorum_max 2\n  quorum 3\n}\n" +
      instanceWith("  track_file {\n    nofile\n    missing\n    bad\n    bad\n  }\n"
                   "  track_process {\n    np\n    q\n  }\n"));
  auto has = [&](const std::string& part) {
    return std::any_of(w.begin(), w.end(),
                       [&](const auto& l) { return l.find(part) != std::string::npos; });
  };
  CHECK(has("track_file 'nofile' has no 'file'; removed"));
  CHECK(has("vrrp_track_process 'np' has no 'process'; removed"));
  CHECK(has("track_file 'missing' names no track_file; ignored"));
  CHECK(has("duplicate track_file 'bad'"));
  CHECK(has("quorum 3 is greater than quorum_max 2; ignored"));
  CHECK(has("'weight'"));
}

TEST_CASE("an owner's track file at the default weight becomes weight 0; other weights go",
          "[track]") {
  auto cfg = test::loadOrFail(
      "track_file a {\n  file /tmp/a\n}\n"
      "track_file b {\n  file /tmp/b\n  weight 5\n}\n" +
      instanceWith("  track_file {\n    a\n    b\n  }\n", 255));
  REQUIRE(cfg.instances[0].trackFiles.size() == 1);
  CHECK(cfg.instances[0].trackFiles[0].name == "a");
  CHECK(cfg.instances[0].trackFiles[0].weight == 0);
}

TEST_CASE("processes match by comm, or by argv with param_match", "[track]") {
  config::TrackProcess p;
  p.process = "nginx";
  CHECK(runtime::processMatches(p, {1, "nginx", ""}));
  CHECK_FALSE(runtime::processMatches(p, {1, "nginx2", ""}));
  CHECK_FALSE(runtime::processMatches(p, {1, "ngin", ""}));
  p.fullCommand = true;
  p.process = "/usr/sbin/nginx";
  CHECK(runtime::processMatches(p, cmd("nginx", {"/usr/sbin/nginx", "-g", "daemon off;"})));
  CHECK_FALSE(runtime::processMatches(p, cmd("nginx", {"nginx"})));
  p.paramMatch = config::ParamMatch::kExact;
  p.params = {"-g"};
  CHECK_FALSE(runtime::processMatches(p, cmd("nginx", {"/usr/sbin/nginx", "-g", "x"})));
  CHECK(runtime::processMatches(p, cmd("nginx", {"/usr/sbin/nginx", "-g"})));
  p.paramMatch = config::ParamMatch::kPartial;
  CHECK(runtime::processMatches(p, cmd("nginx", {"/usr/sbin/nginx", "-g", "x"})));
  CHECK_FALSE(runtime::processMatches(p, cmd("nginx", {"/usr/sbin/nginx", "-gx"})));
  p.paramMatch = config::ParamMatch::kInitial;
  CHECK(runtime::processMatches(p, cmd("nginx", {"/usr/sbin/nginx", "-gx"})));
  p.params = {};
  p.paramMatch = config::ParamMatch::kExact;
  CHECK(runtime::processMatches(p, cmd("nginx", {"/usr/sbin/nginx"})));
  CHECK_FALSE(runtime::processMatches(p, cmd("nginx", {"/usr/sbin/nginx", "-t"})));
}

TEST_CASE("a track file's value moves the priority as it is written, and a missing file is 0",
          "[track]") {
  FakeLan lan;
  FakeNode& n = lan.add("r1", "192.0.2.11");
  n.files["/run/hf/tf"] = "2\n";
  run(n, kFileBlock + instanceWith("  track_file { tf }\n"));
  lan.advance(1s);
  CHECK(n.report("VI_1").effectivePriority == 120);
  n.setFile("/run/hf/tf", "-3");
  CHECK(n.report("VI_1").effectivePriority == 70);
  n.setFile("/run/hf/tf", std::nullopt);
  CHECK(n.report("VI_1").effectivePriority == 100);
  n.setFile("/run/hf/tf", "-26");
  CHECK(n.report("VI_1").state == vrrp::State::kFault);
  n.setFile("/run/hf/tf", "0");
  lan.advance(1s);
  CHECK(n.report("VI_1").state == vrrp::State::kMaster);
  n.unreadable.insert("/run/hf/tf");
  n.setFile("/run/hf/tf", "5");
  CHECK(n.report("VI_1").effectivePriority == 100);
  const auto& why = n.report("VI_1").score.why;
  REQUIRE(why.size() == 1);
  CHECK(why[0].item.kind == "file");
  CHECK(why[0].item.detail.starts_with("unreadable"));
}

TEST_CASE("weight 0 on a track file faults while the value is non-zero", "[track]") {
  FakeLan lan;
  FakeNode& n = lan.add("r1", "192.0.2.11");
  run(n, kFileBlock + instanceWith("  track_file {\n    tf weight 0\n  }\n"));
  lan.advance(1s);
  CHECK(n.report("VI_1").state == vrrp::State::kMaster);
  n.setFile("/run/hf/tf", "1");
  CHECK(n.report("VI_1").state == vrrp::State::kFault);
  n.setFile("/run/hf/tf", "0");
  lan.advance(1s);
  CHECK(n.report("VI_1").state == vrrp::State::kMaster);
}

TEST_CASE("init_file creates a missing file, and overwrites only at start", "[track]") {
  FakeLan lan;
  FakeNode& n = lan.add("r1", "192.0.2.11");
  n.files["/run/hf/b"] = "9";
  const std::string text =
      "track_file a {\n  file /run/hf/a\n  init_file 4\n}\n"
      "track_file b {\n  file /run/hf/b\n  init_file -1 overwrite\n}\n"
      "track_file c {\n  file /run/hf/c\n  init_file\n}\n" +
      instanceWith("  track_file {\n    a\n    b\n  }\n");
  run(n, text);
  CHECK(n.files["/run/hf/a"] == "4\n");
  CHECK(n.files["/run/hf/b"] == "-1\n");
  CHECK(n.files["/run/hf/c"] == "0\n");  // tracked by nobody: written all the same
  CHECK(n.report("VI_1").effectivePriority == 103);
  n.files["/run/hf/b"] = "9";
  REQUIRE(n.set->reconfigure(test::loadOrFail(text + "\n"), {}));
  CHECK(n.files["/run/hf/b"] == "9");  // a reload does not overwrite
}

TEST_CASE("a track file in a directory that does not exist is not tracked (keepalived)",
          "[track]") {
  FakeLan lan;
  FakeNode& n = lan.add("r1", "192.0.2.11");
  // With reverse a 0 would fault: not tracked, it does not.
  run(n, "track_file tf {\n  file /nonexistent/x\n  weight 0 reverse\n}\n" +
             instanceWith("  track_file { tf }\n"));
  lan.advance(1s);
  CHECK(n.report("VI_1").state == vrrp::State::kMaster);
  CHECK(n.report("VI_1").score.why[0].item.detail.starts_with("not watched"));
}

TEST_CASE("a tracked process's exit and start move the priority; quorum counts them", "[track]") {
  FakeLan lan;
  FakeNode& n = lan.add("r1", "192.0.2.11");
  n.startProcess(100, "nginx");
  n.startProcess(101, "bash");
  run(n, "vrrp_track_process ng {\n  process nginx\n  quorum 2\n  weight -40\n}\n" +
             instanceWith("  track_process { ng }\n"));
  lan.advance(1s);
  CHECK(n.report("VI_1").effectivePriority == 60);
  n.startProcess(102, "nginx");
  CHECK(n.report("VI_1").effectivePriority == 100);
  n.exitProcess(101);  // not counted
  CHECK(n.report("VI_1").effectivePriority == 100);
  n.exitProcess(100);
  CHECK(n.report("VI_1").effectivePriority == 60);
  const auto& why = n.report("VI_1").score.why;
  REQUIRE(why.size() == 1);
  CHECK(why[0].item.kind == "process");
  CHECK(why[0].item.detail == "1 running, quorum 2 or more");
  // An exec that renames a counted process uncounts it.
  n.startProcess(103, "nginx");
  CHECK(n.report("VI_1").effectivePriority == 100);
  n.startProcess(103, "sleep");
  CHECK(n.report("VI_1").effectivePriority == 60);
}

TEST_CASE("a track process's default weight 0 faults without quorum; quorum_max caps it",
          "[track]") {
  FakeLan lan;
  FakeNode& n = lan.add("r1", "192.0.2.11");
  n.startProcess(100, "haproxy");
  run(n, "vrrp_track_process hp {\n  process haproxy\n  quorum_max 1\n}\n" +
             instanceWith("  track_process { hp }\n"));
  lan.advance(1s);
  CHECK(n.report("VI_1").state == vrrp::State::kMaster);
  n.startProcess(200, "haproxy");
  CHECK(n.report("VI_1").state == vrrp::State::kFault);
  n.exitProcess(200);
  lan.advance(1s);
  CHECK(n.report("VI_1").state == vrrp::State::kMaster);
  n.exitProcess(100);
  CHECK(n.report("VI_1").state == vrrp::State::kFault);
}

TEST_CASE("terminate_delay and fork_delay hold a change back; a return cancels it", "[track]") {
  FakeLan lan;
  FakeNode& n = lan.add("r1", "192.0.2.11");
  n.startProcess(100, "app");
  run(n,
      "vrrp_track_process a {\n  process app\n  weight -50\n  terminate_delay 2\n"
      "  fork_delay 1\n}\n" +
          instanceWith("  track_process { a }\n"));
  lan.advance(1s);
  CHECK(n.report("VI_1").effectivePriority == 100);
  n.exitProcess(100);
  lan.advance(1900ms);
  CHECK(n.report("VI_1").effectivePriority == 100);
  lan.advance(200ms);
  CHECK(n.report("VI_1").effectivePriority == 50);
  n.startProcess(101, "app");
  lan.advance(900ms);
  CHECK(n.report("VI_1").effectivePriority == 50);
  lan.advance(200ms);
  CHECK(n.report("VI_1").effectivePriority == 100);
  // A restart within terminate_delay is no change at all.
  n.exitProcess(101);
  lan.advance(500ms);
  n.startProcess(102, "app");
  lan.advance(5s);
  CHECK(n.report("VI_1").effectivePriority == 100);
}

TEST_CASE("a reload changes track_file and track_process lists in place", "[track]") {
  FakeLan lan;
  FakeNode& n = lan.add("r1", "192.0.2.11");
  n.files["/run/hf/tf"] = "3";
  n.startProcess(100, "app");
  const std::string blocks = kFileBlock + "vrrp_track_process a {\n  process app\n}\n";
  run(n, blocks + instanceWith(""));
  lan.advance(1s);
  CHECK(n.report("VI_1").effectivePriority == 100);
  const auto transitions = n.report("VI_1").transitions;
  auto plan = n.set->reconfigure(
      test::loadOrFail(blocks + instanceWith("  track_file { tf }\n  track_process {\n"
                                             "    a weight 7\n  }\n")),
      {});
  REQUIRE(plan);
  CHECK(runtime::summarize(*plan).find(
            "changed in place VI_1 (track_file +tf; track_process +a)") != std::string::npos);
  CHECK(n.report("VI_1").effectivePriority == 137);
  CHECK(n.report("VI_1").transitions == transitions);
  n.exitProcess(100);
  CHECK(n.report("VI_1").effectivePriority == 130);
}

TEST_CASE("track_file in a vrrp_sync_group is not taken for the top-level block", "[track]") {
  const std::string text = "track_file a {\n  file /tmp/a\n}\n" + instanceWith("") +
                           "vrrp_sync_group G {\n  group {\n    VI_1\n  }\n"
                           "  track_file {\n    a\n  }\n}\n";
  CHECK(test::errorsOf(text).empty());
}
