#include "netio/claim_capture.h"

#include <linux/if_packet.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

namespace holdfast::netio {

namespace {
// A few hundred frames: ARP and NA are small, and a burst beyond that is a storm
// whose losses are counted (kernelDrops) rather than buffered for.
constexpr int kBufferBytes = 256 * 1024;
}  // namespace

std::expected<ClaimCapture, std::string> ClaimCapture::open(const std::string& interface) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(interface.c_str(), err);
  if (!p) return std::unexpected(interface + ": " + err);
  auto fail = [&](const std::string& what) {
    std::string why = interface + ": " + what + ": " + pcap_geterr(p);
    pcap_close(p);
    return std::unexpected(why);
  };
  pcap_set_snaplen(p, kSnapLength);
  // Answers to our probes come to our own MAC, announcements to broadcast or
  // multicast: no promiscuous mode needed.
  pcap_set_promisc(p, 0);
  pcap_set_buffer_size(p, kBufferBytes);
  // Each frame as it arrives: a claim is acted upon, not batched.
  pcap_set_immediate_mode(p, 1);
  if (pcap_activate(p) < 0) return fail("activate");
  if (pcap_datalink(p) != DLT_EN10MB) {
    pcap_close(p);
    return std::unexpected(interface + ": not an Ethernet interface");
  }
  // Our own probes and gratuitous ARPs go out on this interface too; they are not
  // claims of someone else's.
  if (pcap_setdirection(p, PCAP_D_IN) != 0) return fail("incoming frames only");
  // libpcap drops outgoing frames after the kernel has cloned each one for the
  // capture (every VRRP advert the node sends included) and run the filter on it;
  // with PACKET_IGNORE_OUTGOING (Linux 4.20) the kernel does not hand them over at
  // all. A kernel without it costs that copy, nothing else: libpcap's direction
  // check still drops them.
  const int one = 1;
  (void)::setsockopt(pcap_get_selectable_fd(p), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
                     sizeof one);
  bpf_program prog{};
  if (pcap_compile(p, &prog, kFilter, 1, PCAP_NETMASK_UNKNOWN) != 0) return fail("filter");
  const int set = pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  if (set != 0) return fail("filter");
  if (pcap_setnonblock(p, 1, err) != 0) {
    pcap_close(p);
    return std::unexpected(interface + ": " + err);
  }
  const int fd = pcap_get_selectable_fd(p);
  if (fd < 0) {
    pcap_close(p);
    return std::unexpected(interface + ": no selectable descriptor");
  }
  return ClaimCapture(p, fd);
}

ClaimCapture::ClaimCapture(ClaimCapture&& o) noexcept : p_(o.p_), fd_(o.fd_) {
  o.p_ = nullptr;
  o.fd_ = -1;
}

ClaimCapture::~ClaimCapture() {
  if (p_) pcap_close(p_);
}

std::expected<int, std::string> ClaimCapture::drain(const OnFrame& onFrame, int bound) {
  int n = 0;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (n < bound) {
    const int rc = pcap_next_ex(p_, &h, &data);
    if (rc == 0) break;  // nothing more waiting
    if (rc < 0) return std::unexpected(std::string(pcap_geterr(p_)));
    ++n;
    onFrame(std::span<const uint8_t>(data, h->caplen));
  }
  return n;
}

uint64_t ClaimCapture::kernelDrops() const {
  pcap_stat s{};
  if (pcap_stats(p_, &s) != 0) return 0;
  return s.ps_drop;
}

}  // namespace holdfast::netio
