// The pure parts of the plain HTTP check (checkers/http_message.h): the request
// bytes, the Beast's parser keeping status and capped body, the reply's judgement, and which
// checks go to libcurl.

#include <catch2/catch.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

#include "checkers/beast_http_checker.h"
#include "checkers/http_message.h"

using namespace holdfast;
using namespace holdfast::checkers;
namespace http = boost::beast::http;

namespace {
netio::IpAddress addr(const char* text) {
  return *netio::IpAddress::parse(text);
}

CheckParams httpParams() {
  CheckParams p;
  p.kind = CheckKind::kHttp;
  p.port = 8080;
  p.path = "/health";
  return p;
}

// Feeds `wire` to a reply parser in pieces of `piece` bytes, keeping what it did
// not take, as the checker does with each recv; then the peer's end if the
// parser is not done. Returns the parser's error (none: a whole reply).
boost::beast::error_code parse(const std::string& wire, ReplyParser& parser, size_t piece = 7) {
  boost::beast::error_code ec;
  std::string pending;
  for (size_t at = 0; at < wire.size() && !parser.is_done(); at += piece) {
    pending += wire.substr(at, piece);
    while (!pending.empty() && !parser.is_done()) {
      const size_t used = parser.put(boost::asio::buffer(pending), ec);
      pending.erase(0, used);
      if (ec == http::error::need_more) break;
      if (ec) return ec;
    }
    ec = {};
  }
  if (!parser.is_done()) parser.put_eof(ec);
  return ec;
}
}  // namespace

TEST_CASE("an HTTP check's request names method, path, Host with port, agent and accept",
          "[http_message]") {
  const std::string req = buildHttpRequest(httpParams(), addr("192.0.2.13"));
  CHECK(req ==
        "GET /health HTTP/1.1\r\nHost: 192.0.2.13:8080\r\nUser-Agent: holdfast-check\r\n"
        "Accept: */*\r\n\r\n");
}

TEST_CASE("an HTTP check's request brackets an IPv6 Host and honours method HEAD",
          "[http_message]") {
  CheckParams p = httpParams();
  p.method = "HEAD";
  const std::string req = buildHttpRequest(p, addr("2001:db8::13"));
  CHECK(req.starts_with("HEAD /health HTTP/1.1\r\nHost: [2001:db8::13]:8080\r\n"));
}

TEST_CASE("configured host and headers replace, add and remove request fields", "[http_message]") {
  CheckParams p = httpParams();
  p.host = "app.example";
  p.headers = {"X-Probe: holdfast", "User-Agent:  lb-check ", "Accept:"};
  const std::string req = buildHttpRequest(p, addr("192.0.2.13"));
  CHECK(req.find("Host: app.example\r\n") != std::string::npos);
  CHECK(req.find("X-Probe: holdfast\r\n") != std::string::npos);
  CHECK(req.find("User-Agent: lb-check\r\n") != std::string::npos);
  CHECK(req.find("holdfast-check") == std::string::npos);
  CHECK(req.find("Accept") == std::string::npos);  // an empty value removes it, as with curl
}

TEST_CASE("a reply's body is kept up to 64 KiB and the rest is read and dropped",
          "[http_message]") {
  CheckParams p = httpParams();
  p.expectBody = "UP";
  const std::string body = "UP" + std::string(100 * 1024, 'x');
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ReplyParser parser(p);
  REQUIRE_FALSE(parse(wire, parser, 4096));
  CHECK(parser.status() == 200);
  CHECK(parser.body().size() == kMaxHttpBody);
  CHECK(parser.body().starts_with("UP"));
}

TEST_CASE("a reply's body is not kept when no expectation reads it", "[http_message]") {
  ReplyParser parser(httpParams());
  REQUIRE_FALSE(parse("HTTP/1.1 503 Unavailable\r\nContent-Length: 5\r\n\r\nDOWN\n", parser));
  CHECK(parser.status() == 503);
  CHECK(parser.body().empty());
}

TEST_CASE("a chunked reply and a reply ended by close are whole replies", "[http_message]") {
  CheckParams p = httpParams();
  p.expectBodyRegex = "ok";
  ReplyParser chunked(p);
  REQUIRE_FALSE(
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\nUP\n\r\n0\r\n\r\n",
            chunked));
  CHECK(chunked.body() == "UP\n");

  ReplyParser closed(p);
  REQUIRE_FALSE(parse("HTTP/1.0 200 OK\r\n\r\nstatus: ok\n", closed));
  CHECK(closed.body() == "status: ok\n");
}

TEST_CASE("a reply to HEAD is whole at the end of its header despite Content-Length",
          "[http_message]") {
  CheckParams p = httpParams();
  p.method = "HEAD";
  ReplyParser parser(p);
  REQUIRE_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", parser));
  CHECK(parser.is_done());
  CHECK(parser.status() == 200);
}

TEST_CASE("a reply that is not HTTP is a parse error", "[http_message]") {
  ReplyParser parser(httpParams());
  CHECK(parse("SSH-2.0-OpenSSH_9.2\r\n", parser));
}

TEST_CASE("a reply's status and body are judged against the check's expectations",
          "[http_message]") {
  using namespace std::chrono_literals;
  CheckParams p = httpParams();
  p.expectStatus = {{200, 299}, {301, 301}};
  CHECK(judgeHttpReply(p, std::nullopt, 301, "", 1ms).ok());
  ProbeResult r = judgeHttpReply(p, std::nullopt, 503, "", 1ms);
  CHECK(r.failure == Failure::kStatusMismatch);
  CHECK(r.reason == "status 503, expected 200-299 301");
  p.expectBody = "UP";
  r = judgeHttpReply(p, std::nullopt, 200, "DOWN", 1ms);
  CHECK(r.failure == Failure::kBodyMismatch);
  CHECK(r.reason == "body without \"UP\"");
}

TEST_CASE("TLS, redirects and kept-alive connections go to libcurl, plain HTTP to Beast",
          "[http_message]") {
  CheckParams p = httpParams();
  CHECK_FALSE(usesLibcurl(p));
  p.tls = true;
  CHECK(usesLibcurl(p));
  p = httpParams();
  p.followRedirects = true;
  CHECK(usesLibcurl(p));
  p = httpParams();
  p.reuseConnection = true;
  CHECK(usesLibcurl(p));
}
