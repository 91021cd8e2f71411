#pragma once
// Reads captured VRRP packets (Ethernet + IPv4/IPv6), or whole frames, from a pcap
// file with libpcap, for table tests over real bytes.

#include <pcap/pcap.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "vrrp/codec.h"

namespace holdfast::test {

struct CapturedPacket {
  vrrp::PacketInfo info;
  std::vector<uint8_t> message;  // the VRRP message (IP payload)
};

inline std::vector<CapturedPacket> readVrrpPcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (!p) throw std::runtime_error("cannot open " + path + ": " + err);
  std::vector<CapturedPacket> out;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1) {
    if (h->caplen < 14) continue;
    const uint16_t ethertype = static_cast<uint16_t>((data[12] << 8) | data[13]);
    const u_char* ip = data + 14;
    size_t left = h->caplen - 14;
    CapturedPacket pkt;
    if (ethertype == 0x0800 && left >= 20) {
      size_t ihl = (ip[0] & 0x0f) * 4;
      if (ip[9] != 112) continue;
      pkt.info.ttl = ip[8];
      pkt.info.source = vrrp::IpAddress::v4(std::span<const uint8_t, 4>(ip + 12, 4));
      pkt.info.destination = vrrp::IpAddress::v4(std::span<const uint8_t, 4>(ip + 16, 4));
      size_t total = static_cast<size_t>((ip[2] << 8) | ip[3]);
      pkt.message.assign(ip + ihl, ip + std::min(total, left));
    } else if (ethertype == 0x86dd && left >= 40) {
      if (ip[6] != 112) continue;
      pkt.info.ttl = ip[7];
      pkt.info.source = vrrp::IpAddress::v6(std::span<const uint8_t, 16>(ip + 8, 16));
      pkt.info.destination = vrrp::IpAddress::v6(std::span<const uint8_t, 16>(ip + 24, 16));
      size_t payload = static_cast<size_t>((ip[4] << 8) | ip[5]);
      pkt.message.assign(ip + 40, ip + 40 + std::min(payload, left - 40));
    } else {
      continue;
    }
    out.push_back(std::move(pkt));
  }
  pcap_close(p);
  return out;
}

// Every frame of the file, as captured.
inline std::vector<std::vector<uint8_t>> readFrames(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (!p) throw std::runtime_error("cannot open " + path + ": " + err);
  std::vector<std::vector<uint8_t>> out;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1) out.emplace_back(data, data + h->caplen);
  pcap_close(p);
  return out;
}

}  // namespace holdfast::test
