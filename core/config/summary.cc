#include "core/config/summary.h"

#include <sstream>

#include "core/config/values.h"

namespace holdfast::config {
namespace {

std::string trackText(const char* kind, const TrackRef& t, const Config& cfg) {
  int weight = t.weight;
  if (!t.hasWeight) {
    const VrrpScript* s = std::string_view(kind) == "script" ? cfg.findScript(t.name) : nullptr;
    weight = s ? s->weight : 0;
    if (const TrackFile* f = std::string_view(kind) == "file" ? cfg.findTrackFile(t.name) : nullptr)
      weight = f->weight;
    if (const TrackProcess* p =
            std::string_view(kind) == "process" ? cfg.findTrackProcess(t.name) : nullptr)
      weight = p->weight;
  }
  if (std::string_view(kind) == "file") {
    return "file " + t.name +
           (weight == 0 ? " fault while non-zero" : " value x weight " + std::to_string(weight)) +
           (t.reverse ? " reverse" : "");
  }
  std::string out = std::string(kind) + " " + t.name + " ";
  out += weight == 0 ? "fault while down" : "weight " + std::to_string(weight);
  if (t.reverse) out += " reverse";
  return out;
}

std::string checkText(const CheckSpec& c) {
  std::string out = toString(c.kind);
  if (c.port) out += " :" + std::to_string(c.port);
  if (c.kind == CheckKind::kHttp) {
    out += " " + c.method + " " + c.path;
    if (!c.host.empty()) out += " host " + c.host;
  }
  if (c.kind == CheckKind::kScript) out += " \"" + c.script + "\"";
  out += " every " + formatDuration(c.interval) + " timeout " + formatDuration(c.timeout) +
         " rise " + std::to_string(c.rise) + " fall " + std::to_string(c.fall);
  return out;
}

}  // namespace

std::string summarize(const Config& cfg) {
  std::ostringstream o;
  o << cfg.files.size() << (cfg.files.size() == 1 ? " file" : " files") << ", "
    << cfg.instances.size() << " vrrp_instance, " << cfg.scripts.size() << " vrrp_script, "
    << cfg.backends.size() << " backend, " << cfg.backendGroups.size() << " backend_group, "
    << cfg.syncGroups.size() << " vrrp_sync_group\n";
  if (!cfg.global.routerId.empty()) o << "router_id " << cfg.global.routerId << "\n";

  for (const VrrpInstance& vi : cfg.instances) {
    o << "\nvrrp_instance " << vi.name << ": " << vi.interface << " vrid " << vi.virtualRouterId
      << " VRRPv" << vi.version << " " << toString(vi.family) << ", starts "
      << (vi.initialState == InitialState::kMaster ? "MASTER" : "BACKUP") << ", priority "
      << vi.priority << ", advert_int " << formatDuration(vi.advertInterval)
      << (vi.preempt ? "" : ", nopreempt");
    if (vi.preemptDelay.count()) o << ", preempt_delay " << formatDuration(vi.preemptDelay);
    if (vi.auth.type == AuthType::kPass) o << ", auth PASS";
    o << "\n";
    if (!vi.unicastPeers.empty()) {
      o << "  unicast peers:";
      for (const auto& p : vi.unicastPeers) o << " " << p.to_string();
      o << "\n";
    }
    if (vi.useVmac) {
      o << "  use_vmac " << (vi.vmacName.empty() ? "(default name)" : vi.vmacName)
        << (vi.vmacXmitBase ? ", adverts from " + vi.interface : "") << "\n";
    }
    // use_vmac_addr / use_vmac on the entry: a VMAC of its own when on another
    // interface or of the other family (core/runtime/vmac.h).
    auto ownVmac = [&](const VirtualAddress& va) {
      const bool other = (!va.dev.empty() && va.dev != vi.interface) ||
                         va.address.is_v6() != (vi.family == AddressFamily::kIPv6);
      return (vi.useVmacAddr || va.useVmac) && other ? " (on a VMAC of its own)" : "";
    };
    for (const VirtualAddress& va : vi.virtualAddresses) {
      o << "  VIP " << va.address.to_string() << "/" << va.prefixLength << " dev "
        << (va.dev.empty() ? vi.interface : va.dev);
      if (!va.label.empty()) o << " label " << va.label;
      o << ownVmac(va) << "\n";
    }
    for (const VirtualAddress& va : vi.excludedAddresses) {
      o << "  excluded address " << va.address.to_string() << "/" << va.prefixLength << " dev "
        << (va.dev.empty() ? vi.interface : va.dev) << ownVmac(va) << "\n";
    }
    for (const RouteSpec& r : vi.virtualRoutes) o << "  virtual route " << describe(r) << "\n";
    for (const RuleSpec& r : vi.virtualRules) o << "  virtual rule " << describe(r) << "\n";
    for (const TrackRef& t : vi.trackScripts)
      o << "  track " << trackText("script", t, cfg) << "\n";
    for (const TrackRef& t : vi.trackInterfaces)
      o << "  track " << trackText("interface", t, cfg) << "\n";
    for (const TrackRef& t : vi.trackBackends)
      o << "  track " << trackText("backend", t, cfg) << "\n";
    for (const TrackRef& t : vi.trackFiles) o << "  track " << trackText("file", t, cfg) << "\n";
    for (const TrackRef& t : vi.trackProcesses)
      o << "  track " << trackText("process", t, cfg) << "\n";
  }
  if (!cfg.staticAddresses.empty() || !cfg.staticRoutes.empty() || !cfg.staticRules.empty()) {
    o << "\nstatic (while holdfastd runs):\n";
    for (const VirtualAddress& va : cfg.staticAddresses) {
      o << "  address " << va.address.to_string() << "/" << va.prefixLength << " dev "
        << (va.dev.empty() ? "eth0" : va.dev) << "\n";
    }
    for (const RouteSpec& r : cfg.staticRoutes) o << "  route " << describe(r) << "\n";
    for (const RuleSpec& r : cfg.staticRules) o << "  rule " << describe(r) << "\n";
  }
  for (const VrrpScript& s : cfg.scripts) {
    o << "\nvrrp_script " << s.name << ": \"" << s.command << "\" every "
      << formatDuration(s.interval) << ", weight " << s.weight << (s.reverse ? " reverse" : "")
      << ", rise " << s.rise << ", fall " << s.fall << "\n";
  }
  for (const TrackFile& f : cfg.trackFiles)
    o << "\ntrack_file " << f.name << ": " << f.path << "\n";
  for (const TrackProcess& p : cfg.trackProcesses) {
    o << "\nvrrp_track_process " << p.name << ": " << (p.fullCommand ? "command " : "name ")
      << p.process << ", up while " << p.quorum << ".." << p.quorumMax << " run\n";
  }
  for (const Backend& b : cfg.backends) {
    o << "\nbackend " << b.name << " " << b.address.to_string() << "\n";
    for (const CheckSpec& c : b.checks) o << "  check " << checkText(c) << "\n";
  }
  for (const BackendGroup& g : cfg.backendGroups) {
    o << "\nbackend_group " << g.name << ": up while " << g.quorum << " of";
    for (const TrackRef& m : g.members) o << " " << m.name;
    o << " are up\n";
  }
  for (const SyncGroup& g : cfg.syncGroups) {
    o << "\nvrrp_sync_group " << g.name << ":";
    for (const TrackRef& m : g.members) o << " " << m.name;
    o << "\n";
  }
  return o.str();
}

}  // namespace holdfast::config
