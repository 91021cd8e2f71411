#pragma once
// The fuzz targets' bodies, apart from libFuzzer's entry point, so that the unit
// tests can replay every kept crash input (tests/fuzz/regressions/TARGET/) without
// clang. Each must never crash, hang or leak on any input.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/config/loader.h"
#include "core/control/request.h"
#include "tools/sniff/sniff_model.h"
#include "vrrp/address_claims.h"
#include "vrrp/codec.h"

namespace holdfast::fuzz {

// The advert codec, as the VRRP socket feeds it: the first byte picks the family
// and the TTL, the rest is the message. What decodes must encode back to an advert
// that decodes equal.
inline void codec(std::span<const uint8_t> in) {
  if (in.empty()) return;
  const bool v6 = in[0] & 1;
  vrrp::PacketInfo info;
  info.ttl = (in[0] & 2) ? 255 : in[0];
  info.source = *vrrp::IpAddress::parse(v6 ? "fe80::1" : "192.0.2.1");
  info.destination = *vrrp::IpAddress::parse(v6 ? "ff02::12" : "224.0.0.18");
  auto advert = vrrp::decode(in.subspan(1), info);
  if (!advert) return;
  for (auto form : {vrrp::ChecksumForm::kPseudoHeader, vrrp::ChecksumForm::kMessageOnly}) {
    auto again = vrrp::decode(vrrp::encode(*advert, info.source, info.destination, form), info);
    if (!again || !(*again == *advert)) __builtin_trap();
  }
}

// A config text; includes are not followed (the text is not a file on disk).
inline void config(std::span<const uint8_t> in) {
  std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
  if (text.find("include") != std::string_view::npos) return;
  auto result = config::loadText(text, "fuzz.conf");
  (void)result;
}

// One control socket request line.
inline void control(std::span<const uint8_t> in) {
  std::string_view line(reinterpret_cast<const char*>(in.data()), in.size());
  auto r = control::parseRequest(line);
  if (r && r->limit == 0) __builtin_trap();  // parseRequest refuses 0
}

// Captured frames for holdfastctl sniff: the first byte picks the link type; the
// rest is split into frames at each 0xff 0xfe pair.
inline void sniffFrames(std::span<const uint8_t> in) {
  if (in.empty()) return;
  const int link = (in[0] & 1) ? sniff::kLinkLinuxCooked : sniff::kLinkEthernet;
  sniff::Model m;
  size_t start = 1;
  double t = 0;
  for (size_t i = 1; i + 1 < in.size(); ++i) {
    if (in[i] == 0xff && in[i + 1] == 0xfe) {
      m.add(link, t += 0.05, in.subspan(start, i - start));
      start = i + 2;
      ++i;
    }
  }
  if (start <= in.size()) m.add(link, t += 0.05, in.subspan(start));
  auto report = m.report();
  (void)report;
}

// One Ethernet frame, as the claim watch captures it. What decodes is a claim that
// makes sense: an address of the frame's family that is not 0, for a station's MAC.
inline void addressClaims(std::span<const uint8_t> in) {
  auto c = vrrp::decodeClaim(in);
  if (!c) return;
  const bool arp = c->kind == vrrp::ClaimKind::kArpReply ||
                   c->kind == vrrp::ClaimKind::kGratuitousArp ||
                   c->kind == vrrp::ClaimKind::kArpRequest;
  if (arp != (c->address.family == vrrp::Family::kIPv4)) __builtin_trap();
  if (c->address == vrrp::IpAddress{c->address.family, {}}) __builtin_trap();
  if ((c->mac[0] & 1) != 0 || c->mac == vrrp::MacAddress{}) __builtin_trap();
  if (std::string_view(vrrp::toString(c->kind)) == "?" || c->vlan > 0x0fff) __builtin_trap();
}

}  // namespace holdfast::fuzz
