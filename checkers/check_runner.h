#pragma once
// One distinct check on its own timer: probes through its Checker, feeds each
// result to the RiseFall policy, and reports a change of state. The next probe is
// scheduled from the start of the last one once its result is in (so a probe is
// never started while the previous one runs), at the interval the schedule gives
// for the state it is in.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "checkers/check_params.h"
#include "checkers/checker.h"
#include "checkers/rise_fall.h"

namespace holdfast::checkers {

// Upper bounds of the latency histogram's buckets (successful probes), in ms.
inline constexpr std::array<double, 12> kLatencyBucketsMs{1,   2.5, 5,   10,   25,   50,
                                                          100, 250, 500, 1000, 2500, 5000};

// What the diagnostics show of a check.
struct CheckStats {
  uint64_t probes = 0;
  ResultCounters results{};  // by Failure, [0] = successes
  ProbeResult last;
  std::string lastFailure = "not checked yet";  // the reason of the last failed probe
  std::chrono::microseconds latencySum{0};
  uint64_t latencyCount = 0;  // successful probes only
  // Successful probes by latency: [i] counts those <= kLatencyBucketsMs[i] and
  // above the bucket before; the last one counts the rest.
  std::array<uint64_t, kLatencyBucketsMs.size() + 1> latencyBuckets{};
};

class CheckRunner {
 public:
  using Clock = std::chrono::steady_clock;
  // Called after a result that changed the state, or that changed the reason of a
  // check that is down (so that the cause shown is the current one).
  using OnChange = std::function<void(CheckRunner&)>;

  CheckRunner(boost::asio::io_context& io, CheckParams params, netio::IpAddress address,
              std::unique_ptr<Checker> checker, std::mt19937_64& random);

  // Before start: the state a reload carries over from the check this one replaces.
  void seed(bool up, std::string lastFailure);
  void start(std::chrono::microseconds firstIn, OnChange onChange);
  void stop();

  const CheckParams& params() const { return params_; }
  const netio::IpAddress& address() const { return address_; }
  const std::string& target() const { return target_; }
  bool up() const { return policy_.up(); }
  const RiseFall& policy() const { return policy_; }
  const CheckStats& stats() const { return stats_; }
  bool inFlight() const { return inFlight_; }
  Clock::time_point nextRun() const { return nextRun_; }

 private:
  void fire();
  void completed(ProbeResult r);

  CheckParams params_;
  netio::IpAddress address_;
  std::string target_;
  std::unique_ptr<Checker> checker_;
  std::mt19937_64& random_;
  RiseFall policy_;
  boost::asio::steady_timer timer_;
  OnChange onChange_;
  CheckStats stats_;
  bool inFlight_ = false;
  bool stopped_ = true;
  Clock::time_point started_;
  Clock::time_point nextRun_;
};

}  // namespace holdfast::checkers
