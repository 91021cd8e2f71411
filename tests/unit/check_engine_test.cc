// How many checker threads the engine starts when the config does not say.

#include "checkers/check_engine.h"

#include <catch2/catch.hpp>

using holdfast::checkers::autoThreads;

TEST_CASE("one checker thread per 4,000 distinct checks, at most one per core", "[check_engine]") {
  CHECK(autoThreads(0, 2) == 1);
  CHECK(autoThreads(1, 2) == 1);
  CHECK(autoThreads(4000, 2) == 1);
  CHECK(autoThreads(4001, 2) == 2);
  CHECK(autoThreads(10000, 2) == 2);
  CHECK(autoThreads(10000, 8) == 3);
  CHECK(autoThreads(10000, 0) == 1);  // an unknown core count still gets a thread
}
