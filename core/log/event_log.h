#pragma once
// The event log behind `holdfastctl events`: transitions of instances and
// backends, reloads and faults, each with its wall-clock time, in a bounded
// in-memory ring. Process-wide and thread safe: the VRRP thread, the checker
// thread and the main loop all append. A listener (the control socket's follow
// mode) is told after each append, on the appending thread.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace holdfast::log {

struct Event {
  uint64_t seq = 0;  // 1, 2, ... in the order appended
  std::chrono::system_clock::time_point time;
  std::string kind;     // "instance", "backend", "group", "reload", "daemon"
  std::string subject;  // instance or backend name; empty for daemon-wide events
  std::string text;     // what happened and why
};

class EventLog {
 public:
  explicit EventLog(size_t capacity = 1000) : capacity_(capacity) {}

  void append(std::string kind, std::string subject, std::string text);
  // Events after `afterSeq` (0: all kept), oldest first, at most `limit`
  // (the newest ones).
  std::vector<Event> since(uint64_t afterSeq, size_t limit = SIZE_MAX) const;
  uint64_t lastSeq() const;
  // Called after each append, outside the lock; one listener (set before use).
  void setListener(std::function<void()> listener);

 private:
  mutable std::mutex mutex_;
  size_t capacity_;
  std::deque<Event> ring_;
  uint64_t next_ = 1;
  std::function<void()> listener_;
};

// The daemon's event log.
EventLog& events();

}  // namespace holdfast::log
