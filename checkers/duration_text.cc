#include "checkers/duration_text.h"

#include <cstdio>

namespace holdfast::checkers {

std::string formatShort(std::chrono::microseconds d) {
  const long long us = d.count();
  char buf[32];
  if (us % 1000000 == 0) {
    std::snprintf(buf, sizeof buf, "%llds", us / 1000000);
  } else if (us >= 1000000) {
    std::snprintf(buf, sizeof buf, "%.3gs", static_cast<double>(us) / 1e6);
  } else if (us % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%lldms", us / 1000);
  } else if (us >= 1000) {
    std::snprintf(buf, sizeof buf, "%.3gms", static_cast<double>(us) / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%lldus", us);
  }
  return buf;
}

}  // namespace holdfast::checkers
