#pragma once
// One probe of one kind (Envoy-style: an interface, one class per checker). A
// checker does I/O only; when to probe and what a result sequence means is the
// CheckRunner's and the RiseFall policy's business.

#include <functional>

#include "checkers/probe_result.h"

namespace holdfast::checkers {

class Checker {
 public:
  using Done = std::function<void(ProbeResult)>;
  virtual ~Checker() = default;
  // Starts one probe; `done` is called exactly once, from the loop, within the
  // check's timeout (plus the loop's latency), unless cancel() is called first.
  // Never called while a probe is in flight.
  virtual void probe(Done done) = 0;
  // Abandons the probe in flight, if any, without calling its `done`.
  virtual void cancel() = 0;
};

// The `done` of the probe in flight: called at most once, then forgotten, so a
// late timer or socket completion after a result (or after cancel) does nothing.
class PendingProbe {
 public:
  void arm(Checker::Done done) { done_ = std::move(done); }
  void drop() { done_ = nullptr; }
  void complete(ProbeResult r) {
    if (!done_) return;
    Checker::Done d = std::move(done_);
    done_ = nullptr;
    d(std::move(r));
  }

 private:
  Checker::Done done_;
};

}  // namespace holdfast::checkers
