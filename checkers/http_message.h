#pragma once
// The two ends of a plain HTTP check, free of I/O: the request bytes a check
// sends (built once, by Boost.Beast's serializer), the body type its reply is
// parsed into (keeps the first kMaxHttpBody bytes, reads and drops the rest, as a
// normal client would), and what a reply's status and body mean for the check.
// Shared by both HTTP paths (Beast for plain HTTP, libcurl for TLS).

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
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

// A Beast body that keeps at most kMaxHttpBody bytes (all of them only when
// `keep` is set by the caller before reading) and consumes everything.
struct CappedBody {
  struct value_type {
    bool keep = false;
    std::string text;
  };
  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}
    void init(const boost::optional<std::uint64_t>&, boost::beast::error_code& ec) { ec = {}; }
    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      ec = {};
      size_t n = 0;
      for (const auto b : boost::beast::buffers_range_ref(buffers)) {
        if (body_.keep && body_.text.size() < kMaxHttpBody) {
          body_.text.append(static_cast<const char*>(b.data()),
                            std::min(b.size(), kMaxHttpBody - body_.text.size()));
        }
        n += b.size();
      }
      return n;
    }
    void finish(boost::beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

using ReplyParser = boost::beast::http::response_parser<CappedBody>;

// Readies a parser for a check's reply: headers up to 64 KiB (curl takes 100 KiB,
// Beast's default is 8 KiB), no body limit (the whole body is read, as curl
// does), the body kept when an expectation reads it, none expected after HEAD.
void prepareReplyParser(ReplyParser& parser, const CheckParams& p);

// A reply that arrived: its status against expect_status, its body against
// expect_body and expect_body_regex.
ProbeResult judgeHttpReply(const CheckParams& p, const std::optional<std::regex>& bodyRegex,
                           int status, const std::string& body, std::chrono::microseconds latency);

}  // namespace holdfast::checkers
