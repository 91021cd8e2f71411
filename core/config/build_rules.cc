// Rules in keepalived 2.2.7's syntax (vrrp_iprule.c alloc_rule is the reference:
// same keywords, same order of checks, same outcome for a bad line).

#include "core/config/build_routes.h"
#include "core/config/route_line.h"

namespace holdfast::config::detail {
namespace {

using namespace route_line;

bool readRule(BuildContext& ctx, const Node& item, bool isStatic, RuleSpec& r, bool& hasPriority) {
  LineReader in(ctx, item, "rule");
  r.where = item.where();
  bool familySet = false;
  bool actionSet = false;
  bool tableOption = false;
  constexpr const char* kMix = "rule specification has mixed IPv4 and IPv6";
  auto setAction = [&](RuleAction a) {
    if (actionSet) {
      return in.drop(
          "cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev");
    }
    actionSet = true;
    r.action = a;
    return true;
  };
  auto readPrefix = [&](std::optional<RoutePrefix>& out, const char* what) {
    const size_t at = in.index() + 1;
    in.next();
    if (!in.more()) return in.drop(std::string("invalid rule ") + what + " address ''");
    auto p = prefix(ctx, in.at(at));
    if (!p) return in.drop(std::string("invalid rule ") + what + " address '" + in.word() + "'");
    if (!p->anyFamily && !in.family(familySet, r.ipv6, p->prefix.address.is_v6(), kMix)) {
      return false;
    }
    // `all` matches everything: no prefix (the family comes from the rest of the line).
    if (p->anyFamily) {
      out.reset();
    } else {
      out = p->prefix;
    }
    return true;
  };
  while (in.more()) {
    const std::string w = in.word();
    if (w == "inet6" || w == "inet") {
      if (!in.family(
              familySet, r.ipv6, w == "inet6",
              w == "inet6" ? "inet6 specified for IPv4 rule" : "inet specified for IPv6 rule")) {
        return false;
      }
      in.skipAfterFamily();
    } else if (w == "from") {
      if (!readPrefix(r.from, "from")) return false;
    } else if (w == "to") {
      if (!readPrefix(r.to, "to")) return false;
    } else if (w == "table" || w == "lookup") {
      auto t = tableId(in.next());
      if (!t) return in.drop("routing table '" + in.word() + "' not found");
      if (*t == 0) return in.drop("table 0 is not valid");
      r.table = *t;
      if (!setAction(RuleAction::kTable)) return false;
    } else if (w == "preference" || w == "order" || w == "priority") {
      auto n = number(in.next(), UINT32_MAX);
      if (!n) return in.drop("invalid rule preference '" + in.word() + "'");
      r.priority = static_cast<uint32_t>(*n);
      hasPriority = true;
    } else if (w == "tos" || w == "dsfield") {
      auto n = number(in.next(), 255);
      if (!n) return in.drop("TOS value '" + in.word() + "' is invalid");
      r.tos = static_cast<uint8_t>(*n);
    } else if (w == "fwmark") {
      const std::string v = in.next();
      const size_t slash = v.find('/');
      auto mark = number(std::string_view(v).substr(0, slash), UINT32_MAX);
      std::optional<uint64_t> mask;
      if (slash != std::string::npos)
        mask = number(std::string_view(v).substr(slash + 1), UINT32_MAX);
      if (!mark || (slash != std::string::npos && !mask)) {
        return in.drop("invalid rule fwmark '" + v + "'");
      }
      r.fwmark = static_cast<uint32_t>(*mark);
      if (mask) r.fwmask = static_cast<uint32_t>(*mask);
    } else if (w == "realms") {
      // FROM/TO realms as numbers ("2", "1/2").
      const std::string v = in.next();
      const size_t slash = v.find('/');
      auto a = number(std::string_view(v).substr(0, slash), 0xffff);
      std::optional<uint64_t> b = 0;
      if (slash != std::string::npos) b = number(std::string_view(v).substr(slash + 1), 0xffff);
      if (!a || !b) return in.drop("invalid realms '" + v + "'");
      r.realms = slash == std::string::npos ? static_cast<uint32_t>(*a)
                                            : static_cast<uint32_t>((*a << 16) | *b);
      tableOption = true;
      if (!in.family(familySet, r.ipv6, false, "realms is only valid for IPv4")) return false;
    } else if (w == "dev" || w == "iif") {
      r.iif = in.next();
      if (r.iif.empty()) return in.drop("'" + w + "' needs an interface name");
    } else if (w == "oif") {
      r.oif = in.next();
      if (r.oif.empty()) return in.drop("'oif' needs an interface name");
    } else if (w == "l3mdev") {
      r.l3mdev = true;
      if (actionSet) return in.drop("cannot specify l3mdev with other action");
      actionSet = true;
      r.action = RuleAction::kTable;
    } else if (w == "protocol") {
      // keepalived reports a bad value and keeps the rule.
      if (auto n = number(in.next(), 255)) {
        r.protocol = static_cast<uint8_t>(*n);
      } else {
        ctx.mistake(in.where(), "rule: invalid protocol '" + in.word() + "'",
                    "ignored, as keepalived does");
      }
    } else if (w == "ipproto") {
      static const std::map<std::string, uint8_t> kIpProtos{
          {"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"ipv6-icmp", 58}, {"sctp", 132}};
      if (auto p = named(in.next(), kIpProtos)) {
        r.ipProto = *p;
      } else {
        ctx.mistake(in.where(), "rule: invalid ipproto '" + in.word() + "'",
                    "ignored, as keepalived does");
      }
    } else if (w == "sport" || w == "dport") {
      const std::string v = in.next();
      const size_t dash = v.find('-');
      auto a = number(std::string_view(v).substr(0, dash), 65535);
      auto b = dash == std::string::npos ? a : number(std::string_view(v).substr(dash + 1), 65535);
      if (!a || !b) {
        ctx.mistake(in.where(), "rule: invalid " + w + " range '" + v + "'",
                    "ignored, as keepalived does");
      } else {
        (w == "sport" ? r.sport : r.dport) =
            PortRange{static_cast<uint16_t>(*a), static_cast<uint16_t>(*b)};
      }
    } else if (w == "no_track") {
      r.noTrack = true;
    } else if (isStatic && w == "track_group") {
      in.next();
      ctx.diags().noEffect(in.where(),
                           "'track_group' is not implemented in holdfast yet: no "
                           "effect (holdfast puts a static rule back when it is "
                           "removed)");
    } else if (kRuleUnimplemented.contains(w)) {
      return in.unimplemented(w);
    } else {
      std::string a = w;
      if (a == "type") a = in.next();
      if (a == "goto") {
        auto n = number(in.next(), UINT32_MAX);
        if (!n) return in.drop("invalid goto target '" + in.word() + "'");
        r.gotoTarget = static_cast<uint32_t>(*n);
        if (!setAction(RuleAction::kGoto)) return false;
      } else if (a == "nop") {
        if (!setAction(RuleAction::kNop)) return false;
      } else if (auto t = routeType(a)) {
        if (*t == 6) {
          if (!setAction(RuleAction::kBlackhole)) return false;
        } else if (*t == 7) {
          if (!setAction(RuleAction::kUnreachable)) return false;
        } else if (*t == 8) {
          if (!setAction(RuleAction::kProhibit)) return false;
        } else {
          return in.drop("invalid rule action '" + a + "'");
        }
      } else {
        return in.drop("unknown rule option '" + a + "'" +
                       (a == "pref" || a == "prio" ? " (keepalived takes 'preference')" : ""));
      }
    }
    in.advance();
  }
  if (r.action == RuleAction::kGoto) {
    if (!hasPriority) {
      return in.drop("goto target " + std::to_string(r.gotoTarget) +
                     " specified without preference");
    }
    if (r.priority >= r.gotoTarget) {
      return in.drop("preference " + std::to_string(r.priority) + " >= goto target " +
                     std::to_string(r.gotoTarget));
    }
  }
  if (!actionSet) return in.drop("no action specified for rule");
  if (r.action != RuleAction::kTable && tableOption) {
    return in.drop("suppressor/realm specified for non table action");
  }
  if (r.l3mdev && r.table != 0) return in.drop("table cannot be specified for l3mdev rules");
  if (!r.noTrack && r.protocol != kProtoKeepalived) {
    ctx.mistake(r.where,
                "rule: a tracked rule's protocol must be keepalived (18); write no_track to "
                "keep another",
                "using protocol 18, as keepalived does");
    r.protocol = kProtoKeepalived;
  }
  return true;
}

}  // namespace

std::vector<RuleSpec> buildRuleList(BuildContext& ctx, const Node& list, bool isStatic,
                                    RulePriorities& next) {
  BuildContext::Tolerant tolerant(ctx);
  std::vector<RuleSpec> out;
  for (const Node& item : list.children) {
    RuleSpec r;
    bool hasPriority = false;
    if (!readRule(ctx, item, isStatic, r, hasPriority)) continue;
    if (!hasPriority) {
      r.priority = r.ipv6 ? next.nextV6-- : next.nextV4--;
      ctx.mistake(r.where, "rule has no preference (rules need one: their order decides)",
                  "using " + std::to_string(r.priority) + ", as keepalived does");
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace holdfast::config::detail
