#pragma once
// TCP port (L4): connect; success once established, or, with `expect`, once the
// reply (after `send`, if any) holds the expected substring. Failures are kept
// apart: refused (RST), unreachable (ICMP error), timeout, expect mismatch.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "checkers/check_params.h"
#include "checkers/checker.h"
#include "netio/tcp_client.h"

namespace holdfast::checkers {

// What a connect that did not succeed means for a check (nullopt: connected).
// `other` is the failure kind of a cause that is neither refused nor unreachable.
std::optional<ProbeResult> connectFailure(netio::ConnectOutcome outcome, const std::string& error,
                                          std::chrono::microseconds latency, Failure other);

class TcpChecker : public Checker {
 public:
  TcpChecker(boost::asio::io_context& io, netio::ProbeReactor& reactor, netio::IpAddress address,
             const CheckParams& p);
  ~TcpChecker() override { cancel(); }
  void probe(Done done) override;
  void cancel() override;

 private:
  void connected(netio::ConnectOutcome outcome, const std::string& error);
  void readMore();
  void finish(ProbeResult r);
  std::chrono::microseconds elapsed() const;

  netio::ProbeReactor& reactor_;
  netio::IpAddress address_;
  int port_;
  std::string send_;
  std::string expect_;
  std::chrono::microseconds timeout_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<netio::TcpClient> client_;
  std::string received_;
  bool connected_ = false;
  PendingProbe pending_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace holdfast::checkers
