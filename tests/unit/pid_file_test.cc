#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/daemon/pid_file.h"

using holdfast::daemon::PidFile;

TEST_CASE("a second holder of the pid file is refused and told who holds it") {
  std::string path = std::filesystem::temp_directory_path() /
                     ("holdfast-pid-test-" + std::to_string(::getpid()) + ".pid");
  {
    auto first = PidFile::acquire(path);
    REQUIRE(first.has_value());
    std::string content;
    std::ifstream(path) >> content;
    CHECK(content == std::to_string(::getpid()));

    auto second = PidFile::acquire(path);
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error() == "another holdfastd (pid " + std::to_string(::getpid()) +
                                ") is running with pid file " + path +
                                "; refusing to start a second one");
  }
  CHECK_FALSE(std::filesystem::exists(path));  // removed on release
}

TEST_CASE("a pid file left by a crashed run is taken over") {
  std::string path = std::filesystem::temp_directory_path() /
                     ("holdfast-stale-" + std::to_string(::getpid()) + ".pid");
  std::ofstream(path) << "999999\n";
  auto p = PidFile::acquire(path);
  CHECK(p.has_value());
}
