#pragma once
// Every timer of the VRRP loop (Kernel::timer()) on one clock wake-up: masters that
// advertise on the same grid fire in one asio handler, with one timerfd update, where
// each had an asio timer of its own (a wait handler, a cancel and a schedule per
// advert). Pure: NetioKernel's TimerDriver waits for earliest() and runs popDue().
// Nothing is allocated per arm: an Entry lives in its timer, linked in place.

#include <boost/intrusive/set.hpp>
#include <functional>
#include <optional>

#include "core/runtime/kernel.h"

namespace holdfast::runtime {

class TimerQueue {
 public:
  struct Entry : boost::intrusive::set_base_hook<> {
    TimePoint wake{};  // when the loop wakes for it (a precise one: before its deadline)
    TimePoint when{};  // its deadline
    std::function<bool()> prepare;  // set: precise (see Timer::armAtPrepared)
    std::function<void()> fire;
    bool operator<(const Entry& o) const { return wake < o.wake; }
  };

  TimerQueue() = default;
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;
  ~TimerQueue() { set_.clear(); }

  // Links `e` by its wake time, taking it out first if it is in.
  void arm(Entry& e) {
    if (e.is_linked()) set_.erase(set_.iterator_to(e));
    set_.insert(e);
  }
  void cancel(Entry& e) {
    if (e.is_linked()) set_.erase(set_.iterator_to(e));
  }
  std::optional<TimePoint> earliest() const {
    if (set_.empty()) return std::nullopt;
    return set_.begin()->wake;
  }
  // The earliest entry due at `now`, taken out; nullptr when none is.
  Entry* popDue(TimePoint now) {
    if (set_.empty() || set_.begin()->wake > now) return nullptr;
    Entry& e = *set_.begin();
    set_.erase(set_.begin());
    return &e;
  }
  size_t size() const { return set_.size(); }

 private:
  boost::intrusive::multiset<Entry> set_;
};

}  // namespace holdfast::runtime
