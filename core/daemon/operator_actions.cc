// Daemon's operator actions: holdfastctl handover and maintenance (the requests,
// the saved maintenance state, the replies). The VRRP side is InstanceSet's
// (instance_set_operator.cc).

#include "core/daemon/daemon.h"
#include "core/daemon/maintenance_store.h"
#include "core/log/event_log.h"
#include "core/log/logger.h"

namespace holdfast::daemon {

namespace {

using nlohmann::json;

json handoverList(const std::vector<runtime::InstanceSet::HandoverStart>& started) {
  json list = json::array();
  for (const auto& s : started) {
    list.push_back({{"instance", s.name},
                    {"started", s.started},
                    {"why", s.why.empty() ? json(nullptr) : json(s.why)}});
  }
  return list;
}

}  // namespace

json Daemon::maintenanceJson() const {
  if (!maintenance_) return nullptr;
  const auto& m = *maintenance_;
  return json{
      {"reason", m.reason},
      {"by", m.by},
      {"since_unix_ms",
       std::chrono::duration_cast<std::chrono::milliseconds>(m.since.time_since_epoch()).count()},
      {"text", runtime::describe(m)}};
}

void Daemon::handleHandover(const control::Request& req, control::ControlServer::Reply reply) {
  if (!vrrp_) {
    reply(json{{"ok", false}, {"error", "no VRRP runtime is running"}});
    return;
  }
  vrrp_->handOver(req.names, req.all, std::chrono::milliseconds(req.waitMs),
                  [this, reply](std::vector<runtime::InstanceSet::HandoverStart> started) {
                    loop_.post([reply, started = std::move(started)] {
                      reply(json{{"ok", true}, {"handover", handoverList(started)}});
                    });
                  });
}

void Daemon::restoreMaintenance(runtime::VrrpRuntime& vrrp) {
  const std::string path = maintenancePath(options_.stateDir);
  auto saved = loadMaintenance(path);
  if (!saved) {
    // Safer to stay demoted than to take the VIP from the peer the operator moved it to.
    log::error("maintenance state: " + saved.error() +
               "; starting in maintenance (holdfastctl maintenance off ends it)");
    saved = runtime::Maintenance{"the saved state could not be read: " + saved.error(), "holdfastd",
                                 std::chrono::system_clock::now()};
  }
  maintenance_ = *saved;
  if (!maintenance_) return;
  log::warning("maintenance is on (" + runtime::describe(*maintenance_) +
               "): every instance runs at priority 1");
  log::events().append("daemon", "",
                       "maintenance on at start: " + runtime::describe(*maintenance_));
  vrrp.setMaintenance(maintenance_, std::chrono::seconds(0), [](auto) {});
}

void Daemon::handleMaintenance(const control::Request& req, control::ControlServer::Reply reply) {
  if (!req.on) {
    reply(json{{"ok", true}, {"maintenance", maintenanceJson()}});
    return;
  }
  if (!vrrp_) {
    reply(json{{"ok", false}, {"error", "no VRRP runtime is running"}});
    return;
  }
  std::optional<runtime::Maintenance> next;
  if (*req.on) {
    next = runtime::Maintenance{req.reason, req.by.empty() ? "?" : req.by,
                                std::chrono::system_clock::now()};
  }
  // Saved first: a state that would not survive a restart is refused, nothing changes.
  if (auto saved = saveMaintenance(maintenancePath(options_.stateDir), next); !saved) {
    log::error("maintenance " + std::string(*req.on ? "on" : "off") + " refused: " + saved.error() +
               "; nothing changed");
    reply(json{
        {"ok", false},
        {"error", "cannot save the maintenance state: " + saved.error() + "; nothing changed"}});
    return;
  }
  const bool was = maintenance_.has_value();
  std::string what;
  if (next) {
    what = std::string(was ? "maintenance reason changed: " : "maintenance on: ") +
           runtime::describe(*next) + "; every instance runs at priority 1";
  } else {
    what = was ? "maintenance off (was: " + runtime::describe(*maintenance_) +
                     "); priorities as configured again"
               : "maintenance off: it was not on";
  }
  maintenance_ = next;
  log::warning(what);
  log::events().append("daemon", "", what);
  vrrp_->setMaintenance(
      next, std::chrono::milliseconds(req.waitMs),
      [this, reply, m = maintenanceJson()](std::vector<runtime::InstanceSet::HandoverStart> s) {
        loop_.post([reply, m, s = std::move(s)] {
          reply(json{{"ok", true}, {"maintenance", m}, {"handover", handoverList(s)}});
        });
      });
}

}  // namespace holdfast::daemon
