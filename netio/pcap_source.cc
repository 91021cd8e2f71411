#include "netio/pcap_source.h"

#include <pcap/pcap.h>

#include <poll.h>
#include <chrono>

namespace holdfast::netio {

namespace {
// VRRP over IPv4 and IPv6, ARP, and ICMPv6 (neighbour adverts are told apart later).
constexpr const char* kFilter = "ip proto 112 or ip6 proto 112 or arp or icmp6";
}  // namespace

std::expected<PcapSource, std::string> PcapSource::live(const std::string& interface) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(interface.c_str(), err);
  if (!p) return std::unexpected(interface + ": " + err);
  pcap_set_snaplen(p, 1500);
  pcap_set_promisc(p, 0);  // VRRP and GARP go to multicast / broadcast addresses
  pcap_set_timeout(p, 100);
  pcap_set_immediate_mode(p, 1);
  if (int rc = pcap_activate(p); rc < 0) {
    std::string why = pcap_geterr(p);
    pcap_close(p);
    return std::unexpected(interface + ": " + why);
  }
  bpf_program prog{};
  if (pcap_compile(p, &prog, kFilter, 1, PCAP_NETMASK_UNKNOWN) == 0) {
    pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
  }
  if (pcap_setnonblock(p, 1, err) != 0) {
    pcap_close(p);
    return std::unexpected(interface + ": " + err);
  }
  return PcapSource(p, true);
}

std::expected<PcapSource, std::string> PcapSource::file(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (!p) return std::unexpected(std::string(err));
  return PcapSource(p, false);
}

PcapSource::PcapSource(PcapSource&& o) noexcept : p_(o.p_), live_(o.live_) {
  o.p_ = nullptr;
}

PcapSource::~PcapSource() {
  if (p_) pcap_close(p_);
}

int PcapSource::linkType() const {
  return pcap_datalink(p_);
}

std::expected<void, std::string> PcapSource::run(const OnFrame& onFrame, double seconds,
                                                 const std::function<bool()>& stop) {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (true) {
    const int rc = pcap_next_ex(p_, &h, &data);
    if (rc == 1) {
      onFrame(static_cast<double>(h->ts.tv_sec) + static_cast<double>(h->ts.tv_usec) / 1e6,
              std::span<const uint8_t>(data, h->caplen));
      continue;
    }
    if (rc == PCAP_ERROR_BREAK) return {};  // end of file
    if (rc < 0) return std::unexpected(std::string(pcap_geterr(p_)));
    if (!live_) return {};
    // rc == 0: nothing now. Wait for the descriptor, 100 ms at most.
    if (Clock::now() >= until || (stop && stop())) return {};
    pollfd pfd{pcap_get_selectable_fd(p_), POLLIN, 0};
    ::poll(&pfd, 1, 100);
  }
}

}  // namespace holdfast::netio
