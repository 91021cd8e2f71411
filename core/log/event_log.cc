#include "core/log/event_log.h"

namespace holdfast::log {

void EventLog::append(std::string kind, std::string subject, std::string text) {
  std::function<void()> listener;
  {
    std::lock_guard lock(mutex_);
    ring_.push_back({next_++, std::chrono::system_clock::now(), std::move(kind), std::move(subject),
                     std::move(text)});
    while (ring_.size() > capacity_) ring_.pop_front();
    listener = listener_;
  }
  if (listener) listener();
}

std::vector<Event> EventLog::since(uint64_t afterSeq, size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<Event> out;
  for (const auto& e : ring_) {
    if (e.seq > afterSeq) out.push_back(e);
  }
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<ptrdiff_t>(limit));
  return out;
}

uint64_t EventLog::lastSeq() const {
  std::lock_guard lock(mutex_);
  return next_ - 1;
}

void EventLog::setListener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

EventLog& events() {
  static EventLog log;
  return log;
}

}  // namespace holdfast::log
