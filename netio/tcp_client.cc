#include "netio/tcp_client.h"

#include <boost/asio/write.hpp>

namespace holdfast::netio {

namespace asio = boost::asio;

namespace {
asio::ip::address toAsio(const IpAddress& a) {
  if (a.family == Family::kIPv4) {
    return asio::ip::address_v4(
        std::array<unsigned char, 4>{a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]});
  }
  asio::ip::address_v6::bytes_type b;
  std::copy(a.bytes.begin(), a.bytes.end(), b.begin());
  return asio::ip::address_v6(b);
}
}  // namespace

void TcpClient::connect(const IpAddress& address, int port, Connected done) {
  const asio::ip::tcp::endpoint ep(toAsio(address), static_cast<unsigned short>(port));
  boost::system::error_code ec;
  socket_.open(ep.protocol(), ec);
  if (ec) {
    done(ConnectOutcome::kFailed, ec.message());
    return;
  }
  socket_.async_connect(ep, [done = std::move(done)](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;  // closed by our timeout
    if (!ec) return done(ConnectOutcome::kConnected, "");
    if (ec == asio::error::connection_refused) return done(ConnectOutcome::kRefused, ec.message());
    if (ec == asio::error::host_unreachable || ec == asio::error::network_unreachable) {
      return done(ConnectOutcome::kUnreachable, ec.message());
    }
    done(ConnectOutcome::kFailed, ec.message());
  });
}

void TcpClient::write(std::string data, Written done) {
  outgoing_ = std::move(data);
  asio::async_write(socket_, asio::buffer(outgoing_),
                    [done = std::move(done)](const boost::system::error_code& ec, size_t) {
                      if (ec == asio::error::operation_aborted) return;
                      done(!ec, ec ? ec.message() : "");
                    });
}

void TcpClient::read(Received done) {
  socket_.async_read_some(
      asio::buffer(incoming_),
      [this, done = std::move(done)](const boost::system::error_code& ec, size_t n) {
        if (ec == asio::error::operation_aborted) return;
        if (ec == asio::error::eof) return done({}, true, "");
        if (ec) return done({}, false, ec.message());
        done(std::span<const char>(incoming_.data(), n), false, "");
      });
}

void TcpClient::close() {
  if (!socket_.is_open()) return;
  boost::system::error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

}  // namespace holdfast::netio
