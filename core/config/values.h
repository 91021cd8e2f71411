#pragma once
// Parsing of single config values. Pure functions; the error string says what was
// expected and the caller adds the location.

#include <expected>
#include <string>
#include <string_view>

#include "core/config/model.h"
#include "netio/duration_text.h"

namespace holdfast::config {

// "300ms", "2s", "1m", "1h", "250us", or a bare number of seconds ("0.1", "3").
std::expected<Duration, std::string> parseDuration(std::string_view text);

// A whole number within [low, high].
std::expected<int, std::string> parseInt(std::string_view text, int low, int high);

std::expected<IpAddress, std::string> parseAddress(std::string_view text);
// "ADDR:PORT", IPv6 in brackets: "127.0.0.1:9650", "[::1]:9650".
std::expected<Endpoint, std::string> parseEndpoint(std::string_view text);

struct Prefix {
  IpAddress address;
  int length = 0;
};
// "192.0.2.1/24", "2001:db8::1/64", or a bare address (a host prefix: /32 or /128).
std::expected<Prefix, std::string> parsePrefix(std::string_view text);

// "on"/"off", "true"/"false", "yes"/"no", "1"/"0".
std::expected<bool, std::string> parseBool(std::string_view text);

// "200", "200-299".
std::expected<StatusRange, std::string> parseStatusRange(std::string_view text);

// The escapes a protocol string needs (TCP check send/expect): \r \n \t \\; any
// other backslash stays as written.
std::string unescapeProtocolString(std::string_view text);

// "1.5s", "300ms": the shortest exact form, for summaries and messages (the one
// duration formatter, netio/duration_text.h).
using netio::formatDuration;

}  // namespace holdfast::config
