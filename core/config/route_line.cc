// The words of a route or rule line (route_line.h).

#include "core/config/route_line.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace holdfast::config::detail::route_line {

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

}  // namespace holdfast::config::detail::route_line
