#pragma once
// HTTP(S) (L5) through libcurl's multi interface on the checker loop, for the
// checks that need it (usesLibcurl: TLS, redirects, kept-alive connections; plain
// HTTP goes through BeastHttpChecker). One easy handle per probe in flight; a
// fresh connection per probe unless reuse_connection: method GET or HEAD, path,
// Host and extra headers, expected status set, expected body substring or regex,
// TLS with verify on/off, SNI and CA file, redirects only when asked.

#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>

#include "checkers/check_params.h"
#include "checkers/checker.h"
#include "netio/curl_multi.h"

namespace holdfast::checkers {

// What a finished transfer means for the check (pure; unit-tested).
struct HttpOutcome {
  CURLcode code = CURLE_OK;
  long osErrno = 0;  // CURLINFO_OS_ERRNO
  long status = 0;
  std::string body;       // what was kept of it (see kMaxHttpBody)
  std::string curlError;  // CURLOPT_ERRORBUFFER
};
ProbeResult judgeHttp(const CheckParams& p, const std::optional<std::regex>& bodyRegex,
                      const HttpOutcome& o, std::chrono::microseconds latency);

class HttpChecker : public Checker {
 public:
  HttpChecker(netio::CurlMulti& multi, netio::IpAddress address, CheckParams p);
  ~HttpChecker() override;
  void probe(Done done) override;
  void cancel() override;

 private:
  static size_t onBody(char* data, size_t size, size_t n, void* self);
  void configure(CURL* easy);

  netio::CurlMulti& multi_;
  CheckParams params_;
  CURL* easy_ = nullptr;  // while a probe is in flight
  std::string url_;
  curl_slist* headers_ = nullptr;
  curl_slist* connectTo_ = nullptr;
  std::optional<std::regex> bodyRegex_;
  bool keepBody_ = false;
  std::string body_;
  char error_[CURL_ERROR_SIZE] = {};
  PendingProbe pending_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace holdfast::checkers
