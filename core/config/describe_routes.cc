// keepalived's text for a route or a rule (model_routes.h describe), for -t, logs
// and holdfastctl.

#include "core/config/model_routes.h"
#include "core/config/route_line.h"

namespace holdfast::config::detail {
namespace {

std::string text(const RoutePrefix& p, bool ipv6) {
  if (p.length == 0 && p.address.is_unspecified()) return ipv6 ? "::/0" : "default";
  const int full = p.address.is_v4() ? 32 : 128;
  return p.address.to_string() + (p.length == full ? "" : "/" + std::to_string(p.length));
}

std::string nameOf(uint32_t v, const std::map<std::string, uint8_t>& names, bool useNames) {
  if (useNames) {
    for (const auto& [n, id] : names) {
      if (id == v && n != "universe") return n;
    }
  }
  return std::to_string(v);
}

}  // namespace

}  // namespace holdfast::config::detail

namespace holdfast::config {

std::string describe(const RouteSpec& r) {
  using detail::route_line::kScopes;
  using detail::route_line::kTypes;
  std::string out;
  if (r.ipv6 && r.dst.length == 0) out += "inet6 ";
  if (r.type != 1) out += detail::nameOf(r.type, kTypes, true) + " ";
  out += detail::text(r.dst, r.ipv6);
  if (r.from) out += " from " + detail::text(*r.from, r.ipv6);
  if (r.via) out += " via " + r.via->to_string();
  if (!r.dev.empty()) out += " dev " + r.dev;
  if (r.table != 254) out += " table " + std::to_string(r.table);
  out += " proto " + detail::nameOf(r.protocol, detail::route_line::kProtocols, true);
  if (r.scope != 0) out += " scope " + detail::nameOf(r.scope, kScopes, true);
  if (r.metric) out += " metric " + std::to_string(*r.metric);
  if (r.tos) out += " tos " + std::to_string(*r.tos);
  if (r.src) out += " src " + r.src->to_string();
  if (r.onlink) out += " onlink";
  for (const auto& nh : r.nexthops) {
    out += " nexthop";
    if (nh.via) out += " via " + nh.via->to_string();
    if (!nh.dev.empty()) out += " dev " + nh.dev;
    out += " weight " + std::to_string(nh.weight);
    if (nh.onlink) out += " onlink";
  }
  return out;
}

namespace {
std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}
}  // namespace

std::string describe(const RuleSpec& r) {
  std::string out = r.ipv6 ? "inet6 " : "";
  out += "from " + (r.from ? detail::text(*r.from, r.ipv6) : std::string("all"));
  if (r.to) out += " to " + detail::text(*r.to, r.ipv6);
  if (r.tos) out += " tos " + std::to_string(r.tos);
  if (r.fwmark) {
    out += " fwmark " + hex(*r.fwmark);
    if (r.fwmask) out += "/" + hex(*r.fwmask);
  }
  if (!r.iif.empty()) out += " iif " + r.iif;
  if (!r.oif.empty()) out += " oif " + r.oif;
  if (r.ipProto) out += " ipproto " + std::to_string(*r.ipProto);
  if (r.sport)
    out += " sport " + std::to_string(r.sport->start) + "-" + std::to_string(r.sport->end);
  if (r.dport)
    out += " dport " + std::to_string(r.dport->start) + "-" + std::to_string(r.dport->end);
  switch (r.action) {
    case RuleAction::kTable:
      out += r.l3mdev ? " lookup [l3mdev-table]" : " lookup " + std::to_string(r.table);
      break;
    case RuleAction::kGoto:
      out += " goto " + std::to_string(r.gotoTarget);
      break;
    case RuleAction::kNop:
      out += " nop";
      break;
    case RuleAction::kBlackhole:
      out += " blackhole";
      break;
    case RuleAction::kUnreachable:
      out += " unreachable";
      break;
    case RuleAction::kProhibit:
      out += " prohibit";
      break;
  }
  if (r.realms) out += " realms " + std::to_string(*r.realms);
  out += " priority " + std::to_string(r.priority);
  out += " proto " + detail::nameOf(r.protocol, detail::route_line::kProtocols, true);
  return out;
}

}  // namespace holdfast::config
