// netio's process and file watches on the real kernel: a child's exit through its
// pidfd, a new process found (proc connector or /proc scan), a file replaced by rename.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "netio/file_watch.h"
#include "netio/process_watch.h"

using namespace std::chrono_literals;

namespace {

pid_t startSleep() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Runs `io` until `done` or 3 s have passed.
template <typename F>
bool runUntil(boost::asio::io_context& io, F done) {
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(20ms);
  }
  return done();
}

}  // namespace

TEST_CASE("a watched process's exit is reported through its pidfd; a later one is found",
          "[track]") {
  boost::asio::io_context io;
  const pid_t early = startSleep();
  REQUIRE(early > 0);
  std::set<pid_t> seen, exited;
  holdfast::netio::ProcessWatch w(
      io, true, [&](const holdfast::netio::ProcessEntry& e) { seen.insert(e.pid); },
      [&](pid_t pid) { exited.insert(pid); });
  // The child may not have exec'd yet when the scan runs: wait for its comm.
  REQUIRE(runUntil(io, [&] {
    auto e = holdfast::netio::readProcess(early, true);
    return e && e->comm == "sleep";
  }));
  w.start();
  CHECK(seen.contains(early));
  auto e = holdfast::netio::readProcess(early, true);
  REQUIRE(e);
  CHECK(e->cmdline == std::string("sleep\0"
                                  "30\0",
                                  9));  // argv as exec gave it
  REQUIRE(w.watchExit(early));
  ::kill(early, SIGKILL);
  CHECK(runUntil(io, [&] { return exited.contains(early); }));
  ::waitpid(early, nullptr, 0);
  CHECK_FALSE(w.watchExit(early));  // reaped: gone

  const pid_t late = startSleep();
  CHECK(runUntil(io, [&] { return seen.contains(late); }));
  ::kill(late, SIGKILL);
  ::waitpid(late, nullptr, 0);
  INFO(w.how());
}

TEST_CASE("a file watch sees a write, an editor's rename and a removal", "[track]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("hf-watch-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  boost::asio::io_context io;
  int changes = 0;
  auto w = holdfast::netio::FileWatch::open(io, (dir / "tf").string(), [&] { ++changes; });
  REQUIRE(w);
  CHECK((*w)->read().value() == std::nullopt);
  REQUIRE((*w)->write("7\n"));
  CHECK(runUntil(io, [&] { return changes >= 1; }));
  CHECK((*w)->read().value() == std::optional<std::string>("7\n"));
  std::ofstream(dir / ".tf.swp") << "-2\n";
  const int before = changes;
  fs::rename(dir / ".tf.swp", dir / "tf");
  CHECK(runUntil(io, [&] { return changes > before; }));
  CHECK((*w)->read().value() == std::optional<std::string>("-2\n"));
  const int beforeRemove = changes;
  fs::remove(dir / "tf");
  CHECK(runUntil(io, [&] { return changes > beforeRemove; }));
  CHECK((*w)->read().value() == std::nullopt);
  CHECK_FALSE(holdfast::netio::FileWatch::open(io, (dir / "no" / "x").string(), [] {}));
  fs::remove_all(dir);
}
