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

// A runner with a fake checker, on a loop whose run_for runs its whole time.
struct Rig {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::mt19937_64 random{1};
  FakeChecker* fake = new FakeChecker;  // owned by the runner
  CheckRunner runner{io, fast(), *holdfast::netio::IpAddress::parse("192.0.2.1"),
                     std::unique_ptr<Checker>(fake), random};
  ~Rig() { runner.stop(); }
  // Runs the loop for 20 ms (two intervals at most), then answers the probe.
  void answer(ProbeResult r) {
    io.run_for(20ms);
    REQUIRE(fake->pending);
    fake->complete(std::move(r));
  }
};
}  // namespace

TEST_CASE("a probe still running is not started again", "[check_runner]") {
  Rig rig;
  rig.runner.start(0ms, nullptr);
  rig.io.run_for(100ms);  // ten intervals
  CHECK(rig.fake->started == 1);
  CHECK(rig.runner.inFlight());
  rig.fake->complete(ProbeResult::success(1ms));
  rig.io.run_for(20ms);
  CHECK(rig.fake->started == 2);
}

TEST_CASE("rise successes bring a check up, and the change is reported once", "[check_runner]") {
  Rig rig;
  int changes = 0;
  rig.runner.start(0ms, [&](CheckRunner&) { ++changes; });
  rig.answer(ProbeResult::success(1ms));
  CHECK_FALSE(rig.runner.up());  // 1 of rise 2
  CHECK(changes == 0);
  rig.answer(ProbeResult::success(1ms));
  CHECK(rig.runner.up());
  CHECK(changes == 1);
  rig.answer(ProbeResult::failed(Failure::kRefused, "connection refused", 1ms));
  CHECK_FALSE(rig.runner.up());  // fall 1
  CHECK(changes == 2);
  CHECK(rig.runner.stats().lastFailure == "connection refused");
  CHECK(rig.runner.stats().results[static_cast<size_t>(Failure::kRefused)] == 1);
}
