#include "core/runtime/timer_driver.h"

#include <boost/asio/post.hpp>

namespace holdfast::runtime {
namespace {

class SharedTimer final : public Timer {
  // Waking kSpin early and spinning the rest keeps the VM's wake-up latency (up to
  // ~2 ms here after seconds of idle) out of the failover time, for at most kSpin of
  // CPU per failover: a backup's timers fire only when the master has gone, since
  // every advert re-arms them before this early wake-up (adverts that waited in the
  // queue are read by `prepare`, before the spin).
  static constexpr auto kSpin = std::chrono::microseconds(1500);

 public:
  explicit SharedTimer(std::shared_ptr<TimerDriver> driver) : driver_(std::move(driver)) {}
  ~SharedTimer() override { driver_->cancel(entry_); }

  void armAt(TimePoint when, std::function<void()> fire, bool precise) override {
    armAtPrepared(when, precise ? std::function<bool()>([] { return true; }) : nullptr,
                  std::move(fire));
  }
  void armAtPrepared(TimePoint when, std::function<bool()> prepare,
                     std::function<void()> fire) override {
    const bool precise = prepare != nullptr;
    entry_.wake = precise && when - Clock::now() > kSpin ? when - kSpin : when;
    entry_.when = when;
    entry_.prepare = std::move(prepare);
    entry_.fire = std::move(fire);
    driver_->arm(entry_);
  }
  void cancel() override { driver_->cancel(entry_); }

 private:
  std::shared_ptr<TimerDriver> driver_;
  TimerQueue::Entry entry_;
};

}  // namespace

std::unique_ptr<Timer> TimerDriver::timer() {
  return std::make_unique<SharedTimer>(shared_from_this());
}

void TimerDriver::setTurnHooks(std::function<void()> before, std::function<void()> after) {
  before_ = std::move(before);
  after_ = std::move(after);
}

void TimerDriver::arm(TimerQueue::Entry& e) {
  queue_.arm(e);
  follow();
}

void TimerDriver::cancel(TimerQueue::Entry& e) {
  queue_.cancel(e);
  follow();
}

void TimerDriver::follow() {
  // In a turn, the asio timer is set once at its end (run). Outside one (a read of the
  // queue re-arming every backup's timer, a reload), once after the handler that armed
  // them: setting it at every arm would cost a timerfd update (and an aborted wait)
  // each time the earliest entry moved.
  if (running_ || followPosted_) return;
  followPosted_ = true;
  boost::asio::post(t_.get_executor(), [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->followPosted_ = false;
      self->apply();
    }
  });
}

void TimerDriver::apply() {
  if (running_) return;
  const auto next = queue_.earliest();
  if (next == armedFor_) return;
  armedFor_ = next;
  if (!next) {
    t_.cancel();
    return;
  }
  t_.expires_at(*next);
  t_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed or cancelled: the earliest wake moved
    armedFor_.reset();
    run();
  });
}

void TimerDriver::run() {
  // Alive to the end of the turn, whatever the callbacks destroy.
  auto self = shared_from_this();
  running_ = true;
  if (before_) before_();
  const TimePoint now = Clock::now();
  while (TimerQueue::Entry* e = queue_.popDue(now)) {
    // Moved out first: the callbacks may arm this entry again, or destroy its timer.
    auto prepare = std::move(e->prepare);
    auto fire = std::move(e->fire);
    const TimePoint when = e->when;
    if (prepare) {
      if (!prepare()) continue;
      while (Clock::now() < when) {
      }
      if (!prepare()) continue;  // what came in during the spin
    }
    fire();
  }
  if (after_) after_();
  running_ = false;
  apply();
}

}  // namespace holdfast::runtime
