#include "checkers/http_message.h"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/write.hpp>
#include <limits>
#include <sstream>

namespace holdfast::checkers {

namespace http = boost::beast::http;

namespace {
// Boost 1.74's Beast takes boost::string_view.
boost::beast::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return {s.data(), s.size()};
}
}  // namespace

std::string buildHttpRequest(const CheckParams& p, const netio::IpAddress& address) {
  http::request<http::empty_body> req;
  req.method_string(p.method);
  req.target(p.path);
  req.version(11);
  if (!p.host.empty()) {
    req.set(http::field::host, p.host);
  } else {
    const std::string a =
        address.family == netio::Family::kIPv6 ? "[" + address.str() + "]" : address.str();
    req.set(http::field::host, a + ":" + std::to_string(p.port));
  }
  req.set(http::field::user_agent, "holdfast-check");
  req.set(http::field::accept, "*/*");
  for (const std::string& h : p.headers) {
    const size_t colon = h.find(':');
    if (colon == std::string::npos) continue;  // the config refuses these
    const boost::beast::string_view name = trim(std::string_view(h).substr(0, colon));
    const boost::beast::string_view value = trim(std::string_view(h).substr(colon + 1));
    if (value.empty()) {
      req.erase(name);  // "Accept:" sends no Accept, as with curl
    } else {
      req.set(name, value);
    }
  }
  std::ostringstream out;
  out << req;
  return out.str();
}

ReplyParser::ReplyParser(const CheckParams& p)
    : keep_(!p.expectBody.empty() || !p.expectBodyRegex.empty()) {
  header_limit(64 * 1024);
  // Not body_limit(boost::none): Boost 1.74 compares a Content-Length with the
  // empty optional and refuses every body ("body limit exceeded").
  body_limit(std::numeric_limits<std::uint64_t>::max());
  eager(true);
  if (p.method == "HEAD") skip(true);  // a HEAD reply has no body
}

void ReplyParser::on_response_impl(int code, string_view, int, error_code& ec) {
  ec = {};
  status_ = code;
}

size_t ReplyParser::on_body_impl(string_view body, error_code& ec) {
  ec = {};
  if (keep_ && body_.size() < kMaxHttpBody) {
    body_.append(body.data(), std::min(body.size(), kMaxHttpBody - body_.size()));
  }
  return body.size();
}

size_t ReplyParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) {
  return on_body_impl(body, ec);
}

ProbeResult judgeHttpReply(const CheckParams& p, const std::optional<std::regex>& bodyRegex,
                           int status, const std::string& body, std::chrono::microseconds latency) {
  if (!statusExpected(p.expectStatus, status)) {
    return ProbeResult::failed(
        Failure::kStatusMismatch,
        "status " + std::to_string(status) + ", expected " + formatStatusSet(p.expectStatus),
        latency);
  }
  if (!p.expectBody.empty() && body.find(p.expectBody) == std::string::npos) {
    return ProbeResult::failed(Failure::kBodyMismatch, "body without \"" + p.expectBody + "\"",
                               latency);
  }
  if (bodyRegex && !std::regex_search(body, *bodyRegex)) {
    return ProbeResult::failed(Failure::kBodyMismatch,
                               "body does not match /" + p.expectBodyRegex + "/", latency);
  }
  return ProbeResult::success(latency);
}

}  // namespace holdfast::checkers
