// Every input kept under tests/fuzz/regressions/TARGET/ (a crash a fuzzer once
// found) and every seed of the fuzz corpora runs through its fuzz target's body
// here too, so the fix stays fixed in builds without clang.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/fuzz/targets.h"

namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> bytesOf(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

size_t replay(const std::string& dir, void (*target)(std::span<const uint8_t>)) {
  size_t n = 0;
  if (!fs::is_directory(dir)) return 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    auto b = bytesOf(e.path());
    INFO(e.path().string());
    target(b);
    ++n;
  }
  return n;
}

const std::string kFuzzDir = std::string(HOLDFAST_TEST_DATA) + "/../fuzz/";

}  // namespace

TEST_CASE("kept fuzz crash inputs and seeds run clean through their targets") {
  size_t seeds = 0;
  seeds += replay(kFuzzDir + "corpus/codec", holdfast::fuzz::codec);
  seeds += replay(kFuzzDir + "corpus/control", holdfast::fuzz::control);
  seeds += replay(kFuzzDir + "corpus/sniff", holdfast::fuzz::sniffFrames);
  seeds += replay(kFuzzDir + "corpus/address_claims", holdfast::fuzz::addressClaims);
  CHECK(seeds >= 15);
  replay(kFuzzDir + "regressions/codec", holdfast::fuzz::codec);
  replay(kFuzzDir + "regressions/config", holdfast::fuzz::config);
  replay(kFuzzDir + "regressions/control", holdfast::fuzz::control);
  replay(kFuzzDir + "regressions/sniff", holdfast::fuzz::sniffFrames);
  replay(kFuzzDir + "regressions/address_claims", holdfast::fuzz::addressClaims);
}
