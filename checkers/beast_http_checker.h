#pragma once
// Plain HTTP (L5) on the checker's own loop with Boost.Beast: a fresh connection
// per probe, the request built once (buildHttpRequest) and sent in one write, the
// reply parsed by Beast into a CappedBody, an abortive close. About half the
// system calls of a libcurl transfer; libcurl keeps what it does better (TLS with
// verify, SNI and CA file; redirects; kept-alive connections): see usesLibcurl.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "checkers/check_params.h"
#include "checkers/checker.h"
#include "netio/tcp_client.h"

namespace holdfast::checkers {

// Whether an HTTP check needs libcurl's HttpChecker rather than this one.
bool usesLibcurl(const CheckParams& p);

class BeastHttpChecker : public Checker {
 public:
  BeastHttpChecker(boost::asio::io_context& io, netio::IpAddress address, const CheckParams& p);
  ~BeastHttpChecker() override;
  void probe(Done done) override;
  void cancel() override;

 private:
  struct Exchange;  // one probe's connection, read buffer and parser

  void connected(const std::shared_ptr<Exchange>& ex, netio::ConnectOutcome outcome,
                 const std::string& error);
  void read(const std::shared_ptr<Exchange>& ex);
  void finish(ProbeResult r);
  std::chrono::microseconds elapsed() const;

  boost::asio::io_context& io_;
  netio::IpAddress address_;
  CheckParams params_;
  std::string request_;
  std::optional<std::regex> bodyRegex_;
  boost::asio::steady_timer timer_;
  // Shared with the handlers in flight, which may run after the probe ended
  // (cancelled, timed out): the exchange outlives them, a stale one is ignored.
  std::shared_ptr<Exchange> exchange_;
  bool connected_ = false;
  PendingProbe pending_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace holdfast::checkers
