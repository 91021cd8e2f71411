// Maintenance mode on disk: saved whole and read back, no file while off, and a file
// that cannot be parsed is an error that names it.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/daemon/maintenance_store.h"

using namespace holdfast;

namespace {
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/holdfast-maint-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};
}  // namespace

TEST_CASE("maintenance state: saved, read back, removed when off") {
  TempDir d;
  const std::string path = daemon::maintenancePath((d.path / "state").string());
  auto none = daemon::loadMaintenance(path);
  REQUIRE(none);
  CHECK(!*none);
  const runtime::Maintenance m{
      "kernel upgrade", "alice",
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1796043620123))};
  REQUIRE(daemon::saveMaintenance(path, m));  // creates the state directory
  auto back = daemon::loadMaintenance(path);
  REQUIRE(back);
  REQUIRE(*back);
  CHECK(**back == m);
  CHECK(!std::filesystem::exists(path + ".tmp"));
  REQUIRE(daemon::saveMaintenance(path, std::nullopt));
  CHECK(!std::filesystem::exists(path));
  CHECK(daemon::saveMaintenance(path, std::nullopt));  // off twice: fine
}

TEST_CASE("maintenance state: a file that is not what was written is an error naming it") {
  TempDir d;
  const std::string path = (d.path / "maintenance.json").string();
  for (const char* text : {"{ not json", "[1,2]", R"({"reason":"x","by":"y"})",
                           R"({"reason":3,"by":"y","since_unix_ms":1})"}) {
    std::ofstream(path) << text;
    auto r = daemon::loadMaintenance(path);
    REQUIRE_FALSE(r);
    CHECK(r.error().starts_with(path + ": "));
  }
}

TEST_CASE("maintenance state: a directory that cannot be made refuses the save") {
  TempDir d;
  std::ofstream(d.path / "file") << "x";
  auto r = daemon::saveMaintenance(daemon::maintenancePath((d.path / "file").string()),
                                   runtime::Maintenance{"r", "b", {}});
  REQUIRE_FALSE(r);
  CHECK(r.error().starts_with("cannot create " + (d.path / "file").string()));
}
