// libFuzzer target: see tests/fuzz/targets.h.

#include "tests/fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  holdfast::fuzz::addressClaims(std::span<const uint8_t>(data, size));
  return 0;
}
