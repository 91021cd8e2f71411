#include "netio/duration_text.h"

#include <cstdint>

namespace holdfast::netio {

std::string formatDuration(std::chrono::microseconds d) {
  const int64_t us = d.count();
  if (us == 0) return "0s";
  if (us % 1'000'000 == 0) return std::to_string(us / 1'000'000) + "s";
  if (us % 1'000 == 0) {
    const int64_t ms = us / 1'000;
    // "1.5s", "3.41s": seconds read better than "1500ms" once the value is over one
    // second and needs no more than two decimals.
    if (ms > 1000 && ms % 10 == 0) {
      std::string s = std::to_string(ms / 1000) + "." + std::to_string(1000 + ms % 1000).substr(1);
      while (s.back() == '0') s.pop_back();
      return s + "s";
    }
    return std::to_string(ms) + "ms";
  }
  return std::to_string(us) + "us";
}

}  // namespace holdfast::netio
