#pragma once
// Every Timer of the VRRP loop on one asio timer (timer_queue.h): masters that
// advertise on the same grid fire in one handler, one after the other, and the turn's
// hooks run around them (NetioKernel holds the routine adverts they send and hands
// them to the kernel in one sendmmsg per socket once all have fired).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "core/runtime/kernel.h"
#include "core/runtime/timer_queue.h"

namespace holdfast::runtime {

class TimerDriver : public std::enable_shared_from_this<TimerDriver> {
 public:
  explicit TimerDriver(boost::asio::io_context& io) : t_(io) {}

  // A Timer on this driver; it keeps the driver alive.
  std::unique_ptr<Timer> timer();
  // `before` runs when a wake-up's timers start firing, `after` once every one due has.
  void setTurnHooks(std::function<void()> before, std::function<void()> after);

  void arm(TimerQueue::Entry& e);
  void cancel(TimerQueue::Entry& e);

 private:
  void follow();
  void apply();
  void run();

  boost::asio::steady_timer t_;
  TimerQueue queue_;
  std::optional<TimePoint> armedFor_;  // the asio timer's wake, when waiting
  bool running_ = false;
  bool followPosted_ = false;
  std::function<void()> before_;
  std::function<void()> after_;
};

}  // namespace holdfast::runtime
