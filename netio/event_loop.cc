#include "netio/event_loop.h"

#include <boost/asio/post.hpp>

namespace holdfast::netio {

EventLoop::EventLoop() : signals_(context_) {}

void EventLoop::watchSignals(std::initializer_list<int> signals, std::function<void(int)> handler) {
  for (int s : signals) signals_.add(s);
  signalHandler_ = std::move(handler);
  armSignals();
}

void EventLoop::armSignals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;  // cancelled at stop
    signalHandler_(signo);
    armSignals();
  });
}

void EventLoop::run() {
  context_.restart();
  work_.emplace(context_.get_executor());
  context_.run();
}

void EventLoop::stop() {
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  work_.reset();
  context_.stop();
}

void EventLoop::post(std::function<void()> fn) {
  boost::asio::post(context_, std::move(fn));
}

}  // namespace holdfast::netio
