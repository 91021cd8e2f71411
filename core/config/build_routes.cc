// Routes and rules in keepalived 2.2.7's syntax (vrrp_iproute.c alloc_route and
// vrrp_iprule.c alloc_rule are the reference: same keywords, same order of checks,
// same outcome for a bad line). A line keepalived refuses is skipped with a tolerated
// mistake; an option holdfast does not install (nexthop lists, encap, TCP metrics,
// uidrange, ...) skips the line with a "no effect" diagnostic, so that no route goes
// in half-built.

#include "core/config/build_routes.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace holdfast::config::detail {
namespace {

using Address = boost::asio::ip::address;

// One word of a line and where it stands.
struct Word {
  const std::string* text;
  const SourceLocation* where;
};

std::vector<Word> wordsOf(const Node& item) {
  std::vector<Word> w{{&item.keyword.text, &item.keyword.where}};
  for (const Token& t : item.args) w.push_back({&t.text, &t.where});
  return w;
}

// strtoul(…, 0): decimal, 0x hex or 0 octal, within [0, max]; no sign.
std::optional<uint64_t> number(std::string_view s, uint64_t max) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return std::nullopt;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

std::optional<Address> address(const std::string& s) {
  boost::system::error_code ec;
  Address a = boost::asio::ip::make_address(s, ec);
  if (ec) return std::nullopt;
  return a;
}

// A prefix, or `default`/`any`/`all` (length 0, family from the rest of the line).
struct ParsedPrefix {
  RoutePrefix prefix;
  bool anyFamily = false;
};

std::optional<ParsedPrefix> prefix(BuildContext& ctx, const Word& w) {
  const std::string& s = *w.text;
  if (s == "default" || s == "any" || s == "all") return ParsedPrefix{{}, true};
  if (s == "default6") {
    ctx.diags().warning(*w.where,
                        "'default6' is deprecated, as keepalived says; write "
                        "'inet6 default'");
    return ParsedPrefix{{Address(boost::asio::ip::address_v6()), 0}, false};
  }
  const size_t slash = s.find('/');
  auto a = address(s.substr(0, slash));
  if (!a) return std::nullopt;
  const int full = a->is_v4() ? 32 : 128;
  int length = full;
  if (slash != std::string::npos) {
    auto n = number(std::string_view(s).substr(slash + 1), static_cast<uint64_t>(full));
    if (!n) {
      ctx.mistake(*w.where, "invalid prefix length in '" + s + "'",
                  "using /" + std::to_string(full) + ", as keepalived does");
    } else {
      length = static_cast<int>(*n);
    }
  }
  return ParsedPrefix{{*a, length}, false};
}

// iproute2's rt_tables names and numbers.
std::optional<uint32_t> tableId(const std::string& s) {
  static const std::map<std::string, uint32_t> kBuiltin{
      {"unspec", 0}, {"default", 253}, {"main", 254}, {"local", 255}};
  if (auto n = number(s, UINT32_MAX)) return static_cast<uint32_t>(*n);
  if (auto it = kBuiltin.find(s); it != kBuiltin.end()) return it->second;
  for (const char* file : {"/etc/iproute2/rt_tables", "/usr/share/iproute2/rt_tables"}) {
    std::ifstream in(file);
    std::string line;
    for (int i = 0; i < 4096 && std::getline(in, line); ++i) {
      std::istringstream ls(line);
      std::string id, name;
      if (!(ls >> id >> name) || id[0] == '#') continue;
      if (name == s) {
        if (auto n = number(id, UINT32_MAX)) return static_cast<uint32_t>(*n);
      }
    }
  }
  return std::nullopt;
}

std::optional<uint8_t> named(const std::string& s, const std::map<std::string, uint8_t>& names) {
  if (auto n = number(s, 255)) return static_cast<uint8_t>(*n);
  if (auto it = names.find(s); it != names.end()) return it->second;
  return std::nullopt;
}

const std::map<std::string, uint8_t> kProtocols{
    {"unspec", 0},    {"redirect", 1}, {"kernel", 2}, {"boot", 3},   {"static", 4},
    {"gated", 8},     {"ra", 9},       {"mrt", 10},   {"zebra", 11}, {"bird", 12},
    {"dnrouted", 13}, {"xorp", 14},    {"ntk", 15},   {"dhcp", 16},  {"keepalived", 18},
    {"babel", 42},    {"bgp", 186},    {"isis", 187}, {"ospf", 188}, {"rip", 189},
    {"eigrp", 192}};
const std::map<std::string, uint8_t> kScopes{{"global", 0}, {"universe", 0}, {"site", 200},
                                             {"link", 253}, {"host", 254},   {"nowhere", 255}};
const std::map<std::string, uint8_t> kTypes{{"unicast", 1},     {"local", 2},     {"broadcast", 3},
                                            {"anycast", 4},     {"multicast", 5}, {"blackhole", 6},
                                            {"unreachable", 7}, {"prohibit", 8},  {"throw", 9},
                                            {"nat", 10},        {"xresolve", 11}};

std::optional<uint8_t> routeType(const std::string& s) {
  if (auto n = number(s, 255)) return static_cast<uint8_t>(*n);
  auto it = kTypes.find(s);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

// Options keepalived installs and holdfast does not (yet): the line is skipped.
const std::set<std::string> kRouteUnimplemented{"or",
                                                "encap",
                                                "expires",
                                                "mtu",
                                                "hoplimit",
                                                "advmss",
                                                "rtt",
                                                "rttvar",
                                                "reordering",
                                                "window",
                                                "cwnd",
                                                "ssthresh",
                                                "realms",
                                                "rto_min",
                                                "initcwnd",
                                                "initrwnd",
                                                "features",
                                                "quickack",
                                                "congctl",
                                                "pref",
                                                "ttl-propagate",
                                                "fastopen_no_cookie",
                                                "vrf"};
const std::set<std::string> kRuleUnimplemented{
    "not",     "suppress_prefixlength", "sup_pl", "suppress_ifgroup", "sup_group", "tunnel-id",
    "uidrange"};

// Reads one line; keeps going through every word as keepalived does, and stops at the
// first problem that makes keepalived drop the line.
class LineReader {
 public:
  LineReader(BuildContext& ctx, const Node& item, std::string_view what)
      : ctx_(ctx), words_(wordsOf(item)), what_(what) {}

  bool more() const { return i_ < words_.size(); }
  const std::string& word() const {
    static const std::string kNone;
    return more() ? *words_[i_].text : kNone;
  }
  const SourceLocation& where() const { return *words_[std::min(i_, words_.size() - 1)].where; }
  // The next word (the value of an option), or an empty word past the end.
  const std::string& next() {
    ++i_;
    return word();
  }
  void advance() { ++i_; }
  size_t index() const { return i_; }
  const Word& at(size_t i) const { return words_[i]; }

  // The line is dropped: a tolerated mistake, as keepalived's report_config_error.
  bool drop(const std::string& why) {
    ctx_.mistake(where(), std::string(what_) + ": " + why,
                 "the " + std::string(what_) + " is skipped, as keepalived does");
    return false;
  }
  bool unimplemented(const std::string& option) {
    ctx_.diags().noEffect(where(), "'" + option + "' in a " + std::string(what_) +
                                       " is not implemented in holdfast yet: this " +
                                       std::string(what_) + " is not installed");
    return false;
  }
  // keepalived 2.2.7 steps over the word after "inet" or "inet6" (it counts the
  // keyword twice): "inet6 default via ..." has no destination there. The same here,
  // said so.
  void skipAfterFamily() {
    if (i_ + 1 >= words_.size()) return;
    ++i_;
    ctx_.mistake(where(),
                 std::string(what_) + ": '" + word() + "' right after '" + *words_[i_ - 1].text +
                     "' is not read by keepalived 2.2.7 (it skips the word after the family)",
                 "skipped, as keepalived does; put the family last on the line");
  }
  // A family seen on the line: false on a mix, as keepalived refuses.
  bool family(bool& set, bool& ipv6, bool v6, const char* mixMessage) {
    if (!set) {
      set = true;
      ipv6 = v6;
      return true;
    }
    if (ipv6 != v6) return drop(mixMessage);
    return true;
  }

 private:
  BuildContext& ctx_;
  std::vector<Word> words_;
  std::string_view what_;
  size_t i_ = 0;
};

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

std::vector<RouteSpec> buildRouteList(BuildContext& ctx, const Node& list, bool isStatic) {
  BuildContext::Tolerant tolerant(ctx);
  std::vector<RouteSpec> out;
  for (const Node& item : list.children) {
    RouteSpec r;
    if (readRoute(ctx, item, isStatic, r)) out.push_back(std::move(r));
  }
  return out;
}

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

// ---- describe --------------------------------------------------------------------------

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
  using detail::kScopes;
  using detail::kTypes;
  std::string out;
  if (r.ipv6 && r.dst.length == 0) out += "inet6 ";
  if (r.type != 1) out += detail::nameOf(r.type, kTypes, true) + " ";
  out += detail::text(r.dst, r.ipv6);
  if (r.from) out += " from " + detail::text(*r.from, r.ipv6);
  if (r.via) out += " via " + r.via->to_string();
  if (!r.dev.empty()) out += " dev " + r.dev;
  if (r.table != 254) out += " table " + std::to_string(r.table);
  out += " proto " + detail::nameOf(r.protocol, detail::kProtocols, true);
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
  out += " proto " + detail::nameOf(r.protocol, detail::kProtocols, true);
  return out;
}

}  // namespace holdfast::config
