#include "core/runtime/instance_settings.h"

#include <algorithm>
#include <map>

namespace holdfast::runtime {

using std::chrono::duration_cast;

netio::IpAddress toNetio(const config::IpAddress& a) {
  return netio::IpAddress::parse(a.to_string()).value();
}

std::expected<vrrp::InstanceSettings, std::string> makeInstanceSettings(
    const config::VrrpInstance& vi, const config::GlobalDefs& global,
    const netio::InterfaceInfo& iface) {
  vrrp::InstanceSettings s;
  s.name = vi.name;
  s.interface = vi.interface;
  s.vrid = vi.virtualRouterId;
  const bool v4 = vi.family == config::AddressFamily::kIPv4;
  s.family = v4 ? netio::Family::kIPv4 : netio::Family::kIPv6;

  for (const auto& va : vi.virtualAddresses) {
    vrrp::Vip v{toNetio(va.address), va.prefixLength, va.label,
                va.dev.empty() ? vi.interface : va.dev};
    if (va.broadcast && va.address.is_v4()) v.broadcast = toNetio(*va.broadcast);
    // rtnl_addr_str2scope's names: global 0, site 200, link 253, host 254, nowhere 255.
    static const std::map<std::string, int> kScopes{
        {"global", 0}, {"site", 200}, {"link", 253}, {"host", 254}, {"nowhere", 255}};
    if (auto it = kScopes.find(va.scope); it != kScopes.end()) v.scope = it->second;
    s.vips.push_back(std::move(v));
  }

  // RFC 5798 5.1.1.1 / 5.1.2.1: the source is the interface's primary IPv4 address
  // (not one of our VIPs, which may still be there), or its IPv6 link-local address.
  // keepalived keeps one source for both keywords (unicast_src_ip without peers is
  // the multicast source).
  const auto& configured = vi.unicastPeers.empty()
                               ? (vi.mcastSrcIp ? vi.mcastSrcIp : vi.unicastSrcIp)
                               : (vi.unicastSrcIp ? vi.unicastSrcIp : vi.mcastSrcIp);
  if (configured) {
    s.source = toNetio(*configured);
  } else if (v4) {
    auto isVip = [&](const netio::IpAddress& a) {
      return std::any_of(s.vips.begin(), s.vips.end(),
                         [&](const vrrp::Vip& v) { return v.address == a; });
    };
    auto it =
        std::find_if(iface.ipv4.begin(), iface.ipv4.end(), [&](auto& a) { return !isVip(a); });
    if (it == iface.ipv4.end())
      return std::unexpected("interface " + iface.name + " has no IPv4 address");
    s.source = *it;
  } else {
    if (iface.ipv6LinkLocal.empty()) {
      return std::unexpected("interface " + iface.name + " has no IPv6 link-local address");
    }
    s.source = iface.ipv6LinkLocal.front();
  }

  if (vi.unicastPeers.empty()) {
    s.destinations = {toNetio(v4 ? global.mcastGroup4 : global.mcastGroup6)};
  } else {
    for (const auto& p : vi.unicastPeers) s.destinations.push_back(toNetio(p));
  }

  auto& m = s.machine;
  m.version = vi.version;
  m.priority = vi.priority;
  m.advertInterval = duration_cast<vrrp::Centiseconds>(vi.advertInterval);
  m.preempt = vi.preempt;
  m.preemptDelay = duration_cast<vrrp::Microseconds>(vi.preemptDelay);
  m.strictPreempt = vi.strictPreempt;
  m.startAsMaster = vi.initialState == config::InitialState::kMaster;
  m.primaryAddress = s.source;
  const config::InstanceTuning& t = vi.tuning;
  const config::GlobalTuning& gt = global.tuning;
  m.lowerPrioNoAdvert = t.lowerPrioNoAdvert.value_or(gt.lowerPrioNoAdvert);
  m.higherPrioSendAdvert = t.higherPrioSendAdvert.value_or(gt.higherPrioSendAdvert);
  m.downTimerAdverts = t.downTimerAdverts.value_or(gt.downTimerAdverts);
  m.alignAdverts = true;
  if (t.unicastTtl) s.unicastTtl = *t.unicastTtl;

  auto& r = s.receive;
  r.version = vi.version;
  r.advertInterval = m.advertInterval;
  if (vi.version == 2 && vi.auth.type == config::AuthType::kPass) {
    r.authType = vrrp::AuthType::kSimplePassword;
    std::copy_n(vi.auth.pass.begin(), std::min<size_t>(8, vi.auth.pass.size()), r.authData.begin());
  }
  for (const auto& v : s.vips) r.addresses.push_back(v.address);
  for (const auto& p : vi.unicastPeers) r.unicastPeers.push_back(toNetio(p));
  r.ownAddresses = {s.source};
  r.skipAddressCheck = global.skipCheckAdvAddr;
  for (const auto& p : t.peerTtls) {
    if (auto a = netio::IpAddress::parse(p.peer)) r.peerTtls.push_back({*a, p.min, p.max});
  }

  s.checksum = vi.checksum == config::ChecksumForm::kMessageOnly
                   ? vrrp::ChecksumForm::kMessageOnly
                   : vrrp::ChecksumForm::kPseudoHeader;
  auto& a = s.announce;
  a.repeat = vi.garpMasterRepeat.value_or(global.garpMasterRepeat);
  a.interval = duration_cast<vrrp::Microseconds>(v4 ? vi.garpInterval.value_or(global.garpInterval)
                                                    : vi.gnaInterval.value_or(global.gnaInterval));
  a.masterDelay =
      duration_cast<vrrp::Microseconds>(vi.garpMasterDelay.value_or(global.garpMasterDelay));
  a.refresh =
      duration_cast<vrrp::Microseconds>(vi.garpMasterRefresh.value_or(global.garpMasterRefresh));
  a.refreshRepeat = vi.garpMasterRefreshRepeat.value_or(global.garpMasterRefreshRepeat);
  // keepalived: unset, the lower-priority burst is the global master burst's
  // (vrrp_garp_master_repeat, vrrp_garp_master_delay), not the instance's.
  a.lowerPrioRepeat =
      t.garpLowerPrioRepeat.value_or(gt.garpLowerPrioRepeat.value_or(global.garpMasterRepeat));
  a.lowerPrioDelay = duration_cast<vrrp::Microseconds>(
      t.garpLowerPrioDelay.value_or(gt.garpLowerPrioDelay.value_or(global.garpMasterDelay)));
  return s;
}

}  // namespace holdfast::runtime
