#pragma once
// Adds and removes routes and policy rules through rtnetlink (libnl-route: rtnl_route
// with rtnl_nexthop, rtnl_rule): keepalived's static and virtual routes and rules.
// Plain data in, the kernel's values (RTN_*, RT_SCOPE_*, RTPROT_*, FR_ACT_*) as they
// are; interfaces already resolved to indexes (routes) or names (rules).
//
// An add is idempotent: a route or rule that is there already is no error, and the
// answer says whether this call put it in (so that a caller restoring what someone
// removed can tell). A remove of what is gone is no error either.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "netio/ip_address.h"

struct nl_sock;

namespace holdfast::netio {

struct NextHop {
  std::optional<IpAddress> via;
  int ifindex = 0;
  int weight = 1;  // 1-256 (the kernel's rtnh_hops is weight - 1)
  bool onlink = false;
  bool operator==(const NextHop&) const = default;
};

struct Route {
  Family family = Family::kIPv4;
  IpAddress dst;  // all zero with dstLength 0: the default route
  int dstLength = 0;
  std::optional<IpAddress> from;  // IPv6 source prefix
  int fromLength = 0;
  std::optional<IpAddress> prefSrc;
  std::optional<IpAddress> via;
  int ifindex = 0;  // 0: none
  uint32_t table = 254;
  std::optional<uint32_t> metric;
  uint8_t protocol = 18;
  uint8_t scope = 0;
  uint8_t type = 1;
  std::optional<uint8_t> tos;
  bool onlink = false;
  std::vector<NextHop> nexthops;  // multipath, besides via/ifindex above
  enum class Mode : uint8_t { kPrepend, kAdd, kAppend } mode = Mode::kPrepend;
};

struct Rule {
  Family family = Family::kIPv4;
  std::optional<IpAddress> from;
  int fromLength = 0;
  std::optional<IpAddress> to;
  int toLength = 0;
  uint32_t priority = 0;
  uint8_t action = 1;  // FR_ACT_TO_TBL
  uint32_t table = 0;
  uint32_t gotoTarget = 0;
  std::string iif, oif;
  std::optional<uint32_t> fwmark, fwmask;
  uint8_t tos = 0;
  std::optional<uint32_t> realms;
  bool l3mdev = false;
  uint8_t protocol = 18;
  std::optional<uint8_t> ipProto;
  std::optional<std::pair<uint16_t, uint16_t>> sport, dport;
};

class RouteTable {
 public:
  static std::expected<RouteTable, std::string> open();
  RouteTable(RouteTable&& o) noexcept;
  RouteTable& operator=(RouteTable&&) = delete;
  ~RouteTable();

  // true: added now; false: it was there already.
  std::expected<bool, std::string> add(const Route& r);
  std::expected<void, std::string> remove(const Route& r);
  std::expected<bool, std::string> add(const Rule& r);
  std::expected<void, std::string> remove(const Rule& r);

 private:
  explicit RouteTable(nl_sock* sock) : sock_(sock) {}
  nl_sock* sock_ = nullptr;
};

}  // namespace holdfast::netio
