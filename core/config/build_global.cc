// Typing of global_defs: keepalived's keywords (ranges as keepalived's, a bad value a
// warning that keeps the default) and holdfast's own (strict).

#include "core/config/build_context.h"
#include "core/config/values.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <regex>

namespace holdfast::config::detail {
namespace {

// global_defs keywords of holdfast's own (keepalived has none of them).
const std::set<std::string_view> kHoldfastGlobals{"metrics_listen", "lock_memory",
                                                  "checker_threads"};

void setIf(auto& field, const auto& value) {
  if (value) field = *value;
}

// vrrp_cpu_affinity / checker_cpu_affinity CPU...: as keepalived, each a CPU of
// this machine (0 to the count less one); one bad value, or none, is a warning
// and no affinity at all.
std::vector<int> cpuList(BuildContext& ctx, const Node& c) {
  const std::string& k = c.keyword.text;
  if (c.args.empty()) {
    ctx.diags().warning(c.where(), k + ": no CPU given; the threads may run on any CPU");
    return {};
  }
  const long cpus = std::max(1L, ::sysconf(_SC_NPROCESSORS_CONF));
  std::vector<int> out;
  for (const Token& a : c.args) {
    int cpu = -1;
    const auto [end, ec] = std::from_chars(a.text.data(), a.text.data() + a.text.size(), cpu);
    std::string why;
    if (ec != std::errc() || end != a.text.data() + a.text.size()) {
      why = "invalid number '" + a.text + "'";
    } else if (cpu < 0 || cpu >= cpus) {
      why = "CPU " + a.text + " outside range [0, " + std::to_string(cpus - 1) + "]";
    }
    if (!why.empty()) {
      ctx.diags().warning(a.where, k + ": " + why + "; no affinity set, as keepalived");
      return {};
    }
    if (std::find(out.begin(), out.end(), cpu) == out.end()) out.push_back(cpu);
  }
  return out;
}

// nftables, nftables_priority, nftables_counters and vrrp_iptables (keepalived's
// global_parser.c): `nftables` and `vrrp_iptables` reset the priority to -1, so a
// nftables_priority before them is lost, as in keepalived.
void buildNftables(BuildContext& ctx, const Node& c, GlobalDefs& g) {
  const std::string& k = c.keyword.text;
  if (k == "nftables_priority") {
    setIf(g.nftPriority,
          ctx.integer(c, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
    return;
  }
  if (k == "nftables_counters") {
    g.nftCounters = true;
    return;
  }
  g.nftPriority = -1;
  if (k == "vrrp_iptables") {
    ctx.diags().warning(c.where(),
                        "'vrrp_iptables': holdfast filters no_accept's VIPs with nftables "
                        "(table '" +
                            g.nftTable +
                            "'), as keepalived built without iptables (Debian's) does; write "
                            "'nftables' instead");
    return;
  }
  if (c.args.empty()) return;
  static const std::regex kName("[A-Za-z][A-Za-z0-9_.-]{0,63}");
  if (std::regex_match(c.args[0].text, kName)) {
    g.nftTable = c.args[0].text;
  } else {
    ctx.diags().warning(c.args[0].where, "'nftables': '" + c.args[0].text +
                                             "' is not a table name holdfast takes (a letter, "
                                             "then up to 63 letters, digits, '_', '.' or '-'); "
                                             "using '" +
                                             g.nftTable + "'");
  }
}

}  // namespace

void buildGlobalDefs(BuildContext& ctx, const Node& n, GlobalDefs& g) {
  BuildContext::Tolerant tolerant(ctx);
  KeywordTracker keywords(ctx.diags(), g.locations);
  for (const Node& c : n.children) {
    keywords.see(c);
    const std::string& k = c.keyword.text;
    // holdfast's own keywords keep holdfast's strictness: a bad value is an error.
    BuildContext::Tolerant own(ctx, !kHoldfastGlobals.contains(k));
    if (k == "router_id") {
      g.routerId = c.args[0].text;
    } else if (k == "vmac_prefix") {
      g.vmacPrefix = c.args[0].text;
    } else if (k == "vmac_addr_prefix") {
      g.vmacAddrPrefix = c.args[0].text;
    } else if (k == "notification_email") {
      // Free strings, as keepalived takes them: a bare name ("acassen", as in
      // keepalived's samples) is a local mailbox for the SMTP server.
      for (const Node& item : c.children) g.notificationEmails.push_back(item.keyword.text);
    } else if (k == "notification_email_from") {
      g.notificationEmailFrom = c.args[0].text;
    } else if (k == "smtp_server") {
      SmtpServer s{c.args[0].text, 25};
      if (c.args.size() > 1) setIf(s.port, ctx.integer(c, 1, 65535, 1));
      g.smtpServer = s;
    } else if (k == "smtp_connect_timeout") {
      setIf(g.smtpConnectTimeout, ctx.duration(c));
    } else if (k == "script_user") {
      g.scriptUser = c.args[0].text;
      if (c.args.size() > 1) g.scriptGroup = c.args[1].text;
    } else if (k == "enable_script_security") {
      g.enableScriptSecurity = true;
    } else if (k == "vrrp_version") {
      setIf(g.vrrpVersion, ctx.integer(c, 2, 3));
    } else if (k == "vrrp_rt_priority") {
      setIf(g.vrrpRtPriority, ctx.integer(c, 0, 99));
    } else if (k == "vrrp_cpu_affinity") {
      g.vrrpCpus = cpuList(ctx, c);
    } else if (k == "checker_cpu_affinity") {
      g.checkerCpus = cpuList(ctx, c);
    } else if (k == "lock_memory") {
      setIf(g.lockMemory, ctx.boolean(c));
    } else if (k == "metrics_listen") {
      if (auto e = parseEndpoint(c.args[0].text)) {
        g.metricsListen = *e;
      } else {
        ctx.error(c.args[0], k, e.error());
      }
    } else if (k == "checker_threads") {
      setIf(g.checkerThreads, ctx.integer(c, 0, 64));
    } else if (k == "vrrp_skip_check_adv_addr") {
      g.skipCheckAdvAddr = true;
    } else if (k == "vrrp_strict") {
      g.strict = true;
    } else if (k == "nftables" || k == "vrrp_iptables" || k == "nftables_priority" ||
               k == "nftables_counters") {
      buildNftables(ctx, c, g);
    } else if (k == "vrrp_garp_interval") {
      setIf(g.garpInterval, ctx.duration(c));
    } else if (k == "vrrp_gna_interval") {
      setIf(g.gnaInterval, ctx.duration(c));
    } else if (k == "vrrp_garp_master_delay") {
      setIf(g.garpMasterDelay, ctx.duration(c));
    } else if (k == "vrrp_garp_master_repeat") {
      setIf(g.garpMasterRepeat, ctx.integer(c, 1, 255));
    } else if (k == "vrrp_garp_master_refresh") {
      setIf(g.garpMasterRefresh, ctx.duration(c));
    } else if (k == "vrrp_garp_master_refresh_repeat") {
      setIf(g.garpMasterRefreshRepeat, ctx.integer(c, 1, 255));
    } else if (k == "vrrp_min_garp") {
      // keepalived: one GARP/NA, no second burst, unless set earlier in the file.
      if (c.args.empty() || ctx.boolean(c).value_or(false)) {
        if (g.garpMasterRepeat == GlobalDefs{}.garpMasterRepeat) g.garpMasterRepeat = 1;
        if (g.garpMasterDelay == GlobalDefs{}.garpMasterDelay) g.garpMasterDelay = {};
      }
    } else if (buildGlobalTuning(ctx, c, g.tuning)) {
    } else if (k == "vrrp_mcast_group4" || k == "vrrp_mcast_group6") {
      auto a = ctx.address(c);
      bool v4 = k == "vrrp_mcast_group4";
      if (a && (a->is_v4() != v4 || !a->is_multicast())) {
        ctx.error(c.args[0], k,
                  std::string("expected an ") + (v4 ? "IPv4" : "IPv6") + " multicast address");
      } else if (a) {
        (v4 ? g.mcastGroup4 : g.mcastGroup6) = *a;
      }
    }
  }
}

}  // namespace holdfast::config::detail
