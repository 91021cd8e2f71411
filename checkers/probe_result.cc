#include "checkers/probe_result.h"

namespace holdfast::checkers {

const char* toString(Failure f) {
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
  }
  return "?";
}

}  // namespace holdfast::checkers
