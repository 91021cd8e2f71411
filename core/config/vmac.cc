#include "core/config/vmac.h"

#include <cstdio>
#include <cstdlib>

namespace holdfast::config {

namespace {
constexpr size_t kMaxIfName = 15;  // IFNAMSIZ - 1

// PREFIX[NUM].VRID in at most 15 characters, the prefix shortened (keepalived's rule).
std::string fitName(std::string_view prefix, const std::string& num, int vrid) {
  const std::string tail = num + "." + std::to_string(vrid);
  std::string p(prefix);
  if (p.size() + tail.size() > kMaxIfName)
    p.resize(kMaxIfName > tail.size() ? kMaxIfName - tail.size() : 0);
  return p + tail;
}
}  // namespace

Mac vrrpMac(int vrid, AddressFamily family) {
  return {0x00,
          0x00,
          0x5e,
          0x00,
          static_cast<uint8_t>(family == AddressFamily::kIPv6 ? 2 : 1),
          static_cast<uint8_t>(vrid)};
}

Mac vmacMacOf(const VrrpInstance& vi) {
  return vi.vmacMac ? *vi.vmacMac : vrrpMac(vi.virtualRouterId, vi.family);
}

std::string macText(const Mac& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

std::expected<Mac, std::string> parseVmacMac(std::string_view text, int vrid) {
  Mac mac{};
  size_t octets = 0;
  size_t pos = 0;
  while (pos <= text.size() && octets < 6) {
    const size_t end = std::min(text.find(':', pos), text.size());
    const std::string_view part = text.substr(pos, end - pos);
    if (part.empty()) break;  // a trailing ':' after five octets
    if (part.size() > 2 || part.find_first_not_of("0123456789abcdefABCDEF") != part.npos) {
      return std::unexpected("invalid MAC address " + std::string(text));
    }
    mac[octets++] = static_cast<uint8_t>(std::strtoul(std::string(part).c_str(), nullptr, 16));
    pos = end + 1;
    if (end == text.size()) break;
  }
  if (pos < text.size() && octets == 6)
    return std::unexpected("invalid MAC address " + std::string(text));
  if (octets == 5) {
    mac[5] = static_cast<uint8_t>(vrid);
  } else if (octets != 6) {
    return std::unexpected("invalid MAC address " + std::string(text));
  }
  if (mac[0] & 0x01) return std::unexpected("MAC address " + std::string(text) + " is multicast");
  if (mac[0] == 0 && mac[1] == 0 && mac[2] == 0x5e && mac[3] == 0 && (mac[4] == 1 || mac[4] == 2)) {
    return std::unexpected("MAC address " + std::string(text) +
                           " is an RFC 5798 address (the default; give none for it)");
  }
  return mac;
}

std::string defaultVmacName(std::string_view prefix, int vrid, AddressFamily family,
                            const std::function<bool(const std::string&)>& taken) {
  std::string name = fitName(prefix, "", vrid);
  int num = 0;
  for (int tries = 0; tries < 100; ++tries) {
    if (!taken(name)) return name;
    if (family == AddressFamily::kIPv6) {
      num = num == 0 ? 6 : num == 6 ? 1 : num + 1 == 6 ? 7 : num + 1;
    } else {
      ++num;
    }
    name = fitName(prefix, std::to_string(num), vrid);
  }
  return "";
}

}  // namespace holdfast::config
