#include "vrrp/announce.h"

namespace holdfast::vrrp {

std::vector<uint8_t> gratuitousArp(const MacAddress& mac, const IpAddress& address) {
  std::vector<uint8_t> p;
  p.reserve(28);
  auto put16 = [&](uint16_t v) {
    p.push_back(static_cast<uint8_t>(v >> 8));
    p.push_back(static_cast<uint8_t>(v));
  };
  put16(1);       // hardware type: Ethernet
  put16(0x0800);  // protocol type: IPv4
  p.push_back(6);
  p.push_back(4);
  put16(1);  // operation: request (what hosts and switches expect of a GARP)
  p.insert(p.end(), mac.begin(), mac.end());
  auto a = address.view();
  p.insert(p.end(), a.begin(), a.end());
  p.insert(p.end(), 6, 0);  // target hardware address: unknown
  p.insert(p.end(), a.begin(), a.end());
  return p;
}

std::vector<uint8_t> unsolicitedNeighbourAdvert(const MacAddress& mac, const IpAddress& address) {
  std::vector<uint8_t> p{136, 0, 0, 0};  // type NA, code 0, checksum (kernel)
  p.push_back(0x20);                     // flags: Override (not Router, not Solicited)
  p.insert(p.end(), 3, 0);
  auto a = address.view();
  p.insert(p.end(), a.begin(), a.end());
  p.push_back(2);  // option: target link-layer address
  p.push_back(1);  // length in units of 8 octets
  p.insert(p.end(), mac.begin(), mac.end());
  return p;
}

}  // namespace holdfast::vrrp
