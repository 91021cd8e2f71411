#pragma once
// use_vmac, vmac_xmit_base and use_vmac_addr read and completed as keepalived 2.2.7
// reads them (vrrp_vmac_handler, vrrp_end_handler, vrrp_complete_instance): a bad
// name or MAC is ignored with a warning, unicast forces vmac_xmit_base, vrrp_strict
// clears it, and the rest of the rules in validate_vmac.cc.

#include <string>

#include "core/config/build_context.h"
#include "core/config/syntax_tree.h"

namespace holdfast::config::detail {

// `use_vmac [NAME] [MAC]`: an argument with a ':' is the MAC (parsed once the VRID is
// known), the other the interface name.
void buildUseVmac(BuildContext& ctx, const Node& c, VrrpInstance& vi);
// The checks that need the whole instance, and the instances before it in `cfg`.
void completeVmac(Diagnostics& d, VrrpInstance& vi, const std::string& who, const Config& cfg);

}  // namespace holdfast::config::detail
