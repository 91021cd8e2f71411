#pragma once
// What keepalived checks against the machine when it starts: the interfaces a config
// names. At start (and reload) an instance or a track_interface on a missing
// interface is refused, a VIP on one is left out (with a warning); under
// `holdfastd -t` the same findings are notes, since configs are often checked on
// another machine than the one that runs them.

#include <functional>
#include <string>

#include "core/config/diagnostics.h"
#include "core/config/model.h"

namespace holdfast::config {

enum class HostCheck { kConfigTest, kStart };

// `interfaceExists` answers for this machine (netio::interfaceInfo in the daemon).
void checkHost(Config& cfg, Diagnostics& diags, HostCheck mode,
               const std::function<bool(const std::string&)>& interfaceExists);

}  // namespace holdfast::config
