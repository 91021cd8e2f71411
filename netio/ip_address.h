#pragma once
// An IPv4 or IPv6 address: a family and its bytes in network order, and a MAC
// address. Plain data, so the protocol logic that uses them needs no socket headers.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace holdfast::netio {

enum class Family : uint8_t { kIPv4, kIPv6 };

struct IpAddress {
  Family family = Family::kIPv4;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4

  static IpAddress v4(std::span<const uint8_t, 4> b);
  static IpAddress v6(std::span<const uint8_t, 16> b);
  static std::optional<IpAddress> parse(std::string_view text);

  size_t size() const { return family == Family::kIPv4 ? 4 : 16; }
  std::span<const uint8_t> view() const { return {bytes.data(), size()}; }
  std::string str() const;
  bool multicast() const {
    return family == Family::kIPv4 ? (bytes[0] & 0xf0) == 0xe0 : bytes[0] == 0xff;
  }

  // Numeric order within a family (RFC 5798 6.4.3: the larger primary address wins
  // a priority tie). IPv4 sorts before IPv6.
  auto operator<=>(const IpAddress&) const = default;
};

inline size_t addressLength(Family f) {
  return f == Family::kIPv4 ? 4 : 16;
}

using MacAddress = std::array<uint8_t, 6>;

}  // namespace holdfast::netio
