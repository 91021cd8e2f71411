// CheckRunner with a fake checker on a real io_context: probes are never started
// twice, results go through rise/fall, and a change of state is reported.

#include "checkers/check_runner.h"

#include <boost/asio/executor_work_guard.hpp>
#include <catch2/catch.hpp>

using namespace holdfast::checkers;
using namespace std::chrono_literals;

namespace {
// Records probes; completes each only when told to.
class FakeChecker : public Checker {
 public:
  void probe(Done done) override {
    ++started;
    pending = std::move(done);
  }
  void cancel() override { pending = nullptr; }
  void complete(ProbeResult r) {
    Done d = std::move(pending);
    pending = nullptr;
    d(std::move(r));
  }
  int started = 0;
  Done pending;
};

CheckParams fast() {
  CheckParams p;
  p.interval = 10ms;
  p.timeout = 5ms;
  p.rise = 2;
  p.fall = 1;
  return p;
}
}  // namespace

TEST_CASE("a probe still running is not started again", "[check_runner]") {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);  // run_for runs its whole time
  std::mt19937_64 random(1);
  auto fake = std::make_unique<FakeChecker>();
  FakeChecker& f = *fake;
  CheckRunner r(io, fast(), *holdfast::netio::IpAddress::parse("192.0.2.1"), std::move(fake),
                random);
  r.start(0ms, nullptr);
  io.run_for(100ms);  // ten intervals
  CHECK(f.started == 1);
  CHECK(r.inFlight());
  f.complete(ProbeResult::success(1ms));
  io.run_for(15ms);
  CHECK(f.started == 2);
  r.stop();
}

TEST_CASE("rise successes bring a check up, and the change is reported once", "[check_runner]") {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);  // run_for runs its whole time
  std::mt19937_64 random(1);
  auto fake = std::make_unique<FakeChecker>();
  FakeChecker& f = *fake;
  CheckRunner r(io, fast(), *holdfast::netio::IpAddress::parse("192.0.2.1"), std::move(fake),
                random);
  int changes = 0;
  r.start(0ms, [&](CheckRunner&) { ++changes; });
  for (int i = 0; i < 3 && f.started < 3; ++i) {
    io.run_for(20ms);
    if (f.pending) f.complete(ProbeResult::success(1ms));
  }
  io.run_for(20ms);
  if (f.pending) f.complete(ProbeResult::success(1ms));
  CHECK(r.up());
  CHECK(changes == 1);
  io.run_for(20ms);
  REQUIRE(f.pending);
  f.complete(ProbeResult::failed(Failure::kRefused, "connection refused", 1ms));
  CHECK_FALSE(r.up());  // fall 1
  CHECK(changes == 2);
  CHECK(r.stats().lastFailure == "connection refused");
  CHECK(r.stats().results[static_cast<size_t>(Failure::kRefused)] == 1);
  r.stop();
}
