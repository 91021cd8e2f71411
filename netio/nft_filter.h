#pragma once
// holdfast's own nftables table for no_accept (RFC 5798 6.4.3: a master that is not
// the address owner does not accept packets addressed to the VIPs). The same shape
// as keepalived 2.2.7's (tests/lab/keepalived-corpus/ACCEPT-NOTES.md), under
// holdfast's name: `table ip holdfast` for IPv4 VIPs and `table ip6 holdfast` for
// IPv6 ones, each with a set `vips` and chains `in`/`out` hooked on input/output at
// priority filter - 1 that drop `daddr @vips` / `saddr @vips`; the IPv6 table lets
// neighbour discovery through and matches link-local VIPs with their interface.
// Programmed through libnftables (one transaction per change); nothing else in the
// ruleset is touched.

#include <expected>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "netio/ip_address.h"

struct nft_ctx;

namespace holdfast::netio {

// What the tables should hold now. A family's table exists while `ipv4` / `ipv6`
// is set (some instance of that family runs in no_accept mode), even with no VIP
// dropped (every such instance a backup).
struct NftFilterSpec {
  std::string table = "holdfast";
  int priority = -1;      // of the chains' hooks (nftables_priority)
  bool counters = false;  // a counter on each rule (nftables_counters)
  bool ipv4 = false;
  bool ipv6 = false;
  bool ipv6LinkLocal = false;    // the ip6 table's set vips_link_local and its rules
  std::vector<IpAddress> vips4;  // dropped now
  std::vector<IpAddress> vips6;  // global IPv6
  std::vector<std::pair<IpAddress, int>> linkLocal;  // (fe80::/10 VIP, ifindex)

  bool any() const { return ipv4 || ipv6; }
  bool sameShape(const NftFilterSpec& o) const {
    return table == o.table && priority == o.priority && counters == o.counters && ipv4 == o.ipv4 &&
           ipv6 == o.ipv6 && ipv6LinkLocal == o.ipv6LinkLocal;
  }
  bool operator==(const NftFilterSpec&) const = default;
};

// nft commands (pure, unit-tested): each is one transaction.
// Deletes both families' tables named `table` (a crashed run's, an earlier
// config's) and creates what `spec` asks for, elements included.
std::string nftReplaceCommands(const NftFilterSpec& spec);
// The sets' elements replaced (same shape as installed).
std::string nftElementCommands(const NftFilterSpec& spec);
// Both families' tables named `table` gone (none there: no error).
std::string nftRemoveCommands(const std::string& table);

// Runs nft commands through libnftables in the caller's network namespace; the
// first run loads the library.
class NftRunner {
 public:
  NftRunner() = default;
  ~NftRunner();
  NftRunner(const NftRunner&) = delete;
  NftRunner& operator=(const NftRunner&) = delete;
  // nft's error text when the transaction failed (nothing of it applied).
  std::expected<void, std::string> run(const std::string& commands);

 private:
  nft_ctx* ctx_ = nullptr;
};

// The table as last programmed: applies a new spec with the least change (only the
// elements when the shape is the same) and removes the table at stop.
//
// `record` (a file under the state directory; empty: none) names the table while one
// of ours may be in the kernel: written before a table is programmed, deleted once
// none is. A run that did not stop leaves it, and the next start removes that table
// even when no instance needs one; a start without the record has nothing of ours to
// remove, so a configuration that never needs a table never loads libnftables.
// Without a record (none given, or its directory not writable), every start
// removes the table of the configured name, to be sure.
class NftVipFilter {
 public:
  explicit NftVipFilter(std::string record = {});
  std::expected<void, std::string> apply(const NftFilterSpec& spec);
  std::expected<void, std::string> remove();

 private:
  // The record names `table` (written only when it does not already).
  void keepRecord(const std::string& table);
  void dropRecord();

  NftRunner runner_;
  std::string record_;
  std::string recorded_;                    // the table the record names; empty: no record
  std::string leftover_;                    // the record's table at start, until removed
  bool mayExist_ = true;                    // a table of ours may be in the kernel
  std::unique_ptr<NftFilterSpec> applied_;  // null: not known to be in the kernel
  std::string installed_;                   // the table that may be there (remove() deletes it)
};

}  // namespace holdfast::netio
