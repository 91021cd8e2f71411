#include "netio/route_table.h"

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <sys/socket.h>

#include <memory>

namespace holdfast::netio {
namespace {

struct RouteDeleter {
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct RuleDeleter {
  void operator()(rtnl_rule* r) const { rtnl_rule_put(r); }
};
struct NlAddrDeleter {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using NlAddr = std::unique_ptr<nl_addr, NlAddrDeleter>;

int af(Family f) {
  return f == Family::kIPv4 ? AF_INET : AF_INET6;
}

NlAddr toNl(const IpAddress& a, int prefixLength) {
  NlAddr out(nl_addr_build(af(a.family), a.bytes.data(), a.size()));
  if (out) nl_addr_set_prefixlen(out.get(), prefixLength);
  return out;
}

// The route as keepalived sends it: every attribute it was given, the scope and the
// type always. A delete matches on the same attributes, any scope (RT_SCOPE_NOWHERE,
// as `ip route del` sends).
std::unique_ptr<rtnl_route, RouteDeleter> build(const Route& spec, bool forDelete) {
  std::unique_ptr<rtnl_route, RouteDeleter> r(rtnl_route_alloc());
  rtnl_route_set_family(r.get(), static_cast<uint8_t>(af(spec.family)));
  IpAddress dst = spec.dst;
  dst.family = spec.family;
  rtnl_route_set_dst(r.get(), toNl(dst, spec.dstLength).get());
  if (spec.from) rtnl_route_set_src(r.get(), toNl(*spec.from, spec.fromLength).get());
  if (spec.prefSrc) {
    rtnl_route_set_pref_src(r.get(), toNl(*spec.prefSrc, spec.prefSrc->size() * 8).get());
  }
  rtnl_route_set_table(r.get(), spec.table);
  rtnl_route_set_protocol(r.get(), spec.protocol);
  rtnl_route_set_type(r.get(), spec.type);
  rtnl_route_set_scope(r.get(), forDelete ? uint8_t{RT_SCOPE_NOWHERE} : spec.scope);
  if (spec.metric) rtnl_route_set_priority(r.get(), *spec.metric);
  if (spec.tos) rtnl_route_set_tos(r.get(), *spec.tos);
  if (spec.via || spec.ifindex != 0) {
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (spec.via) rtnl_route_nh_set_gateway(nh, toNl(*spec.via, spec.via->size() * 8).get());
    if (spec.ifindex != 0) rtnl_route_nh_set_ifindex(nh, spec.ifindex);
    if (spec.onlink) rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
    // libnl sends a lone next hop's gateway and device as route attributes but not
    // its flags: onlink goes in rtm_flags too.
    if (spec.onlink) rtnl_route_set_flags(r.get(), RTNH_F_ONLINK);
    rtnl_route_add_nexthop(r.get(), nh);  // the route owns it
  }
  for (const auto& hop : spec.nexthops) {
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (hop.via) rtnl_route_nh_set_gateway(nh, toNl(*hop.via, hop.via->size() * 8).get());
    if (hop.ifindex != 0) rtnl_route_nh_set_ifindex(nh, hop.ifindex);
    if (hop.onlink) rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
    rtnl_route_nh_set_weight(nh, static_cast<uint8_t>(hop.weight - 1));
    rtnl_route_add_nexthop(r.get(), nh);
  }
  return r;
}

std::unique_ptr<rtnl_rule, RuleDeleter> build(const Rule& spec) {
  std::unique_ptr<rtnl_rule, RuleDeleter> r(rtnl_rule_alloc());
  rtnl_rule_set_family(r.get(), af(spec.family));
  rtnl_rule_set_prio(r.get(), spec.priority);
  rtnl_rule_set_action(r.get(), spec.action);
  if (spec.table != 0) rtnl_rule_set_table(r.get(), spec.table);
  if (spec.from) rtnl_rule_set_src(r.get(), toNl(*spec.from, spec.fromLength).get());
  if (spec.to) rtnl_rule_set_dst(r.get(), toNl(*spec.to, spec.toLength).get());
  if (!spec.iif.empty()) rtnl_rule_set_iif(r.get(), spec.iif.c_str());
  if (!spec.oif.empty()) rtnl_rule_set_oif(r.get(), spec.oif.c_str());
  if (spec.fwmark) rtnl_rule_set_mark(r.get(), *spec.fwmark);
  if (spec.fwmask) rtnl_rule_set_mask(r.get(), *spec.fwmask);
  if (spec.tos != 0) rtnl_rule_set_dsfield(r.get(), spec.tos);
  if (spec.realms) rtnl_rule_set_realms(r.get(), *spec.realms);
  if (spec.action == FR_ACT_GOTO) rtnl_rule_set_goto(r.get(), spec.gotoTarget);
  if (spec.l3mdev) rtnl_rule_set_l3mdev(r.get(), 1);
  rtnl_rule_set_protocol(r.get(), spec.protocol);
  if (spec.ipProto) rtnl_rule_set_ipproto(r.get(), *spec.ipProto);
  if (spec.sport) rtnl_rule_set_sport_range(r.get(), spec.sport->first, spec.sport->second);
  if (spec.dport) rtnl_rule_set_dport_range(r.get(), spec.dport->first, spec.dport->second);
  return r;
}

bool gone(int rc) {
  return rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NOADDR || rc == -NLE_NODEV;
}

}  // namespace

std::expected<RouteTable, std::string> RouteTable::open() {
  nl_sock* sock = nl_socket_alloc();
  if (!sock) return std::unexpected("nl_socket_alloc failed");
  if (int rc = nl_connect(sock, NETLINK_ROUTE); rc < 0) {
    nl_socket_free(sock);
    return std::unexpected(std::string("netlink connect: ") + nl_geterror(rc));
  }
  return RouteTable(sock);
}

RouteTable::RouteTable(RouteTable&& o) noexcept : sock_(o.sock_) {
  o.sock_ = nullptr;
}

RouteTable::~RouteTable() {
  if (sock_) nl_socket_free(sock_);
}

std::expected<bool, std::string> RouteTable::add(const Route& spec) {
  auto r = build(spec, false);
  int flags = 0;  // rtnl_route_add adds NLM_F_CREATE: keepalived's default, a prepend
  if (spec.mode == Route::Mode::kAdd) flags = NLM_F_EXCL;
  if (spec.mode == Route::Mode::kAppend) flags = NLM_F_APPEND;
  int rc = rtnl_route_add(sock_, r.get(), flags);
  if (rc == -NLE_EXIST) return false;
  if (rc < 0) return std::unexpected(std::string(nl_geterror(rc)));
  return true;
}

std::expected<void, std::string> RouteTable::remove(const Route& spec) {
  auto r = build(spec, true);
  int rc = rtnl_route_delete(sock_, r.get(), 0);
  if (rc < 0 && !gone(rc)) return std::unexpected(std::string(nl_geterror(rc)));
  return {};
}

std::expected<bool, std::string> RouteTable::add(const Rule& spec) {
  auto r = build(spec);
  // Without NLM_F_EXCL the kernel adds a second, identical rule.
  int rc = rtnl_rule_add(sock_, r.get(), NLM_F_EXCL);
  if (rc == -NLE_EXIST) return false;
  if (rc < 0) return std::unexpected(std::string(nl_geterror(rc)));
  return true;
}

std::expected<void, std::string> RouteTable::remove(const Rule& spec) {
  auto r = build(spec);
  int rc = rtnl_rule_delete(sock_, r.get(), 0);
  if (rc < 0 && !gone(rc)) return std::unexpected(std::string(nl_geterror(rc)));
  return {};
}

}  // namespace holdfast::netio
