#include "core/runtime/route_keeper.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "core/log/logger.h"

namespace holdfast::runtime {

namespace {

netio::IpAddress toNetio(const config::IpAddress& a) {
  return netio::IpAddress::parse(a.to_string()).value();
}

netio::Family familyOf(bool ipv6) {
  return ipv6 ? netio::Family::kIPv6 : netio::Family::kIPv4;
}

bool sameAddress(const netio::AddressSpec& a, const netio::AddressSpec& b) {
  return a.address == b.address && a.prefixLength == b.prefixLength && a.ifindex == b.ifindex &&
         a.label == b.label && a.broadcast == b.broadcast && a.scope == b.scope;
}

bool sameRoute(const netio::Route& a, const netio::Route& b) {
  return a.family == b.family && a.dst == b.dst && a.dstLength == b.dstLength && a.from == b.from &&
         a.fromLength == b.fromLength && a.prefSrc == b.prefSrc && a.via == b.via &&
         a.ifindex == b.ifindex && a.table == b.table && a.metric == b.metric &&
         a.protocol == b.protocol && a.scope == b.scope && a.type == b.type && a.tos == b.tos &&
         a.onlink == b.onlink && a.nexthops == b.nexthops && a.mode == b.mode;
}

bool sameRule(const netio::Rule& a, const netio::Rule& b) {
  return a.family == b.family && a.from == b.from && a.fromLength == b.fromLength && a.to == b.to &&
         a.toLength == b.toLength && a.priority == b.priority && a.action == b.action &&
         a.table == b.table && a.gotoTarget == b.gotoTarget && a.iif == b.iif && a.oif == b.oif &&
         a.fwmark == b.fwmark && a.fwmask == b.fwmask && a.tos == b.tos && a.realms == b.realms &&
         a.l3mdev == b.l3mdev && a.protocol == b.protocol && a.ipProto == b.ipProto &&
         a.sport == b.sport && a.dport == b.dport;
}

const char* kindName(KeptItem::Kind k) {
  switch (k) {
    case KeptItem::Kind::kAddress:
      return "address";
    case KeptItem::Kind::kRoute:
      return "route";
    case KeptItem::Kind::kRule:
      return "rule";
  }
  return "?";
}

netio::Route toRoute(const config::RouteSpec& r, int ifindex) {
  netio::Route out;
  out.family = familyOf(r.ipv6);
  out.dst = toNetio(r.dst.address);
  out.dst.family = out.family;
  out.dstLength = r.dst.length;
  if (r.from) {
    out.from = toNetio(r.from->address);
    out.fromLength = r.from->length;
  }
  if (r.src) out.prefSrc = toNetio(*r.src);
  if (r.via) out.via = toNetio(*r.via);
  out.ifindex = ifindex;
  out.table = r.table;
  out.metric = r.metric;
  out.protocol = r.protocol;
  out.scope = r.scope;
  out.type = r.type;
  out.tos = r.tos;
  out.onlink = r.onlink;
  out.mode = static_cast<netio::Route::Mode>(r.mode);
  return out;
}

netio::Rule toRule(const config::RuleSpec& r) {
  netio::Rule out;
  out.family = familyOf(r.ipv6);
  if (r.from) {
    out.from = toNetio(r.from->address);
    out.fromLength = r.from->length;
  }
  if (r.to) {
    out.to = toNetio(r.to->address);
    out.toLength = r.to->length;
  }
  out.priority = r.priority;
  out.action = static_cast<uint8_t>(r.action);
  out.table = r.table;
  out.gotoTarget = r.gotoTarget;
  out.iif = r.iif;
  out.oif = r.oif;
  out.fwmark = r.fwmark;
  out.fwmask = r.fwmask;
  out.tos = r.tos;
  out.realms = r.realms;
  out.l3mdev = r.l3mdev;
  out.protocol = r.protocol;
  out.ipProto = r.ipProto;
  if (r.sport) out.sport = std::make_pair(r.sport->start, r.sport->end);
  if (r.dport) out.dport = std::make_pair(r.dport->start, r.dport->end);
  return out;
}

int scopeValue(const std::string& s) {
  static const std::map<std::string, int> kScopes{
      {"global", 0}, {"site", 200}, {"link", 253}, {"host", 254}, {"nowhere", 255}};
  auto it = kScopes.find(s);
  return it == kScopes.end() ? 0 : it->second;
}

}  // namespace

bool KeptItem::same(const KeptItem& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case Kind::kAddress:
      return sameAddress(address, o.address);
    case Kind::kRoute:
      return sameRoute(route, o.route);
    case Kind::kRule:
      return sameRule(rule, o.rule);
  }
  return false;
}

std::expected<std::vector<KeptItem>, std::string> keptItems(
    Kernel& kernel, const std::vector<config::VirtualAddress>& addresses,
    const std::string& defaultDev, const std::vector<config::RouteSpec>& routes,
    const std::vector<config::RuleSpec>& rules, const std::string& owner,
    const AddressPlacer& place) {
  std::vector<KeptItem> out;
  for (const auto& va : addresses) {
    const std::string& dev = va.dev.empty() ? defaultDev : va.dev;
    auto info = kernel.lookupInterface(dev);
    if (!info) {
      return std::unexpected("address " + va.address.to_string() + " (" + va.where.fileLine() +
                             "): no interface '" + dev + "'");
    }
    int ifindex = info->index;
    std::string on = dev;
    if (place) {
      if (auto moved = place(va, ifindex)) std::tie(ifindex, on) = *moved;
    }
    KeptItem k;
    k.kind = KeptItem::Kind::kAddress;
    k.address = {toNetio(va.address), va.prefixLength,     ifindex, va.label,
                 std::nullopt,        scopeValue(va.scope)};
    if (va.broadcast && va.address.is_v4()) k.address.broadcast = toNetio(*va.broadcast);
    k.text = va.address.to_string() + "/" + std::to_string(va.prefixLength) + " dev " + on;
    out.push_back(std::move(k));
  }
  for (const auto& r : routes) {
    int ifindex = 0;
    if (!r.dev.empty()) {
      auto info = kernel.lookupInterface(r.dev);
      if (!info) {
        log::warning(owner + ": route " + config::describe(r) + " (" + r.where.fileLine() +
                     "): no interface '" + r.dev + "'; the route is skipped, as keepalived does");
        continue;
      }
      ifindex = info->index;
    }
    KeptItem k;
    k.kind = KeptItem::Kind::kRoute;
    k.route = toRoute(r, ifindex);
    bool resolved = true;
    for (const auto& nh : r.nexthops) {
      netio::NextHop hop;
      if (nh.via) hop.via = toNetio(*nh.via);
      hop.weight = nh.weight;
      hop.onlink = nh.onlink;
      if (!nh.dev.empty()) {
        auto info = kernel.lookupInterface(nh.dev);
        if (!info) {
          log::warning(owner + ": route " + config::describe(r) + " (" + r.where.fileLine() +
                       "): no interface '" + nh.dev +
                       "'; the route is skipped, as keepalived does");
          resolved = false;
          break;
        }
        hop.ifindex = info->index;
      }
      k.route.nexthops.push_back(hop);
    }
    if (!resolved) continue;
    k.text = config::describe(r);
    out.push_back(std::move(k));
  }
  for (const auto& r : rules) {
    KeptItem k;
    k.kind = KeptItem::Kind::kRule;
    k.rule = toRule(r);
    k.text = config::describe(r);
    out.push_back(std::move(k));
  }
  return out;
}

RouteKeeper::RouteKeeper(std::string owner, AddressTable& addresses, Routing& routing,
                         std::vector<KeptItem> items)
    : owner_(std::move(owner)), addresses_(addresses), routing_(routing) {
  for (auto& i : items) items_.push_back(Held{std::move(i), false, {}, 0});
}

bool RouteKeeper::add(Held& h, bool restoring) {
  std::expected<bool, std::string> r = true;
  switch (h.item.kind) {
    case KeptItem::Kind::kAddress:
      if (auto a = addresses_.add(h.item.address); !a) r = std::unexpected(a.error());
      break;
    case KeptItem::Kind::kRoute:
      r = routing_.add(h.item.route);
      break;
    case KeptItem::Kind::kRule:
      r = routing_.add(h.item.rule);
      break;
  }
  const char* kind = kindName(h.item.kind);
  if (!r) {
    // Logged once per cause: a route whose interface is down would otherwise log at
    // every route deletion the kernel reports.
    if (h.error != r.error()) {
      log::error(owner_ + ": cannot add " + kind + " " + h.item.text + ": " + r.error());
    }
    h.error = r.error();
    h.installed = false;
    return false;
  }
  if (restoring && *r) {
    ++h.putBack;
    log::warning(owner_ + ": " + kind + " " + h.item.text +
                 " was removed behind holdfast's back; put back");
  }
  h.error.clear();
  h.installed = true;
  return true;
}

void RouteKeeper::remove(Held& h) {
  std::expected<void, std::string> r;
  switch (h.item.kind) {
    case KeptItem::Kind::kAddress:
      r = addresses_.remove(h.item.address);
      break;
    case KeptItem::Kind::kRoute:
      r = routing_.remove(h.item.route);
      break;
    case KeptItem::Kind::kRule:
      r = routing_.remove(h.item.rule);
      break;
  }
  if (!r) {
    log::error(owner_ + ": cannot remove " + std::string(kindName(h.item.kind)) + " " +
               h.item.text + ": " + r.error());
  }
  h.installed = false;
}

void RouteKeeper::install() {
  held_ = true;
  for (auto& h : items_) add(h, false);
}

void RouteKeeper::uninstall() {
  held_ = false;
  for (auto it = items_.rbegin(); it != items_.rend(); ++it) remove(*it);
}

void RouteKeeper::removeStale() {
  for (auto it = items_.rbegin(); it != items_.rend(); ++it) remove(*it);
}

void RouteKeeper::replace(std::vector<KeptItem> items) {
  std::vector<Held> next;
  for (auto& i : items) {
    auto old =
        std::find_if(items_.begin(), items_.end(), [&](const Held& h) { return h.item.same(i); });
    if (old != items_.end()) {
      Held kept = *old;
      kept.item.text = i.text;
      next.push_back(std::move(kept));
    } else {
      next.push_back(Held{std::move(i), false, {}, 0});
    }
  }
  if (held_) {
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
      const bool stays = std::any_of(next.begin(), next.end(),
                                     [&](const Held& h) { return h.item.same(it->item); });
      if (!stays) {
        remove(*it);
        log::info(owner_ + ": " + kindName(it->item.kind) + " removed in place: " + it->item.text);
      }
    }
  }
  items_ = std::move(next);
  if (held_) {
    for (auto& h : items_) {
      if (h.installed) continue;
      if (add(h, false)) {
        log::info(owner_ + ": " + kindName(h.item.kind) + " added in place: " + h.item.text);
      }
    }
  }
}

void RouteKeeper::restore(KeptItem::Kind kind) {
  if (!held_) return;
  for (auto& h : items_) {
    if (h.item.kind == kind) add(h, true);
  }
}

void RouteKeeper::routesRemoved() {
  restore(KeptItem::Kind::kRoute);
}

void RouteKeeper::rulesRemoved() {
  restore(KeptItem::Kind::kRule);
}

void RouteKeeper::addressRemoved(const netio::IpAddress& a, int ifindex) {
  if (!held_) return;
  for (auto& h : items_) {
    if (h.item.kind != KeptItem::Kind::kAddress || h.item.address.address != a ||
        h.item.address.ifindex != ifindex) {
      continue;
    }
    // An address add replaces: it cannot tell whether it was there, but the kernel
    // just said it was not.
    if (add(h, false)) {
      ++h.putBack;
      log::warning(owner_ + ": address " + h.item.text +
                   " was removed behind holdfast's back; put back");
    }
  }
}

std::vector<netio::AddressSpec> RouteKeeper::addresses() const {
  std::vector<netio::AddressSpec> out;
  for (const auto& h : items_) {
    if (h.item.kind == KeptItem::Kind::kAddress) out.push_back(h.item.address);
  }
  return out;
}

std::vector<KeptItemReport> RouteKeeper::report() const {
  std::vector<KeptItemReport> out;
  for (const auto& h : items_) {
    out.push_back({kindName(h.item.kind), h.item.text, h.installed, h.error, h.putBack});
  }
  return out;
}

}  // namespace holdfast::runtime
