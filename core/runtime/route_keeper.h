#pragma once
// Keeps a set of addresses, routes and rules in the kernel while it is held: an
// instance's virtual_ipaddress_excluded, virtual_routes and virtual_rules (held while
// master, with the VIPs), or the config's static_ipaddress, static_routes and
// static_rules (held while holdfastd runs). What someone removes while it is held is
// put back (the kernel's route and rule deletions arrive through the link watch);
// at start, what a crashed run left is removed (an exact match with the config: same
// destination, table, protocol, ... so nobody else's route is touched).
//
// Order, keepalived's: in, addresses then routes (a route may use one as its source)
// then rules; out, rules then routes then addresses.

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config/model.h"
#include "core/runtime/kernel.h"
#include "core/runtime/vrrp_report.h"

namespace holdfast::runtime {

struct KeptItem {
  enum class Kind { kAddress, kRoute, kRule } kind = Kind::kRoute;
  netio::AddressSpec address;
  netio::Route route;
  netio::Rule rule;
  std::string text;  // for logs and holdfastctl
  bool same(const KeptItem& o) const;
};

// The items of a config's lists, interfaces resolved through `kernel`. An interface
// that does not exist skips the route (keepalived skips it too) with a log line; an
// address's missing interface is an error (as for a VIP). `place`, when given, may
// move an address from its link (ifindex) to another (use_vmac_addr's VMACs).
using AddressPlacer =
    std::function<std::optional<std::pair<int, std::string>>(const config::VirtualAddress&, int)>;
std::expected<std::vector<KeptItem>, std::string> keptItems(
    Kernel& kernel, const std::vector<config::VirtualAddress>& addresses,
    const std::string& defaultDev, const std::vector<config::RouteSpec>& routes,
    const std::vector<config::RuleSpec>& rules, const std::string& owner,
    const AddressPlacer& place = nullptr);

class RouteKeeper {
 public:
  RouteKeeper(std::string owner, AddressTable& addresses, Routing& routing,
              std::vector<KeptItem> items);

  bool empty() const { return items_.empty(); }
  bool held() const { return held_; }
  // Puts every item in and keeps them there.
  void install();
  // Takes every item out; nothing is put back any more.
  void uninstall();
  // Takes out what an earlier run left (not held).
  void removeStale();
  // A reload: while held, items no longer listed go and new ones come in; items in
  // both are not touched.
  void replace(std::vector<KeptItem> items);
  // The kernel removed some route (rule): every route (rule) held is added again; the
  // ones that were really gone are logged as put back.
  void routesRemoved();
  void rulesRemoved();
  void addressRemoved(const netio::IpAddress& a, int ifindex);

  std::vector<KeptItemReport> report() const;
  // Every address it keeps (no_accept filters an instance's excluded addresses too).
  std::vector<netio::AddressSpec> addresses() const;

 private:
  struct Held {
    KeptItem item;
    bool installed = false;
    std::string error;
    uint64_t putBack = 0;
  };
  // add: true when the kernel has it (now or already); logs a change of error.
  bool add(Held& h, bool restoring);
  void remove(Held& h);
  void restore(KeptItem::Kind kind);

  std::string owner_;
  AddressTable& addresses_;
  Routing& routing_;
  std::vector<Held> items_;  // addresses, then routes, then rules
  bool held_ = false;
};

}  // namespace holdfast::runtime
