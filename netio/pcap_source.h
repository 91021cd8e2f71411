#pragma once
// Captured frames from libpcap: live on an interface (VRRP, ARP and ICMPv6 only,
// by a BPF filter) or from a capture file. For `holdfastctl sniff`.

#include <cstdint>
#include <expected>
#include <functional>
#include <span>
#include <string>

struct pcap;

namespace holdfast::netio {

class PcapSource {
 public:
  static std::expected<PcapSource, std::string> live(const std::string& interface);
  static std::expected<PcapSource, std::string> file(const std::string& path);
  PcapSource(PcapSource&& o) noexcept;
  PcapSource& operator=(PcapSource&&) = delete;
  ~PcapSource();

  int linkType() const;
  using OnFrame = std::function<void(double time, std::span<const uint8_t> frame)>;
  // Delivers frames until the file ends, or (live) until `seconds` have passed or
  // `stop` returns true (polled at least every 100 ms). Returns an error text if
  // the capture failed.
  std::expected<void, std::string> run(const OnFrame& onFrame, double seconds,
                                       const std::function<bool()>& stop);

 private:
  PcapSource(pcap* p, bool live) : p_(p), live_(live) {}
  pcap* p_;
  bool live_;
};

}  // namespace holdfast::netio
