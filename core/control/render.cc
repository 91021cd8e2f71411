#include "core/control/render.h"

#include <ctime>

namespace holdfast::control {

using nlohmann::json;

std::string isoTime(std::chrono::system_clock::time_point t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

namespace {

json counters(const vrrp::Counters& c, bool withTraffic) {
  json j = json::object();
  if (withTraffic) {
    j["received"] = c.received;
    j["sent"] = c.sent;
  }
  json d = json::object();
  for (size_t i = 0; i < c.discarded.size(); ++i) {
    d[vrrp::toString(static_cast<vrrp::DiscardReason>(i))] = c.discarded[i];
  }
  j["discarded"] = d;
  return j;
}

// Adverts from the master that list other VIPs than ours (honoured): null when
// none was seen since the instance started.
json vipListMismatch(const runtime::VipListMismatch& m) {
  if (m.count == 0) return nullptr;
  return json{{"count", m.count},
              {"active", m.active},
              {"last_from", m.lastFrom},
              {"their_vips", m.theirVips},
              {"last_at", isoTime(m.lastAt)}};
}

json masterJson(const runtime::InstanceReport& r) {
  if (!r.masterAddress) return nullptr;
  return json{{"address", *r.masterAddress},
              {"priority", r.masterPriority},
              {"self", r.state == vrrp::State::kMaster}};
}

}  // namespace

namespace {
// Ongoing split-brain conflicts (slot_conflicts.h); ages in seconds from now.
json conflictsJson(const runtime::InstanceReport& r) {
  json out = json::array();
  const auto now = std::chrono::steady_clock::now();
  for (const auto& c : r.conflicts) {
    out.push_back(json{{"kind", c.kind},
                       {"address", c.address},
                       {"by", c.by.empty() ? json(nullptr) : json(c.by)},
                       {"how", c.how},
                       {"claims", c.seen},
                       {"since_s", std::chrono::duration<double>(now - c.since).count()},
                       {"last_s", std::chrono::duration<double>(now - c.last).count()}});
  }
  return out;
}
}  // namespace

json instanceSummary(const runtime::InstanceReport& r) {
  return json{{"name", r.name},
              {"interface", r.interface},
              {"vrid", r.vrid},
              {"version", r.version},
              {"family", r.ipv6 ? "ipv6" : "ipv4"},
              {"state", vrrp::toString(r.state)},
              {"base_priority", r.basePriority},
              {"effective_priority", r.effectivePriority},
              {"master", masterJson(r)},
              {"vips", r.vips},
              {"vips_held", r.vipsHeld},
              {"handing_over", r.handingOver},
              {"yielding_to", r.yieldingTo.empty() ? json(nullptr) : json(r.yieldingTo)},
              {"fault_reason", r.faultReason ? json(*r.faultReason) : json(nullptr)},
              {"sync_group", r.syncGroup.empty() ? json(nullptr) : json(r.syncGroup)},
              {"vip_list_mismatch", vipListMismatch(r.vipListMismatch)},
              {"conflicts", conflictsJson(r)},
              {"conflict_action", r.conflictAction}};
}

namespace {
// virtual_ipaddress_excluded, virtual_routes, virtual_rules (route_keeper.h).
json keptJson(const std::vector<runtime::KeptItemReport>& kept) {
  json out = json::array();
  for (const auto& k : kept) {
    out.push_back(json{{"kind", k.kind},
                       {"what", k.text},
                       {"installed", k.installed},
                       {"error", k.error.empty() ? json(nullptr) : json(k.error)},
                       {"put_back", k.putBack}});
  }
  return out;
}
}  // namespace

json instanceDetail(const runtime::InstanceReport& r) {
  json j = instanceSummary(r);
  j["source"] = r.source;
  j["unicast_peers"] = r.unicastPeers;
  j["preempt"] = r.preempt;
  // no_accept: the VIPs dropped in nftables while master (accept_filter.h).
  j["accept"] = r.accept;
  j["vips_filtered"] = r.vipsFiltered;
  j["nftables_error"] = r.filterLastError.empty() ? json(nullptr) : json(r.filterLastError);
  // use_vmac: the VMAC's name and MAC; null without one.
  j["vmac"] = r.vmac.empty() ? json(nullptr)
                             : json{{"name", r.vmac},
                                    {"mac", r.vmacMac},
                                    {"adverts_from", r.vmacXmitBase ? r.interface : r.vmac}};
  json avmacs = json::array();
  for (const auto& a : r.addressVmacs)
    avmacs.push_back({{"name", a.name}, {"mac", a.mac}, {"on", a.on}});
  j["address_vmacs"] = avmacs;
  j["timers"] = json{{"advert_interval_ms", r.timers.advertInterval.count() * 10},
                     {"skew_time_ms", r.timers.skewTime.count() * 10},
                     {"master_down_interval_ms", r.timers.masterDownInterval.count() * 10}};
  json c = counters(r.counters, true);
  c["socket"] = counters(r.socket, false);
  c["garps_sent"] = r.garpsSent;
  c["nftables_errors"] = r.filterErrors;
  c["transitions"] = r.transitions;
  j["counters"] = c;
  j["tracked"] = explanation(r)["items"];  // what `why` lists: kind, state, what each adds
  if (r.lastTransition) {
    const auto& t = *r.lastTransition;
    j["last_transition"] = json{{"from", vrrp::toString(t.from)},
                                {"to", vrrp::toString(t.to)},
                                {"reason", t.reason},
                                {"priority", t.priority},
                                {"time", isoTime(t.time)}};
  } else {
    j["last_transition"] = nullptr;
  }
  j["kept"] = keptJson(r.kept);
  return j;
}

json explanation(const runtime::InstanceReport& r) {
  json items = json::array();
  for (const auto& c : r.score.why) {
    items.push_back(json{{"kind", c.item.kind},
                         {"name", c.item.name},
                         {"weight", c.item.weight},
                         {"reverse", c.item.reverse},
                         {"up", c.item.up},
                         {"detail", c.item.detail},
                         {"added", c.added},
                         {"faults", c.faults}});
    if (c.item.value) items.back()["value"] = *c.item.value;  // a track_file's
  }
  return json{{"instance", r.name},
              {"state", vrrp::toString(r.state)},
              {"base_priority", r.score.base},
              {"items", items},
              {"effective_priority", r.score.effective},
              {"fault", r.score.fault},
              {"fault_reason", r.faultReason ? json(*r.faultReason) : json(nullptr)},
              {"explain", r.score.explain()},
              {"master", masterJson(r)}};
}

json backendJson(const checkers::BackendReport& b) {
  json j{{"name", b.name},
         {"kind", b.group ? "backend_group" : "backend"},
         {"state", b.verdict.up ? "up" : "down"},
         {"layer", b.verdict.failingLayer ? json(checkers::toString(*b.verdict.failingLayer))
                                          : json(nullptr)},
         {"reason", b.verdict.reason}};
  if (b.group) {
    j["members"] = b.members;
    j["quorum"] = b.quorum;
  }
  return j;
}

json checkJson(const checkers::CheckReport& c) {
  const auto& s = c.stats;
  json results = json::object();
  for (size_t i = 0; i < s.results.size(); ++i) {
    results[checkers::toString(static_cast<checkers::Failure>(i))] = s.results[i];
  }
  const double lastMs = std::chrono::duration<double, std::milli>(s.last.latency).count();
  const double avgMs = s.latencyCount
                           ? std::chrono::duration<double, std::milli>(s.latencySum).count() /
                                 static_cast<double>(s.latencyCount)
                           : 0.0;
  json last = nullptr;
  uint64_t completed = 0;
  for (uint64_t n : s.results) completed += n;
  if (completed > 0) {
    last = json{{"ok", s.last.ok()},
                {"result", checkers::toString(s.last.failure)},
                {"reason", s.last.reason},
                {"latency_ms", lastMs}};
  }
  return json{
      {"kind", checkers::toString(c.kind)},
      {"target", c.target},
      {"backends", c.backends},
      {"state", c.up ? "up" : "down"},
      {"reading", c.reading},
      {"rise", c.rise},
      {"fall", c.fall},
      {"streak", c.streak},
      {"progress", c.up ? "fall " + std::to_string(c.streak) + "/" + std::to_string(c.fall)
                        : "rise " + std::to_string(c.streak) + "/" + std::to_string(c.rise)},
      {"probes", s.probes},
      {"last", last},
      {"latency_avg_ms", avgMs},
      {"last_error", completed > s.results[0] ? json(s.lastFailure) : json(nullptr)},
      {"next_run_ms", c.nextRunIn.count()},
      {"in_flight", c.inFlight},
      {"results", results}};
}

json eventJson(const log::Event& e) {
  return json{{"seq", e.seq},
              {"time", isoTime(e.time)},
              {"kind", e.kind},
              {"subject", e.subject},
              {"text", e.text}};
}

json reloadReply(bool applied, const std::string& summary,
                 const std::vector<std::string>& messages) {
  json j{{"ok", applied}, {"applied", applied}, {"summary", summary}, {"messages", messages}};
  if (!applied) j["error"] = summary;
  return j;
}

}  // namespace holdfast::control
