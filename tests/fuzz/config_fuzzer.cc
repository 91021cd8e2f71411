// libFuzzer target: any bytes given as a config are refused or accepted, never crash,
// hang or leak. Includes are not followed (the text is not a file on disk), so the
// fuzzer stays inside its input.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.find("include") != std::string_view::npos) return 0;
  auto result = holdfast::config::loadText(text, "fuzz.conf");
  (void)result;
  return 0;
}
