#pragma once
// What one health check probes and how often: the parameters of a `check` block,
// free of config concerns (source locations live in config::CheckSpec, which
// extends this). Two checks with equal parameters on one address are the same
// check and run once (checkKey).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "checkers/check_kind.h"
#include "netio/ip_address.h"

namespace holdfast::checkers {

using Duration = std::chrono::microseconds;

struct StatusRange {
  int low = 200;
  int high = 299;
  bool operator==(const StatusRange&) const = default;
};

struct CheckParams {
  CheckKind kind = CheckKind::kIcmp;
  Duration interval = std::chrono::seconds(2);
  Duration timeout = std::chrono::seconds(1);
  // While the result streak says the state is changing (haproxy's fastinter), and
  // while down (downinter). Unset: defaultFastInterval (schedule.h), and the interval.
  std::optional<Duration> fastInterval;
  std::optional<Duration> downInterval;
  Duration jitter{0};  // each wait is lengthened by a random 0..jitter
  int rise = 2;
  int fall = 3;
  bool initiallyUp = false;
  int port = 0;
  std::string path = "/";
  std::string method = "GET";
  std::string host;
  std::vector<std::string> headers;
  std::vector<StatusRange> expectStatus{{200, 299}};
  std::string expectBody;
  std::string expectBodyRegex;
  std::string send;
  std::string expect;
  bool tls = false;
  bool tlsVerify = true;
  std::string sni;
  std::string caFile;
  bool followRedirects = false;
  bool reuseConnection = false;
  std::string script;

  bool operator==(const CheckParams&) const = default;
};

// "200-299 301": the expected status set as written.
std::string formatStatusSet(const std::vector<StatusRange>& set);
bool statusExpected(const std::vector<StatusRange>& set, int status);

// The identity of a check on an address: equal keys probe the same thing the
// same way, so the engine runs them once and shares the result.
std::string checkKey(const CheckParams& p, const netio::IpAddress& address);

// "http 192.0.2.21:8080/health", "icmp 2001:db8::21": what a check probes.
std::string describeTarget(const CheckParams& p, const netio::IpAddress& address);

}  // namespace holdfast::checkers
