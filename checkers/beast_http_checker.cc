#include "checkers/beast_http_checker.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <cerrno>
#include <cstring>

#include "checkers/http_message.h"
#include "checkers/tcp_checker.h"
#include "netio/duration_text.h"

namespace holdfast::checkers {

namespace {
// Reads go this much at a time; the buffer holds at most a header (64 KiB, the
// parser's limit) plus one read, as the body is consumed as it comes.
constexpr size_t kReadSize = 4096;
constexpr size_t kMaxBuffered = 64 * 1024 + 2 * kReadSize;
}  // namespace

bool usesLibcurl(const CheckParams& p) {
  return p.tls || p.followRedirects || p.reuseConnection;
}

struct BeastHttpChecker::Exchange {
  Exchange(netio::ProbeReactor& reactor, const CheckParams& p)
      : client(reactor), buffer(kMaxBuffered), parser(p) {}
  netio::TcpClient client;
  boost::beast::flat_buffer buffer;
  ReplyParser parser;
  bool received = false;  // any byte of a reply
};

BeastHttpChecker::BeastHttpChecker(boost::asio::io_context& io, netio::ProbeReactor& reactor,
                                   netio::IpAddress address, const CheckParams& p)
    : reactor_(reactor),
      address_(address),
      params_(p),
      request_(buildHttpRequest(p, address)),
      timer_(io) {
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
  exchange_ = std::make_unique<Exchange>(reactor_, params_);
  timer_.expires_after(params_.timeout);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const std::string limit = netio::formatDuration(params_.timeout);
    finish(ProbeResult::failed(
        Failure::kTimeout, (connected_ ? "no response in " : "no connection in ") + limit,
        std::chrono::duration_cast<std::chrono::microseconds>(params_.timeout)));
  });
  exchange_->client.connect(
      address_, params_.port,
      [this](netio::ConnectOutcome o, const std::string& e) { connected(o, e); });
}

void BeastHttpChecker::connected(netio::ConnectOutcome outcome, const std::string& error) {
  // A connect failure that is neither refused nor unreachable is a protocol
  // failure, as with libcurl's checks.
  if (auto f = connectFailure(outcome, error, elapsed(), Failure::kProtocol)) {
    return finish(std::move(*f));
  }
  connected_ = true;
  // A fresh socket's send buffer takes a request of a few KiB whole; a short
  // send means a request larger than any health check needs.
  const ssize_t sent = exchange_->client.sendNow(request_);
  if (sent != static_cast<ssize_t>(request_.size())) {
    const std::string why = sent < 0 ? std::strerror(errno) : "the request did not fit";
    return finish(ProbeResult::failed(Failure::kProtocol, "Send failure: " + why, elapsed()));
  }
  // The reply cannot be there yet (the server has not run): wait, then read.
  exchange_->client.whenReadable([this] { read(); });
}

void BeastHttpChecker::read() {
  Exchange* ex = exchange_.get();
  auto fail = [&](std::string why) {
    finish(ProbeResult::failed(Failure::kProtocol, std::move(why), elapsed()));
  };
  for (;;) {
    auto space = ex->buffer.prepare(kReadSize);
    const ssize_t n = ex->client.receiveNow({static_cast<char*>(space.data()), space.size()});
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return ex->client.whenReadable([this] { read(); });
      }
      return fail(std::string("Recv failure: ") + std::strerror(errno));
    }
    boost::beast::error_code ec;
    if (n == 0) {  // the server closed: a reply ended by close is whole now
      if (!ex->received) return fail("Empty reply from server");
      ex->parser.put_eof(ec);
      if (ec) return fail("bad reply: " + ec.message());
      break;
    }
    ex->received = true;
    ex->buffer.commit(static_cast<size_t>(n));
    while (ex->buffer.size() > 0 && !ex->parser.is_done()) {
      const size_t used = ex->parser.put(ex->buffer.data(), ec);
      ex->buffer.consume(used);
      if (ec == boost::beast::http::error::need_more) break;
      if (ec) return fail("bad reply: " + ec.message());
      if (used == 0) break;  // nothing taken, no error: wait for more bytes
    }
    if (ex->parser.is_done()) break;
  }
  finish(judgeHttpReply(params_, bodyRegex_, ex->parser.status(), ex->parser.body(), elapsed()));
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
