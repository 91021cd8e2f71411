#include "netio/vmac_firewall.h"

#include <nftables/libnftables.h>

namespace holdfast::netio {

namespace {
constexpr const char* kTable = "ip holdfast_vmac";
}

VmacFirewall::~VmacFirewall() {
  if (ctx_) nft_ctx_free(ctx_);
}

std::expected<void, std::string> VmacFirewall::run(const std::string& commands) {
  if (!ctx_) {
    ctx_ = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx_) return std::unexpected("nft_ctx_new failed");
    nft_ctx_buffer_error(ctx_);
  }
  if (nft_run_cmd_from_buffer(ctx_, commands.c_str()) != 0) {
    std::string why = nft_ctx_get_error_buffer(ctx_);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return std::unexpected("nftables: " + why);
  }
  return {};
}

std::expected<void, std::string> VmacFirewall::add(const std::string& vmac,
                                                   const std::string& base) {
  std::string cmd;
  if (vmacs_.empty()) {
    // A table a crashed run left is taken over: its rule is written afresh.
    cmd += std::string("add table ") + kTable + "\n";
    cmd += std::string("add map ") + kTable + " vmac_map { type iface_index : iface_index; }\n";
    cmd += std::string("add chain ") + kTable +
           " out { type filter hook output priority filter - 1; policy accept; }\n";
    cmd += std::string("flush chain ") + kTable + " out\n";
    cmd += std::string("add rule ") + kTable +
           " out ip protocol igmp meta oifkind \"macvlan\" dup to ip daddr device oif map "
           "@vmac_map drop\n";
  }
  cmd +=
      std::string("add element ") + kTable + " vmac_map { \"" + vmac + "\" : \"" + base + "\" }\n";
  if (auto r = run(cmd); !r) return r;
  vmacs_[vmac] = base;
  return {};
}

std::expected<void, std::string> VmacFirewall::remove(const std::string& vmac) {
  auto it = vmacs_.find(vmac);
  if (it == vmacs_.end()) return {};
  const std::string base = it->second;
  vmacs_.erase(it);
  if (vmacs_.empty()) return run(std::string("delete table ") + kTable + "\n");
  return run(std::string("delete element ") + kTable + " vmac_map { \"" + vmac + "\" : \"" + base +
             "\" }\n");
}

}  // namespace holdfast::netio
