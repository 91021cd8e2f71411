#include "tools/holdfastctl/maintenance.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tools/holdfastctl/client.h"
#include "tools/holdfastctl/handover.h"

namespace holdfast::ctl {

namespace {

using nlohmann::json;
constexpr int kOk = 0, kNotAsExpected = 1, kUsage = 2, kUnreachable = 3;

// Who asks: the user behind sudo, else the user this runs as.
std::string whoAmI() {
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) return sudo;
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return "uid " + std::to_string(::getuid());
}

std::string stateLine(const json& m) {
  if (m.is_null()) return "maintenance: off";
  return "maintenance: on (" + m.value("text", "") + "); every instance runs at priority 1";
}

}  // namespace

int maintenanceCommand(const MaintenanceOptions& o, const volatile std::sig_atomic_t& interrupted) {
  if (o.words.size() > 1 || (!o.words.empty() && o.words[0] != "on" && o.words[0] != "off")) {
    std::cerr << "holdfastctl: maintenance takes on, off, or nothing (show it)\n";
    return kUsage;
  }
  const long long waitMs = static_cast<long long>(o.waitSeconds * 1000);
  if (waitMs < 100 || waitMs > 600000) {
    std::cerr << "holdfastctl: --wait takes 0.1 to 600 seconds\n";
    return kUsage;
  }
  if (o.reason.size() > 200) {
    std::cerr << "holdfastctl: --reason: at most 200 bytes\n";
    return kUsage;
  }
  auto c = Client::connect(o.socket);
  if (!c) {
    std::cerr << "holdfastctl: " << c.error() << "\n";
    return kUnreachable;
  }
  json req{{"cmd", "maintenance"}};
  if (!o.words.empty()) {
    req["on"] = o.words[0] == "on";
    req["reason"] = o.reason;
    req["by"] = whoAmI();
    req["wait_ms"] = waitMs;
  }
  const auto start = std::chrono::steady_clock::now();
  if (auto s = c->send(req); !s) {
    std::cerr << "holdfastctl: " << s.error() << "\n";
    return kUnreachable;
  }
  auto r = c->receive(o.timeoutMs);
  if (!r) {
    std::cerr << "holdfastctl: " << r.error() << "\n";
    return kUnreachable;
  }
  if (!r->value("ok", false)) {
    std::cerr << "holdfastctl: " << r->value("error", "refused") << "\n";
    return kNotAsExpected;
  }
  const json m = r->value("maintenance", json(nullptr));
  if (!o.json) std::cout << stateLine(m) << "\n";
  Followed f{kOk, json::array()};
  if (r->contains("handover")) {
    f = followHandover(*c, r->at("handover"), start, waitMs, o.json, o.timeoutMs, interrupted,
                       true);
  }
  if (o.json) std::cout << json{{"maintenance", m}, {"handover", f.result}}.dump(2) << "\n";
  return f.rc;
}

}  // namespace holdfast::ctl
