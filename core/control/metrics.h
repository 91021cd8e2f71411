#pragma once
// Prometheus metrics (text exposition format 0.0.4), opt-in with `metrics_listen`
// in global_defs: instance state and priority, transitions, adverts and discards
// by reason, VIP-list mismatches, backend state, check results by reason and
// latency histograms. A VRRP series names its instance in the label vrrp_instance.
// renderMetrics is pure; MetricsServer (metrics_server.h) serves it.

#include <string>
#include <vector>

#include "checkers/check_engine.h"
#include "core/control/control_server.h"
#include "core/runtime/vrrp_report.h"

namespace holdfast::control {

std::string renderMetrics(const std::vector<runtime::InstanceReport>& instances,
                          const checkers::EngineReport& checks,
                          const ServerCounters* control = nullptr);

}  // namespace holdfast::control
