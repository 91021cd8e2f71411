#pragma once
// The outcome of one probe, as every checker reports it: success, or the failure
// cause (counted apart, dnsdist-style) with a sentence an operator can act on, and
// the time the probe took.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

namespace holdfast::checkers {

enum class Failure : uint8_t {
  kNone,
  kTimeout,         // no answer within the check's timeout
  kRefused,         // TCP RST to the SYN
  kUnreachable,     // ICMP error: no route, host or network unreachable
  kExpectMismatch,  // TCP reply without the expected substring
  kStatusMismatch,  // HTTP status outside the expected set
  kBodyMismatch,    // HTTP body without the expected substring or regex match
  kProtocol,        // connection reset, closed early, not HTTP
  kTls,             // handshake or certificate failure
  kScriptFailed,    // script check exited non-zero
  kLocalError,      // our side: socket, memory, spawn
  kCount,           // not a cause: how many there are (a new cause goes above)
};

inline constexpr size_t kFailureCount = static_cast<size_t>(Failure::kCount);

// The cause's name in replies, metrics and logs ("timeout"); nullptr for kCount.
constexpr const char* failureName(Failure f) {
  switch (f) {
    case Failure::kNone:
      return "ok";
    case Failure::kTimeout:
      return "timeout";
    case Failure::kRefused:
      return "refused";
    case Failure::kUnreachable:
      return "unreachable";
    case Failure::kExpectMismatch:
      return "expect_mismatch";
    case Failure::kStatusMismatch:
      return "status_mismatch";
    case Failure::kBodyMismatch:
      return "body_mismatch";
    case Failure::kProtocol:
      return "protocol";
    case Failure::kTls:
      return "tls";
    case Failure::kScriptFailed:
      return "script_failed";
    case Failure::kLocalError:
      return "local_error";
    case Failure::kCount:
      break;
  }
  return nullptr;
}
static_assert(
    [] {
      for (size_t i = 0; i < kFailureCount; ++i) {
        if (failureName(static_cast<Failure>(i)) == nullptr) return false;
      }
      return true;
    }(),
    "every Failure has a name in failureName");

// failureName, with "?" for a value outside the enum.
const char* toString(Failure f);

struct ProbeResult {
  Failure failure = Failure::kNone;
  std::string reason;  // empty on success; "connection refused", "status 503, expected 200-299"
  std::chrono::microseconds latency{0};
  bool ok() const { return failure == Failure::kNone; }

  static ProbeResult success(std::chrono::microseconds latency) {
    return {Failure::kNone, {}, latency};
  }
  static ProbeResult failed(Failure f, std::string reason, std::chrono::microseconds latency) {
    return {f, std::move(reason), latency};
  }
};

// Results by cause, for the diagnostics: index 0 counts successes.
using ResultCounters = std::array<uint64_t, kFailureCount>;

}  // namespace holdfast::checkers
