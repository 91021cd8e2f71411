#pragma once
// A TCP connection for probing: non-blocking connect with the failure kinds kept
// apart (refused, unreachable, other), write, read, and an abortive close (RST, no
// TIME_WAIT left behind by thousands of checks).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <span>
#include <string>

#include "netio/ip_address.h"

namespace holdfast::netio {

enum class ConnectOutcome { kConnected, kRefused, kUnreachable, kFailed };

class TcpClient {
 public:
  using Connected = std::function<void(ConnectOutcome, const std::string& error)>;
  using Written = std::function<void(bool ok, const std::string& error)>;
  // bytes empty with `eof` true: the peer closed; `error` non-empty: a failure.
  using Received =
      std::function<void(std::span<const char> bytes, bool eof, const std::string& error)>;

  explicit TcpClient(boost::asio::io_context& io) : socket_(io) {}
  ~TcpClient() { close(); }

  void connect(const IpAddress& address, int port, Connected done);
  void write(std::string data, Written done);
  void read(Received done);
  // Abortive close; pending operations complete with an error the caller ignores.
  void close();
  // For protocol code that reads and writes on its own (Beast).
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::ip::tcp::socket socket_;
  std::string outgoing_;
  std::array<char, 4096> incoming_{};
};

}  // namespace holdfast::netio
