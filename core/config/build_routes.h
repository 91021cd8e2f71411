#pragma once
// Typing of keepalived's routes and rules (static_routes, static_rules,
// virtual_routes, virtual_rules) and static_ipaddress. One line is one route or rule
// in keepalived 2.2.7's syntax (keepalived.conf(5), "Static routes/addresses/rules");
// a line keepalived refuses is skipped with a warning at its file:line:col, as
// keepalived skips it; an option keepalived takes and holdfast does not install skips
// the line with a "no effect" diagnostic naming the option.

#include <vector>

#include "core/config/build_context.h"
#include "core/config/model.h"

namespace holdfast::config::detail {

// `isStatic`: the line may name a track_group (static_* only).
std::vector<RouteSpec> buildRouteList(BuildContext& ctx, const Node& list, bool isStatic);
std::vector<RuleSpec> buildRuleList(BuildContext& ctx, const Node& list, bool isStatic,
                                    RulePriorities& next);
// static_ipaddress: virtual_ipaddress's syntax (build_vrrp.cc).
std::vector<VirtualAddress> buildStaticAddresses(BuildContext& ctx, const Node& list);

}  // namespace holdfast::config::detail
