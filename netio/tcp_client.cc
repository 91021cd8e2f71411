#include "netio/tcp_client.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace holdfast::netio {

namespace {
constexpr uint32_t kFailure = EPOLLERR | EPOLLHUP;

ConnectOutcome outcomeOf(int error) {
  switch (error) {
    case 0:
      return ConnectOutcome::kConnected;
    case ECONNREFUSED:
      return ConnectOutcome::kRefused;
    case EHOSTUNREACH:
    case ENETUNREACH:
      return ConnectOutcome::kUnreachable;
    default:
      return ConnectOutcome::kFailed;
  }
}
}  // namespace

TcpClient::~TcpClient() {
  if (destroyed_) *destroyed_ = true;
  close();
}

void TcpClient::connect(const IpAddress& address, int port, Connected done) {
  close();
  sockaddr_storage to{};
  socklen_t toLength = 0;
  const bool v4 = address.family == Family::kIPv4;
  if (v4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&to);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&sin->sin_addr, address.bytes.data(), 4);
    toLength = sizeof *sin;
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&to);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&sin6->sin6_addr, address.bytes.data(), 16);
    toLength = sizeof *sin6;
  }
  auto fail = [&](int error) { done(outcomeOf(error), std::strerror(error)); };
  fd_ = ::socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail(errno);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), toLength) != 0 && errno != EINPROGRESS) {
    return fail(errno);  // unreachable at once, say (the caller closes)
  }
  // Connected at once or later: the first EPOLLOUT (or a failure) tells.
  if (const int error = reactor_.watch(fd_, *this, watch_); error != 0) {
    ::close(fd_);
    fd_ = -1;
    return fail(error);
  }
  onConnected_ = std::move(done);
}

void TcpClient::onEvents(uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | kFailure)) readable_ = true;
  if (events & (EPOLLOUT | kFailure)) writable_ = true;
  if (onConnected_) return connectDone(events);
  bool destroyed = false;
  destroyed_ = &destroyed;
  if (writable_ && onWritable_) {
    auto f = std::move(onWritable_);
    onWritable_ = nullptr;
    f();
    if (destroyed) return;
  }
  if (readable_ && onReadable_) {
    auto f = std::move(onReadable_);
    onReadable_ = nullptr;
    f();
    if (destroyed) return;
  }
  destroyed_ = nullptr;
}

void TcpClient::connectDone(uint32_t events) {
  auto done = std::move(onConnected_);
  onConnected_ = nullptr;
  if (!(events & kFailure)) return done(ConnectOutcome::kConnected, "");
  // Only a failed connect pays for SO_ERROR.
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  if (error == 0) error = ECONNRESET;  // a hang-up with no error recorded
  done(outcomeOf(error), std::strerror(error));
}

ssize_t TcpClient::sendNow(std::span<const char> bytes) {
  const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) writable_ = false;
  return n;
}

ssize_t TcpClient::receiveNow(std::span<char> into) {
  const ssize_t n = ::recv(fd_, into.data(), into.size(), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) readable_ = false;
  return n;
}

void TcpClient::whenReadable(std::function<void()> ready) {
  // Already readable (the edge came before this wait, and nobody has read
  // since): at once. The set is edge-triggered and would not say it again.
  if (readable_) return ready();
  onReadable_ = std::move(ready);
}

void TcpClient::write(std::string data, Written done) {
  outgoing_ = std::move(data);
  sent_ = 0;
  sendMore(std::move(done));
}

void TcpClient::sendMore(Written done) {
  while (sent_ < outgoing_.size()) {
    const ssize_t n = sendNow({outgoing_.data() + sent_, outgoing_.size() - sent_});
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      onWritable_ = [this, done = std::move(done)]() mutable { sendMore(std::move(done)); };
      return;
    }
    if (n < 0) return done(false, std::strerror(errno));
    sent_ += static_cast<size_t>(n);
  }
  done(true, "");
}

void TcpClient::read(Received done) {
  const ssize_t n = receiveNow(incoming_);
  if (n > 0)
    return done(std::span<const char>(incoming_.data(), static_cast<size_t>(n)), false, "");
  if (n == 0) return done({}, true, "");
  if (errno != EAGAIN && errno != EWOULDBLOCK) return done({}, false, std::strerror(errno));
  onReadable_ = [this, done = std::move(done)]() mutable { read(std::move(done)); };
}

void TcpClient::close() {
  if (fd_ < 0) return;
  reactor_.unwatch(watch_);
  const linger reset{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd_);
  fd_ = -1;
  readable_ = writable_ = false;
  onConnected_ = nullptr;
  onReadable_ = nullptr;
  onWritable_ = nullptr;
}

}  // namespace holdfast::netio
