#include "netio/vmac_firewall.h"

#include <nftables/libnftables.h>

#include "netio/nftables_library.h"

namespace holdfast::netio {

namespace {

std::string tableOf(bool ipv6) {
  return ipv6 ? "ip6 holdfast_vmac" : "ip holdfast_vmac";
}

// The table and its rules, written afresh (a table a crashed run left is taken over).
std::string tableCommands(bool ipv6) {
  const std::string t = tableOf(ipv6);
  std::string cmd = "add table " + t + "\n";
  cmd += "add map " + t + " vmac_map { type iface_index : iface_index; }\n";
  if (ipv6) cmd += "add set " + t + " vmac_set { type iface_index; }\n";
  cmd +=
      "add chain " + t + " out { type filter hook output priority filter - 1; policy accept; }\n";
  cmd += "flush chain " + t + " out\n";
  if (ipv6) {
    cmd += "add rule " + t +
           " out icmpv6 type mld2-listener-report meta oifkind \"macvlan\" dup to ip6 daddr "
           "device oif map @vmac_map drop\n";
    cmd += "add rule " + t +
           " out icmpv6 type nd-router-solicit meta oifkind \"macvlan\" oif @vmac_set drop\n";
  } else {
    cmd += "add rule " + t +
           " out ip protocol igmp meta oifkind \"macvlan\" dup to ip daddr device oif map "
           "@vmac_map drop\n";
  }
  return cmd;
}

std::string elementCommands(const char* verb, bool ipv6, const std::string& vmac,
                            const std::string& base) {
  const std::string t = tableOf(ipv6);
  std::string cmd =
      std::string(verb) + " element " + t + " vmac_map { \"" + vmac + "\" : \"" + base + "\" }\n";
  if (ipv6) cmd += std::string(verb) + " element " + t + " vmac_set { \"" + vmac + "\" }\n";
  return cmd;
}

}  // namespace

VmacFirewall::~VmacFirewall() {
  if (ctx_) nft_ctx_free(ctx_);
}

std::expected<void, std::string> VmacFirewall::run(const std::string& commands) {
  if (!ctx_) {
    if (auto loaded = loadNftables(); !loaded) return std::unexpected(loaded.error());
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

bool VmacFirewall::any(bool ipv6) const {
  for (const auto& [name, e] : vmacs_) {
    if (ipv6 ? e.ipv6 : e.ipv4) return true;
  }
  return false;
}

std::expected<void, std::string> VmacFirewall::add(const std::string& vmac, const std::string& base,
                                                   bool ipv4, bool ipv6) {
  if (auto it = vmacs_.find(vmac); it != vmacs_.end()) {
    const Entry& e = it->second;
    if (e.base == base && e.ipv4 == ipv4 && e.ipv6 == ipv6) return {};
    if (auto r = remove(vmac); !r) return r;
  }
  std::string cmd;
  for (bool v6 : {false, true}) {
    if (!(v6 ? ipv6 : ipv4)) continue;
    if (!any(v6)) cmd += tableCommands(v6);
    cmd += elementCommands("add", v6, vmac, base);
  }
  if (cmd.empty()) return {};
  if (auto r = run(cmd); !r) return r;
  vmacs_[vmac] = Entry{base, ipv4, ipv6};
  return {};
}

std::expected<void, std::string> VmacFirewall::remove(const std::string& vmac) {
  auto it = vmacs_.find(vmac);
  if (it == vmacs_.end()) return {};
  const Entry e = it->second;
  vmacs_.erase(it);
  std::string cmd;
  for (bool v6 : {false, true}) {
    if (!(v6 ? e.ipv6 : e.ipv4)) continue;
    cmd += any(v6) ? elementCommands("delete", v6, vmac, e.base)
                   : "delete table " + tableOf(v6) + "\n";
  }
  return run(cmd);
}

}  // namespace holdfast::netio
