#include "netio/address_manager.h"

#include <linux/if_addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

namespace holdfast::netio {
namespace {

struct AddrDeleter {
  void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct NlAddrDeleter {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct CacheDeleter {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};

std::unique_ptr<nl_addr, NlAddrDeleter> toNl(const IpAddress& a) {
  return std::unique_ptr<nl_addr, NlAddrDeleter>(
      nl_addr_build(a.family == Family::kIPv4 ? AF_INET : AF_INET6, a.bytes.data(), a.size()));
}

std::unique_ptr<rtnl_addr, AddrDeleter> build(const AddressSpec& spec) {
  std::unique_ptr<rtnl_addr, AddrDeleter> addr(rtnl_addr_alloc());
  auto local = toNl(spec.address);
  nl_addr_set_prefixlen(local.get(), spec.prefixLength);
  rtnl_addr_set_ifindex(addr.get(), spec.ifindex);
  rtnl_addr_set_local(addr.get(), local.get());
  rtnl_addr_set_prefixlen(addr.get(), spec.prefixLength);
  if (spec.scope != 0) rtnl_addr_set_scope(addr.get(), spec.scope);
  if (spec.address.family == Family::kIPv6) {
    rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  } else {
    if (!spec.label.empty()) rtnl_addr_set_label(addr.get(), spec.label.c_str());
    if (spec.broadcast) {
      auto brd = toNl(*spec.broadcast);
      rtnl_addr_set_broadcast(addr.get(), brd.get());
    }
  }
  return addr;
}

}  // namespace

std::expected<AddressManager, std::string> AddressManager::open() {
  nl_sock* sock = nl_socket_alloc();
  if (!sock) return std::unexpected("nl_socket_alloc failed");
  if (int rc = nl_connect(sock, NETLINK_ROUTE); rc < 0) {
    nl_socket_free(sock);
    return std::unexpected(std::string("netlink connect: ") + nl_geterror(rc));
  }
  return AddressManager(sock);
}

AddressManager::AddressManager(AddressManager&& o) noexcept : sock_(o.sock_) {
  o.sock_ = nullptr;
}

AddressManager::~AddressManager() {
  if (sock_) nl_socket_free(sock_);
}

std::expected<void, std::string> AddressManager::add(const AddressSpec& spec) {
  auto addr = build(spec);
  int rc = rtnl_addr_add(sock_, addr.get(), NLM_F_CREATE | NLM_F_REPLACE);
  if (rc < 0 && rc != -NLE_EXIST) {
    return std::unexpected("add " + spec.address.str() + "/" + std::to_string(spec.prefixLength) +
                           ": " + nl_geterror(rc));
  }
  return {};
}

std::expected<void, std::string> AddressManager::remove(const AddressSpec& spec) {
  auto addr = build(spec);
  int rc = rtnl_addr_delete(sock_, addr.get(), 0);
  if (rc < 0 && rc != -NLE_NOADDR && rc != -NLE_OBJ_NOTFOUND) {
    return std::unexpected("remove " + spec.address.str() + ": " + nl_geterror(rc));
  }
  return {};
}

std::expected<bool, std::string> AddressManager::has(const IpAddress& address, int ifindex) {
  nl_cache* raw = nullptr;
  if (int rc = rtnl_addr_alloc_cache(sock_, &raw); rc < 0) {
    return std::unexpected(std::string("address dump: ") + nl_geterror(rc));
  }
  std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
  auto want = toNl(address);
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    if (rtnl_addr_get_ifindex(a) != ifindex) continue;
    nl_addr* local = rtnl_addr_get_local(a);
    if (local && nl_addr_get_len(local) == address.size() &&
        std::memcmp(nl_addr_get_binary_addr(local), address.bytes.data(), address.size()) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace holdfast::netio
