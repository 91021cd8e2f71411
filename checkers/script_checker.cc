#include "checkers/script_checker.h"

#include "netio/duration_text.h"

namespace holdfast::checkers {

void ScriptChecker::probe(Done done) {
  const auto started = std::chrono::steady_clock::now();
  runner_.start(command_, who_, timeout_, [this, started, done](const netio::RunResult& r) {
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    if (!r.error.empty()) return done(ProbeResult::failed(Failure::kLocalError, r.error, latency));
    if (r.timedOut) {
      return done(ProbeResult::failed(
          Failure::kTimeout, "still running after " + netio::formatDuration(timeout_) + "; killed",
          latency));
    }
    if (r.exitStatus != 0) {
      return done(ProbeResult::failed(
          Failure::kScriptFailed, "exited with status " + std::to_string(r.exitStatus), latency));
    }
    done(ProbeResult::success(latency));
  });
}

}  // namespace holdfast::checkers
