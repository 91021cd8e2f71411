#include "core/runtime/accept_filter.h"

#include <algorithm>

#include "core/log/logger.h"

namespace holdfast::runtime {
namespace {

bool linkLocal(const netio::IpAddress& a) {
  return a.family == netio::Family::kIPv6 && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

template <class T>
void addOnce(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

class NftKernelFilter final : public VipFilter {
 public:
  explicit NftKernelFilter(const std::string& record) : filter_(record) {}
  std::expected<void, std::string> apply(const netio::NftFilterSpec& spec) override {
    return filter_.apply(spec);
  }
  std::expected<void, std::string> remove() override { return filter_.remove(); }

 private:
  netio::NftVipFilter filter_;
};

}  // namespace

netio::NftFilterSpec desiredFilter(const config::GlobalDefs& g,
                                   const std::vector<FilterMember>& members) {
  netio::NftFilterSpec s;
  s.table = g.nftTable;
  s.priority = g.nftPriority;
  s.counters = g.nftCounters;
  for (const FilterMember& m : members) {
    if (!m.noAccept || !m.vips) continue;
    for (const netio::AddressSpec& v : *m.vips) {
      const bool v6 = v.address.family == netio::Family::kIPv6;
      (v6 ? s.ipv6 : s.ipv4) = true;
      if (linkLocal(v.address)) s.ipv6LinkLocal = true;
      if (!m.master) continue;
      if (!v6) {
        addOnce(s.vips4, v.address);
      } else if (linkLocal(v.address)) {
        addOnce(s.linkLocal, {v.address, v.ifindex});
      } else {
        addOnce(s.vips6, v.address);
      }
    }
  }
  return s;
}

void AcceptFilter::sync(const netio::NftFilterSpec& spec) {
  if (programmed_ && *programmed_ == spec) return;
  if (auto r = kernel_.apply(spec); !r) {
    ++failures_;
    lastError_ = r.error();
    programmed_.reset();
    if (!spec.any()) {
      // No instance needs the table: only a crashed run's could not be looked for.
      log::warning("no_accept: cannot remove a table '" + spec.table +
                   "' a crashed run may have left: " + r.error());
      return;
    }
    log::error("no_accept: cannot program nftables table '" + spec.table + "': " + r.error() +
               " (VRRP goes on; the VIPs are not filtered as configured)");
    return;
  }
  programmed_ = std::make_unique<netio::NftFilterSpec>(spec);
}

void AcceptFilter::remove() {
  programmed_.reset();
  if (auto r = kernel_.remove(); !r) {
    ++failures_;
    lastError_ = r.error();
    log::error("no_accept: cannot remove nftables table: " + r.error());
  }
}

bool AcceptFilter::filtered(const netio::IpAddress& a) const {
  if (!programmed_) return false;
  const auto& s = *programmed_;
  auto in = [&](const auto& v) { return std::find(v.begin(), v.end(), a) != v.end(); };
  return in(s.vips4) || in(s.vips6) ||
         std::any_of(s.linkLocal.begin(), s.linkLocal.end(),
                     [&](const auto& p) { return p.first == a; });
}

std::unique_ptr<VipFilter> makeNftVipFilter(const std::string& record) {
  return std::make_unique<NftKernelFilter>(record);
}

}  // namespace holdfast::runtime
