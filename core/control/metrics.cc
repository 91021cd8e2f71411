#include "core/control/metrics.h"

#include <sstream>

#include "core/log/logger.h"

namespace holdfast::control {

namespace {

// Label values escape backslash, double quote and newline.
std::string esc(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

class Page {
 public:
  void family(const std::string& name, const char* type, const char* help) {
    out_ << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  }
  template <typename V>
  void sample(const std::string& name, const std::string& labels, V value) {
    out_ << name;
    if (!labels.empty()) out_ << "{" << labels << "}";
    out_ << " " << value << "\n";
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

// Not `instance`: Prometheus gives every target that label (the node) and would
// store ours as exported_instance.
std::string inst(const runtime::InstanceReport& r) {
  return "vrrp_instance=\"" + esc(r.name) + "\"";
}

// "127.0.0.1:9650", "[::1]:9650"
std::string checkLabels(const checkers::CheckReport& c) {
  return "kind=\"" + std::string(checkers::toString(c.kind)) + "\",target=\"" + esc(c.target) +
         "\"";
}

}  // namespace

std::string renderMetrics(const std::vector<runtime::InstanceReport>& instances,
                          const checkers::EngineReport& checks, const ServerCounters* control) {
  Page p;
  p.family("holdfast_vrrp_state", "gauge",
           "1 for the state the instance is in (INIT, BACKUP, MASTER, FAULT, STOP)");
  for (const auto& r : instances) {
    for (auto s : {vrrp::State::kInitialize, vrrp::State::kBackup, vrrp::State::kMaster,
                   vrrp::State::kFault, vrrp::State::kStop}) {
      p.sample("holdfast_vrrp_state", inst(r) + ",state=\"" + vrrp::toString(s) + "\"",
               r.state == s ? 1 : 0);
    }
  }
  p.family("holdfast_vrrp_priority", "gauge", "Effective priority after scoring");
  for (const auto& r : instances) p.sample("holdfast_vrrp_priority", inst(r), r.effectivePriority);
  p.family("holdfast_vrrp_base_priority", "gauge", "Configured priority");
  for (const auto& r : instances) p.sample("holdfast_vrrp_base_priority", inst(r), r.basePriority);
  p.family("holdfast_vrrp_transitions_total", "counter", "State transitions since start");
  for (const auto& r : instances)
    p.sample("holdfast_vrrp_transitions_total", inst(r), r.transitions);
  p.family("holdfast_vrrp_adverts_sent_total", "counter", "Adverts sent");
  for (const auto& r : instances)
    p.sample("holdfast_vrrp_adverts_sent_total", inst(r), r.counters.sent);
  p.family("holdfast_vrrp_adverts_received_total", "counter",
           "Adverts for this instance that passed the codec");
  for (const auto& r : instances) {
    p.sample("holdfast_vrrp_adverts_received_total", inst(r), r.counters.received);
  }
  p.family("holdfast_vrrp_garps_sent_total", "counter", "Gratuitous ARPs and unsolicited NAs sent");
  for (const auto& r : instances) p.sample("holdfast_vrrp_garps_sent_total", inst(r), r.garpsSent);
  p.family("holdfast_vrrp_discarded_total", "counter",
           "Adverts discarded, by reason (instance filter, or the socket for structural reasons)");
  for (const auto& r : instances) {
    for (size_t i = 0; i < r.counters.discarded.size(); ++i) {
      const std::string reason = vrrp::toString(static_cast<vrrp::DiscardReason>(i));
      p.sample("holdfast_vrrp_discarded_total",
               inst(r) + ",scope=\"instance\",reason=\"" + reason + "\"", r.counters.discarded[i]);
      p.sample("holdfast_vrrp_discarded_total",
               inst(r) + ",scope=\"socket\",reason=\"" + reason + "\"", r.socket.discarded[i]);
    }
  }
  p.family("holdfast_vrrp_vip_list_mismatch_total", "counter",
           "Adverts honoured although their VIP list differs from ours (the configs differ)");
  for (const auto& r : instances) {
    p.sample("holdfast_vrrp_vip_list_mismatch_total", inst(r), r.vipListMismatch.count);
  }
  p.family("holdfast_vrrp_vip_list_mismatch", "gauge",
           "1 while the master's last advert listed other VIPs than ours");
  for (const auto& r : instances) {
    p.sample("holdfast_vrrp_vip_list_mismatch", inst(r), r.vipListMismatch.active ? 1 : 0);
  }
  p.family("holdfast_vrrp_nftables_errors_total", "counter",
           "Changes to the no_accept nftables table that nftables refused");
  for (const auto& r : instances) {
    p.sample("holdfast_vrrp_nftables_errors_total", inst(r), r.filterErrors);
  }
  p.family("holdfast_vrrp_put_back_total", "counter",
           "Excluded addresses, virtual routes and rules put back after their removal by hand");
  for (const auto& r : instances) {
    uint64_t by[3] = {0, 0, 0};
    for (const auto& k : r.kept)
      by[k.kind == "address" ? 0 : k.kind == "route" ? 1 : 2] += k.putBack;
    p.sample("holdfast_vrrp_put_back_total", inst(r) + ",kind=\"address\"", by[0]);
    p.sample("holdfast_vrrp_put_back_total", inst(r) + ",kind=\"route\"", by[1]);
    p.sample("holdfast_vrrp_put_back_total", inst(r) + ",kind=\"rule\"", by[2]);
  }
  p.family("holdfast_conflicts_total", "counter",
           "Conflicts started, by kind: address (another MAC holds one of our VIPs while we "
           "are master), master (another master's advert on our VRID), auth, interval, "
           "version, vip_list (a live peer's adverts disagree with our config)");
  for (const auto& r : instances) {
    for (const char* kind : {"address", "master", "auth", "interval", "version", "vip_list"}) {
      auto it = r.conflictsStarted.find(kind);
      p.sample("holdfast_conflicts_total", inst(r) + ",kind=\"" + kind + "\"",
               it == r.conflictsStarted.end() ? 0 : it->second);
    }
  }
  p.family("holdfast_vrrp_conflict", "gauge",
           "1 while a split-brain conflict of the instance is ongoing");
  for (const auto& r : instances) {
    p.sample("holdfast_vrrp_conflict", inst(r), r.conflicts.empty() ? 0 : 1);
  }
  p.family("holdfast_vrrp_maintenance", "gauge",
           "1 while maintenance mode holds the instance at priority 1 (holdfastctl maintenance)");
  for (const auto& r : instances) {
    p.sample("holdfast_vrrp_maintenance", inst(r), r.score.maintenance ? 1 : 0);
  }
  p.family("holdfast_vrrp_handovers_total", "counter",
           "Planned handovers (holdfastctl handover), by outcome: started, or no_taker when no "
           "peer took over within the wait");
  for (const auto& r : instances) {
    p.sample("holdfast_vrrp_handovers_total", inst(r) + ",result=\"started\"", r.handovers);
    p.sample("holdfast_vrrp_handovers_total", inst(r) + ",result=\"no_taker\"", r.handoversExpired);
  }
  p.family("holdfast_backend_up", "gauge", "1 while the backend or backend_group is up");
  for (const auto& b : checks.backends) {
    p.sample(
        "holdfast_backend_up",
        "backend=\"" + esc(b.name) + "\",kind=\"" + (b.group ? "backend_group" : "backend") + "\"",
        b.verdict.up ? 1 : 0);
  }
  p.family("holdfast_check_up", "gauge", "1 while the check is up (after rise/fall)");
  for (const auto& c : checks.checks) p.sample("holdfast_check_up", checkLabels(c), c.up ? 1 : 0);
  p.family("holdfast_check_results_total", "counter", "Probe results by outcome");
  for (const auto& c : checks.checks) {
    for (size_t i = 0; i < c.stats.results.size(); ++i) {
      p.sample("holdfast_check_results_total",
               checkLabels(c) + ",result=\"" +
                   checkers::toString(static_cast<checkers::Failure>(i)) + "\"",
               c.stats.results[i]);
    }
  }
  p.family("holdfast_check_latency_seconds", "histogram", "Latency of successful probes");
  for (const auto& c : checks.checks) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < checkers::kLatencyBucketsMs.size(); ++i) {
      cumulative += c.stats.latencyBuckets[i];
      std::ostringstream le;
      le << checkers::kLatencyBucketsMs[i] / 1000.0;
      p.sample("holdfast_check_latency_seconds_bucket", checkLabels(c) + ",le=\"" + le.str() + "\"",
               cumulative);
    }
    p.sample("holdfast_check_latency_seconds_bucket", checkLabels(c) + ",le=\"+Inf\"",
             c.stats.latencyCount);
    p.sample("holdfast_check_latency_seconds_sum", checkLabels(c),
             std::chrono::duration<double>(c.stats.latencySum).count());
    p.sample("holdfast_check_latency_seconds_count", checkLabels(c), c.stats.latencyCount);
  }
  if (control) {
    p.family("holdfast_control_connections_total", "counter", "Control socket connections");
    p.sample("holdfast_control_connections_total", "", control->accepted);
    p.family("holdfast_control_requests_total", "counter", "Control socket requests answered");
    p.sample("holdfast_control_requests_total", "", control->requests);
    p.family("holdfast_control_refused_total", "counter",
             "Control socket clients and requests refused, by reason");
    for (auto [reason, n] : {std::pair{"bad_request", control->badRequests},
                             {"too_long", control->tooLong},
                             {"idle", control->idleClosed},
                             {"too_many_clients", control->refusedFull},
                             {"slow_reader", control->slowDropped},
                             {"reply_timeout", control->replyTimeouts}}) {
      p.sample("holdfast_control_refused_total", std::string("reason=\"") + reason + "\"", n);
    }
  }
  return p.str();
}

}  // namespace holdfast::control
