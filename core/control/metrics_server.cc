#include "core/control/metrics_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "core/log/logger.h"

namespace holdfast::control {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kRequestTime = std::chrono::seconds(5);
constexpr int kRequestsPerConnection = 10;
constexpr int kThreads = 2;  // scrapes are rare, and each waits for the daemon's report
constexpr std::uint32_t kHeaderLimit = 8 * 1024;

std::string hostPort(const std::string& address, int port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

// One connection: read a request, answer it, again while kept alive.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const MetricsServer::Collect& collect)
      : stream_(std::move(socket)), collect_(collect) {}

  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kRequestTime);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

 private:
  void onRead(beast::error_code ec) {
    if (ec) return close();  // closed, timed out, or not HTTP (a body included)
    const auto& req = parser_->get();
    const auto method = req.method_string();
    const auto target = req.target();
    ScrapeAnswer a =
        answerScrape({method.data(), method.size()}, {target.data(), target.size()}, collect_);
    response_ = {};
    response_.version(req.version());
    response_.result(static_cast<unsigned>(a.status));
    response_.set(http::field::server, "holdfastd");
    response_.set(http::field::content_type, a.contentType);
    if (a.allowHeader) response_.set(http::field::allow, "GET, HEAD");
    const bool head = req.method() == http::verb::head;
    const std::size_t length = a.body.size();
    response_.body() = head ? std::string() : std::move(a.body);
    response_.content_length(length);
    ++served_;
    response_.keep_alive(req.keep_alive() && served_ < kRequestsPerConnection);
    stream_.expires_after(kRequestTime);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code wec, std::size_t) {
                        if (wec || !self->response_.keep_alive()) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  const MetricsServer::Collect& collect_;  // the server's; it outlives its threads
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> response_;
  int served_ = 0;
};

}  // namespace

ScrapeAnswer answerScrape(std::string_view method, std::string_view target,
                          const std::function<std::optional<std::string>()>& collect) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics") return {404, "text/plain", "not found: try /metrics\n"};
  if (method != "GET" && method != "HEAD") {
    return {405, "text/plain", "only GET and HEAD\n", true};
  }
  auto page = collect();
  if (!page) return {503, "text/plain", "holdfastd did not answer in time\n"};
  return {200, "text/plain; version=0.0.4; charset=utf-8", std::move(*page)};
}

struct MetricsServer::Impl {
  explicit Impl(Collect c) : collect(std::move(c)) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Connection>(std::move(s), collect)->read();
      accept();  // an error on one connection (EMFILE, a reset) stops nothing
    });
  }

  Collect collect;
  asio::io_context io{kThreads};
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
};

std::expected<std::unique_ptr<MetricsServer>, std::string> MetricsServer::start(
    const std::string& address, int port, Collect collect) {
  std::unique_ptr<MetricsServer> m(new MetricsServer());
  m->where_ = hostPort(address, port);
  m->impl_ = std::make_unique<Impl>(std::move(collect));
  auto fail = [&](const char* what, const beast::error_code& ec) {
    return std::unexpected("metrics_listen " + m->where_ + ": cannot " + what + ": " +
                           ec.message());
  };
  beast::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return fail("parse the address", ec);
  const tcp::endpoint at(ip, static_cast<unsigned short>(port));
  tcp::acceptor& acc = m->impl_->acceptor;
  if (acc.open(at.protocol(), ec); ec) return fail("open a socket", ec);
  if (acc.set_option(asio::socket_base::reuse_address(true), ec); ec) {
    return fail("set SO_REUSEADDR", ec);
  }
  if (acc.bind(at, ec); ec) return fail("bind", ec);
  if (acc.listen(asio::socket_base::max_listen_connections, ec); ec) return fail("listen", ec);
  m->impl_->accept();
  for (int i = 0; i < kThreads; ++i) {
    m->impl_->threads.emplace_back([impl = m->impl_.get()] { impl->io.run(); });
  }
  return m;
}

MetricsServer::~MetricsServer() {
  if (!impl_) return;
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
}

std::expected<void, std::string> serveMetrics(std::unique_ptr<MetricsServer>& server,
                                              const std::optional<config::Endpoint>& listen,
                                              MetricsServer::Collect collect) {
  if (!listen) {
    if (server) log::info("metrics: no longer served (" + server->where() + ")");
    server.reset();
    return {};
  }
  const std::string address = listen->address.to_string();
  const std::string where = hostPort(address, listen->port);
  if (server && server->where() == where) return {};
  server.reset();  // frees the port first: a move often keeps it
  auto m = MetricsServer::start(address, listen->port, std::move(collect));
  if (!m) return std::unexpected(m.error());
  server = std::move(*m);
  log::info("metrics: serving http://" + where + "/metrics");
  return {};
}

}  // namespace holdfast::control
