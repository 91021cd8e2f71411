#pragma once
// The control socket's replies as JSON: what holdfastctl prints, and what scripts
// read with --json. Pure functions over the reports the runtimes hand out.

#include <nlohmann/json.hpp>
#include <vector>

#include "checkers/check_engine.h"
#include "core/log/event_log.h"
#include "core/runtime/vrrp_report.h"

namespace holdfast::control {

// status: each instance in brief.
nlohmann::json instanceSummary(const runtime::InstanceReport& r);
// vrrp: timers, counters by reason, last transition.
nlohmann::json instanceDetail(const runtime::InstanceReport& r);
// why: the scoring explanation and who is master.
nlohmann::json explanation(const runtime::InstanceReport& r);
nlohmann::json backendJson(const checkers::BackendReport& b);
nlohmann::json checkJson(const checkers::CheckReport& c);
nlohmann::json eventJson(const log::Event& e);
// reload: whether it was applied, what changed or why it was refused, and the
// config's diagnostics ("file:line:col: error: ..."); a refusal also says "error".
nlohmann::json reloadReply(bool applied, const std::string& summary,
                           const std::vector<std::string>& messages);
// "2026-11-23T03:01:19.123Z"
std::string isoTime(std::chrono::system_clock::time_point t);

}  // namespace holdfast::control
