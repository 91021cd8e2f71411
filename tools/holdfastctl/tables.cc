#include "tools/holdfastctl/tables.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "netio/duration_text.h"

namespace holdfast::ctl {

using nlohmann::json;

namespace {

std::string str(const json& j, const char* key, const std::string& none = "-") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return none;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

// A measured latency, rounded for its column ("0.23ms", "12ms"). Configured and
// protocol durations are exact instead (netio::formatDuration).
std::string latency(double ms) {
  char buf[32];
  if (ms < 10) {
    std::snprintf(buf, sizeof buf, "%.2fms", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.0fms", ms);
  }
  return buf;
}

// A duration the reply gives in whole milliseconds ("advert_interval_ms"): "1s", "610ms".
std::string durationMs(const json& j, const char* key) {
  return netio::formatDuration(std::chrono::milliseconds(j.value(key, int64_t{0})));
}

std::string joined(const json& list, const char* sep = ", ") {
  std::string out;
  for (const auto& v : list)
    out += (out.empty() ? "" : sep) + (v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

std::string master(const json& inst) {
  const json& m = inst.at("master");
  if (m.is_null()) return "unknown";
  if (m.value("self", false)) return "self";
  return m.value("address", "?") + " (" + std::to_string(m.value("priority", 0)) + ")";
}

std::string nonZero(const json& discarded) {
  std::string out;
  for (const auto& [reason, n] : discarded.items()) {
    if (n.get<uint64_t>() > 0) out += (out.empty() ? "" : ", ") + reason + " " + n.dump();
  }
  return out.empty() ? "none" : out;
}

}  // namespace

std::string Table::str(const std::string& indent) const {
  std::vector<size_t> width(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) width[i] = headers_[i].size();
  for (const auto& r : rows_) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  }
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l = indent;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      l += cell;
      if (i + 1 < width.size()) l += std::string(width[i] - cell.size() + 2, ' ');
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out << l << "\n";
  };
  line(headers_);
  for (const auto& r : rows_) line(r);
  return out.str();
}

// The master's adverts list other VIPs than ours (honoured; the configs differ):
// a line while the last advert differed, nothing otherwise.
std::string vipListNote(const json& i) {
  const json& m = i.value("vip_list_mismatch", json(nullptr));
  if (m.is_null() || !m.value("active", false)) return "";
  return "  " + i.value("name", "") + ": the master (" + str(m, "last_from") + ") lists VIPs " +
         joined(m.at("their_vips")) + ", ours differ (" + std::to_string(m.value("count", 0)) +
         " such adverts; the two configs differ)\n";
}

// "  VI_1: CONFLICT: 192.0.2.100 is also held by 02:..:12 (arp_reply, 3 claims, last 0.4s ago)"
std::string conflictNote(const json& i) {
  std::string out;
  for (const auto& c : i.value("conflicts", json::array())) {
    char ago[32];
    std::snprintf(ago, sizeof ago, "%.1fs ago", c.value("last_s", 0.0));
    const std::string kind = c.value("kind", "");
    const bool twoMasters = kind == "address" || kind == "master";
    const std::string what =
        kind == "master"    ? "another master advertises on our VRID: " + c.value("address", "")
        : kind == "address" ? c.value("address", "") + " is also held by " + str(c, "by")
                            : "adverts from " + c.value("address", "") + " disagree";
    out += "  " + i.value("name", "") + ": CONFLICT: " + what + " (" + c.value("how", "") + ", " +
           std::to_string(c.value("claims", 0)) + " seen, last " + ago +
           "): " + (twoMasters ? "both nodes are master" : "the configs differ") + "\n";
  }
  return out;
}

std::string statusText(const json& reply) {
  std::ostringstream out;
  if (const json m = reply.value("maintenance", json(nullptr)); m.is_object()) {
    out << "MAINTENANCE: on (" << m.value("text", "")
        << "); every instance runs at priority 1 (holdfastctl maintenance off ends it)\n\n";
  }
  Table inst(
      {"INSTANCE", "INTERFACE", "VRID", "VERSION", "STATE", "PRIORITY", "BASE", "MASTER", "VIPS"});
  for (const auto& i : reply.at("instances")) {
    std::string vips = joined(i.at("vips"));
    if (i.value("vips_held", false)) vips += " (held)";
    inst.row({i.value("name", ""), i.value("interface", ""), std::to_string(i.value("vrid", 0)),
              "v" + std::to_string(i.value("version", 0)) +
                  (i.value("family", "") == "ipv6" ? " IPv6" : " IPv4"),
              i.value("state", ""), std::to_string(i.value("effective_priority", 0)),
              std::to_string(i.value("base_priority", 0)), master(i), vips});
  }
  out << (reply.at("instances").empty() ? "No VRRP instances.\n" : inst.str());
  for (const auto& i : reply.at("instances")) {
    if (!i.at("fault_reason").is_null()) {
      out << "  " << i.value("name", "") << " is in FAULT: " << str(i, "fault_reason") << "\n";
    }
    out << vipListNote(i);
    out << conflictNote(i);
  }
  const json& groups = reply.value("sync_groups", json::array());
  if (!groups.empty()) {
    // One line per sync group: a dual-stack unit (an IPv4 and an IPv6 instance) reads
    // as one thing.
    Table g({"SYNC GROUP", "STATE", "MEMBERS", "VIPS"});
    for (const auto& sg : groups) {
      std::string members;
      for (const auto& m : sg.at("members")) {
        members += (members.empty() ? "" : ", ") + m.value("name", "") + " " + m.value("state", "");
      }
      g.row({sg.value("name", ""), sg.value("state", ""), members, joined(sg.at("vips"))});
    }
    out << "\n" << g.str();
  }
  if (!reply.at("backends").empty()) {
    Table b({"BACKEND", "KIND", "STATE", "LAYER", "REASON"});
    for (const auto& be : reply.at("backends")) {
      b.row({be.value("name", ""), be.value("kind", ""), be.value("state", ""), str(be, "layer"),
             be.value("reason", "")});
    }
    out << "\n" << b.str();
  }
  return out.str();
}

std::string vrrpText(const json& reply) {
  std::ostringstream out;
  bool first = true;
  for (const auto& i : reply.at("instances")) {
    if (!first) out << "\n";
    first = false;
    const json& t = i.at("timers");
    const json& c = i.at("counters");
    out << i.value("name", "") << ": " << i.value("state", "") << " on " << i.value("interface", "")
        << ", VRID " << i.value("vrid", 0) << ", VRRPv" << i.value("version", 0)
        << (i.value("family", "") == "ipv6" ? " IPv6" : " IPv4") << ", priority "
        << i.value("effective_priority", 0) << " (base " << i.value("base_priority", 0) << ")\n";
    out << "  source:           " << i.value("source", "") << "\n";
    out << "  master:           " << master(i) << "\n";
    if (i.contains("vmac") && i.at("vmac").is_object()) {
      const auto& v = i.at("vmac");
      out << "  vmac:             " << v.value("name", "") << " " << v.value("mac", "")
          << " (adverts from " << v.value("adverts_from", "") << ")\n";
    }
    if (i.contains("address_vmacs") && !i.at("address_vmacs").empty()) {
      out << "  address VMACs:   ";
      for (const auto& a : i.at("address_vmacs")) {
        out << " " << a.value("name", "") << " " << a.value("mac", "") << " on "
            << a.value("on", "");
      }
      out << "\n";
    }
    if (!i.at("unicast_peers").empty())
      out << "  unicast peers:    " << joined(i.at("unicast_peers")) << "\n";
    out << "  VIPs:             " << joined(i.at("vips"))
        << (i.value("vips_held", false) ? " (held)" : "") << "\n";
    if (i.contains("accept")) {
      out << "  accept mode:      "
          << (i.value("accept", true)
                  ? "accept"
                  : std::string("no_accept (VIPs dropped while master): ") +
                        (i.value("vips_filtered", false) ? "filtered now" : "not filtered now"))
          << "\n";
    }
    if (const json& e = i.value("nftables_error", json(nullptr)); !e.is_null()) {
      out << "  nftables:         " << c.value("nftables_errors", 0)
          << " failed changes, the last: " << e.get<std::string>() << "\n";
    }
    for (const auto& k : i.value("kept", json::array())) {
      const std::string kind = k.value("kind", "");
      const std::string label = kind == "address" ? "excluded address" : "virtual " + kind;
      out << "  " << label << std::string(label.size() < 18 ? 18 - label.size() : 1, ' ')
          << k.value("what", "") << (k.value("installed", false) ? " (installed)" : "");
      if (k.contains("error") && !k.at("error").is_null()) out << " (" << str(k, "error") << ")";
      if (k.value("put_back", 0) > 0) out << ", put back " << k.value("put_back", 0) << "x";
      out << "\n";
    }
    out << "  timers:           advert interval " << durationMs(t, "advert_interval_ms")
        << ", Skew_Time " << durationMs(t, "skew_time_ms") << ", Master_Down_Interval "
        << durationMs(t, "master_down_interval_ms") << "\n";
    out << "  adverts:          sent " << c.value("sent", 0) << ", received "
        << c.value("received", 0) << "\n";
    out << "  discarded:        " << nonZero(c.at("discarded")) << "\n";
    out << "  on the interface: " << nonZero(c.at("socket").at("discarded")) << "\n";
    out << "  GARP/NA sent:     " << c.value("garps_sent", 0) << "\n";
    out << "  transitions:      " << c.value("transitions", 0) << "\n";
    if (i.contains("tracked") && !i.at("tracked").empty()) {
      std::string items;
      for (const auto& it : i.at("tracked")) {
        const int added = it.value("added", 0);
        items +=
            (items.empty() ? "" : ", ") + it.value("kind", "") + " " + it.value("name", "") + " " +
            (it.contains("value")    ? "value " + std::to_string(it.value("value", 0LL))
             : it.value("up", false) ? "up"
                                     : "down") +
            " " +
            (it.value("faults", false) ? "FAULT" : (added > 0 ? "+" : "") + std::to_string(added));
      }
      out << "  tracked:          " << items << "\n";
    }
    if (const json& m = i.value("vip_list_mismatch", json(nullptr)); !m.is_null()) {
      out << "  VIP list differs: " << m.value("count", 0) << " adverts from "
          << str(m, "last_from") << " listed " << joined(m.at("their_vips"))
          << (m.value("active", false) ? " (the last one too)" : " (not the last one)") << "\n";
    }
    const json& lt = i.at("last_transition");
    if (lt.is_null()) {
      out << "  last transition:  none\n";
    } else {
      out << "  last transition:  " << str(lt, "from") << " -> " << str(lt, "to") << " at "
          << str(lt, "time") << " (priority " << lt.value("priority", 0)
          << "): " << str(lt, "reason") << "\n";
    }
    if (!i.at("fault_reason").is_null())
      out << "  fault:            " << str(i, "fault_reason") << "\n";
  }
  if (first) out << "No VRRP instances.\n";
  return out.str();
}

std::string checksText(const json& reply) {
  std::ostringstream out;
  Table t({"KIND", "TARGET", "BACKEND", "STATE", "RISE/FALL", "LAST", "LATENCY", "AVG", "NEXT",
           "LAST ERROR"});
  for (const auto& c : reply.at("checks")) {
    const json& last = c.at("last");
    std::string lastText = "-", lat = "-";
    if (!last.is_null()) {
      lastText = last.value("ok", false) ? "ok" : last.value("result", "");
      lat = latency(last.value("latency_ms", 0.0));
    }
    std::string state = c.value("state", "");
    if (c.value("reading", "") != "up" && c.value("reading", "") != "" && state == "down") {
      state += " (" + c.value("reading", "") + ")";
    }
    t.row({c.value("kind", ""), c.value("target", ""), joined(c.at("backends"), ","), state,
           c.value("progress", ""), lastText, lat,
           c.value("latency_avg_ms", 0.0) > 0 ? latency(c.value("latency_avg_ms", 0.0)) : "-",
           c.value("in_flight", false) ? "running" : durationMs(c, "next_run_ms"),
           c.value("last_error", "")});
  }
  out << (reply.at("checks").empty() ? "No checks.\n" : t.str());
  out << "\n"
      << reply.value("declared", 0) << " declared, " << reply.at("checks").size()
      << " distinct shown, " << reply.value("threads", 0) << " checker thread(s)\n";
  return out.str();
}

std::string whyText(const json& reply) {
  const json& w = reply.at("why");
  std::ostringstream out;
  out << w.value("instance", "") << " is " << w.value("state", "") << " with priority "
      << (w.value("fault", false) ? std::string("FAULT")
                                  : std::to_string(w.value("effective_priority", 0)))
      << "\n\n";
  Table t({"ITEM", "NAME", "STATE", "WEIGHT", "ADDS", "DETAIL"});
  t.row({"base", "", "", "", std::to_string(w.value("base_priority", 0)), "configured priority"});
  for (const auto& it : w.at("items")) {
    if (it.value("kind", "") == "maintenance") {
      const bool owner = w.value("base_priority", 0) == 255;
      t.row({"maintenance", "on", "on", "", owner ? "none" : "=1",
             it.value("detail", "") + (owner ? "; the address owner keeps 255" : "")});
      continue;
    }
    const int added = it.value("added", 0);
    std::string adds =
        it.value("faults", false) ? "FAULT" : (added > 0 ? "+" : "") + std::to_string(added);
    std::string detail = it.value("detail", "");
    // A file shows its value, a process its count, whatever their state.
    const bool valued = it.contains("value");
    if (it.value("up", false) && !valued && it.value("kind", "") != "process") detail = "";
    if (it.value("reverse", false)) detail += (detail.empty() ? "" : "; ") + std::string("reverse");
    std::string state = it.value("up", false) ? "up" : "down";
    if (valued) state = "value " + std::to_string(it.value("value", 0LL));
    t.row({it.value("kind", ""), it.value("name", ""), state, std::to_string(it.value("weight", 0)),
           adds, detail});
  }
  t.row({"=", "", "", "",
         w.value("fault", false) ? "FAULT" : std::to_string(w.value("effective_priority", 0)),
         "effective priority: clamp(base + adds, 1, 254), 1 in maintenance; 255 (owner) never "
         "changes"});
  out << t.str();
  if (!w.at("fault_reason").is_null()) out << "\nFAULT: " << str(w, "fault_reason") << "\n";
  const json& m = w.at("master");
  out << "\nMaster: ";
  if (m.is_null()) {
    out << "none heard yet\n";
  } else if (m.value("self", false)) {
    out << "this node (" << m.value("address", "") << "), advertising priority "
        << m.value("priority", 0) << "\n";
  } else {
    out << m.value("address", "") << " with priority " << m.value("priority", 0)
        << " (ours: " << w.value("effective_priority", 0) << ")\n";
  }
  return out.str();
}

std::string eventText(const json& e) {
  std::string subject = e.value("subject", "");
  return e.value("time", "") + "  " + e.value("kind", "") + (subject.empty() ? "" : " " + subject) +
         ": " + e.value("text", "");
}

std::string reloadText(const json& reply) {
  std::ostringstream out;
  for (const auto& m : reply.value("messages", json::array())) out << m.get<std::string>() << "\n";
  out << reply.value("summary", reply.value("error", "")) << "\n";
  return out.str();
}

namespace {
std::string age(double end, double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs ago", std::max(0.0, end - t));
  return buf;
}
std::string vipsOf(const std::vector<vrrp::IpAddress>& v) {
  std::string out;
  for (const auto& a : v) out += (out.empty() ? "" : ",") + a.str();
  return out.empty() ? "-" : out;
}
}  // namespace

std::string sniffText(const sniff::Report& r) {
  std::ostringstream out;
  char head[128];
  std::snprintf(head, sizeof head, "%llu frames, %llu VRRP packets over %.1fs\n",
                static_cast<unsigned long long>(r.frames), static_cast<unsigned long long>(r.vrrp),
                std::max(0.0, r.end - r.start));
  out << head;
  for (const auto& v : r.vrids) {
    out << "\nVRID " << v.vrid << (v.family == vrrp::Family::kIPv6 ? " (IPv6)" : " (IPv4)") << "\n";
    Table t({"ROUTER", "MAC", "PRIORITY", "INTERVAL", "VERSION", "AUTH", "ADVERTS", "LAST SEEN",
             "VIPS"});
    for (const auto& s : v.routers) {
      const std::string iv = netio::formatDuration(s.interval);
      std::string prio = std::to_string(s.priority);
      if (s.priorityZero) prio += " (+" + std::to_string(s.priorityZero) + "x 0)";
      t.row({s.source.str(), s.mac.empty() ? "-" : s.mac, prio, iv, "v" + std::to_string(s.version),
             s.auth, std::to_string(s.adverts), age(r.end, s.last), vipsOf(s.vips)});
    }
    out << t.str("  ");
  }
  if (r.vrids.empty()) out << "\nNo VRRP adverts seen.\n";
  if (!r.announcements.empty()) {
    out << "\nGratuitous ARP / unsolicited NA\n";
    Table t({"ADDRESS", "MAC", "KIND", "COUNT", "LAST SEEN"});
    for (const auto& a : r.announcements) {
      t.row({a.address.str(), a.mac, a.arp ? "ARP" : "NA", std::to_string(a.count),
             age(r.end, a.last)});
    }
    out << t.str("  ");
  }
  if (!r.malformed.empty()) {
    out << "\nDropped as malformed\n";
    for (const auto& [what, n] : r.malformed) out << "  " << what << ": " << n << "\n";
  }
  std::vector<std::string> all = r.conflicts;
  for (const auto& v : r.vrids) all.insert(all.end(), v.conflicts.begin(), v.conflicts.end());
  out << "\n" << (all.empty() ? "No conflicts.\n" : "CONFLICTS\n");
  for (const auto& c : all) out << "  ! " << c << "\n";
  return out.str();
}

json sniffJson(const sniff::Report& r) {
  json vrids = json::array();
  for (const auto& v : r.vrids) {
    json routers = json::array();
    for (const auto& s : v.routers) {
      json vips = json::array();
      for (const auto& a : s.vips) vips.push_back(a.str());
      routers.push_back(json{{"address", s.source.str()},
                             {"mac", s.mac},
                             {"priority", s.priority},
                             {"priority_zero_adverts", s.priorityZero},
                             {"interval_ms", s.interval.count() * 10},
                             {"version", s.version},
                             {"auth", s.auth},
                             {"ttl", s.ttl},
                             {"adverts", s.adverts},
                             {"first_seen", s.first},
                             {"last_seen", s.last},
                             {"vips", vips}});
    }
    vrids.push_back(json{{"vrid", v.vrid},
                         {"family", v.family == vrrp::Family::kIPv6 ? "ipv6" : "ipv4"},
                         {"routers", routers},
                         {"conflicts", v.conflicts}});
  }
  json ann = json::array();
  for (const auto& a : r.announcements) {
    ann.push_back(json{{"address", a.address.str()},
                       {"mac", a.mac},
                       {"kind", a.arp ? "arp" : "na"},
                       {"count", a.count},
                       {"last_seen", a.last}});
  }
  return json{{"frames", r.frames},
              {"vrrp_packets", r.vrrp},
              {"start", r.start},
              {"end", r.end},
              {"vrids", vrids},
              {"announcements", ann},
              {"malformed", r.malformed},
              {"conflicts", r.conflicts},
              {"any_conflict", r.anyConflict()}};
}

}  // namespace holdfast::ctl
