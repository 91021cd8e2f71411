// Routes and rules in keepalived 2.2.7's syntax (vrrp_iproute.c alloc_route and
// vrrp_iprule.c alloc_rule are the reference: same keywords, same order of checks,
// same outcome for a bad line); rules are in build_rules.cc. A line keepalived refuses is skipped
// with a tolerated mistake; an option holdfast does not install (nexthop lists, encap, TCP metrics,
// uidrange, ...) skips the line with a "no effect" diagnostic, so that no route goes
// in half-built.

#include "core/config/build_routes.h"

#include "core/config/route_line.h"

namespace holdfast::config::detail {
namespace {

using namespace route_line;

// `nexthop ... [nexthop ...]`: the rest of the line (keepalived's parse_nexthops).
bool readNextHops(LineReader& in, RouteSpec& r, bool& familySet) {
  while (in.more() && in.word() == "nexthop") {
    in.advance();
    RouteNextHop nh;
    while (in.more()) {
      const std::string w = in.word();
      if (w == "via") {
        std::string v = in.next();
        if (v == "inet" || v == "inet6") {
          if (!in.family(familySet, r.ipv6, v == "inet6", "IPv4/6 mismatch for nexthop")) {
            return false;
          }
          v = in.next();
        }
        auto a = address(v);
        if (!a) return in.drop("invalid nexthop address '" + v + "'");
        if (!in.family(familySet, r.ipv6, a->is_v6(), "address family mismatch for next hop")) {
          return false;
        }
        nh.via = *a;
      } else if (w == "dev") {
        nh.dev = in.next();
        if (nh.dev.empty()) return in.drop("'dev' needs an interface name");
      } else if (w == "weight") {
        auto n = number(in.next(), 256);
        if (!n) return in.drop("invalid weight '" + in.word() + "' specified for route");
        if (*n == 0) return in.drop("invalid weight 0 specified for route");
        nh.weight = static_cast<int>(*n);
      } else if (w == "onlink") {
        nh.onlink = true;
      } else if (w == "encap" || w == "realms" || w == "as") {
        return in.unimplemented(w);
      } else {
        break;
      }
      in.advance();
    }
    r.nexthops.push_back(std::move(nh));
  }
  if (in.more()) return in.drop("route has trailing nonsense after nexthops - " + in.word());
  return true;
}

bool readRoute(BuildContext& ctx, const Node& item, bool isStatic, RouteSpec& r) {
  LineReader in(ctx, item, "route");
  r.where = item.where();
  bool familySet = false;
  bool protocolGiven = false;
  bool hasDst = false;
  bool dstAnyFamily = false;
  constexpr const char* kMix = "cannot mix IPv4 and IPv6 addresses for route";
  while (in.more()) {
    const std::string w = in.word();
    if (w == "inet6" || w == "inet") {
      if (!in.family(
              familySet, r.ipv6, w == "inet6",
              w == "inet6" ? "inet6 specified for IPv4 route" : "inet specified for IPv6 route")) {
        return false;
      }
      in.skipAfterFamily();
    } else if (w == "src") {
      auto a = address(in.next());
      if (!a) return in.drop("invalid route src address '" + in.word() + "'");
      if (!in.family(familySet, r.ipv6, a->is_v6(), kMix)) return false;
      r.src = *a;
    } else if (w == "as") {
      if (in.next() == "to") in.advance();
      ctx.mistake(in.where(), "route: \"as to\" is for MPLS only", "ignored, as keepalived does");
    } else if (w == "via" || w == "gw") {
      if (w == "gw") {
        ctx.mistake(in.where(), "route: \"gw\" is deprecated; write \"via\"",
                    "read as \"via\", as keepalived does");
      }
      std::string v = in.next();
      if (v == "inet" || v == "inet6") {
        if (!in.family(familySet, r.ipv6, v == "inet6", kMix)) return false;
        v = in.next();
      }
      auto a = address(v);
      if (!a) return in.drop("invalid route via address '" + v + "'");
      if (!in.family(familySet, r.ipv6, a->is_v6(), kMix)) return false;
      r.via = *a;
    } else if (w == "from") {
      const size_t at = in.index() + 1;
      in.next();
      if (!in.more()) return in.drop("invalid route from address ''");
      auto p = prefix(ctx, in.at(at));
      if (!p) return in.drop("invalid route from address '" + in.word() + "'");
      if (p->anyFamily || !p->prefix.address.is_v6()) {
        return in.drop("route from address only supported with IPv6 (" + in.word() + ")");
      }
      if (!in.family(familySet, r.ipv6, true, kMix)) return false;
      r.from = p->prefix;
    } else if (w == "tos" || w == "dsfield") {
      auto n = number(in.next(), 255);
      if (!n) return in.drop("TOS value '" + in.word() + "' is invalid");
      r.tos = static_cast<uint8_t>(*n);
    } else if (w == "table") {
      auto t = tableId(in.next());
      if (!t) return in.drop("routing table '" + in.word() + "' not found");
      r.table = *t;
    } else if (w == "protocol") {
      auto p = named(in.next(), kProtocols);
      if (!p) return in.drop("protocol '" + in.word() + "' not found or invalid");
      r.protocol = *p;
      protocolGiven = true;
    } else if (w == "scope") {
      auto s = named(in.next(), kScopes);
      if (!s) return in.drop("scope '" + in.word() + "' not found or invalid");
      r.scope = *s;
    } else if (w == "metric" || w == "priority" || w == "preference") {
      auto n = number(in.next(), UINT32_MAX);
      if (!n) return in.drop("invalid metric '" + in.word() + "'");
      r.metric = static_cast<uint32_t>(*n);
    } else if (w == "dev" || w == "oif") {
      r.dev = in.next();
      if (r.dev.empty()) return in.drop("'" + w + "' needs an interface name");
    } else if (w == "onlink") {
      r.onlink = true;
    } else if (w == "add") {
      r.mode = RouteAddMode::kAdd;
    } else if (w == "prepend") {
      r.mode = RouteAddMode::kPrepend;
    } else if (w == "append") {
      r.mode = RouteAddMode::kAppend;
    } else if (w == "no_track") {
      r.noTrack = true;
    } else if (w == "nexthop") {
      if (!readNextHops(in, r, familySet)) return false;
      break;
    } else if (isStatic && w == "track_group") {
      in.next();
      ctx.diags().noEffect(in.where(),
                           "'track_group' is not implemented in holdfast yet: no "
                           "effect (holdfast puts a static route back when it is "
                           "removed)");
    } else if (kRouteUnimplemented.contains(w)) {
      return in.unimplemented(w);
    } else {
      // to PREFIX, TYPE PREFIX or PREFIX (keepalived takes either "to" or a type).
      if (w == "to") {
        in.advance();
      } else if (auto t = routeType(w)) {
        r.type = *t;
        in.advance();
      }
      if (!in.more()) return in.drop("unknown route keyword '" + w + "'");
      auto p = prefix(ctx, in.at(in.index()));
      if (!p) return in.drop("unknown route keyword '" + in.word() + "'");
      if (!p->anyFamily && !in.family(familySet, r.ipv6, p->prefix.address.is_v6(), kMix)) {
        return false;
      }
      r.dst = p->prefix;
      dstAnyFamily = p->anyFamily;
      hasDst = true;
    }
    in.advance();
  }
  if (!hasDst) return in.drop("a route must have a destination");
  if (!r.noTrack && protocolGiven && r.protocol != kProtoKeepalived) {
    ctx.mistake(r.where,
                "route: a tracked route's protocol must be keepalived (18); write no_track "
                "to keep another",
                "using protocol 18, as keepalived does");
  }
  if (!r.noTrack) r.protocol = kProtoKeepalived;
  if (dstAnyFamily) {
    r.dst.address =
        r.ipv6 ? Address(boost::asio::ip::address_v6()) : Address(boost::asio::ip::address_v4());
    r.dst.length = 0;
  }
  return true;
}

}  // namespace

std::vector<RouteSpec> buildRouteList(BuildContext& ctx, const Node& list, bool isStatic) {
  BuildContext::Tolerant tolerant(ctx);
  std::vector<RouteSpec> out;
  for (const Node& item : list.children) {
    RouteSpec r;
    if (readRoute(ctx, item, isStatic, r)) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace holdfast::config::detail
