#include "netio/ip_address.h"

// inet_pton/inet_ntop are pure conversions; no socket is touched here.
#include <arpa/inet.h>

#include <algorithm>

namespace holdfast::netio {

IpAddress IpAddress::v4(std::span<const uint8_t, 4> b) {
  IpAddress a;
  a.family = Family::kIPv4;
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}

IpAddress IpAddress::v6(std::span<const uint8_t, 16> b) {
  IpAddress a;
  a.family = Family::kIPv6;
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s(text);
  IpAddress a;
  if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = Family::kIPv4;
    return a;
  }
  if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = Family::kIPv6;
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family == Family::kIPv4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

}  // namespace holdfast::netio
