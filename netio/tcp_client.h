#pragma once
// A TCP connection for probing: non-blocking connect with the failure kinds kept
// apart (refused, unreachable, other), write, read, and an abortive close (RST, no
// TIME_WAIT left behind by thousands of checks).
//
// Thousands of probes a second make system calls the cost that matters, so a
// probe makes the kernel's own and no more: socket (SOCK_NONBLOCK), connect, one
// EPOLL_CTL_ADD to the checker thread's ProbeReactor, send, recv, SO_LINGER,
// close; SO_ERROR only when the connect failed. Readiness is remembered (the set
// is edge-triggered), so a wait started after the edge still completes.
//
// Callbacks run on the loop, one at a time; each may destroy the client.

#include <sys/types.h>
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "netio/ip_address.h"
#include "netio/probe_reactor.h"

namespace holdfast::netio {

enum class ConnectOutcome { kConnected, kRefused, kUnreachable, kFailed };

class TcpClient : private ProbeReactor::Watcher {
 public:
  // Called once, possibly before connect() returns (an immediate failure).
  using Connected = std::function<void(ConnectOutcome, const std::string& error)>;
  using Written = std::function<void(bool ok, const std::string& error)>;
  // bytes empty with `eof` true: the peer closed; `error` non-empty: a failure.
  using Received =
      std::function<void(std::span<const char> bytes, bool eof, const std::string& error)>;

  explicit TcpClient(ProbeReactor& reactor) : reactor_(reactor) {}
  // Every callback below may run before the call that starts it returns (when
  // the socket is ready already): start them as a last act.
  ~TcpClient();
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  void connect(const IpAddress& address, int port, Connected done);
  // Sends all of `data` (kept until then), waiting for room if need be.
  void write(std::string data, Written done);
  // The next bytes that arrive, or the peer's end, or a failure.
  void read(Received done);

  // One non-blocking send (MSG_NOSIGNAL): the bytes the socket took, or -1 with
  // errno set.
  ssize_t sendNow(std::span<const char> bytes);
  // One non-blocking receive: bytes, 0 at the peer's end, or -1 with errno set
  // (EAGAIN: nothing yet; wait with whenReadable).
  ssize_t receiveNow(std::span<char> into);
  // `ready` once the socket is readable or failed; at once, before this returns,
  // if it already is (call it as a last act).
  void whenReadable(std::function<void()> ready);

  // Abortive close; no callback runs after it.
  void close();

 private:
  void onEvents(uint32_t events) override;
  void connectDone(uint32_t events);
  void sendMore(Written done);

  ProbeReactor& reactor_;
  int fd_ = -1;
  uint64_t watch_ = 0;
  bool readable_ = false;  // an edge came and no recv has said EAGAIN since
  bool writable_ = false;
  bool* destroyed_ = nullptr;  // set while a callback runs: was this client destroyed?
  Connected onConnected_;
  std::function<void()> onReadable_;
  std::function<void()> onWritable_;
  std::string outgoing_;
  size_t sent_ = 0;
  std::array<char, 4096> incoming_{};
};

}  // namespace holdfast::netio
