#pragma once
// Link and address changes from the kernel (rtnetlink), delivered on the VRRP loop:
// an interface going down or up, an address leaving or joining one. What they mean
// for the instances is InstanceSet::linkEvent's business.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "netio/link_monitor.h"

namespace holdfast::runtime {

class LinkWatch {
 public:
  using Handler = std::function<void(const netio::LinkEvent&)>;
  static std::expected<std::unique_ptr<LinkWatch>, std::string> open(boost::asio::io_context& io);

  void start(Handler handler);
  void stop();

 private:
  LinkWatch(boost::asio::io_context& io, netio::LinkMonitor monitor);
  void watch();

  netio::LinkMonitor monitor_;
  boost::asio::posix::stream_descriptor readable_;
  Handler handler_;
};

}  // namespace holdfast::runtime
