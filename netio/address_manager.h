#pragma once
// Adds and removes addresses on interfaces through rtnetlink (libnl-route): the
// VIPs of a master. IPv6 VIPs are added without duplicate address detection, so
// they are usable at once (a VIP moving between routers is a duplicate by design).

#include <expected>
#include <optional>
#include <string>

#include "netio/ip_address.h"

struct nl_sock;

namespace holdfast::netio {

struct AddressSpec {
  IpAddress address;
  int prefixLength = 32;
  int ifindex = 0;
  std::string label;                   // IPv4 only; empty: none
  std::optional<IpAddress> broadcast;  // IPv4 only
  int scope = 0;                       // RT_SCOPE_*; 0 is global
};

class AddressManager {
 public:
  static std::expected<AddressManager, std::string> open();
  AddressManager(AddressManager&& o) noexcept;
  AddressManager& operator=(AddressManager&&) = delete;
  ~AddressManager();

  // Both succeed when the address is already in (add) or already gone (remove).
  std::expected<void, std::string> add(const AddressSpec& a);
  std::expected<void, std::string> remove(const AddressSpec& a);
  // Whether `address` is on interface `ifindex` now.
  std::expected<bool, std::string> has(const IpAddress& address, int ifindex);

 private:
  explicit AddressManager(nl_sock* sock) : sock_(sock) {}
  nl_sock* sock_ = nullptr;
};

}  // namespace holdfast::netio
