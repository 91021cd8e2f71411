#pragma once
// `holdfastctl sniff`, apart from the capture: decodes captured frames (Ethernet
// or Linux cooked) carrying VRRP v2/v3, gratuitous ARP or unsolicited neighbour
// adverts, and keeps a table per VRID of every router seen, flagging what breaks a
// VRRP network: two masters at once, mismatched intervals, versions, auth or VIP
// lists, and one VIP announced by two MACs. Pure: frames in, report out.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "vrrp/advert.h"
#include "vrrp/codec.h"

namespace holdfast::sniff {

// libpcap link types this decodes.
inline constexpr int kLinkEthernet = 1;       // DLT_EN10MB
inline constexpr int kLinkLinuxCooked = 113;  // DLT_LINUX_SLL

struct RouterSeen {
  vrrp::IpAddress source;
  std::string mac;  // Ethernet source, "" if unknown
  int version = 3;
  int priority = 0;
  vrrp::Centiseconds interval{0};
  std::string auth;  // "none", "PASS <password>"; v3: "-"
  std::vector<vrrp::IpAddress> vips;
  int ttl = 255;
  uint64_t adverts = 0;
  uint64_t priorityZero = 0;   // adverts with priority 0 (a master leaving)
  double first = 0, last = 0;  // capture time of the first and last advert, seconds
  std::vector<double> times;   // of its adverts with priority > 0, the newest kMaxTimes
};
inline constexpr size_t kMaxTimes = 20000;

struct VridSeen {
  int vrid = 0;
  vrrp::Family family = vrrp::Family::kIPv4;
  std::vector<RouterSeen> routers;  // in the order first seen
  std::vector<std::string> conflicts;
};

struct Announcement {
  vrrp::IpAddress address;
  std::string mac;
  bool arp = true;  // false: unsolicited neighbour advert
  uint64_t count = 0;
  double last = 0;
};

struct Report {
  std::vector<VridSeen> vrids;                // by family, then VRID
  std::vector<Announcement> announcements;    // by address, then MAC
  std::vector<std::string> conflicts;         // not tied to one VRID
  std::map<std::string, uint64_t> malformed;  // "bad_checksum from 192.0.2.9" -> count
  uint64_t frames = 0;
  uint64_t vrrp = 0;
  double start = 0, end = 0;
  bool anyConflict() const;
};

class Model {
 public:
  // One captured frame at `time` (seconds since the epoch, as pcap gives it).
  void add(int linkType, double time, std::span<const uint8_t> frame);
  // Widens the time the report covers (a live capture: from its start to its end).
  void cover(double time);
  Report report() const;

 private:
  void vrrpPacket(double time, const std::string& mac, const vrrp::PacketInfo& info,
                  std::span<const uint8_t> message);
  void announced(double time, const std::string& mac, const vrrp::IpAddress& a, bool arp);

  std::map<std::pair<int, int>, VridSeen> vrids_;  // (family, vrid)
  std::map<std::pair<std::string, std::string>, Announcement> announcements_;
  std::map<std::string, uint64_t> malformed_;
  uint64_t frames_ = 0;
  uint64_t vrrp_ = 0;
  double start_ = 0, end_ = 0;
  bool covered_ = false;
};

std::string formatMac(std::span<const uint8_t> b);

}  // namespace holdfast::sniff
