#pragma once
// A fake LAN of VRRP state machines in simulated time: adverts are delivered
// instantly to every other router in the same partition; time jumps from deadline
// to deadline. For unit tests of the protocol logic only.

#include <deque>
#include <string>
#include <vector>

#include "vrrp/state_machine.h"

namespace holdfast::test {

using namespace std::chrono_literals;
using vrrp::TimePoint;

struct SentAdvert {
  TimePoint at;
  size_t from;
  int priority;
};

class FakeVrrpNetwork {
 public:
  struct Router {
    vrrp::StateMachine sm;
    vrrp::StateMachineConfig config;
    int partition = 0;
    std::vector<vrrp::Transition> transitions;
  };

  size_t add(vrrp::StateMachineConfig c) {
    routers_.push_back({vrrp::StateMachine(c), c, 0, {}});
    return routers_.size() - 1;
  }
  static vrrp::StateMachineConfig config(int priority, const char* address, int version = 3,
                                         vrrp::Centiseconds interval = vrrp::Centiseconds(100)) {
    vrrp::StateMachineConfig c;
    c.version = version;
    c.priority = priority;
    c.advertInterval = interval;
    c.primaryAddress = vrrp::IpAddress::parse(address).value();
    return c;
  }

  Router& operator[](size_t i) { return routers_[i]; }
  TimePoint now() const { return now_; }
  const std::vector<SentAdvert>& sent() const { return sent_; }

  void start(size_t i) { apply(i, routers_[i].sm.start(now_)); }
  void shutdown(size_t i) { apply(i, routers_[i].sm.shutdown(now_)); }
  void setPriority(size_t i, int p) { apply(i, routers_[i].sm.setPriority(p, now_)); }
  void setFault(size_t i, bool f) { apply(i, routers_[i].sm.setFault(f, "test fault", now_)); }
  void partition(size_t i, int p) { routers_[i].partition = p; }
  void handOver(size_t i, std::chrono::microseconds wait) {
    apply(i, routers_[i].sm.handOver(now_, wait));
  }

  // Advances simulated time to `until`, firing every deadline on the way.
  void runFor(std::chrono::microseconds d) {
    const TimePoint until = now_ + d;
    for (int guard = 0; guard < 1'000'000; ++guard) {
      std::optional<TimePoint> next;
      for (auto& r : routers_) {
        auto dl = r.sm.nextDeadline();
        if (dl && (!next || *dl < *next)) next = dl;
      }
      if (!next || *next > until) break;
      now_ = std::max(now_, *next);
      for (size_t i = 0; i < routers_.size(); ++i) {
        auto dl = routers_[i].sm.nextDeadline();
        if (dl && *dl <= now_) apply(i, routers_[i].sm.onTimer(now_));
      }
    }
    now_ = until;
  }

  std::vector<size_t> masters() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < routers_.size(); ++i) {
      if (routers_[i].sm.state() == vrrp::State::kMaster) out.push_back(i);
    }
    return out;
  }

  // When router i last became master, if it did.
  std::optional<TimePoint> lastMasterSince(size_t i) const { return masterSince_[i]; }

 private:
  void apply(size_t from, vrrp::Output out) {
    std::deque<std::pair<size_t, vrrp::Output>> work{{from, std::move(out)}};
    while (!work.empty()) {
      auto [i, o] = std::move(work.front());
      work.pop_front();
      if (masterSince_.size() < routers_.size()) masterSince_.resize(routers_.size());
      if (o.transition) {
        routers_[i].transitions.push_back(*o.transition);
        if (o.transition->to == vrrp::State::kMaster) masterSince_[i] = now_;
      }
      for (int p : o.adverts) {
        sent_.push_back({now_, i, p});
        vrrp::Advert a;
        a.version = routers_[i].config.version;
        a.priority = p;
        a.interval = routers_[i].config.advertInterval;
        for (size_t j = 0; j < routers_.size(); ++j) {
          if (j == i || routers_[j].partition != routers_[i].partition) continue;
          work.emplace_back(j, routers_[j].sm.onAdvert(a, routers_[i].config.primaryAddress, now_));
        }
      }
    }
  }

  std::vector<Router> routers_;
  std::vector<std::optional<TimePoint>> masterSince_;
  std::vector<SentAdvert> sent_;
  TimePoint now_{};
};

}  // namespace holdfast::test
