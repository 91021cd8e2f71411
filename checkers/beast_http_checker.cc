#include "checkers/beast_http_checker.h"

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "checkers/http_message.h"
#include "netio/duration_text.h"

namespace holdfast::checkers {

namespace asio = boost::asio;
namespace http = boost::beast::http;

bool usesLibcurl(const CheckParams& p) {
  return p.tls || p.followRedirects || p.reuseConnection;
}

struct BeastHttpChecker::Exchange {
  explicit Exchange(asio::io_context& io) : client(io) {}
  netio::TcpClient client;
  boost::beast::flat_buffer buffer;
  ReplyParser parser;
};

BeastHttpChecker::BeastHttpChecker(asio::io_context& io, netio::IpAddress address,
                                   const CheckParams& p)
    : io_(io), address_(address), params_(p), request_(buildHttpRequest(p, address)), timer_(io) {
  if (!params_.expectBodyRegex.empty()) {
    bodyRegex_.emplace(params_.expectBodyRegex, std::regex::extended);  // validated by config
  }
}

BeastHttpChecker::~BeastHttpChecker() {
  cancel();
}

std::chrono::microseconds BeastHttpChecker::elapsed() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               started_);
}

void BeastHttpChecker::probe(Done done) {
  pending_.arm(std::move(done));
  started_ = std::chrono::steady_clock::now();
  connected_ = false;
  auto ex = std::make_shared<Exchange>(io_);
  prepareReplyParser(ex->parser, params_);
  exchange_ = ex;
  timer_.expires_after(params_.timeout);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const std::string limit = netio::formatDuration(params_.timeout);
    finish(ProbeResult::failed(
        Failure::kTimeout, (connected_ ? "no response in " : "no connection in ") + limit,
        std::chrono::duration_cast<std::chrono::microseconds>(params_.timeout)));
  });
  ex->client.connect(address_, params_.port,
                     [this, ex](netio::ConnectOutcome o, const std::string& e) {
                       if (ex == exchange_) connected(ex, o, e);
                     });
}

void BeastHttpChecker::connected(const std::shared_ptr<Exchange>& ex, netio::ConnectOutcome outcome,
                                 const std::string& error) {
  switch (outcome) {
    case netio::ConnectOutcome::kRefused:
      return finish(ProbeResult::failed(Failure::kRefused, "connection refused", elapsed()));
    case netio::ConnectOutcome::kUnreachable:
      return finish(ProbeResult::failed(Failure::kUnreachable, error, elapsed()));
    case netio::ConnectOutcome::kFailed:
      return finish(ProbeResult::failed(Failure::kProtocol, "connect: " + error, elapsed()));
    case netio::ConnectOutcome::kConnected:
      break;
  }
  connected_ = true;
  // The request is a few hundred bytes: one send, which the socket's empty
  // buffer takes whole; the read is started at once and completes after it.
  asio::async_write(ex->client.socket(), asio::buffer(request_),
                    [this, ex](const boost::system::error_code& ec, size_t) {
                      if (ec && ex == exchange_) {
                        finish(ProbeResult::failed(Failure::kProtocol,
                                                   "Send failure: " + ec.message(), elapsed()));
                      }
                    });
  read(ex);
}

void BeastHttpChecker::read(const std::shared_ptr<Exchange>& ex) {
  http::async_read(
      ex->client.socket(), ex->buffer, ex->parser,
      [this, ex](const boost::system::error_code& ec, size_t) {
        if (ex != exchange_) return;  // the probe ended without it
        if (ec == http::error::end_of_stream && ex->buffer.size() == 0) {
          return finish(
              ProbeResult::failed(Failure::kProtocol, "Empty reply from server", elapsed()));
        }
        if (ec) {
          return finish(
              ProbeResult::failed(Failure::kProtocol, "bad reply: " + ec.message(), elapsed()));
        }
        const auto& reply = ex->parser.get();
        finish(judgeHttpReply(params_, bodyRegex_, static_cast<int>(reply.result_int()),
                              reply.body().text, elapsed()));
      });
}

void BeastHttpChecker::finish(ProbeResult r) {
  timer_.cancel();
  if (exchange_) exchange_->client.close();  // abortive: no TIME_WAIT per check
  exchange_.reset();
  pending_.complete(std::move(r));
}

void BeastHttpChecker::cancel() {
  timer_.cancel();
  if (exchange_) exchange_->client.close();
  exchange_.reset();
  pending_.drop();
}

}  // namespace holdfast::checkers
