// Lab helper for tests/lab/claim_watch_test.sh: the split-brain building blocks
// against the real kernel, without the daemon.
//
//   claim_probe probe IFACE WAIT_MS ADDRESS...  sends an ARP probe (IPv4) or a neighbour
//                                              solicitation (IPv6) for each ADDRESS,
//                                              then prints the claims seen for WAIT_MS
//   claim_probe first IFACE WAIT_MS ADDRESS...  as probe, but the first claim's callback
//                                              destroys the watch (and ends the wait)
//   claim_probe listen IFACE WAIT_MS            prints the claims seen for WAIT_MS
//   claim_probe announce IFACE ADDRESS...       sends a gratuitous ARP (IPv4) or an
//                                              unsolicited NA (IPv6) for each ADDRESS
//
// Output, one line each, flushed: "ready" once the capture is open (before any probe
// is sent), "claim ADDRESS MAC KIND" per claim, and at the end "counters frames=N
// decoded=N undecodable=N other_vlan=N capture_errors=N kernel_drops=N" (and "error
// TEXT" after a capture error; "destroyed" instead in mode first). Exit 0, or 1 with
// the error on stderr; 2 on a usage error.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/runtime/claim_watch.h"
#include "netio/announcer.h"
#include "netio/interface_info.h"
#include "vrrp/address_claims.h"
#include "vrrp/announce.h"

using namespace holdfast;

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: claim_probe probe IFACE WAIT_MS ADDRESS...\n"
               "       claim_probe first IFACE WAIT_MS ADDRESS...\n"
               "       claim_probe listen IFACE WAIT_MS\n"
               "       claim_probe announce IFACE ADDRESS...\n");
  return 2;
}

int fail(const std::string& why) {
  std::fprintf(stderr, "claim_probe: %s\n", why.c_str());
  return 1;
}

std::string macText(const netio::MacAddress& m) {
  char b[18];
  std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return b;
}

// Sends the probe (`announce` false) or the announcement for each address.
int send(netio::Announcer& a, const netio::InterfaceInfo& iface,
         const std::vector<netio::IpAddress>& addresses, bool announce) {
  for (const auto& vip : addresses) {
    std::expected<void, std::string> sent;
    if (vip.family == netio::Family::kIPv4) {
      sent = a.sendArp(announce ? vrrp::gratuitousArp(iface.mac, vip)
                                : vrrp::arpProbe(iface.mac, vip));
    } else if (iface.ipv6LinkLocal.empty()) {
      return fail(iface.name + " has no IPv6 link-local address");
    } else if (announce) {
      sent = a.sendNeighbourAdvert(vrrp::unsolicitedNeighbourAdvert(iface.mac, vip),
                                   iface.ipv6LinkLocal.front());
    } else {
      sent = a.sendNeighbourSolicitation(vrrp::neighbourSolicitation(iface.mac, vip),
                                         iface.ipv6LinkLocal.front(),
                                         vrrp::solicitedNodeMulticast(vip));
    }
    if (!sent) return fail(vip.str() + ": " + sent.error());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string mode = argv[1], name = argv[2];
  const bool first = mode == "first";
  const bool listens = mode == "probe" || mode == "listen" || first;
  if (!listens && mode != "announce") return usage();
  int firstAddress = 3, waitMs = 0;
  if (listens) {
    if (argc < 4) return usage();
    waitMs = std::atoi(argv[3]);
    firstAddress = 4;
  }
  std::vector<netio::IpAddress> addresses;
  for (int i = firstAddress; i < argc; ++i) {
    auto a = netio::IpAddress::parse(argv[i]);
    if (!a) return fail(std::string("not an address: ") + argv[i]);
    addresses.push_back(*a);
  }
  if (mode != "listen" && addresses.empty()) return usage();

  auto iface = netio::lookupInterface(name);
  if (!iface) return fail(iface.error());
  auto announcer = netio::Announcer::open(iface->index);
  if (!announcer) return fail(announcer.error());
  if (!listens) return send(*announcer, *iface, addresses, true);

  boost::asio::io_context io;
  std::unique_ptr<runtime::ClaimWatch> watch;
  auto opened = runtime::ClaimWatch::open(io, name, [&](const vrrp::AddressClaim& c) {
    std::printf("claim %s %s %s\n", c.address.str().c_str(), macText(c.mac).c_str(),
                vrrp::toString(c.kind));
    std::fflush(stdout);
    if (first) {
      watch.reset();  // from inside its own callback: no further claim may arrive
      io.stop();
    }
  });
  if (!opened) return fail(opened.error());
  watch = std::move(*opened);
  std::printf("ready\n");
  std::fflush(stdout);
  if (int rc = send(*announcer, *iface, addresses, false)) return rc;
  io.run_for(std::chrono::milliseconds(waitMs));
  if (!watch) {
    std::printf("destroyed\n");
    return 0;
  }
  const auto n = watch->counters();
  std::printf(
      "counters frames=%llu decoded=%llu undecodable=%llu other_vlan=%llu "
      "capture_errors=%llu kernel_drops=%llu\n",
      static_cast<unsigned long long>(n.frames), static_cast<unsigned long long>(n.decoded),
      static_cast<unsigned long long>(n.undecodable), static_cast<unsigned long long>(n.otherVlan),
      static_cast<unsigned long long>(n.captureErrors),
      static_cast<unsigned long long>(n.kernelDrops));
  if (!watch->lastError().empty()) std::printf("error %s\n", watch->lastError().c_str());
  return 0;
}
