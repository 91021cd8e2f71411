#pragma once
// keepalived's routes and rules, typed: static_routes / static_rules (top level,
// installed while holdfastd runs) and an instance's virtual_routes / virtual_rules
// (installed while it is master). The syntax is keepalived 2.2.7's, close to
// `ip route add` / `ip rule add` (build_routes.cc); the values are the kernel's
// (RTN_*, RT_SCOPE_*, RTPROT_*, FR_ACT_*), so netio installs them as they are.

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/source_location.h"

namespace holdfast::config {

// A destination or source prefix; `default`, `any` and `all` are length 0.
struct RoutePrefix {
  boost::asio::ip::address address;
  int length = 0;
  bool operator==(const RoutePrefix&) const = default;
};

// How the route goes in when a route to the same destination exists: keepalived
// prepends (NLM_F_CREATE, as `ip route prepend`), `add` fails on one (NLM_F_EXCL),
// `append` goes after it (NLM_F_APPEND).
enum class RouteAddMode : uint8_t { kPrepend, kAdd, kAppend };

// RTPROT_KEEPALIVED: keepalived tags its routes and rules with it, and so does holdfast
// (the same routes: an operator's `ip route show proto keepalived` finds them).
inline constexpr uint8_t kProtoKeepalived = 18;

// One path of a multipath route: `nexthop via ADDR dev IF weight N onlink`.
struct RouteNextHop {
  std::optional<boost::asio::ip::address> via;
  std::string dev;
  int weight = 1;  // 1-256, as written
  bool onlink = false;
  bool operator==(const RouteNextHop&) const = default;
};

struct RouteSpec {
  bool ipv6 = false;
  RoutePrefix dst;
  std::optional<RoutePrefix> from;              // IPv6 source-specific routing
  std::optional<boost::asio::ip::address> src;  // preferred source (RTA_PREFSRC)
  std::optional<boost::asio::ip::address> via;  // gateway
  std::string dev;                              // empty: none
  uint32_t table = 254;                         // RT_TABLE_MAIN
  std::optional<uint32_t> metric;
  uint8_t protocol = kProtoKeepalived;
  uint8_t scope = 0;  // RT_SCOPE_UNIVERSE unless given, as keepalived sends
  uint8_t type = 1;   // RTN_UNICAST; blackhole 6, unreachable 7, prohibit 8, throw 9
  std::optional<uint8_t> tos;
  bool onlink = false;
  std::vector<RouteNextHop> nexthops;  // multipath: `nexthop ...` after the rest
  RouteAddMode mode = RouteAddMode::kPrepend;
  bool noTrack = false;
  SourceLocation where;
  bool operator==(const RouteSpec&) const = default;
};

// FR_ACT_*.
enum class RuleAction : uint8_t {
  kTable = 1,
  kGoto = 2,
  kNop = 3,
  kBlackhole = 6,
  kUnreachable = 7,
  kProhibit = 8,
};

struct PortRange {
  uint16_t start = 0, end = 0;
  bool operator==(const PortRange&) const = default;
};

struct RuleSpec {
  bool ipv6 = false;
  std::optional<RoutePrefix> from, to;
  uint32_t priority = 0;  // always set: keepalived gives one to a rule without
  RuleAction action = RuleAction::kTable;
  uint32_t table = 0;
  uint32_t gotoTarget = 0;
  std::string iif, oif;
  std::optional<uint32_t> fwmark, fwmask;
  uint8_t tos = 0;
  std::optional<uint32_t> realms;
  bool l3mdev = false;
  uint8_t protocol = kProtoKeepalived;
  std::optional<uint8_t> ipProto;
  std::optional<PortRange> sport, dport;
  bool noTrack = false;
  SourceLocation where;
  bool operator==(const RuleSpec&) const = default;
};

// One line, as `ip route` / `ip rule` print them: "198.51.100.0/24 via 192.0.2.254 dev
// eth0 proto 18", "from 192.0.2.100 lookup 200 priority 300". For holdfastctl and logs.
std::string describe(const RouteSpec& r);
std::string describe(const RuleSpec& r);

}  // namespace holdfast::config
