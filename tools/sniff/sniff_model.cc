#include "tools/sniff/sniff_model.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "netio/duration_text.h"
#include "vrrp/codec.h"

namespace holdfast::sniff {

namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherArp = 0x0806;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr int kIcmpv6 = 58;
constexpr int kNeighbourAdvert = 136;  // RFC 4861 4.4

uint16_t be16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}

std::string authText(const vrrp::Advert& a) {
  if (a.version == 3) return "-";
  if (a.authType == vrrp::AuthType::kNone) return "none";
  std::string pw;
  for (uint8_t c : a.authData) {
    if (c == 0) break;
    pw += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  return "PASS " + pw;
}

std::string vipText(std::vector<vrrp::IpAddress> v) {
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.str() < b.str(); });
  std::string out;
  for (const auto& a : v) out += (out.empty() ? "" : ",") + a.str();
  return out;
}

// Each distinct value of `field` among the routers, with who uses it, when more
// than one is in use.
template <typename Field>
std::string mismatch(const std::vector<RouterSeen>& routers, Field field) {
  std::map<std::string, std::vector<std::string>> by;
  for (const auto& r : routers) by[field(r)].push_back(r.source.str());
  if (by.size() < 2) return "";
  std::string out;
  for (const auto& [value, who] : by) {
    std::string list;
    for (const auto& w : who) list += (list.empty() ? "" : ",") + w;
    out += (out.empty() ? "" : "; ") + list + " " + (value.empty() ? "(none)" : value);
  }
  return out;
}

}  // namespace

std::string formatMac(std::span<const uint8_t> b) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                b[5]);
  return buf;
}

bool Report::anyConflict() const {
  if (!conflicts.empty()) return true;
  return std::any_of(vrids.begin(), vrids.end(), [](auto& v) { return !v.conflicts.empty(); });
}

void Model::cover(double time) {
  if (!covered_ || time < start_) start_ = time;
  end_ = covered_ ? std::max(end_, time) : time;
  covered_ = true;
}

void Model::add(int linkType, double time, std::span<const uint8_t> frame) {
  ++frames_;
  cover(time);
  uint16_t type = 0;
  size_t at = 0;
  std::string mac;
  if (linkType == kLinkEthernet) {
    if (frame.size() < 14) return;
    mac = formatMac(frame.subspan(6, 6));
    type = be16(frame, 12);
    at = 14;
    if (type == kEtherVlan && frame.size() >= 18) {
      type = be16(frame, 16);
      at = 18;
    }
  } else if (linkType == kLinkLinuxCooked) {
    if (frame.size() < 16) return;
    if (be16(frame, 4) == 6) mac = formatMac(frame.subspan(6, 6));
    type = be16(frame, 14);
    at = 16;
  } else {
    return;
  }
  std::span<const uint8_t> p = frame.subspan(at);
  if (type == kEtherIpv4 && p.size() >= 20 && (p[0] >> 4) == 4) {
    const size_t ihl = (p[0] & 0x0f) * 4u;
    const size_t total = std::min<size_t>(be16(p, 2), p.size());
    if (ihl < 20 || total < ihl || p[9] != vrrp::kVrrpProtocol) return;
    vrrp::PacketInfo info{vrrp::IpAddress::v4(std::span<const uint8_t, 4>(p.data() + 12, 4)),
                          vrrp::IpAddress::v4(std::span<const uint8_t, 4>(p.data() + 16, 4)), p[8]};
    vrrpPacket(time, mac, info, p.subspan(ihl, total - ihl));
  } else if (type == kEtherIpv6 && p.size() >= 40 && (p[0] >> 4) == 6) {
    const size_t payload = std::min<size_t>(be16(p, 4), p.size() - 40);
    const auto src = vrrp::IpAddress::v6(std::span<const uint8_t, 16>(p.data() + 8, 16));
    const auto dst = vrrp::IpAddress::v6(std::span<const uint8_t, 16>(p.data() + 24, 16));
    std::span<const uint8_t> body = p.subspan(40, payload);
    if (p[6] == vrrp::kVrrpProtocol) {
      vrrpPacket(time, mac, {src, dst, p[7]}, body);
    } else if (p[6] == kIcmpv6 && body.size() >= 24 && body[0] == kNeighbourAdvert) {
      const bool solicited = (body[4] & 0x40) != 0;  // RFC 4861 4.4: S flag
      if (!solicited) {
        announced(time, mac, vrrp::IpAddress::v6(std::span<const uint8_t, 16>(body.data() + 8, 16)),
                  false);
      }
    }
  } else if (type == kEtherArp && p.size() >= 28 && be16(p, 0) == 1 && be16(p, 2) == kEtherIpv4 &&
             p[4] == 6 && p[5] == 4) {
    // Gratuitous: sender and target protocol address are the same (RFC 5227 3).
    if (std::equal(p.begin() + 14, p.begin() + 18, p.begin() + 24)) {
      announced(time, formatMac(p.subspan(8, 6)),
                vrrp::IpAddress::v4(std::span<const uint8_t, 4>(p.data() + 14, 4)), true);
    }
  }
}

void Model::vrrpPacket(double time, const std::string& mac, const vrrp::PacketInfo& info,
                       std::span<const uint8_t> message) {
  ++vrrp_;
  auto advert = vrrp::decode(message, info);
  if (!advert) {
    ++malformed_[std::string(vrrp::toString(advert.error())) + " from " + info.source.str()];
    return;
  }
  auto& v = vrids_[{static_cast<int>(advert->family), advert->vrid}];
  v.vrid = advert->vrid;
  v.family = advert->family;
  auto it = std::find_if(v.routers.begin(), v.routers.end(),
                         [&](const RouterSeen& r) { return r.source == info.source; });
  if (it == v.routers.end()) {
    v.routers.push_back({});
    it = v.routers.end() - 1;
    it->source = info.source;
  }
  RouterSeen& r = *it;
  r.mac = mac;
  r.version = advert->version;
  r.interval = advert->interval;
  r.auth = authText(*advert);
  r.vips = advert->addresses;
  r.ttl = info.ttl;
  ++r.adverts;
  if (advert->priority == vrrp::kStopPriority) {
    ++r.priorityZero;
    return;  // a master leaving: not "advertising as master" from here on
  }
  r.priority = advert->priority;
  if (r.adverts - r.priorityZero == 1) r.first = time;
  r.last = time;
  if (r.times.size() == kMaxTimes) r.times.erase(r.times.begin(), r.times.begin() + kMaxTimes / 2);
  r.times.push_back(time);
}

void Model::announced(double time, const std::string& mac, const vrrp::IpAddress& a, bool arp) {
  auto& n = announcements_[{a.str(), mac}];
  n.address = a;
  n.mac = mac;
  n.arp = arp;
  ++n.count;
  n.last = time;
}

Report Model::report() const {
  Report rep;
  rep.frames = frames_;
  rep.vrrp = vrrp_;
  rep.start = start_;
  rep.end = end_;
  rep.malformed = malformed_;
  for (const auto& [key, seen] : vrids_) {
    VridSeen v = seen;
    const std::string id = "VRID " + std::to_string(v.vrid) +
                           (v.family == vrrp::Family::kIPv6 ? " (IPv6)" : " (IPv4)");
    // Only the master advertises (RFC 5798 6.4.3). Two routers that both advertise
    // within an interval and a half of each other, over more than three intervals,
    // are two masters (split brain); a takeover overlaps by about one advert.
    for (size_t i = 0; i < v.routers.size(); ++i) {
      for (size_t j = i + 1; j < v.routers.size(); ++j) {
        const RouterSeen& a = v.routers[i];
        const RouterSeen& b = v.routers[j];
        if (a.times.empty() || b.times.empty()) continue;
        const double interval =
            static_cast<double>(std::max(a.interval, b.interval).count()) / 100.0;
        // The longest run of b's adverts that each have one of a's close by.
        double from = -1, longest = 0;
        size_t k = 0;
        for (double t : b.times) {
          while (k < a.times.size() && a.times[k] < t - 1.5 * interval) ++k;
          if (k < a.times.size() && a.times[k] <= t + 1.5 * interval) {
            if (from < 0) from = t;
            longest = std::max(longest, t - from);
          } else {
            from = -1;
          }
        }
        if (longest > 3 * interval) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.1fs", longest);
          v.conflicts.push_back(id + ": two masters: " + a.source.str() + " (priority " +
                                std::to_string(a.priority) + ") and " + b.source.str() +
                                " (priority " + std::to_string(b.priority) +
                                ") advertised at the same time for " + buf);
        }
      }
    }
    if (auto m = mismatch(v.routers, [](auto& r) { return netio::formatDuration(r.interval); });
        !m.empty()) {
      v.conflicts.push_back(id + ": advert intervals differ: " + m);
    }
    if (auto m = mismatch(v.routers, [](auto& r) { return "v" + std::to_string(r.version); });
        !m.empty()) {
      v.conflicts.push_back(id + ": VRRP versions differ: " + m);
    }
    if (auto m = mismatch(v.routers, [](auto& r) { return r.auth; }); !m.empty()) {
      v.conflicts.push_back(id + ": authentication differs: " + m);
    }
    if (auto m = mismatch(v.routers, [](auto& r) { return vipText(r.vips); }); !m.empty()) {
      v.conflicts.push_back(id + ": VIP lists differ: " + m);
    }
    rep.vrids.push_back(std::move(v));
  }
  for (const auto& [key, n] : announcements_) rep.announcements.push_back(n);
  for (const auto& [what, count] : malformed_) {
    if (what.starts_with("bad_ttl")) {
      rep.conflicts.push_back(std::to_string(count) +
                              " VRRP packet(s) with TTL/hop limit not 255 (" + what +
                              "): routed from elsewhere or spoofed");
    }
  }
  return rep;
}

}  // namespace holdfast::sniff
