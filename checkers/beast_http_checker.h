#pragma once
// Plain HTTP (L5) on the checker's own loop with Boost.Beast: a fresh connection
// per probe on the thread's ProbeReactor, the request built once
// (buildHttpRequest) and sent with one send, the reply read with one recv per
// readiness and parsed by Beast (ReplyParser), an abortive close: seven system
// calls a probe where a libcurl transfer makes about 22; libcurl keeps what it does better (TLS
// with verify, SNI and CA file; redirects; kept-alive connections): see usesLibcurl.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "checkers/check_params.h"
#include "checkers/checker.h"
#include "netio/probe_reactor.h"
#include "netio/tcp_client.h"

namespace holdfast::checkers {

// Whether an HTTP check needs libcurl's HttpChecker rather than this one.
bool usesLibcurl(const CheckParams& p);

class BeastHttpChecker : public Checker {
 public:
  BeastHttpChecker(boost::asio::io_context& io, netio::ProbeReactor& reactor,
                   netio::IpAddress address, const CheckParams& p);
  ~BeastHttpChecker() override;
  void probe(Done done) override;
  void cancel() override;

 private:
  struct Exchange;  // one probe's connection, read buffer and parser

  void connected(netio::ConnectOutcome outcome, const std::string& error);
  void read();
  void finish(ProbeResult r);
  std::chrono::microseconds elapsed() const;

  netio::ProbeReactor& reactor_;
  netio::IpAddress address_;
  CheckParams params_;
  std::string request_;
  std::optional<std::regex> bodyRegex_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<Exchange> exchange_;  // while a probe is in flight
  bool connected_ = false;
  PendingProbe pending_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace holdfast::checkers
