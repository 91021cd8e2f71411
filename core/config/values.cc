#include "core/config/values.h"

#include <charconv>
#include <cstdint>

namespace holdfast::config {

std::expected<Duration, std::string> parseDuration(std::string_view text) {
  auto bad = [&] {
    return std::unexpected("expected a duration such as 300ms, 2s or 1m, found '" +
                           std::string(text) + "'");
  };
  size_t i = 0;
  int64_t whole = 0;
  int64_t frac = 0, fracScale = 1;
  bool digits = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    whole = whole * 10 + (text[i++] - '0');
    digits = true;
    if (whole > 100'000'000) return bad();
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (fracScale < 1'000'000) {
        frac = frac * 10 + (text[i] - '0');
        fracScale *= 10;
      }
      ++i;
      digits = true;
    }
  }
  if (!digits) return bad();
  std::string_view unit = text.substr(i);
  int64_t usPerUnit = 0;
  if (unit.empty() || unit == "s") {
    usPerUnit = 1'000'000;
  } else if (unit == "ms") {
    usPerUnit = 1'000;
  } else if (unit == "us") {
    usPerUnit = 1;
  } else if (unit == "m" || unit == "min") {
    usPerUnit = 60'000'000;
  } else if (unit == "h") {
    usPerUnit = 3'600'000'000;
  } else {
    return bad();
  }
  int64_t us = whole * usPerUnit + frac * usPerUnit / fracScale;
  if (us > int64_t{7} * 24 * 3'600'000'000) {
    return std::unexpected("duration '" + std::string(text) + "' is longer than a week");
  }
  return Duration(us);
}

std::expected<int, std::string> parseInt(std::string_view text, int low, int high) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string range = std::to_string(low) + "-" + std::to_string(high);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::unexpected("expected a whole number " + range + ", found '" + std::string(text) +
                           "'");
  }
  if (value < low || value > high) {
    return std::unexpected("value " + std::string(text) + " is out of range " + range);
  }
  return value;
}

std::expected<IpAddress, std::string> parseAddress(std::string_view text) {
  boost::system::error_code ec;
  IpAddress a = boost::asio::ip::make_address(std::string(text), ec);
  if (ec)
    return std::unexpected("expected an IPv4 or IPv6 address, found '" + std::string(text) + "'");
  return a;
}

std::expected<Endpoint, std::string> parseEndpoint(std::string_view text) {
  const std::string expected =
      "expected ADDR:PORT (e.g. 127.0.0.1:9650 or [::1]:9650), found '" + std::string(text) + "'";
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::unexpected(expected);
  std::string_view host = text.substr(0, colon);
  const bool bracketed = host.front() == '[';
  if (bracketed) {
    if (host.size() < 3 || host.back() != ']') return std::unexpected(expected);
    host = host.substr(1, host.size() - 2);
  }
  auto addr = parseAddress(host);
  if (!addr || (addr->is_v6() && !bracketed)) return std::unexpected(expected);
  auto port = parseInt(text.substr(colon + 1), 1, 65535);
  if (!port) return std::unexpected(expected + ": the port must be 1-65535");
  return Endpoint{*addr, *port};
}

std::expected<Prefix, std::string> parsePrefix(std::string_view text) {
  size_t slash = text.find('/');
  auto addr = parseAddress(text.substr(0, slash));
  if (!addr) return std::unexpected(addr.error());
  int maxLen = addr->is_v4() ? 32 : 128;
  if (slash == std::string_view::npos) return Prefix{*addr, maxLen};
  auto len = parseInt(text.substr(slash + 1), 0, maxLen);
  if (!len) {
    return std::unexpected("expected a prefix length 0-" + std::to_string(maxLen) +
                           " after '/' in '" + std::string(text) + "'");
  }
  return Prefix{*addr, *len};
}

std::expected<bool, std::string> parseBool(std::string_view text) {
  if (text == "on" || text == "true" || text == "yes" || text == "1") return true;
  if (text == "off" || text == "false" || text == "no" || text == "0") return false;
  return std::unexpected("expected on or off, found '" + std::string(text) + "'");
}

std::expected<StatusRange, std::string> parseStatusRange(std::string_view text) {
  size_t dash = text.find('-');
  auto low = parseInt(text.substr(0, dash), 100, 599);
  auto high = dash == std::string_view::npos ? low : parseInt(text.substr(dash + 1), 100, 599);
  if (!low || !high || *high < *low) {
    return std::unexpected("expected an HTTP status 100-599 or a range such as 200-299, found '" +
                           std::string(text) + "'");
  }
  return StatusRange{*low, *high};
}

std::string unescapeProtocolString(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    switch (text[i + 1]) {
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        out += text[i];
        continue;  // not an escape: keep the backslash, read the next char normally
    }
    ++i;
  }
  return out;
}

}  // namespace holdfast::config
