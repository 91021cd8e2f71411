#include "core/control/request.h"

#include <nlohmann/json.hpp>

namespace holdfast::control {

const char* toString(Command c) {
  switch (c) {
    case Command::kStatus:
      return "status";
    case Command::kVrrp:
      return "vrrp";
    case Command::kChecks:
      return "checks";
    case Command::kWhy:
      return "why";
    case Command::kEvents:
      return "events";
    case Command::kReload:
      return "reload";
    case Command::kHandover:
      return "handover";
    case Command::kMaintenance:
      return "maintenance";
  }
  return "?";
}

std::string requestTooLong() {
  return "request longer than " + std::to_string(kMaxRequestBytes) + " bytes";
}

std::expected<Request, std::string> parseRequest(std::string_view line) {
  if (line.size() > kMaxRequestBytes) return std::unexpected(requestTooLong());
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::unexpected("not a JSON object");
  if (!j.is_object()) return std::unexpected("not a JSON object");
  auto cmd = j.find("cmd");
  if (cmd == j.end() || !cmd->is_string()) return std::unexpected("missing \"cmd\" string");
  Request r;
  const std::string c = cmd->get<std::string>();
  bool found = false;
  for (Command k :
       {Command::kStatus, Command::kVrrp, Command::kChecks, Command::kWhy, Command::kEvents,
        Command::kReload, Command::kHandover, Command::kMaintenance}) {
    if (c == toString(k)) {
      r.command = k;
      found = true;
    }
  }
  if (!found) {
    return std::unexpected("unknown cmd \"" + c.substr(0, 64) +
                           "\"; expected status, vrrp, checks, why, events, reload, handover or "
                           "maintenance");
  }
  const char* nameKey = r.command == Command::kChecks ? "backend" : "instance";
  if (auto n = j.find(nameKey); n != j.end()) {
    if (!n->is_string())
      return std::unexpected(std::string("\"") + nameKey + "\" must be a string");
    r.name = n->get<std::string>();
  }
  if (r.command == Command::kWhy && r.name.empty()) {
    return std::unexpected("why needs \"instance\"");
  }
  if (auto f = j.find("follow"); f != j.end()) {
    if (!f->is_boolean()) return std::unexpected("\"follow\" must be true or false");
    r.follow = f->get<bool>();
  }
  if (r.command == Command::kMaintenance) {
    if (auto o = j.find("on"); o != j.end()) {
      if (!o->is_boolean()) return std::unexpected("\"on\" must be true or false");
      r.on = o->get<bool>();
    }
    for (auto [key, out] : {std::pair{"reason", &r.reason}, {"by", &r.by}}) {
      auto it = j.find(key);
      if (it == j.end()) continue;
      if (!it->is_string() || it->get<std::string>().size() > 200) {
        return std::unexpected(std::string("\"") + key + "\" must be a text of at most 200 bytes");
      }
      *out = it->get<std::string>();
    }
  }
  if (r.command == Command::kHandover || r.command == Command::kMaintenance) {
    if (auto w = j.find("wait_ms"); w != j.end()) {
      if (!w->is_number_unsigned() || w->get<uint64_t>() < 100 || w->get<uint64_t>() > 600000) {
        return std::unexpected("\"wait_ms\" must be a number from 100 to 600000");
      }
      r.waitMs = w->get<int>();
    }
  }
  if (r.command == Command::kHandover) {
    if (auto a = j.find("all"); a != j.end()) {
      if (!a->is_boolean()) return std::unexpected("\"all\" must be true or false");
      r.all = a->get<bool>();
    }
    if (auto n = j.find("instances"); n != j.end()) {
      if (!n->is_array() || n->size() > 255) {
        return std::unexpected("\"instances\" must be a list of at most 255 names");
      }
      for (const auto& x : *n) {
        if (!x.is_string()) return std::unexpected("\"instances\" must be a list of names");
        r.names.push_back(x.get<std::string>());
      }
    }
    if (r.all == !r.names.empty()) {
      return std::unexpected("handover needs \"instances\" or \"all\": true (not both)");
    }
  }
  if (auto l = j.find("limit"); l != j.end()) {
    if (!l->is_number_unsigned() || l->get<uint64_t>() == 0 || l->get<uint64_t>() > 100000) {
      return std::unexpected("\"limit\" must be a number from 1 to 100000");
    }
    r.limit = l->get<size_t>();
  }
  return r;
}

}  // namespace holdfast::control
