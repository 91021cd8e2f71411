#include "checkers/check_runner.h"

#include "checkers/schedule.h"

namespace holdfast::checkers {

namespace {
// Probe start times are rounded up to a 4 ms grid: thousands of checks then share
// a few hundred wake-ups a second (one timer expiry starts every probe due),
// instead of one wake-up and one timer reprogramming per probe.
constexpr auto kTick = std::chrono::milliseconds(4);

CheckRunner::Clock::time_point onTick(CheckRunner::Clock::time_point t) {
  const auto since = t.time_since_epoch();
  const auto rem = since % kTick;
  return rem.count() == 0 ? t : t + (kTick - rem);
}
}  // namespace

CheckRunner::CheckRunner(boost::asio::io_context& io, CheckParams params, netio::IpAddress address,
                         std::unique_ptr<Checker> checker, std::mt19937_64& random)
    : params_(std::move(params)),
      address_(address),
      target_(describeTarget(params_, address_)),
      checker_(std::move(checker)),
      random_(random),
      policy_(params_.rise, params_.fall, params_.initiallyUp),
      timer_(io) {}

void CheckRunner::seed(bool up, std::string lastFailure) {
  policy_ = RiseFall(params_.rise, params_.fall, up);
  stats_.lastFailure = std::move(lastFailure);
}

void CheckRunner::start(std::chrono::microseconds firstIn, OnChange onChange) {
  onChange_ = std::move(onChange);
  stopped_ = false;
  nextRun_ = onTick(Clock::now() + firstIn);
  timer_.expires_at(nextRun_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) fire();
  });
}

void CheckRunner::stop() {
  stopped_ = true;
  timer_.cancel();
  checker_->cancel();
  inFlight_ = false;
}

void CheckRunner::fire() {
  if (stopped_ || inFlight_) return;
  inFlight_ = true;
  started_ = Clock::now();
  ++stats_.probes;
  checker_->probe([this](ProbeResult r) { completed(std::move(r)); });
}

void CheckRunner::completed(ProbeResult r) {
  if (stopped_) return;
  inFlight_ = false;
  ++stats_.results[static_cast<size_t>(r.failure)];
  if (r.ok()) {
    stats_.latencySum += r.latency;
    ++stats_.latencyCount;
    const double ms = std::chrono::duration<double, std::milli>(r.latency).count();
    size_t b = 0;
    while (b < kLatencyBucketsMs.size() && ms > kLatencyBucketsMs[b]) ++b;
    ++stats_.latencyBuckets[b];
  }
  const bool changed = policy_.feed(r.ok());
  const bool newReason = !policy_.up() && !r.ok() && r.reason != stats_.lastFailure;
  if (!r.ok()) stats_.lastFailure = r.reason;
  stats_.last = std::move(r);
  // From the start of this probe, so a slow answer does not stretch the interval.
  nextRun_ = onTick(std::max(Clock::now(), started_ + nextInterval(params_, policy_, random_())));
  timer_.expires_at(nextRun_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) fire();
  });
  if ((changed || newReason) && onChange_) onChange_(*this);
}

}  // namespace holdfast::checkers
