#pragma once
// The reply to a query of the control socket (status, vrrp, why, checks): pure,
// from the reports of both runtimes, so the daemon only collects them and the
// replies are unit-tested without a daemon.
//
// A name that matches nothing is an error that lists the names there are:
//   {"ok": false, "error": "no vrrp_instance 'VI_9'; instances: VI_1, VI_2"}
//   {"ok": false, "error": "no backend or backend_group 'x'; backends: web1, web"}
// (", "-separated in report order; "none" when there are none).
//
// `checks` with a backend shows its checks; with a backend_group, its members'
// checks; the backends listed are the one asked for and, for a group, its members.

#include <nlohmann/json.hpp>
#include <vector>

#include "checkers/check_engine.h"
#include "core/control/request.h"
#include "core/runtime/vrrp_report.h"

namespace holdfast::control {

// events and reload are not queries (the server and the daemon answer them): for
// them this is {"ok": true}.
nlohmann::json answerQuery(const Request& req,
                           const std::vector<runtime::InstanceReport>& instances,
                           const checkers::EngineReport& checks);

}  // namespace holdfast::control
