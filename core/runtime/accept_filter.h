#pragma once
// no_accept (RFC 5798 6.4.3): a master that is not the address owner does not
// accept packets addressed to its VIPs. keepalived 2.2.7 drops them in an nftables
// table while such an instance is master (its VIPs in the table's set exactly while
// they are on the interface); holdfast does the same in its own table
// (netio/nft_filter.h), from the running instances' states: `desiredFilter` is the
// pure part, AcceptFilter programs it and counts what failed (never stopping VRRP).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config/model.h"
#include "core/runtime/kernel.h"
#include "netio/address_manager.h"
#include "netio/nft_filter.h"

namespace holdfast::runtime {

// One running instance as the filter sees it.
struct FilterMember {
  bool noAccept = false;  // no_accept and not the address owner
  bool master = false;
  const std::vector<netio::AddressSpec>* vips = nullptr;
};

// The tables for `members`: a family's table exists while some no_accept instance
// of that family runs; its sets hold the VIPs of the no_accept masters.
netio::NftFilterSpec desiredFilter(const config::GlobalDefs& g,
                                   const std::vector<FilterMember>& members);

class AcceptFilter {
 public:
  explicit AcceptFilter(VipFilter& kernel) : kernel_(kernel) {}
  // Programs `spec` if it differs from what was programmed; a failure is logged with
  // nft's reason, counted, and tried again at the next sync.
  void sync(const netio::NftFilterSpec& spec);
  // At stop: the table goes.
  void remove();

  // `a` is dropped now (in the sets as last programmed).
  bool filtered(const netio::IpAddress& a) const;
  uint64_t failures() const { return failures_; }
  const std::string& lastError() const { return lastError_; }

 private:
  VipFilter& kernel_;
  std::unique_ptr<netio::NftFilterSpec> programmed_;
  uint64_t failures_ = 0;
  std::string lastError_;
};

// The real VipFilter (libnftables in holdfastd's namespace); `record` as for
// netio::NftVipFilter.
std::unique_ptr<VipFilter> makeNftVipFilter(const std::string& record);

}  // namespace holdfast::runtime
