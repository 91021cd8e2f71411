#pragma once
// Durations as operators write them in reasons: "300ms", "1s", "1.5s", "250us".

#include <chrono>
#include <string>

namespace holdfast::checkers {

std::string formatShort(std::chrono::microseconds d);

}  // namespace holdfast::checkers
