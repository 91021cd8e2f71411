#pragma once
// The control socket's protocol (JSON lines): one request object per line, one
// reply object per line ({"ok": true, ...} or {"ok": false, "error": "..."}).
// `events` with "follow": true keeps the connection and streams one
// {"event": {...}} line per new event. Pure: parsing is apart from the socket.
//
//   {"cmd": "status"}
//   {"cmd": "vrrp", "instance": "VI_1"}      instance optional
//   {"cmd": "checks", "backend": "web1"}     backend optional
//   {"cmd": "why", "instance": "VI_1"}
//   {"cmd": "events", "follow": false, "limit": 100}
//   {"cmd": "reload"}
//   {"cmd": "handover", "instances": ["VI_1"], "wait_ms": 10000}   or "all": true
//   {"cmd": "maintenance"}                   the state; or to change it:
//   {"cmd": "maintenance", "on": true, "reason": "kernel upgrade", "by": "alice", "wait_ms": 10000}

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace holdfast::control {

// The longest request line accepted; a longer one closes the connection.
inline constexpr size_t kMaxRequestBytes = 4096;

enum class Command { kStatus, kVrrp, kChecks, kWhy, kEvents, kReload, kHandover, kMaintenance };
const char* toString(Command c);

struct Request {
  Command command = Command::kStatus;
  std::string name;  // instance (vrrp, why) or backend (checks); empty: all
  bool follow = false;
  size_t limit = 1000;  // events: at most this many of the newest
  // handover: the instances to hand over, or every master instance (`all`), and how
  // long each waits for a peer to take over.
  std::vector<std::string> names;
  bool all = false;
  int waitMs = 10000;
  // maintenance: turn it on or off (unset: only show it), why, and who asks.
  std::optional<bool> on;
  std::string reason;
  std::string by;
};

// An error says what was wrong with the request, for the reply.
std::expected<Request, std::string> parseRequest(std::string_view line);

// The error for a line over kMaxRequestBytes: "request longer than 4096 bytes".
std::string requestTooLong();

}  // namespace holdfast::control
