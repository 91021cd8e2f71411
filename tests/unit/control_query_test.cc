// The control socket's query replies, from reports built here (no daemon, no root):
// what each command shows, a group's checks through its members, and the error an
// unknown name gets, with the names there are.

#include "core/control/query.h"

#include <catch2/catch.hpp>

#include "core/control/render.h"

using namespace holdfast;
using nlohmann::json;

namespace {

runtime::InstanceReport instance(const std::string& name, vrrp::State state, int priority) {
  runtime::InstanceReport r;
  r.name = name;
  r.interface = "eth0";
  r.vrid = 51;
  r.state = state;
  r.basePriority = priority;
  r.effectivePriority = priority;
  r.source = "192.0.2.11";
  r.timers = {vrrp::Centiseconds(100), vrrp::Centiseconds(39), vrrp::Centiseconds(339)};
  r.score = scoring::computeScore(priority, {{"backend_group", "web", -20, false, true, ""}});
  return r;
}

std::vector<runtime::InstanceReport> instances() {
  return {instance("VI_1", vrrp::State::kMaster, 150), instance("VI_2", vrrp::State::kBackup, 100)};
}

checkers::CheckReport check(checkers::CheckKind kind, const std::string& target,
                            std::vector<std::string> backends) {
  checkers::CheckReport c;
  c.kind = kind;
  c.target = target;
  c.backends = std::move(backends);
  c.up = true;
  return c;
}

checkers::BackendReport backend(const std::string& name, std::vector<size_t> checkIndexes) {
  checkers::BackendReport b;
  b.name = name;
  b.verdict.up = true;
  b.checks = std::move(checkIndexes);
  return b;
}

// web1 and web2, each with a TCP check, behind the group "web"; nginx_local on its
// own, with an HTTP check.
checkers::EngineReport engine() {
  checkers::EngineReport e;
  e.checks.push_back(check(checkers::CheckKind::kTcp, "tcp 192.0.2.21:8080", {"web1"}));
  e.checks.push_back(check(checkers::CheckKind::kTcp, "tcp 192.0.2.22:8080", {"web2"}));
  e.checks.push_back(
      check(checkers::CheckKind::kHttp, "http 127.0.0.1:8080/health", {"nginx_local"}));
  e.backends.push_back(backend("web1", {0}));
  e.backends.push_back(backend("web2", {1}));
  e.backends.push_back(backend("nginx_local", {2}));
  checkers::BackendReport group = backend("web", {});
  group.group = true;
  group.members = {"web1", "web2"};
  group.quorum = 1;
  e.backends.push_back(group);
  e.threads = 1;
  e.declared = 3;
  return e;
}

control::Request request(control::Command command, const std::string& name = "") {
  control::Request r;
  r.command = command;
  r.name = name;
  return r;
}

json ask(control::Command command, const std::string& name = "") {
  return control::answerQuery(request(command, name), instances(), engine());
}

std::vector<std::string> namesIn(const json& list) {
  std::vector<std::string> out;
  for (const auto& item : list) {
    out.push_back(item.value("name", item.value("target", std::string())));
  }
  return out;
}

}  // namespace

TEST_CASE("status shows every instance in brief and every backend and group") {
  const json j = ask(control::Command::kStatus);
  CHECK(j["ok"] == true);
  CHECK(j["instances"] == json::array({control::instanceSummary(instances()[0]),
                                       control::instanceSummary(instances()[1])}));
  CHECK(namesIn(j["backends"]) == std::vector<std::string>{"web1", "web2", "nginx_local", "web"});
  CHECK(j["sync_groups"] == json::array());  // none in this config
  CHECK(j.size() == 4);                      // ok, instances, sync_groups, backends: nothing else
}

TEST_CASE("status has one line per sync group: members, all their VIPs, the group's state") {
  auto v4 = instance("WEB_V4", vrrp::State::kMaster, 150);
  v4.syncGroup = "WEB";
  v4.vips = {"192.0.2.100/24 dev eth0"};
  auto v6 = instance("WEB_V6", vrrp::State::kMaster, 150);
  v6.syncGroup = "WEB";
  v6.vips = {"2001:db8::100/64 dev eth0"};
  auto alone = instance("DB", vrrp::State::kBackup, 100);
  auto ask3 = [&] {
    return control::answerQuery(request(control::Command::kStatus, ""), {v4, alone, v6}, engine());
  };
  json g = ask3()["sync_groups"];
  REQUIRE(g.size() == 1);
  CHECK(g[0]["name"] == "WEB");
  CHECK(g[0]["state"] == "MASTER");
  CHECK(namesIn(g[0]["members"]) == std::vector<std::string>{"WEB_V4", "WEB_V6"});
  CHECK(g[0]["vips"] == json::array({"192.0.2.100/24 dev eth0", "2001:db8::100/64 dev eth0"}));
  v6.state = vrrp::State::kBackup;
  CHECK(ask3()["sync_groups"][0]["state"] == "changing");
  v4.state = vrrp::State::kFault;
  CHECK(ask3()["sync_groups"][0]["state"] == "FAULT");
}

TEST_CASE("vrrp shows one instance in detail when named, every one otherwise") {
  const json one = ask(control::Command::kVrrp, "VI_2");
  CHECK(one["ok"] == true);
  CHECK(one["instances"] == json::array({control::instanceDetail(instances()[1])}));
  CHECK(one.size() == 2);
  const json all = ask(control::Command::kVrrp);
  CHECK(namesIn(all["instances"]) == std::vector<std::string>{"VI_1", "VI_2"});
  CHECK(all["instances"][0]["timers"]["master_down_interval_ms"] == 3390);
}

TEST_CASE("why explains the instance asked for") {
  const json j = ask(control::Command::kWhy, "VI_1");
  CHECK(j == json{{"ok", true}, {"why", control::explanation(instances()[0])}});
  CHECK(j["why"]["instance"] == "VI_1");
}

TEST_CASE("an unknown instance is an error that lists the instances there are") {
  for (auto command :
       {control::Command::kStatus, control::Command::kVrrp, control::Command::kWhy}) {
    CHECK(ask(command, "VI_9") ==
          json{{"ok", false}, {"error", "no vrrp_instance 'VI_9'; instances: VI_1, VI_2"}});
  }
  const json none = control::answerQuery(request(control::Command::kVrrp, "VI_1"), {}, engine());
  CHECK(none["error"] == "no vrrp_instance 'VI_1'; instances: none");
}

TEST_CASE("checks without a name shows every check and backend, the threads and the count") {
  const json j = ask(control::Command::kChecks);
  CHECK(j["ok"] == true);
  CHECK(namesIn(j["checks"]) == std::vector<std::string>{"tcp 192.0.2.21:8080",
                                                         "tcp 192.0.2.22:8080",
                                                         "http 127.0.0.1:8080/health"});
  CHECK(j["checks"][0] == control::checkJson(engine().checks[0]));
  CHECK(namesIn(j["backends"]) == std::vector<std::string>{"web1", "web2", "nginx_local", "web"});
  CHECK(j["threads"] == 1);
  CHECK(j["declared"] == 3);
}

TEST_CASE("checks of a backend shows its checks and the backend") {
  const json j = ask(control::Command::kChecks, "web2");
  CHECK(namesIn(j["checks"]) == std::vector<std::string>{"tcp 192.0.2.22:8080"});
  CHECK(namesIn(j["backends"]) == std::vector<std::string>{"web2"});
  CHECK(j["threads"] == 1);
  CHECK(j["declared"] == 3);
}

TEST_CASE("checks of a group shows its members' checks, its members and the group") {
  const json j = ask(control::Command::kChecks, "web");
  CHECK(namesIn(j["checks"]) ==
        std::vector<std::string>{"tcp 192.0.2.21:8080", "tcp 192.0.2.22:8080"});
  CHECK(namesIn(j["backends"]) == std::vector<std::string>{"web1", "web2", "web"});
  CHECK(j["backends"][2]["members"] == json::array({"web1", "web2"}));
}

TEST_CASE("checks of an unknown name is an error that lists the backends and groups") {
  CHECK(ask(control::Command::kChecks, "web3") ==
        json{{"ok", false},
             {"error",
              "no backend or backend_group 'web3'; backends: web1, web2, nginx_local, web"}});
  const json none = control::answerQuery(request(control::Command::kChecks, "web1"), instances(),
                                         checkers::EngineReport{});
  CHECK(none["error"] == "no backend or backend_group 'web1'; backends: none");
}

TEST_CASE("checks takes a backend name, not an instance name") {
  // "checks VI_1" looks for a backend VI_1: instance names are not checked for it.
  CHECK(ask(control::Command::kChecks, "VI_1")["error"] ==
        "no backend or backend_group 'VI_1'; backends: web1, web2, nginx_local, web");
}

TEST_CASE("reload replies say whether it was applied, and a refusal is an error") {
  const json applied = control::reloadReply(true, "reload applied: ...", {});
  CHECK(applied == json{{"ok", true},
                        {"applied", true},
                        {"summary", "reload applied: ..."},
                        {"messages", json::array()}});
  const json refused =
      control::reloadReply(false, "reload refused: 1 error(s)", {"a.conf:3:5: error: x"});
  CHECK(refused["ok"] == false);
  CHECK(refused["error"] == "reload refused: 1 error(s)");
  CHECK(refused["messages"] == json::array({"a.conf:3:5: error: x"}));
}
