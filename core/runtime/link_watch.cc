#include "core/runtime/link_watch.h"

#include <unistd.h>

namespace holdfast::runtime {

namespace asio = boost::asio;

std::expected<std::unique_ptr<LinkWatch>, std::string> LinkWatch::open(asio::io_context& io) {
  auto monitor = netio::LinkMonitor::open();
  if (!monitor) return std::unexpected(monitor.error());
  return std::unique_ptr<LinkWatch>(new LinkWatch(io, std::move(*monitor)));
}

LinkWatch::LinkWatch(asio::io_context& io, netio::LinkMonitor monitor)
    : monitor_(std::move(monitor)), readable_(io, ::dup(monitor_.fd())) {}

void LinkWatch::start(Handler handler) {
  handler_ = std::move(handler);
  watch();
}

void LinkWatch::stop() {
  readable_.cancel();
}

void LinkWatch::watch() {
  readable_.async_wait(asio::posix::stream_descriptor::wait_read,
                       [this](const boost::system::error_code& ec) {
                         if (ec) return;
                         for (const auto& e : monitor_.drain()) handler_(e);
                         watch();
                       });
}

}  // namespace holdfast::runtime
