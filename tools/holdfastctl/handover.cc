#include "tools/holdfastctl/handover.h"

#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tools/holdfastctl/client.h"

namespace holdfast::ctl {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kOk = 0, kNotAsExpected = 1, kUsage = 2, kUnreachable = 3;
constexpr auto kPoll = std::chrono::milliseconds(50);

std::expected<json, std::string> ask(Client& c, const json& req, int timeoutMs) {
  if (auto s = c.send(req); !s) return std::unexpected(s.error());
  return c.receive(timeoutMs);
}

struct Progress {
  bool done = false;
  bool handedOver = false;
  std::string to;  // the new master's address
  long long ms = 0;
};

}  // namespace

int handoverCommand(const HandoverOptions& o, const volatile std::sig_atomic_t& interrupted) {
  if (o.all == !o.instances.empty()) {
    std::cerr << "holdfastctl: handover needs INSTANCE... or --all (not both)\n";
    return kUsage;
  }
  const long long waitMs = static_cast<long long>(o.waitSeconds * 1000);
  if (waitMs < 100 || waitMs > 600000) {
    std::cerr << "holdfastctl: --wait takes 0.1 to 600 seconds\n";
    return kUsage;
  }
  auto c = Client::connect(o.socket);
  if (!c) {
    std::cerr << "holdfastctl: " << c.error() << "\n";
    return kUnreachable;
  }
  json req{{"cmd", "handover"}, {"wait_ms", waitMs}};
  if (o.all) {
    req["all"] = true;
  } else {
    req["instances"] = o.instances;
  }
  const auto start = Clock::now();
  auto r = ask(*c, req, o.timeoutMs);
  if (!r) {
    std::cerr << "holdfastctl: " << r.error() << "\n";
    return kUnreachable;
  }
  if (!r->value("ok", false)) {
    std::cerr << "holdfastctl: " << r->value("error", "refused") << "\n";
    return kNotAsExpected;
  }
  Followed f =
      followHandover(*c, r->at("handover"), start, waitMs, o.json, o.timeoutMs, interrupted);
  if (o.all && r->at("handover").empty() && !o.json) {
    std::cout << "no instance is master here: nothing to hand over\n";
  }
  if (o.json) std::cout << json{{"handover", f.result}}.dump(2) << "\n";
  return f.rc;
}

Followed followHandover(Client& c, const json& started, Clock::time_point start, long long waitMs,
                        bool asJson, int timeoutMs, const volatile std::sig_atomic_t& interrupted,
                        bool maintenance) {
  int rc = kOk;
  std::map<std::string, Progress> pending;
  json result = json::array();
  for (const auto& s : started) {
    const std::string name = s.value("instance", "");
    if (s.value("started", false)) {
      pending[name] = {};
    } else {
      rc = kNotAsExpected;
      const std::string why = s.at("why").is_string() ? s.at("why").get<std::string>() : "";
      result.push_back({{"instance", name}, {"handed_over", false}, {"why", why}});
      if (!asJson) std::cout << name << ": not handed over: " << why << "\n";
    }
  }
  // Follow them: a peer is master (we are BACKUP), or we advertise again (expired).
  const auto deadline = start + std::chrono::milliseconds(waitMs) + std::chrono::seconds(2);
  size_t open = pending.size();
  while (open > 0 && Clock::now() < deadline && !interrupted) {
    std::this_thread::sleep_for(kPoll);
    auto v = ask(c, json{{"cmd", "vrrp"}}, timeoutMs);
    if (!v || !v->value("ok", false)) {
      std::cerr << "holdfastctl: " << (v ? v->value("error", "") : v.error()) << "\n";
      return {kUnreachable, result};
    }
    for (const auto& i : v->at("instances")) {
      auto it = pending.find(i.value("name", ""));
      if (it == pending.end() || it->second.done) continue;
      Progress& p = it->second;
      const std::string state = i.value("state", "");
      if (state == "MASTER" && i.value("handing_over", false)) continue;
      p.done = true;
      --open;
      p.ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
      p.handedOver = state != "MASTER";
      if (i.contains("master") && i.at("master").is_object()) {
        p.to = i.at("master").value("address", "");
      }
    }
  }
  for (auto& [name, p] : pending) {
    if (!p.done || !p.handedOver) rc = kNotAsExpected;
    result.push_back({{"instance", name},
                      {"handed_over", p.done && p.handedOver},
                      {"to", p.to.empty() ? json(nullptr) : json(p.to)},
                      {"ms", p.ms}});
    if (asJson) continue;
    if (p.done && p.handedOver) {
      std::cout << name << ": handed over to " << (p.to.empty() ? "a peer" : p.to) << " in " << p.ms
                << " ms\n";
    } else if (p.done) {
      std::cout << name << ": no peer took over within " << waitMs / 1000.0 << " s; still master"
                << (maintenance ? " at priority 1 (no other router is there to take it)"
                                : " (nothing changed)")
                << "\n";
    } else {
      std::cout << name << ": no answer on the outcome within the wait\n";
    }
  }
  return {rc, result};
}

}  // namespace holdfast::ctl
