// Typing of the keepalived blocks vrrp_script, vrrp_instance and vrrp_sync_group
// (global_defs: build_global.cc). Ranges follow keepalived's so that its configs mean the same
// here.

#include "core/config/build_context.h"
#include "core/config/build_routes.h"
#include "core/config/validate_vmac.h"
#include "core/config/values.h"

namespace holdfast::config::detail {
namespace {

constexpr int kMaxWeight = 253;

void setIf(auto& field, const auto& value) {
  if (value) field = *value;
}

std::vector<TrackRef> buildTrackList(BuildContext& ctx, const Node& list,
                                     int maxWeight = kMaxWeight) {
  std::vector<TrackRef> out;
  for (const Node& item : list.children) {
    TrackRef ref{item.keyword.text, 0, false, false, item.where()};
    for (const Node& mod : item.children) {
      if (mod.keyword.text == "weight") {
        if (auto w = ctx.integer(mod, -maxWeight, maxWeight)) {
          ref.weight = *w;
          ref.hasWeight = true;
        }
      } else if (mod.keyword.text == "reverse") {
        ref.reverse = true;
      }
    }
    out.push_back(std::move(ref));
  }
  return out;
}

// keepalived takes an instance's address family from the first address it reads
// (source, VIP or peer, in file order) and skips any later one of the other family.
struct FamilyOf {
  std::optional<AddressFamily> family;
  // True when `a` may join the instance; a first address sets the family.
  bool admit(const IpAddress& a) {
    AddressFamily f = a.is_v4() ? AddressFamily::kIPv4 : AddressFamily::kIPv6;
    if (!family) family = f;
    return *family == f;
  }
};

std::vector<VirtualAddress> buildAddressList(BuildContext& ctx, const Node& list, FamilyOf* family,
                                             const std::string& who) {
  std::vector<VirtualAddress> out;
  for (const Node& item : list.children) {
    const std::string& text = item.keyword.text;
    auto prefix = parsePrefix(text);
    if (!prefix) {
      const size_t slash = text.find('/');
      auto bare = parseAddress(std::string_view(text).substr(0, slash));
      if (!bare || slash == std::string::npos) {
        ctx.mistake(item.where(), prefix.error(), "the address is skipped, as keepalived does");
        continue;
      }
      const int hostLength = bare->is_v4() ? 32 : 128;
      ctx.mistake(item.where(), prefix.error(),
                  "using /" + std::to_string(hostLength) + ", as keepalived does");
      prefix = Prefix{*bare, hostLength};
    }
    if (family && !family->admit(prefix->address)) {
      ctx.mistake(item.where(),
                  who + ": " + prefix->address.to_string() + " is " +
                      (prefix->address.is_v4() ? "IPv4" : "IPv6") + " but the instance is " +
                      toString(*family->family) + " (from its first address)",
                  "the address is skipped, as keepalived does; use one vrrp_instance per "
                  "address family");
      continue;
    }
    VirtualAddress va;
    va.address = prefix->address;
    va.prefixLength = prefix->length;
    va.where = item.where();
    for (const Node& mod : item.children) {
      const std::string& k = mod.keyword.text;
      if (k == "dev") {
        va.dev = mod.args[0].text;
      } else if (k == "label") {
        va.label = mod.args[0].text;
      } else if (k == "brd" || k == "broadcast") {
        va.broadcast = ctx.address(mod);
      } else if (k == "scope") {
        static const std::set<std::string> kScopes{"global", "site", "link", "host", "nowhere"};
        if (!kScopes.contains(mod.args[0].text)) {
          ctx.error(
              mod.args[0], "scope",
              "expected global, site, link, host or nowhere, found '" + mod.args[0].text + "'");
        } else {
          va.scope = mod.args[0].text;
        }
      } else if (k == "no_track") {
        va.noTrack = true;
      } else if (k == "use_vmac") {
        va.useVmac = true;
      }
    }
    out.push_back(std::move(va));
  }
  return out;
}

// unicast_src_ip, mcast_src_ip and unicast_peer items: keepalived drops a "/len" or
// "-range" suffix and uses the address.
std::optional<IpAddress> hostAddress(BuildContext& ctx, const Token& t, const std::string& what) {
  const std::string& text = t.text;
  const size_t cut = text.find_first_of("/-");
  auto a = parseAddress(std::string_view(text).substr(0, cut));
  if (!a) {
    ctx.mistake(t.where, "'" + what + "': expected an IPv4 or IPv6 address, found '" + text + "'",
                "skipped, as keepalived does");
    return std::nullopt;
  }
  if (cut != std::string::npos) {
    ctx.diags().warning(t.where, "'" + what + "': '" + text.substr(cut) + "' after " +
                                     a->to_string() +
                                     " is ignored (an address, not a prefix or range); using " +
                                     a->to_string() + ", as keepalived does");
  }
  return *a;
}

void buildAuthentication(BuildContext& ctx, const Node& n, Authentication& out) {
  for (const Node& c : n.children) {
    if (c.keyword.text == "auth_type") {
      const std::string& t = c.args[0].text;
      if (t == "PASS") {
        out.type = AuthType::kPass;
      } else if (t == "AH") {
        // keepalived runs IPsec AH (RFC 2402 HMAC-MD5-96); holdfast does not, and a node
        // that ran without it beside an AH peer would be a second master.
        out.type = AuthType::kAh;
        ctx.diags().error(c.args[0].where,
                          "'auth_type': AH is not supported by holdfast (RFC 3768 deprecated "
                          "it and RFC 5798 removed authentication); running without it would "
                          "make this node a second master beside an AH peer. Use PASS on both "
                          "nodes, or remove the authentication block from both");
      } else {
        ctx.diags().warning(c.args[0].where, "'auth_type': unknown authentication type '" + t +
                                                 "' (PASS or AH); no authentication, as "
                                                 "keepalived does");
      }
    } else if (c.keyword.text == "auth_pass") {
      out.pass = c.args[0].text;
      if (out.pass.size() > 8) {
        ctx.diags().warning(c.args[0].where,
                            "auth_pass is longer than 8 characters; only the first 8 ('" +
                                out.pass.substr(0, 8) + "') are used, as keepalived does");
        out.pass.resize(8);
      }
    }
  }
  if (out.type == AuthType::kPass && out.pass.empty()) {
    ctx.diags().warning(n.where(),
                        "authentication with auth_type PASS but no auth_pass; no "
                        "authentication, as keepalived does");
    out.type = AuthType::kNone;
  }
}

void buildNotify(const Node& c, NotifyCommands& out) {
  const std::string& k = c.keyword.text;
  std::string cmd = BuildContext::joined(c);
  if (k == "notify_master") out.master = cmd;
  if (k == "notify_backup") out.backup = cmd;
  if (k == "notify_fault") out.fault = cmd;
  if (k == "notify_stop") out.stop = cmd;
  if (k == "notify") out.notify = cmd;
}

bool smtpAlertValue(BuildContext& ctx, const Node& c) {
  if (c.args.empty()) return true;
  return ctx.boolean(c).value_or(true);
}

}  // namespace

void buildVrrpScript(BuildContext& ctx, const Node& n, VrrpScript& s) {
  BuildContext::Tolerant tolerant(ctx);
  s.name = n.args[0].text;
  s.where = n.where();
  KeywordTracker keywords(ctx.diags(), s.locations);
  for (const Node& c : n.children) {
    keywords.see(c);
    const std::string& k = c.keyword.text;
    if (k == "script") {
      s.command = BuildContext::joined(c);
    } else if (k == "interval") {
      setIf(s.interval, ctx.duration(c));
    } else if (k == "timeout") {
      s.timeout = ctx.duration(c);
    } else if (k == "weight") {
      setIf(s.weight, ctx.integer(c, -kMaxWeight, kMaxWeight));
      if (c.args.size() > 1) {
        if (c.args[1].text == "reverse") {
          s.reverse = true;
        } else {
          ctx.error(c.args[1], "weight",
                    "expected 'reverse' after the weight, found '" + c.args[1].text + "'");
        }
      }
    } else if (k == "rise") {
      setIf(s.rise, ctx.integer(c, 1, 1000));
    } else if (k == "fall") {
      setIf(s.fall, ctx.integer(c, 1, 1000));
    } else if (k == "user") {
      s.user = c.args[0].text;
      if (c.args.size() > 1) s.group = c.args[1].text;
    } else if (k == "init_fail") {
      s.initFail = true;
    }
  }
  if (s.command.empty()) {
    ctx.diags().error(s.where, "vrrp_script '" + s.name + "' needs a 'script' command");
  }
}

void buildVrrpInstance(BuildContext& ctx, const Node& n, const GlobalDefs& global,
                       VrrpInstance& vi) {
  BuildContext::Tolerant tolerant(ctx);
  vi.name = n.args[0].text;
  vi.where = n.where();
  vi.version = global.vrrpVersion;
  vi.strict = global.strict;
  const std::string who = "vrrp_instance '" + vi.name + "'";
  FamilyOf family;
  auto sourceAddress = [&](const Node& c) -> std::optional<IpAddress> {
    auto a = hostAddress(ctx, c.args[0], c.keyword.text);
    if (a && !family.admit(*a)) {
      ctx.diags().warning(c.args[0].where, "'" + c.keyword.text + "': " + a->to_string() +
                                               " is not " + toString(*family.family) +
                                               " like the instance's first address; skipped, "
                                               "as keepalived does");
      return std::nullopt;
    }
    return a;
  };
  KeywordTracker keywords(ctx.diags(), vi.locations);
  for (const Node& c : n.children) {
    keywords.see(c);
    const std::string& k = c.keyword.text;
    if (k == "state") {
      const std::string& v = c.args[0].text;
      if (v == "MASTER") {
        vi.initialState = InitialState::kMaster;
      } else if (v == "BACKUP" && vi.initialState == InitialState::kMaster) {
        ctx.diags().warning(c.args[0].where,
                            "state BACKUP after state MASTER: staying MASTER, as keepalived does");
      } else if (v == "BACKUP") {
        vi.initialState = InitialState::kBackup;
      } else {
        ctx.diags().warning(c.args[0].where, "state " + v +
                                                 " is not MASTER or BACKUP: starting as BACKUP, "
                                                 "as keepalived does");
        vi.initialState = InitialState::kBackup;
      }
    } else if (k == "interface") {
      vi.interface = c.args[0].text;
    } else if (k == "virtual_router_id") {
      setIf(vi.virtualRouterId, ctx.integer(c, 1, 255));
    } else if (k == "priority") {
      if (auto p = parseInt(c.args[0].text, 1, 255)) {
        vi.priority = *p;
      } else {
        ctx.diags().warning(c.args[0].where, "'priority': " + p.error() +
                                                 "; using the default 100, as keepalived does");
        vi.priority = 100;
      }
    } else if (k == "advert_int") {
      setIf(vi.advertInterval, ctx.duration(c));
    } else if (k == "version") {
      setIf(vi.version, ctx.integer(c, 2, 3));
    } else if (k == "authentication") {
      buildAuthentication(ctx, c, vi.auth);
    } else if (k == "virtual_ipaddress") {
      auto list = buildAddressList(ctx, c, &family, who);
      vi.virtualAddresses.insert(vi.virtualAddresses.end(), list.begin(), list.end());
    } else if (k == "virtual_ipaddress_excluded") {
      auto list = buildAddressList(ctx, c, nullptr, who);
      vi.excludedAddresses.insert(vi.excludedAddresses.end(), list.begin(), list.end());
    } else if (k == "virtual_routes") {
      auto list = buildRouteList(ctx, c, false);
      vi.virtualRoutes.insert(vi.virtualRoutes.end(), list.begin(), list.end());
    } else if (k == "virtual_rules") {
      auto list = buildRuleList(ctx, c, false, ctx.rulePriorities);
      vi.virtualRules.insert(vi.virtualRules.end(), list.begin(), list.end());
    } else if (k == "track_script") {
      auto list = buildTrackList(ctx, c);
      vi.trackScripts.insert(vi.trackScripts.end(), list.begin(), list.end());
    } else if (k == "track_interface") {
      auto list = buildTrackList(ctx, c);
      vi.trackInterfaces.insert(vi.trackInterfaces.end(), list.begin(), list.end());
    } else if (k == "track_backend") {
      auto list = buildTrackList(ctx, c);
      vi.trackBackends.insert(vi.trackBackends.end(), list.begin(), list.end());
    } else if (k == "track_file") {
      auto list = buildTrackList(ctx, c, 254);
      vi.trackFiles.insert(vi.trackFiles.end(), list.begin(), list.end());
    } else if (k == "track_process") {
      auto list = buildTrackList(ctx, c, 254);
      vi.trackProcesses.insert(vi.trackProcesses.end(), list.begin(), list.end());
    } else if (k == "nopreempt") {
      vi.preempt = false;
    } else if (k == "preempt") {
      vi.preempt = true;
    } else if (k == "preempt_delay") {
      if (auto d = ctx.duration(c); d && *d > std::chrono::seconds(1000)) {
        ctx.error(c.args[0], k, "expected at most 1000s");
      } else {
        setIf(vi.preemptDelay, d);
      }
    } else if (k == "strict_preempt") {
      vi.strictPreempt = true;
    } else if (k == "mcast_src_ip") {
      if (auto a = sourceAddress(c)) vi.mcastSrcIp = a;
    } else if (k == "unicast_src_ip") {
      vi.tuning.unicastConfigured = true;
      if (auto a = sourceAddress(c)) vi.unicastSrcIp = a;
    } else if (k == "unicast_peer") {
      vi.tuning.unicastConfigured = true;
      for (const Node& item : c.children) {
        auto a = hostAddress(ctx, item.keyword, "unicast_peer");
        if (!a) continue;
        auto ttl = buildPeerTtl(ctx, item);
        if (!family.admit(*a)) {
          ctx.diags().warning(item.where(), "unicast_peer " + a->to_string() + " is not " +
                                                toString(*family.family) +
                                                " like the instance's first address; skipped, "
                                                "as keepalived does");
          continue;
        }
        vi.unicastPeers.push_back(*a);
        if (ttl) {
          ttl->peer = a->to_string();
          vi.tuning.peerTtls.push_back(*ttl);
        }
      }
    } else if (k.starts_with("notify")) {
      buildNotify(c, vi.notify);
    } else if (k == "smtp_alert") {
      vi.smtpAlert = smtpAlertValue(ctx, c);
    } else if (k == "garp_master_delay") {
      if (auto d = ctx.duration(c)) vi.garpMasterDelay = d;
    } else if (k == "garp_master_repeat") {
      if (auto r = ctx.integer(c, 1, 255)) vi.garpMasterRepeat = r;
    } else if (k == "garp_master_refresh") {
      if (auto d = ctx.duration(c)) vi.garpMasterRefresh = d;
    } else if (k == "garp_master_refresh_repeat") {
      if (auto r = ctx.integer(c, 1, 255)) vi.garpMasterRefreshRepeat = r;
    } else if (k == "garp_interval") {
      if (auto d = ctx.duration(c)) vi.garpInterval = d;
    } else if (k == "gna_interval") {
      if (auto d = ctx.duration(c)) vi.gnaInterval = d;
    } else if (k == "accept") {
      vi.accept = true;
    } else if (k == "no_accept") {
      vi.accept = false;
    } else if (k == "use_vmac") {
      buildUseVmac(ctx, c, vi);
    } else if (k == "vmac_xmit_base") {
      vi.vmacXmitBase = true;
    } else if (k == "use_vmac_addr") {
      vi.useVmacAddr = true;
    } else if (buildInstanceTuning(ctx, c, vi.tuning)) {
    } else if (k == "conflict_action") {
      const std::string& v = c.args[0].text;
      if (v == "none") {
        vi.conflictAction = ConflictAction::kNone;
      } else if (v == "announce") {
        vi.conflictAction = ConflictAction::kAnnounce;
      } else if (v == "off") {
        vi.conflictAction = ConflictAction::kOff;
      } else {
        ctx.error(c.args[0], k, "expected none, announce or off, found '" + v + "'");
      }
    } else if (k == "checksum") {
      if (c.args[0].text == "pseudo-header") {
        vi.checksum = ChecksumForm::kPseudoHeader;
      } else if (c.args[0].text == "message") {
        vi.checksum = ChecksumForm::kMessageOnly;
      } else {
        ctx.error(c.args[0], k,
                  "expected pseudo-header or message, found '" + c.args[0].text + "'");
      }
    }
  }
  vi.family = family.family.value_or(AddressFamily::kIPv4);
}

void buildSyncGroup(BuildContext& ctx, const Node& n, SyncGroup& g) {
  BuildContext::Tolerant tolerant(ctx);
  g.name = n.args[0].text;
  g.where = n.where();
  KeywordTracker keywords(ctx.diags(), g.locations);
  for (const Node& c : n.children) {
    keywords.see(c);
    const std::string& k = c.keyword.text;
    if (k == "group") {
      for (const Node& item : c.children) {
        g.members.push_back({item.keyword.text, 0, false, false, item.where()});
      }
    } else if (k.starts_with("notify")) {
      buildNotify(c, g.notify);
    } else if (k == "smtp_alert") {
      g.smtpAlert = smtpAlertValue(ctx, c);
    } else if (k == "sync_group_tracking_weight") {
      g.trackingWeight = true;
    } else if (k == "global_tracking") {
      ctx.diags().warning(c.where(), "vrrp_sync_group '" + g.name +
                                         "': global_tracking is deprecated (use track_script / "
                                         "track_interface in the sync group); taken as "
                                         "sync_group_tracking_weight, as keepalived does");
      g.trackingWeight = true;
    } else if (k == "track_script") {
      auto list = buildTrackList(ctx, c);
      g.trackScripts.insert(g.trackScripts.end(), list.begin(), list.end());
    } else if (k == "track_interface") {
      auto list = buildTrackList(ctx, c);
      g.trackInterfaces.insert(g.trackInterfaces.end(), list.begin(), list.end());
    } else if (k == "track_file") {
      auto list = buildTrackList(ctx, c, 254);
      g.trackFiles.insert(g.trackFiles.end(), list.begin(), list.end());
    } else if (k == "track_process") {
      auto list = buildTrackList(ctx, c, 254);
      g.trackProcesses.insert(g.trackProcesses.end(), list.begin(), list.end());
    }
  }
}

std::vector<VirtualAddress> buildStaticAddresses(BuildContext& ctx, const Node& list) {
  BuildContext::Tolerant tolerant(ctx);
  return buildAddressList(ctx, list, nullptr, "static_ipaddress");
}

}  // namespace holdfast::config::detail
