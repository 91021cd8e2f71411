#pragma once
// The two ends of a plain HTTP check, free of I/O: the request bytes a check
// sends (built once, by Boost.Beast's serializer), the parser its reply goes
// through (Beast's, keeping the status and the first kMaxHttpBody bytes of the
// body; the rest is read and dropped, as a normal client would), and what a
// reply's status and body mean for the check.
// Shared by both HTTP paths (Beast for plain HTTP, libcurl for TLS).

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/optional.hpp>
#include <chrono>
#include <optional>
#include <regex>
#include <string>

#include "checkers/check_params.h"
#include "checkers/probe_result.h"
#include "netio/ip_address.h"

namespace holdfast::checkers {

// How much of a reply's body a check keeps for expect_body / expect_body_regex.
inline constexpr size_t kMaxHttpBody = 64 * 1024;

// "GET /health HTTP/1.1", Host (host, else address:port as curl sends it),
// User-Agent holdfast-check, Accept */*, then the configured headers ("Name:
// value"; one naming a field already set replaces it, one with an empty value
// removes it). No Connection: close: the
// checker closes with a reset once the reply is read, leaving no TIME_WAIT on
// either side.
std::string buildHttpRequest(const CheckParams& p, const netio::IpAddress& address);

// Beast's HTTP/1.1 response parser, made to keep what a check judges and no
// more: the status, and the body's first kMaxHttpBody bytes only when an
// expectation reads it (the rest is parsed and dropped). No header field is
// stored (a response_parser allocates every one). Feed it with put() and, at the
// peer's end, put_eof(); it is done when is_done().
class ReplyParser : public boost::beast::http::basic_parser<false> {
 public:
  // Headers up to 64 KiB (curl takes 100 KiB, Beast's default is 8 KiB), no body
  // limit (the whole body is read, as curl does), nothing expected after HEAD.
  explicit ReplyParser(const CheckParams& p);
  int status() const { return status_; }
  const std::string& body() const { return body_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code& ec) override;
  void on_field_impl(boost::beast::http::field, string_view, string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  bool keep_ = false;
  int status_ = 0;
  std::string body_;
};

// A reply that arrived: its status against expect_status, its body against
// expect_body and expect_body_regex.
ProbeResult judgeHttpReply(const CheckParams& p, const std::optional<std::regex>& bodyRegex,
                           int status, const std::string& body, std::chrono::microseconds latency);

}  // namespace holdfast::checkers
