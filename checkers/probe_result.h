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
};
inline constexpr size_t kFailureCount = 11;
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
