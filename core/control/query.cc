#include "core/control/query.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "core/control/render.h"

namespace holdfast::control {

using nlohmann::json;

namespace {

json error(const std::string& text) {
  return json{{"ok", false}, {"error", text}};
}

// "VI_1, VI_2", or "none": the names an unknown-name error lists.
template <class Reports>
std::string namesOf(const Reports& reports) {
  std::string out;
  for (const auto& r : reports) out += (out.empty() ? "" : ", ") + r.name;
  return out.empty() ? "none" : out;
}

// One entry per vrrp_sync_group, in the order its first member appears: its
// members, their VIPs (both families for a dual-stack group) and the group's state:
// FAULT while any member is, else the state all members share, else "changing".
json syncGroups(const std::vector<runtime::InstanceReport>& instances) {
  json out = json::array();
  std::map<std::string, size_t> index;
  for (const auto& r : instances) {
    if (r.syncGroup.empty()) continue;
    auto [it, fresh] = index.emplace(r.syncGroup, out.size());
    if (fresh) {
      out.push_back(json{{"name", r.syncGroup},
                         {"state", vrrp::toString(r.state)},
                         {"members", json::array()},
                         {"vips", json::array()}});
    }
    json& g = out[it->second];
    g["members"].push_back(json{{"name", r.name}, {"state", vrrp::toString(r.state)}});
    for (const auto& v : r.vips) g["vips"].push_back(v);
    const std::string state = vrrp::toString(r.state);
    if (g["state"] == "FAULT" || state == "FAULT") {
      g["state"] = "FAULT";
    } else if (g["state"] != state) {
      g["state"] = "changing";
    }
  }
  return out;
}

json status(const std::vector<runtime::InstanceReport>& instances,
            const checkers::EngineReport& checks) {
  json is = json::array(), bs = json::array();
  for (const auto& r : instances) is.push_back(instanceSummary(r));
  for (const auto& b : checks.backends) bs.push_back(backendJson(b));
  return json{
      {"ok", true}, {"instances", is}, {"sync_groups", syncGroups(instances)}, {"backends", bs}};
}

// `one`: the instance asked for; null: all of them.
json vrrpDetail(const std::vector<runtime::InstanceReport>& instances,
                const runtime::InstanceReport* one) {
  json is = json::array();
  for (const auto& r : instances) {
    if (!one || one == &r) is.push_back(instanceDetail(r));
  }
  return json{{"ok", true}, {"instances", is}};
}

// Every check and backend, or those of the backend or group `name`.
json checksOf(const std::string& name, const checkers::EngineReport& checks) {
  std::set<std::string> wanted;  // backends whose checks are shown
  bool found = name.empty();
  for (const auto& b : checks.backends) {
    if (!name.empty() && b.name != name) continue;
    found = true;
    if (b.group) {
      wanted.insert(b.members.begin(), b.members.end());
    } else {
      wanted.insert(b.name);
    }
  }
  if (!found) {
    return error("no backend or backend_group '" + name +
                 "'; backends: " + namesOf(checks.backends));
  }
  json cs = json::array(), bs = json::array();
  for (const auto& c : checks.checks) {
    const bool match =
        name.empty() || std::any_of(c.backends.begin(), c.backends.end(),
                                    [&](const std::string& b) { return wanted.contains(b); });
    if (match) cs.push_back(checkJson(c));
  }
  for (const auto& b : checks.backends) {
    if (name.empty() || wanted.contains(b.name) || b.name == name) bs.push_back(backendJson(b));
  }
  return json{{"ok", true},
              {"checks", cs},
              {"backends", bs},
              {"threads", checks.threads},
              {"declared", checks.declared}};
}

}  // namespace

json answerQuery(const Request& req, const std::vector<runtime::InstanceReport>& instances,
                 const checkers::EngineReport& checks) {
  // An instance name (status, vrrp, why) must name one of the running instances.
  const runtime::InstanceReport* one = nullptr;
  if (!req.name.empty() && req.command != Command::kChecks) {
    for (const auto& r : instances) {
      if (r.name == req.name) one = &r;
    }
    if (!one) {
      return error("no vrrp_instance '" + req.name + "'; instances: " + namesOf(instances));
    }
  }
  switch (req.command) {
    case Command::kStatus:
      return status(instances, checks);
    case Command::kVrrp:
      return vrrpDetail(instances, one);
    case Command::kWhy:
      // parseRequest refuses a why without an instance; a caller that did not parse
      // gets the same answer.
      if (!one) return error("why needs \"instance\"");
      return json{{"ok", true}, {"why", explanation(*one)}};
    case Command::kChecks:
      return checksOf(req.name, checks);
    case Command::kEvents:
    case Command::kReload:
    case Command::kHandover:
    case Command::kMaintenance:
      break;  // not queries
  }
  return json{{"ok", true}};
}

}  // namespace holdfast::control
