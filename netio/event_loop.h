#pragma once
// An event loop (Boost.Asio io_context) and the signals it watches. The daemon's main
// loop, the VRRP thread's loop and each checker thread's loop are instances of this;
// other threads ask them for something through netio/await_reply.h.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>
#include <initializer_list>
#include <optional>

namespace holdfast::netio {

class EventLoop {
 public:
  EventLoop();

  boost::asio::io_context& context() { return context_; }

  // Calls `handler(signo)` on this loop for each of `signals` delivered to the
  // process, until stop(). The signals are blocked from their default action.
  void watchSignals(std::initializer_list<int> signals, std::function<void(int)> handler);

  // Runs handlers until stop() is called, even while none is pending. No exception
  // escapes a handler: one that throws is a broken invariant and ends the process
  // (docs/ARCHITECTURE.md, Errors).
  void run();
  void stop();

  // Runs `fn` on this loop's thread.
  void post(std::function<void()> fn);

 private:
  void armSignals();

  boost::asio::io_context context_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::signal_set signals_;
  std::function<void(int)> signalHandler_;
};

}  // namespace holdfast::netio
