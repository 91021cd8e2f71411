#include "core/runtime/health_monitor.h"

#include "core/log/event_log.h"
#include "core/log/logger.h"
#include "core/runtime/script_tracker.h"
#include "core/runtime/transition_effects.h"
#include "netio/await_reply.h"
#include "netio/cpu_affinity.h"

namespace holdfast::runtime {

namespace {
// Above this many, the start says how many are down, not each one.
constexpr size_t kDetailedStartLines = 32;

netio::IpAddress toNetio(const config::IpAddress& a) {
  return *netio::IpAddress::parse(a.to_string());  // a parsed address always reparses
}

std::string describe(const checkers::HealthChange& c) {
  std::string s = std::string(c.group ? "backend_group " : "backend ") + c.name + ": ";
  return s + (c.up ? "up" : "down (" + c.reason + ")");
}
}  // namespace

std::string healthSignature(const config::Config& cfg) {
  std::string sig;
  for (const auto& b : cfg.backends) {
    sig += b.name + "@" + b.address.to_string() + "|" + b.notifyUp + "|" + b.notifyDown + "{";
    for (const auto& c : b.checks) sig += checkers::checkKey(c, toNetio(b.address)) + ";";
    sig += "}";
  }
  for (const auto& g : cfg.backendGroups) {
    sig += g.name + "/" + std::to_string(g.quorum) + "{";
    for (const auto& m : g.members) sig += m.name + ",";
    sig += "}";
  }
  return sig + cfg.global.scriptUser + "|" + cfg.global.scriptGroup + "|" +
         std::to_string(cfg.global.checkerThreads) + "|" +
         netio::formatCpus(cfg.global.checkerCpus);
}

std::expected<std::unique_ptr<HealthMonitor>, std::string> HealthMonitor::create(
    const config::Config& cfg, const std::map<std::string, checkers::CarriedCheck>& carried) {
  std::unique_ptr<HealthMonitor> m(new HealthMonitor());
  checkers::EngineSpec spec;
  spec.carried = carried;
  spec.threads = cfg.global.checkerThreads;
  spec.cpus = cfg.global.checkerCpus;
  m->cpus_ = cfg.global.checkerCpus;
  spec.warn = [](const std::string& what) { log::warning(what); };
  bool scripts = false;
  for (const auto& b : cfg.backends) {
    checkers::BackendSpec bs{b.name, toNetio(b.address), {}};
    for (const auto& c : b.checks) {
      bs.checks.push_back(c);  // the parameters, without their source locations
      if (c.kind != checkers::CheckKind::kScript) continue;
      scripts = true;
      if (auto why = unsafeScript(c.script)) {
        return std::unexpected("backend " + b.name + ": script check (" + c.where.fileLine() +
                               "): " + *why);
      }
    }
    spec.backends.push_back(std::move(bs));
  }
  for (const auto& g : cfg.backendGroups) {
    checkers::GroupSpec gs{g.name, {}, g.quorum};
    for (const auto& mem : g.members) gs.members.push_back(mem.name);
    spec.groups.push_back(std::move(gs));
  }
  const bool anyNotify = std::any_of(cfg.backends.begin(), cfg.backends.end(), [](auto& b) {
    return !b.notifyUp.empty() || !b.notifyDown.empty();
  });
  if (scripts || anyNotify) {
    auto who = resolveScriptUser(cfg.global.scriptUser, cfg.global.scriptGroup);
    if (!who) return std::unexpected("backend scripts: " + who.error());
    spec.scriptUser = *who;
  }
  const netio::ScriptIdentity who = spec.scriptUser;  // spec goes to the engine
  auto engine = checkers::CheckEngine::create(std::move(spec));
  if (!engine) return std::unexpected(engine.error());
  m->engine_ = std::move(*engine);
  m->initial_ = m->engine_->health();
  for (const auto& b : cfg.backends) {
    if (b.notifyUp.empty() && b.notifyDown.empty()) continue;
    Notify n;
    for (auto [in, out, what] :
         {std::tuple{&b.notifyUp, &n.up, "notify_up"}, {&b.notifyDown, &n.down, "notify_down"}}) {
      *out = vetCommand(*in, "backend " + b.name, what, b.locations.at(what, b.where)).value_or("");
    }
    n.notifier = std::make_unique<Notifier>(m->engine_->loop().context(), "backend " + b.name, who);
    m->notify_[b.name] = std::move(n);
  }
  return m;
}

HealthMonitor::~HealthMonitor() {
  stop();
}

void HealthMonitor::start(Forward forward) {
  forward_ = std::move(forward);
  if (engine_->distinctChecks() == 0) return;
  log::info("checks: " + std::to_string(engine_->declaredChecks()) + " declared, " +
            std::to_string(engine_->distinctChecks()) + " distinct, on " +
            std::to_string(engine_->threads()) + " checker thread" +
            (engine_->threads() == 1 ? "" : "s") +
            (cpus_.empty() ? "" : " pinned to CPUs " + netio::formatCpus(cpus_)));
  size_t down = 0;
  for (const auto& [name, h] : initial_) down += h.up ? 0 : 1;
  if (down > kDetailedStartLines) {
    log::info(std::to_string(down) + " backends and groups down until their checks pass");
  } else {
    for (const auto& [name, h] : initial_) {
      if (!h.up) log::info(describe(h) + " until its checks pass");
    }
  }
  engine_->start([this](const checkers::HealthChange& c) { changed(c); });
}

void HealthMonitor::stop() {
  if (!engine_) return;
  engine_->stop();
  for (auto& [name, n] : notify_) n.notifier->stop();
}

std::optional<checkers::EngineReport> HealthMonitor::report() {
  // inspect() answers at once when no checker thread runs, else on the home thread.
  return netio::awaitReply<checkers::EngineReport>(
      [this](std::function<void(checkers::EngineReport)> done) { inspect(std::move(done)); },
      netio::waits::kReport, "the checker threads (report)");
}

std::map<std::string, checkers::CarriedCheck> HealthMonitor::carryOver() {
  std::map<std::string, checkers::CarriedCheck> out;
  if (auto rep = report()) {
    for (const auto& c : rep->checks) out[c.key] = {c.up, c.stats.lastFailure};
  }
  return out;
}

std::map<std::string, checkers::HealthChange> HealthMonitor::current() {
  auto rep = report();
  if (!rep) return initial_;
  std::map<std::string, checkers::HealthChange> out;
  for (const auto& b : rep->backends) {
    out[b.name] = {b.name, b.group, b.verdict.up, b.verdict.reason, false};
  }
  return out;
}

void HealthMonitor::changed(const checkers::HealthChange& c) {
  const char* kind = c.group ? "group" : "backend";
  if (!c.flipped) {
    log::info(std::string(c.group ? "backend_group " : "backend ") + c.name + ": still down (" +
              c.reason + ")");
    log::events().append(kind, c.name, "still down (" + c.reason + ")");
  } else {
    (c.up ? log::info : log::warning)(describe(c));
    log::events().append(kind, c.name, c.up ? "up" : "down (" + c.reason + ")");
  }
  if (!c.group && c.flipped) {
    auto it = notify_.find(c.name);
    if (it != notify_.end()) {
      const std::string& cmd = c.up ? it->second.up : it->second.down;
      if (!cmd.empty()) it->second.notifier->enqueue(cmd, c.up ? "notify_up" : "notify_down");
    }
  }
  if (forward_) forward_(c);
}

}  // namespace holdfast::runtime
