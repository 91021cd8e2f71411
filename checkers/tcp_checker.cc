#include "checkers/tcp_checker.h"

#include "netio/duration_text.h"

namespace holdfast::checkers {

namespace {
constexpr size_t kMaxReply = 64 * 1024;  // an `expect` must show up in the first 64 KiB
}

TcpChecker::TcpChecker(boost::asio::io_context& io, netio::ProbeReactor& reactor,
                       netio::IpAddress address, const CheckParams& p)
    : reactor_(reactor),
      address_(address),
      port_(p.port),
      send_(p.send),
      expect_(p.expect),
      timeout_(p.timeout),
      timer_(io) {}

std::chrono::microseconds TcpChecker::elapsed() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               started_);
}

void TcpChecker::probe(Done done) {
  pending_.arm(std::move(done));
  started_ = std::chrono::steady_clock::now();
  received_.clear();
  connected_ = false;
  client_ = std::make_unique<netio::TcpClient>(reactor_);
  timer_.expires_after(timeout_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const std::string limit = netio::formatDuration(timeout_);
    std::string what = !connected_        ? "no connection in " + limit
                       : !expect_.empty() ? "no '" + expect_ + "' in the reply within " + limit
                                          : "timed out after " + limit;
    finish(ProbeResult::failed(Failure::kTimeout, what, timeout_));
  });
  client_->connect(address_, port_,
                   [this](netio::ConnectOutcome o, const std::string& e) { connected(o, e); });
}

std::optional<ProbeResult> connectFailure(netio::ConnectOutcome outcome, const std::string& error,
                                          std::chrono::microseconds latency, Failure other) {
  switch (outcome) {
    case netio::ConnectOutcome::kRefused:
      return ProbeResult::failed(Failure::kRefused, "connection refused", latency);
    case netio::ConnectOutcome::kUnreachable:
      return ProbeResult::failed(Failure::kUnreachable, error, latency);
    case netio::ConnectOutcome::kFailed:
      return ProbeResult::failed(other, "connect: " + error, latency);
    case netio::ConnectOutcome::kConnected:
      break;
  }
  return std::nullopt;
}

void TcpChecker::connected(netio::ConnectOutcome outcome, const std::string& error) {
  if (auto f = connectFailure(outcome, error, elapsed(), Failure::kLocalError)) {
    return finish(std::move(*f));
  }
  connected_ = true;
  if (expect_.empty() && send_.empty()) return finish(ProbeResult::success(elapsed()));
  if (!send_.empty()) {
    client_->write(send_, [this](bool ok, const std::string& e) {
      if (!ok) return finish(ProbeResult::failed(Failure::kProtocol, "send: " + e, elapsed()));
      if (expect_.empty()) return finish(ProbeResult::success(elapsed()));
      readMore();
    });
    return;
  }
  readMore();
}

void TcpChecker::readMore() {
  client_->read([this](std::span<const char> bytes, bool eof, const std::string& error) {
    if (!error.empty()) {
      return finish(ProbeResult::failed(Failure::kProtocol, "read: " + error, elapsed()));
    }
    received_.append(bytes.data(), bytes.size());
    if (received_.find(expect_) != std::string::npos) {
      return finish(ProbeResult::success(elapsed()));
    }
    if (eof || received_.size() >= kMaxReply) {
      return finish(ProbeResult::failed(
          Failure::kExpectMismatch,
          "reply of " + std::to_string(received_.size()) + " bytes without '" + expect_ + "'",
          elapsed()));
    }
    readMore();
  });
}

void TcpChecker::finish(ProbeResult r) {
  timer_.cancel();
  client_.reset();  // abortive close: no TIME_WAIT per check
  pending_.complete(std::move(r));
}

void TcpChecker::cancel() {
  timer_.cancel();
  client_.reset();
  pending_.drop();
}

}  // namespace holdfast::checkers
