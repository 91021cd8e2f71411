#include "tools/lint/cluster_lint.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/scoring/score.h"
#include "netio/duration_text.h"
#include "tools/lint/script_advice.h"

namespace holdfast::lint {

namespace {

// One node's instance of a VRID.
struct Member {
  const Node* node;
  const config::VrrpInstance* vi;
};

using Key = std::pair<int, config::AddressFamily>;

std::string groupName(const Key& k) {
  return "VRID " + std::to_string(k.first) + " " + config::toString(k.second);
}

std::string where(const Member& m) {
  return m.node->name + " (" + m.vi->name + ")";
}

// The instance's tracked items as the scoring function sees them, all healthy: up, or
// down for a reverse one (a reverse item costs while up); a track_file reads 0.
scoring::TrackedItem item(const char* kind, const std::string& name, int weight, bool reverse) {
  scoring::TrackedItem i;
  i.kind = kind;
  i.name = name;
  i.weight = weight;
  i.reverse = reverse;
  return i;
}

std::vector<scoring::TrackedItem> itemsOf(const Member& m) {
  const config::Config& c = m.node->config;
  const config::VrrpInstance& vi = *m.vi;
  std::vector<scoring::TrackedItem> out;
  for (const auto& r : vi.trackScripts) {
    const auto* s = c.findScript(r.name);
    out.push_back(item("script", r.name, r.hasWeight || !s ? r.weight : s->weight,
                       r.reverse || (s && s->reverse)));
  }
  for (const auto& r : vi.trackInterfaces) {
    out.push_back(item("interface", r.name, r.weight, r.reverse));
  }
  for (const auto& r : vi.trackBackends)
    out.push_back(item("backend", r.name, r.weight, r.reverse));
  for (const auto& r : vi.trackFiles) {
    const auto* f = c.findTrackFile(r.name);
    out.push_back(item("file", r.name, r.hasWeight || !f ? r.weight : f->weight,
                       r.reverse || (f && f->reverse)));
    out.back().value = 0;
  }
  for (const auto& r : vi.trackProcesses) {
    const auto* p = c.findTrackProcess(r.name);
    out.push_back(item("process", r.name, r.hasWeight || !p ? r.weight : p->weight,
                       r.reverse || (p && p->reverse)));
  }
  for (auto& i : out) i.up = !i.reverse;
  return out;
}

std::string itemText(const scoring::TrackedItem& i) {
  return i.kind + " " + i.name;
}

void add(std::vector<Finding>& out, Severity s, const std::string& group, const std::string& kind,
         std::string text) {
  out.push_back({s, group, kind, std::move(text)});
}

std::string vipText(const config::VirtualAddress& v) {
  return v.address.to_string() + "/" + std::to_string(v.prefixLength);
}

std::set<std::string> vipSet(const config::VrrpInstance& vi) {
  std::set<std::string> s;
  for (const auto& v : vi.virtualAddresses) s.insert(vipText(v));
  return s;
}

std::string joined(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "none" : out;
}

// What VRRP needs the nodes to agree on.
void agreement(const std::string& g, const std::vector<Member>& ms, std::vector<Finding>& out) {
  const Member& a = ms.front();
  bool ok = true;
  for (size_t i = 1; i < ms.size(); ++i) {
    const Member& b = ms[i];
    if (vipSet(*a.vi) != vipSet(*b.vi)) {
      ok = false;
      add(out, Severity::kProblem, g, "vips",
          where(a) + " has VIPs " + joined(vipSet(*a.vi)) + ", " + where(b) + " has " +
              joined(vipSet(*b.vi)) +
              ": a VRRPv2 peer discards such adverts (keepalived logs it each time), and the "
              "VIPs that differ do not fail over");
    }
    if (a.vi->advertInterval != b.vi->advertInterval) {
      ok = false;
      add(out, Severity::kProblem, g, "advert_int",
          where(a) + " advert_int " + netio::formatDuration(a.vi->advertInterval) + ", " +
              where(b) + " " + netio::formatDuration(b.vi->advertInterval) +
              ": VRRPv2 peers discard each other's adverts; with VRRPv3 the backup's "
              "Master_Down_Interval follows the master's");
    }
    if (a.vi->version != b.vi->version) {
      ok = false;
      add(out, Severity::kProblem, g, "version",
          where(a) + " speaks VRRPv" + std::to_string(a.vi->version) + ", " + where(b) + " VRRPv" +
              std::to_string(b.vi->version) +
              ": each discards the other's adverts and both become master");
    }
    if (!(a.vi->auth == b.vi->auth)) {
      ok = false;
      add(out, Severity::kProblem, g, "auth",
          where(a) + " and " + where(b) +
              " differ in authentication (type or password): each discards the other's "
              "adverts and both become master");
    }
  }
  if (ok) {
    add(out, Severity::kOk, g, "agreement",
        "VIPs, advert_int, version and authentication agree on " + std::to_string(ms.size()) +
            " nodes");
  }
}

void unicast(const std::string& g, const std::vector<Member>& ms, std::vector<Finding>& out) {
  const bool any = std::any_of(ms.begin(), ms.end(),
                               [](const Member& m) { return !m.vi->unicastPeers.empty(); });
  if (!any) return;
  bool ok = true;
  for (const Member& a : ms) {
    if (a.vi->unicastPeers.empty()) {
      ok = false;
      add(out, Severity::kProblem, g, "unicast",
          where(a) +
              " sends multicast while its peers use unicast_peer: neither hears the "
              "other");
      continue;
    }
    for (const Member& b : ms) {
      if (&a == &b || b.vi->unicastPeers.empty()) continue;
      if (!b.vi->unicastSrcIp) {
        add(out, Severity::kAdvice, g, "unicast",
            where(b) + " has no unicast_src_ip: cannot check that " + where(a) +
                "'s unicast_peer names it");
        continue;
      }
      const auto& peers = a.vi->unicastPeers;
      if (std::find(peers.begin(), peers.end(), *b.vi->unicastSrcIp) == peers.end()) {
        ok = false;
        add(out, Severity::kProblem, g, "unicast",
            where(a) + "'s unicast_peer does not name " + where(b) + "'s unicast_src_ip " +
                b.vi->unicastSrcIp->to_string() + ": " + where(b) + " never hears it");
      }
    }
  }
  if (ok) add(out, Severity::kOk, g, "unicast", "the unicast peer lists name each other");
}

// A track_file on the master: the value closest to 0 that the file must hold for
// the VIP to move (the scoring function tried on every value keepalived reads).
void fileThreshold(const std::string& g, const Member& m,
                   const std::vector<scoring::TrackedItem>& items, size_t k, int peer,
                   const std::string& peerName, std::vector<Finding>& out) {
  auto moves = [&](long long v) {
    auto scenario = items;
    scenario[k].value = v;
    const auto s = scoring::computeScore(m.vi->priority, scenario);
    return s.fault || s.effective < peer;
  };
  const std::string what = itemText(items[k]) + " on " + where(m);
  for (long long v = 1; v <= 254; ++v) {
    for (long long x : {-v, v}) {
      if (!moves(x)) continue;
      add(out, Severity::kOk, g, "failover",
          what + ": the VIP moves to " + peerName + " once the file holds " + std::to_string(x) +
              (x < 0 ? " or less" : " or more"));
      return;
    }
  }
  add(out, Severity::kProblem, g, "failover",
      what + ": no value the file can hold moves the VIP to " + peerName +
          " (its weight is too small)");
}

// Priorities, nopreempt, and what each tracked item's failure on the master does.
void failover(const std::string& g, const std::vector<Member>& ms, std::vector<Finding>& out) {
  std::vector<int> healthy;
  for (const Member& m : ms) {
    const auto s = scoring::computeScore(m.vi->priority, itemsOf(m));
    healthy.push_back(s.fault ? 0 : s.effective);
  }
  size_t master = 0;
  for (size_t i = 1; i < ms.size(); ++i) {
    if (healthy[i] > healthy[master]) master = i;
  }
  for (size_t i = 0; i < ms.size(); ++i) {
    for (size_t j = i + 1; j < ms.size(); ++j) {
      if (healthy[i] == healthy[j] && healthy[i] > 0) {
        add(out, Severity::kProblem, g, "priority",
            where(ms[i]) + " and " + where(ms[j]) + " both run at priority " +
                std::to_string(healthy[i]) +
                " when healthy: the higher primary IP address wins (RFC 5798 6.4.3), and a "
                "failure that costs the master less than 1 point moves nothing; give them "
                "distinct priorities");
      }
    }
  }
  // nopreempt works only when every node has it (and starts as BACKUP).
  const size_t withNopreempt =
      std::count_if(ms.begin(), ms.end(), [](const Member& m) { return !m.vi->preempt; });
  if (withNopreempt > 0 && withNopreempt < ms.size()) {
    std::string which;
    for (const Member& m : ms) {
      if (!m.vi->preempt) which += (which.empty() ? "" : ", ") + where(m);
    }
    add(out, Severity::kProblem, g, "nopreempt",
        "nopreempt only on " + which +
            ": a node without it takes the VIP back whenever its priority is higher, so the "
            "VIP does not stay where it is; set nopreempt on every node, or on none");
  }
  const Member& m = ms[master];
  const auto items = itemsOf(m);
  if (items.empty()) {
    add(out, Severity::kAdvice, g, "failover",
        where(m) + " (the master, priority " + std::to_string(healthy[master]) +
            ") tracks nothing: only its death or its link moves the VIP");
  }
  // The peer that takes over: the healthiest node but the master.
  size_t best = master == 0 ? 1 : 0;
  for (size_t o = 0; o < ms.size(); ++o) {
    if (o != master && healthy[o] > healthy[best]) best = o;
  }
  const Member& b = ms[best];
  for (size_t k = 0; k < items.size(); ++k) {
    if (items[k].value) {
      fileThreshold(g, m, items, k, healthy[best], where(b), out);
      continue;
    }
    auto scenario = items;
    scenario[k].up = !scenario[k].up;
    const auto s = scoring::computeScore(m.vi->priority, scenario);
    const std::string what = itemText(items[k]) + " failing on " + where(m);
    if (s.fault) {
      add(out, Severity::kOk, g, "failover", what + " puts it in FAULT (weight 0): the VIP moves");
      continue;
    }
    const std::string numbers = " leaves it at " + std::to_string(s.effective) + ", " + where(b) +
                                " at " + std::to_string(healthy[best]);
    if (s.effective > healthy[best]) {
      add(out, Severity::kProblem, g, "failover",
          what + numbers + ": the VIP never moves; the weight must take it below " +
              std::to_string(healthy[best]));
    } else if (s.effective == healthy[best]) {
      add(out, Severity::kProblem, g, "failover",
          what + numbers + ": a tie, decided by the primary IP address, not by health");
    } else if (!b.vi->preempt) {
      add(out, Severity::kProblem, g, "failover",
          what + numbers + ", but " + where(b) +
              " has nopreempt: it does not take over from a master whose priority merely "
              "drops; use weight 0 (FAULT) for this item, or drop nopreempt");
    } else {
      add(out, Severity::kOk, g, "failover", what + numbers + ": the VIP moves");
    }
  }
}

// Which failures leave no node able to hold the VIP: every node in FAULT.
void noMaster(const std::string& g, const std::vector<Member>& ms, std::vector<Finding>& out) {
  std::vector<std::set<std::string>> faulting;
  for (const Member& m : ms) {
    std::set<std::string> f;
    const auto items = itemsOf(m);
    for (size_t k = 0; k < items.size(); ++k) {
      if (items[k].value) continue;
      auto scenario = items;
      scenario[k].up = !scenario[k].up;
      if (scoring::computeScore(m.vi->priority, scenario).fault) f.insert(itemText(items[k]));
    }
    if (f.empty()) return;  // this node can always hold the VIP
    faulting.push_back(std::move(f));
  }
  std::set<std::string> common = faulting.front();
  for (const auto& f : faulting) {
    std::set<std::string> keep;
    std::set_intersection(common.begin(), common.end(), f.begin(), f.end(),
                          std::inserter(keep, keep.begin()));
    common = std::move(keep);
  }
  if (!common.empty()) {
    add(out, Severity::kAdvice, g, "no_master",
        joined(common) +
            " failing on every node (a backend they share, a bad deploy) puts "
            "them all in FAULT: nobody holds the VIP. A negative weight instead "
            "of 0 keeps one node master when all fail");
  } else {
    std::string which;
    for (size_t i = 0; i < ms.size(); ++i) {
      which += (which.empty() ? "" : " and ") + *faulting[i].begin() + " on " + where(ms[i]);
    }
    add(out, Severity::kAdvice, g, "no_master",
        which + " failing together leave every node in FAULT: nobody holds the VIP");
  }
}

}  // namespace

const char* toString(Severity s) {
  switch (s) {
    case Severity::kOk:
      return "ok";
    case Severity::kAdvice:
      return "advice";
    case Severity::kProblem:
      return "problem";
  }
  return "?";
}

bool anyProblem(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::kProblem; });
}

std::vector<Finding> lintCluster(const std::vector<Node>& nodes) {
  std::vector<Finding> out;
  std::map<Key, std::vector<Member>> groups;
  for (const Node& n : nodes) {
    for (const auto& vi : n.config.instances) {
      groups[{vi.virtualRouterId, vi.family}].push_back({&n, &vi});
    }
  }
  for (const auto& [key, ms] : groups) {
    const std::string g = groupName(key);
    if (ms.size() < 2) {
      add(out, Severity::kProblem, g, "peer",
          where(ms.front()) + " has no peer in these files: nothing takes the VIP over");
      continue;
    }
    agreement(g, ms, out);
    unicast(g, ms, out);
    failover(g, ms, out);
    noMaster(g, ms, out);
  }
  for (const Node& n : nodes) adviseScripts(n, out);
  return out;
}

}  // namespace holdfast::lint
