#include "netio/vmac_link.h"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

namespace holdfast::netio {
namespace {

struct LinkDeleter {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;
struct NlAddrDeleter {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};

}  // namespace

std::expected<VmacLinks, std::string> VmacLinks::open() {
  nl_sock* sock = nl_socket_alloc();
  if (!sock) return std::unexpected("nl_socket_alloc failed");
  if (int rc = nl_connect(sock, NETLINK_ROUTE); rc < 0) {
    nl_socket_free(sock);
    return std::unexpected(std::string("netlink connect: ") + nl_geterror(rc));
  }
  return VmacLinks(sock);
}

VmacLinks::VmacLinks(VmacLinks&& o) noexcept : sock_(o.sock_) {
  o.sock_ = nullptr;
}

VmacLinks::~VmacLinks() {
  if (sock_) nl_socket_free(sock_);
}

std::expected<std::optional<LinkDescription>, std::string> VmacLinks::describe(
    const std::string& name) {
  rtnl_link* raw = nullptr;
  int rc = rtnl_link_get_kernel(sock_, 0, name.c_str(), &raw);
  if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV) return std::nullopt;
  if (rc < 0) return std::unexpected("read link " + name + ": " + nl_geterror(rc));
  LinkPtr link(raw);
  LinkDescription d;
  d.index = rtnl_link_get_ifindex(link.get());
  if (const char* kind = rtnl_link_get_type(link.get())) d.kind = kind;
  d.lowerIndex = rtnl_link_get_link(link.get());
  if (nl_addr* a = rtnl_link_get_addr(link.get()); a && nl_addr_get_len(a) == 6) {
    std::memcpy(d.mac.data(), nl_addr_get_binary_addr(a), 6);
  }
  if (d.kind == "macvlan") d.macvlanMode = rtnl_link_macvlan_get_mode(link.get());
  d.up = (rtnl_link_get_flags(link.get()) & IFF_UP) != 0;
  return d;
}

std::expected<void, std::string> VmacLinks::createMacvlan(const std::string& name, int lowerIndex,
                                                          const MacAddress& mac) {
  LinkPtr link(rtnl_link_macvlan_alloc());
  if (!link) return std::unexpected("rtnl_link_macvlan_alloc failed");
  rtnl_link_set_name(link.get(), name.c_str());
  rtnl_link_set_link(link.get(), lowerIndex);
  // Private: the VMAC takes the frames for its MAC and nothing from the other
  // macvlans on the same link (keepalived 2.2.7's mode).
  rtnl_link_macvlan_set_mode(link.get(), MACVLAN_MODE_PRIVATE);
  std::unique_ptr<nl_addr, NlAddrDeleter> addr(nl_addr_build(AF_LLC, mac.data(), mac.size()));
  rtnl_link_set_addr(link.get(), addr.get());
  if (int rc = rtnl_link_add(sock_, link.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0) {
    return std::unexpected("create macvlan " + name + ": " + nl_geterror(rc));
  }
  return {};
}

std::expected<void, std::string> VmacLinks::setUp(int index) {
  LinkPtr orig(rtnl_link_alloc());
  rtnl_link_set_ifindex(orig.get(), index);
  LinkPtr change(rtnl_link_alloc());
  rtnl_link_set_flags(change.get(), IFF_UP);
  if (int rc = rtnl_link_change(sock_, orig.get(), change.get(), 0); rc < 0) {
    return std::unexpected("set link " + std::to_string(index) + " up: " + nl_geterror(rc));
  }
  return {};
}

std::expected<void, std::string> VmacLinks::addLinkLocal(int index, const IpAddress& address) {
  std::unique_ptr<rtnl_addr, decltype(&rtnl_addr_put)> addr(rtnl_addr_alloc(), &rtnl_addr_put);
  if (!addr) return std::unexpected("rtnl_addr_alloc failed");
  std::unique_ptr<nl_addr, NlAddrDeleter> local(
      nl_addr_build(AF_INET6, address.bytes.data(), address.size()));
  rtnl_addr_set_ifindex(addr.get(), index);
  rtnl_addr_set_family(addr.get(), AF_INET6);
  rtnl_addr_set_local(addr.get(), local.get());
  rtnl_addr_set_prefixlen(addr.get(), 64);
  rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  // preferred_lft 0 (deprecated): never picked as a source by the kernel on its
  // own; the adverts name it explicitly.
  rtnl_addr_set_preferred_lifetime(addr.get(), 0);
  rtnl_addr_set_valid_lifetime(addr.get(), 0xffffffffU);
  if (int rc = rtnl_addr_add(sock_, addr.get(), NLM_F_CREATE | NLM_F_REPLACE); rc < 0) {
    return std::unexpected("add " + address.str() + " to link " + std::to_string(index) + ": " +
                           nl_geterror(rc));
  }
  return {};
}

std::expected<void, std::string> VmacLinks::remove(int index) {
  LinkPtr link(rtnl_link_alloc());
  rtnl_link_set_ifindex(link.get(), index);
  int rc = rtnl_link_delete(sock_, link.get());
  if (rc < 0 && rc != -NLE_NODEV && rc != -NLE_OBJ_NOTFOUND) {
    return std::unexpected("delete link " + std::to_string(index) + ": " + nl_geterror(rc));
  }
  return {};
}

std::expected<int, std::string> readSysctl(const std::string& path) {
  std::ifstream in("/proc/sys/" + path);
  int v = 0;
  if (!(in >> v)) return std::unexpected("cannot read /proc/sys/" + path);
  return v;
}

std::expected<void, std::string> writeSysctl(const std::string& path, int value) {
  std::ofstream out("/proc/sys/" + path);
  out << value << '\n';
  out.flush();
  if (!out) {
    return std::unexpected("cannot write " + std::to_string(value) + " to /proc/sys/" + path +
                           ": " + std::strerror(errno));
  }
  return {};
}

}  // namespace holdfast::netio
