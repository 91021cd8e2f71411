#pragma once
// The one-screen summary `holdfastd -t` prints for a good config: instances, VIPs,
// tracked items, backends and their checks.

#include <string>

#include "core/config/model.h"

namespace holdfast::config {

std::string summarize(const Config& config);

}  // namespace holdfast::config
